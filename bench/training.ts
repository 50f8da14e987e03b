/**
 * Training-step comparisons: tsgrad's step timed in alternation with itself on the plain SIMD
 * matmul (where the fused multiply-add one runs) and PyTorch (at its better thread count), then
 * TF.js's wasm backend on its own, and the table that reports them: steps per second and milliseconds
 * per step, mean (what an epoch costs, garbage collection included) and median, with
 * tsgrad's ratio to each peer by both.
 */
import { fmaAvailable, tsgradLabel, withoutFma } from './fma.js';
import { type Peer, type tf, use } from './peers.js';
import { fmt, ratio, type Table } from './table.js';
import {
  type Contender,
  type InterleaveOptions,
  interleaveStats,
  localContender,
  type Stats,
} from './timing.js';
import { bestTorchContender, type TorchCase, torchPython } from './torch/peer.js';

/** A peer's row: its label and its statistics, or why it has none. */
export type PeerRow = [label: string, stats: Stats | string];

/** A TF.js step on the current backend, and a function that frees its tensors. */
export interface TfjsStep {
  step: () => void;
  dispose: () => void;
}

/**
 * A TF.js training step: `opt` minimises `loss` and the cost is read back (as tsgrad's step
 * reads its loss); `dispose` frees `held` and the optimizer.
 */
export function tfjsTrainingStep(opt: tf.Optimizer, loss: () => tf.Scalar, held: tf.Tensor[]): TfjsStep {
  return {
    step: () => {
      const cost = opt.minimize(loss, true);
      cost!.dataSync();
      cost!.dispose();
    },
    dispose: () => {
      for (const t of held) t.dispose();
      opt.dispose();
    },
  };
}

/** What {@link compareSteps} times. */
export interface StepComparison {
  peers: Peer[];
  ours: () => void;
  /** Builds the TF.js step on the current backend. */
  tfjs: () => TfjsStep;
  /** The workload of `bench/torch/peer.py`; null for no PyTorch row. */
  torch: TorchCase | null;
  timing: InterleaveOptions;
  /** Time tfjs-cpu too (on its own, after the rest): it needs seconds where the others need milliseconds. */
  tfjsCpu: boolean;
}

/** The first line of an error, shortened, for a row that cannot run. */
function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return `cannot run: ${msg.split('\n')[0]!.slice(0, 80)}`;
}

/**
 * Times a TF.js step on `peer`'s backend on its own (after tsgrad and PyTorch), with
 * `timing`; its row, or why it has none.
 */
async function tfjsAlone(c: StepComparison, peer: Peer, timing: InterleaveOptions): Promise<PeerRow> {
  await use(peer);
  const step = c.tfjs();
  try {
    step.step();
    const [s] = await interleaveStats([localContender(step.step)], timing);
    return [peer.label, s!];
  } catch (e) {
    return [peer.label, reason(e)];
  } finally {
    step.dispose();
  }
}

/**
 * Times tsgrad's step and its peers'; returns tsgrad's statistics and one row per peer.
 * tsgrad (with and without fused multiply-add) and PyTorch take turns; TF.js runs after them,
 * on its own: sharing this process, its turns left garbage and background work behind that
 * slowed tsgrad's next turns by up to a third.
 */
export async function compareSteps(c: StepComparison): Promise<{ ours: Stats; rows: PeerRow[] }> {
  const contenders: Contender[] = [localContender(c.ours)];
  const fma = fmaAvailable();
  if (fma) contenders.push(localContender(withoutFma(c.ours)));
  // The thread-count trial takes turns of at least 0.5 s: two threads stall every few dozen
  // steps on a small machine, which shorter turns can miss.
  const trialMs = Math.max(500, c.timing.turnMs ?? 250);
  const torch = c.torch === null ? null : await bestTorchContender(c.torch, trialMs);
  if (torch !== null) contenders.push(torch.contender);
  const stats = await interleaveStats(contenders, c.timing);
  torch?.contender.close?.();
  const rows: PeerRow[] = [];
  if (fma) rows.push([tsgradLabel(false), stats[1]!]);
  const wasm = c.peers.find((p) => p.backend === 'wasm');
  if (wasm !== undefined) rows.push(await tfjsAlone(c, wasm, c.timing));
  if (torch !== null) {
    const { threads } = torch;
    rows.push([
      `PyTorch ${torchPython()!.version} (${threads} thread${threads > 1 ? 's' : ''})`,
      stats[stats.length - 1]!,
    ]);
  }
  const cpu = c.peers.find((p) => p.backend === 'cpu');
  if (cpu !== undefined) {
    rows.push(
      c.tfjsCpu
        ? await tfjsAlone(c, cpu, { ...c.timing, rounds: 2, minCalls: 1 })
        : [cpu.label, 'not timed (seconds per step; TSGRAD_BENCH_TFJS_CPU=1 times it)'],
    );
  }
  return { ours: stats[0]!, rows };
}

/** Whether to time tfjs-cpu where it needs seconds per step (`TSGRAD_BENCH_TFJS_CPU=1`). */
export const slowPeers = process.env.TSGRAD_BENCH_TFJS_CPU === '1';

/** A step table; `extra` adds a column computed from a row's statistics (after the medians). */
export function stepTable(
  title: string,
  ours: Stats,
  peers: PeerRow[],
  extra: { header: string; cell: (s: Stats) => string } | null = null,
): Table {
  const cells = (s: Stats) => [
    fmt(1000 / s.mean),
    fmt(s.mean),
    fmt(s.median),
    ...(extra ? [extra.cell(s)] : []),
  ];
  const width = extra ? 4 : 3;
  return {
    title,
    headers: [
      'library',
      'steps/s (mean)',
      'ms/step (mean)',
      'ms/step (median)',
      ...(extra ? [extra.header] : []),
      'tsgrad vs it (mean)',
      'tsgrad vs it (median)',
    ],
    rows: [
      [tsgradLabel(), ...cells(ours), '—', '—'],
      ...peers.map(([label, s]) =>
        typeof s === 'string'
          ? [label, s, ...Array<string>(width - 1).fill(''), '—', '—']
          : [
              label,
              ...cells(s),
              ratio(1000 / ours.mean, 1000 / s.mean),
              ratio(1000 / ours.median, 1000 / s.median),
            ],
      ),
    ],
    notes:
      torchPython() === null
        ? ['(no PyTorch row: no python3 here imports torch)']
        : [
            'tsgrad and PyTorch (at 1 or 2 intra-op threads, whichever ran faster in a trial beforehand; its OpenBLAS multiplies on a thread per core either way) take turns, so a busy spell of the machine hits both alike; TF.js runs after them, on its own.',
            "tsgrad's step runs in tidy(), as the examples' training loops do (TF.js's minimize() tidies too).",
          ],
  };
}

/** One comparison as one table titled `title`: what most step suites report. */
export async function stepSuite(title: string, c: StepComparison): Promise<Table[]> {
  const { ours, rows } = await compareSteps(c);
  return [stepTable(title, ours, rows)];
}
