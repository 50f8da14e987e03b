/**
 * Matrix multiplication throughput, float32, in GFLOP/s (2·M·N·K per product): square sizes,
 * plus the transposed operands backward passes use (Aᵀ·B for weight gradients, A·Bᵀ for
 * input gradients). tsgrad's transposes are views; TF.js gets its transpose flags.
 */
import { initCpuKernels, manualSeed, randn, type Tensor } from '@tsgrad/core';
import { tf, use } from '../peers.js';
import { fmt, ratio } from '../table.js';
import { measure } from '../timing.js';
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

function tsgradGflops(c: Case): number {
  manualSeed(0);
  const a = randn([c.n, c.n]);
  const b = randn([c.n, c.n]);
  const A: Tensor = c.transA ? a.T : a;
  const B: Tensor = c.transB ? b.T : b;
  const ms = measure(() => A.matmul(B).dispose(), { budgetMs: budget(c.n), warmupMs: 400 });
  a.dispose();
  b.dispose();
  return (2 * c.n ** 3) / (ms * 1e6);
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
    const ours = tsgradGflops(c);
    const theirs: number[] = [];
    for (const p of peers) {
      await use(p);
      theirs.push(tfjsGflops(c));
    }
    rows.push([c.label, fmt(ours), ...theirs.map(fmt), ...theirs.map((t) => ratio(ours, t))]);
  }
  return [
    {
      title: 'matmul, float32 (GFLOP/s, higher is better)',
      headers: ['case', 'tsgrad', ...peers.map((p) => p.label), ...peers.map((p) => `vs ${p.backend}`)],
      rows,
      notes: ['vs X: tsgrad ÷ X (×2 means tsgrad is twice as fast)'],
    },
  ];
};
