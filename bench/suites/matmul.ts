/**
 * Matrix multiplication throughput, float32, in GFLOP/s (2·M·N·K per product): square sizes,
 * plus the transposed operands backward passes use (Aᵀ·B for weight gradients, A·Bᵀ for
 * input gradients). tsgrad's transposes are views; TF.js gets its transpose flags. Where
 * relaxed SIMD is available tsgrad runs its fused multiply-add kernel, timed in alternation
 * with the plain SIMD one.
 */
import { initCpuKernels, manualSeed, randn, type Tensor } from '@tsgrad/core';
import { fmaAvailable, tsgradLabel, withoutFma } from '../fma.js';
import { tf, use } from '../peers.js';
import { fmt, ratio } from '../table.js';
import { measure, measureInterleaved } from '../timing.js';
import type { Suite } from './suite.js';

interface Case {
  label: string;
  n: number;
  transA: boolean;
  transB: boolean;
}

const cases: Case[] = [
  ...[128, 256, 512, 1024].map((n) => ({ label: `${n}×${n}·${n}×${n}`, n, transA: false, transB: false })),
  { label: 'Aᵀ·B 1024', n: 1024, transA: true, transB: false },
  { label: 'A·Bᵀ 1024', n: 1024, transA: false, transB: true },
];

const budget = (n: number) => (n >= 1024 ? 1500 : 500);

/** tsgrad's GFLOP/s: with the fused multiply-add kernel and without it, where it runs; else the one. */
function tsgradGflops(c: Case): number[] {
  manualSeed(0);
  const a = randn([c.n, c.n]);
  const b = randn([c.n, c.n]);
  const A: Tensor = c.transA ? a.T : a;
  const B: Tensor = c.transB ? b.T : b;
  const product = () => A.matmul(B).dispose();
  const opts = { budgetMs: budget(c.n), warmupMs: 400 };
  const ms = fmaAvailable()
    ? measureInterleaved([product, withoutFma(product)], opts)
    : [measure(product, opts)];
  a.dispose();
  b.dispose();
  return ms.map((t) => (2 * c.n ** 3) / (t * 1e6));
}

function tfjsGflops(c: Case): number {
  const a = tf.randomNormal([c.n, c.n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([c.n, c.n], 0, 1, 'float32', 2);
  const ms = measure(() => tf.matMul(a, b, c.transA, c.transB).dispose(), {
    budgetMs: budget(c.n),
    warmupMs: 400,
  });
  a.dispose();
  b.dispose();
  return (2 * c.n ** 3) / (ms * 1e6);
}

export const run: Suite = async ({ peers }) => {
  // Worker threads up before timing, as a deployed app would have them after its first steps.
  await initCpuKernels();
  const rows: string[][] = [];
  for (const c of cases) {
    const [ours, plain] = tsgradGflops(c) as [number, number | undefined];
    const theirs: number[] = [];
    for (const p of peers) {
      await use(p);
      theirs.push(tfjsGflops(c));
    }
    rows.push([
      c.label,
      fmt(ours),
      ...(plain === undefined ? [] : [fmt(plain)]),
      ...theirs.map(fmt),
      ...theirs.map((t) => ratio(ours, t)),
    ]);
  }
  const fma = fmaAvailable();
  return [
    {
      title: 'matmul, float32 (GFLOP/s, higher is better)',
      headers: [
        'case',
        tsgradLabel(),
        ...(fma ? [tsgradLabel(false)] : []),
        ...peers.map((p) => p.label),
        ...peers.map((p) => `vs ${p.backend}`),
      ],
      rows,
      notes: ['vs X: tsgrad ÷ X (×2 means tsgrad is twice as fast)'],
    },
  ];
};
