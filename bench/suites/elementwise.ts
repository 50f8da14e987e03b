/**
 * Elementwise throughput on 1M float32 values: a binary op (add, 12 bytes moved per element)
 * and a transcendental unary op (exp, 8 bytes per element). Reported in millions of elements
 * per second, with the memory traffic that implies in GB/s.
 */
import { manualSeed, randn } from '@tsgrad/core';
import { tf, use } from '../peers.js';
import { fmt, ratio } from '../table.js';
import { measure } from '../timing.js';
import type { Suite } from './suite.js';

const N = 1 << 20;

interface Case {
  label: string;
  bytes: number;
  ours: (a: ReturnType<typeof randn>, b: ReturnType<typeof randn>) => { dispose(): void };
  theirs: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
}

const cases: Case[] = [
  { label: 'add 1M', bytes: 12, ours: (a, b) => a.add(b), theirs: (a, b) => tf.add(a, b) },
  { label: 'exp 1M', bytes: 8, ours: (a) => a.exp(), theirs: (a) => tf.exp(a) },
  {
    label: 'mul 1M (broadcast row)',
    bytes: 8,
    ours: (a, b) => a.mul(b.narrow(0, 0, 1024)),
    theirs: (a, b) => tf.mul(a, tf.slice(b, [0, 0], [1, 1024])),
  },
];

export const run: Suite = async ({ peers }) => {
  manualSeed(0);
  const a = randn([1024, N / 1024]);
  const b = randn([1024, N / 1024]);
  const rows: string[][] = [];
  for (const c of cases) {
    const ours = N / (measure(() => c.ours(a, b).dispose()) * 1e3);
    const theirs: number[] = [];
    for (const p of peers) {
      await use(p);
      const ta = tf.randomNormal([1024, N / 1024], 0, 1, 'float32', 1);
      const tb = tf.randomNormal([1024, N / 1024], 0, 1, 'float32', 2);
      theirs.push(N / (measure(() => tf.tidy(() => c.theirs(ta, tb)).dispose()) * 1e3));
      ta.dispose();
      tb.dispose();
    }
    const gbs = (m: number) => `${fmt(m)} (${fmt((m * c.bytes) / 1e3)} GB/s)`;
    rows.push([c.label, gbs(ours), ...theirs.map(gbs), ...theirs.map((t) => ratio(ours, t))]);
  }
  a.dispose();
  b.dispose();
  return [
    {
      title: 'elementwise, float32 (Melem/s, higher is better)',
      headers: ['op', 'tsgrad', ...peers.map((p) => p.label), ...peers.map((p) => `vs ${p.backend}`)],
      rows,
    },
  ];
};
