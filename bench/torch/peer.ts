/**
 * PyTorch as a benchmark peer, where a Python with `torch` is installed (`python3`, or
 * Debian's `/usr/bin/python3` with the `python3-torch` package); CI does not need it. Each
 * workload runs in `peer.py` with 1 and with 2 threads, and the better mean is PyTorch's
 * figure: its best setting on the machine. The OpenBLAS pins that these machines export are
 * unset for PyTorch's process alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Contender } from '../timing.js';

const script = fileURLToPath(new URL('./peer.py', import.meta.url));
let python: string | null | undefined;

/** The first Python that imports torch, and its version; null when there is none. */
export function torchPython(): { exe: string; version: string } | null {
  if (python === undefined) {
    python = null;
    for (const exe of ['python3', '/usr/bin/python3']) {
      const r = spawnSync(exe, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
      if (r.status === 0) {
        python = `${exe}\n${r.stdout.trim()}`;
        break;
      }
    }
  }
  if (python === null) return null;
  const [exe, version] = python.split('\n') as [string, string];
  return { exe, version };
}

/** The workloads `peer.py` knows. */
export type TorchCase =
  | 'mlp'
  | 'conv'
  | 'conv_forward'
  | 'lenet'
  | 'lstm'
  | 'transformer'
  | 'gpt'
  | 'add'
  | 'exp'
  | 'mul';

/**
 * How long a PyTorch turn waits after its last call before it ends. PyTorch's `threads` are its
 * intra-op threads; the OpenBLAS it multiplies with keeps a pool of its own, one thread per
 * core whatever `torch.set_num_threads` says, and after a product those threads poll for about
 * 0.1 s before they sleep (on this kind of machine: measured from their CPU time). Without the
 * pause they take a core through the start of the next contender's turn.
 */
const TORCH_SETTLE_MS = 150;

/**
 * PyTorch at `threads` threads as a contender of `interleaveStats`: `peer.py --serve` in a
 * child process, one turn per request, each followed by {@link TORCH_SETTLE_MS} of quiet;
 * null where no Python imports torch.
 */
export function torchContender(name: TorchCase, threads: number): Contender | null {
  const py = torchPython();
  if (py === null) return null;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const child = spawn(py.exe, [script, name, '--threads', String(threads), '--serve'], {
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  let ended = false;
  child.on('exit', () => {
    ended = true;
    for (const w of waiting.splice(0)) w('null');
  });
  return {
    turn(ms, leadMs = 0) {
      if (ended) throw new Error(`bench: PyTorch peer '${name}' exited`);
      return new Promise((resolve, reject) => {
        waiting.push((line) => {
          const times = JSON.parse(line) as number[] | null;
          if (times === null) reject(new Error(`bench: PyTorch peer '${name}' exited`));
          else setTimeout(() => resolve(times), TORCH_SETTLE_MS);
        });
        child.stdin!.write(`turn ${ms} ${leadMs}\n`);
      });
    },
    close() {
      child.stdin!.end();
    },
  };
}

/**
 * PyTorch at its best thread count (1 or 2) for `name` as a contender: both settings run a
 * few turns on their own first, by the mean time per call, and the slower process is closed
 * before the comparison. Timing both inside the comparison would let the idle one's OpenBLAS
 * threads, which keep polling for a while after each call, take a core from the others'
 * turns. Null where no Python imports torch.
 */
export async function bestTorchContender(
  name: TorchCase,
  turnMs: number,
): Promise<{ contender: Contender; threads: number } | null> {
  const tried = [1, 2].map((threads) => ({ threads, contender: torchContender(name, threads) }));
  if (tried.some((t) => t.contender === null)) return null;
  const means = tried.map(() => [] as number[]);
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < tried.length; i++) {
      const times = await tried[i]!.contender!.turn(turnMs);
      // The first turn warms up.
      if (round > 0) means[i]!.push(times.reduce((a, b) => a + b, 0) / times.length);
    }
  }
  const avg = means.map((m) => m.reduce((a, b) => a + b, 0) / m.length);
  const best = avg[1]! < avg[0]! ? 1 : 0;
  tried[1 - best]!.contender!.close?.();
  return { contender: tried[best]!.contender!, threads: tried[best]!.threads };
}
