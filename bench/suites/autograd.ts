/**
 * Autograd overhead: forward and backward through a chain of N scalar ops (alternating
 * multiply and add by a constant scalar tensor, made once), divided by N. The tensors hold
 * one number each, so the time is bookkeeping: op dispatch, graph recording, the backward walk.
 * TF.js computes the same gradient with `tf.grad`.
 */
import { tensor } from '@tsgrad/core';
import { tf, use } from '../peers.js';
import { fmt, ratio } from '../table.js';
import { measure } from '../timing.js';
import type { Suite } from './suite.js';

const OPS = 200;
const timing = { budgetMs: 1500, warmupMs: 700, maxReps: 40 };

function tsgradUsPerOp(): number {
  const x = tensor(0.5, { requiresGrad: true });
  const a = tensor(1.0001);
  const b = tensor(0.0001);
  const ms = measure(() => {
    let y = x;
    for (let i = 0; i < OPS; i += 2) y = y.mul(a).add(b);
    y.backward();
    x.grad!.itemSync();
    x.grad = null;
  }, timing);
  return (ms * 1e3) / OPS;
}

function tfjsUsPerOp(): number {
  const x = tf.scalar(0.5);
  const a = tf.scalar(1.0001);
  const b = tf.scalar(0.0001);
  const g = tf.grad((v: tf.Tensor) => {
    let y = v;
    for (let i = 0; i < OPS; i += 2) y = tf.add(tf.mul(y, a), b);
    return y;
  });
  const ms = measure(() => {
    const dx = g(x);
    dx.dataSync();
    dx.dispose();
  }, timing);
  for (const t of [x, a, b]) t.dispose();
  return (ms * 1e3) / OPS;
}

export const run: Suite = async ({ peers }) => {
  const ours = tsgradUsPerOp();
  const theirs: number[] = [];
  for (const p of peers) {
    await use(p);
    theirs.push(tfjsUsPerOp());
  }
  return [
    {
      title: `autograd overhead (µs per op, forward + backward of a ${OPS}-op scalar chain; lower is better)`,
      headers: ['chain', 'tsgrad', ...peers.map((p) => p.label), ...peers.map((p) => `vs ${p.backend}`)],
      rows: [['mul/add scalar', fmt(ours), ...theirs.map(fmt), ...theirs.map((t) => ratio(ours, t, false))]],
    },
  ];
};
