/**
 * PyTorch as a benchmark peer, where a Python with `torch` is installed (`python3`, or
 * Debian's `/usr/bin/python3` with the `python3-torch` package); CI does not need it. Each
 * workload runs in `peer.py` with 1 and with 2 threads, and the better mean is PyTorch's
 * figure: its best setting on the machine. The OpenBLAS pins that these machines export are
 * unset for PyTorch's process alone.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, type Stats } from '../timing.js';

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
export type TorchCase = 'mlp' | 'conv' | 'lenet' | 'lstm' | 'transformer' | 'add' | 'exp' | 'mul';

/** PyTorch's mean and median ms per call of a workload at its best thread count, or null without torch. */
export function torchStats(name: TorchCase, budgetMs = 2500): (Stats & { threads: number }) | null {
  const py = torchPython();
  if (py === null) return null;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  let best: (Stats & { threads: number }) | null = null;
  for (const threads of [1, 2]) {
    const r = spawnSync(
      py.exe,
      [script, name, '--threads', String(threads), '--budget-ms', String(budgetMs)],
      {
        encoding: 'utf8',
        env,
      },
    );
    if (r.status !== 0)
      throw new Error(`bench: PyTorch peer '${name}' failed: ${r.stderr.trim().split('\n').pop()}`);
    const times = (JSON.parse(r.stdout) as { times_ms: number[] }).times_ms;
    const s = { mean: times.reduce((a, b) => a + b, 0) / times.length, median: median(times), threads };
    if (best === null || s.mean < best.mean) best = s;
  }
  return best;
}
