/**
 * Elementwise throughput on 1M float32 values: a binary op (add, 12 bytes moved per element),
 * a transcendental unary op (exp, 8 bytes per element) and a multiply by a broadcast row.
 * Reported in millions of elements per second (by the mean time per op), with the memory
 * traffic that implies in GB/s. tsgrad, tfjs-wasm and PyTorch (at 1 or 2 threads, whichever
 * ran faster in a trial beforehand) take turns; tfjs-cpu runs on its own. Each op's result is
 * freed at once, as a training step's `tidy` (or TF.js's `tf.tidy`) frees its intermediates.
 */
import { manualSeed, randn, type Tensor } from '@tsgrad/core';
import { tf, use } from '../peers.js';
import { fmt, ratio } from '../table.js';
import { type Contender, interleaveStats, localContender, type Stats } from '../timing.js';
import { bestTorchContender, type TorchCase } from '../torch/peer.js';
import type { Suite } from './suite.js';

const N = 1 << 20;
const timing = { warmupMs: 300, turnMs: 150, rounds: 8, minCalls: 50 };

interface Case {
  label: string;
  torch: TorchCase;
  bytes: number;
  ours: (a: Tensor, b: Tensor) => { dispose(): void };
  theirs: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
}

const cases: Case[] = [
  { label: 'add 1M', torch: 'add', bytes: 12, ours: (a, b) => a.add(b), theirs: (a, b) => tf.add(a, b) },
  { label: 'exp 1M', torch: 'exp', bytes: 8, ours: (a) => a.exp(), theirs: (a) => tf.exp(a) },
  {
    label: 'mul 1M (broadcast row)',
    torch: 'mul',
    bytes: 8,
    ours: (a, b) => a.mul(b.narrow(0, 0, 1)),
    theirs: (a, b) => tf.mul(a, tf.slice(b, [0, 0], [1, 1024])),
  },
];

export const run: Suite = async ({ peers }) => {
  manualSeed(0);
  const a = randn([1024, N / 1024]);
  const b = randn([1024, N / 1024]);
  const wasm = peers.find((p) => p.backend === 'wasm');
  const cpu = peers.find((p) => p.backend === 'cpu');
  const rate = (s: Stats) => N / (s.mean * 1e3);
  const cell = (m: number, bytes: number) => `${fmt(m)} (${fmt((m * bytes) / 1e3)} GB/s)`;
  const rows: string[][] = [];
  let torchLabel = '';
  for (const c of cases) {
    const contenders: Contender[] = [localContender(() => c.ours(a, b).dispose())];
    const tfTensors: tf.Tensor[] = [];
    if (wasm !== undefined) {
      await use(wasm);
      const ta = tf.randomNormal([1024, N / 1024], 0, 1, 'float32', 1);
      const tb = tf.randomNormal([1024, N / 1024], 0, 1, 'float32', 2);
      tfTensors.push(ta, tb);
      contenders.push(localContender(() => tf.tidy(() => c.theirs(ta, tb)).dispose()));
    }
    const torch = await bestTorchContender(c.torch, timing.turnMs);
    if (torch !== null) contenders.push(torch.contender);
    const stats = await interleaveStats(contenders, timing);
    torch?.contender.close?.();
    for (const t of tfTensors) t.dispose();
    const ours = rate(stats[0]!);
    const theirs: (number | null)[] = [wasm === undefined ? null : rate(stats[1]!)];
    if (torch !== null) {
      theirs.push(rate(stats[wasm === undefined ? 1 : 2]!));
      torchLabel = 'PyTorch (best of 1, 2 threads)';
    }
    if (cpu !== undefined) {
      await use(cpu);
      const ta = tf.randomNormal([1024, N / 1024], 0, 1, 'float32', 1);
      const tb = tf.randomNormal([1024, N / 1024], 0, 1, 'float32', 2);
      const [s] = await interleaveStats([localContender(() => tf.tidy(() => c.theirs(ta, tb)).dispose())], {
        ...timing,
        rounds: 2,
        minCalls: 5,
      });
      theirs.push(rate(s!));
      ta.dispose();
      tb.dispose();
    }
    rows.push([
      c.label,
      cell(ours, c.bytes),
      ...theirs.map((t) => (t === null ? '—' : cell(t, c.bytes))),
      ...theirs.map((t) => (t === null ? '—' : ratio(ours, t))),
    ]);
  }
  a.dispose();
  b.dispose();
  const names = [
    wasm?.label ?? 'tfjs-wasm',
    ...(torchLabel ? [torchLabel] : []),
    ...(cpu ? [cpu.label] : []),
  ];
  const short = ['tfjs-wasm', ...(torchLabel ? ['PyTorch'] : []), ...(cpu ? ['tfjs-cpu'] : [])];
  return [
    {
      title: 'elementwise, float32 (Melem/s by the mean time per op, higher is better)',
      headers: ['op', 'tsgrad', ...names, ...short.map((s) => `vs ${s}`)],
      rows,
      notes: ['tsgrad, tfjs-wasm and PyTorch take turns; tfjs-cpu runs on its own.'],
    },
  ];
};
