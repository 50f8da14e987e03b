/**
 * One training step of an LSTM: sequence 32, batch 64, input and hidden 256, a linear head on the
 * last output into 10 classes, cross-entropy, Adam (lr 1e-3): `nn.LSTM` in tsgrad and PyTorch; in
 * TF.js the same cell written with tfjs-core ops (one input projection for the whole sequence,
 * then per step h·W_hh, the four gates and the cell update), as `tf.basicLSTMCell` computes it.
 * tsgrad and PyTorch take turns, then tfjs-wasm runs on its own (`compareSteps`); tfjs-cpu, which
 * needs seconds per step, is timed only with `TSGRAD_BENCH_TFJS_CPU=1`.
 *
 * A second table times tsgrad's step at sequence lengths 16 to 128, in alternating turns: the
 * cost per time step should stay flat (the recurrence is linear in T, in work and in memory).
 */
import { initCpuKernels, manualSeed, randint, randn, tidy } from '@tsgrad/core';
import { crossEntropyLoss, Linear, LSTM } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { tf } from '../peers.js';
import { fmt, type Table } from '../table.js';
import { interleaveStats, localContender } from '../timing.js';
import { slowPeers, stepSuite, type TfjsStep, tfjsTrainingStep } from '../training.js';
import type { Suite } from './suite.js';

const T = 32;
const BATCH = 64;
const IN = 256;
const HIDDEN = 256;
const CLASSES = 10;
const timing = { warmupMs: 1500, turnMs: 600, rounds: 6, minCalls: 10 };
/** Sequence lengths of the scaling table. */
const LENGTHS = [16, 32, 64, 128];

function tsgradStep(len: number): () => void {
  manualSeed(0);
  const lstm = new LSTM(IN, HIDDEN);
  const head = new Linear(HIDDEN, CLASSES);
  const opt = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-3 });
  const x = randn([len, BATCH, IN]);
  const y = randint(0, CLASSES, [BATCH], { dtype: 'int32' });
  return () =>
    tidy(() => {
      opt.zeroGrad();
      const [out] = lstm.forward(x);
      const loss = crossEntropyLoss(head.forward(out.narrow(0, len - 1, 1).squeeze(0)), y);
      loss.backward();
      opt.step();
      loss.itemSync();
    });
}

/** A TF.js step on the current backend, and a function that frees its tensors. */
function tfjsStep(): TfjsStep {
  const k = 1 / Math.sqrt(HIDDEN);
  const u = (shape: number[], seed: number) => tf.variable(tf.randomUniform(shape, -k, k, 'float32', seed));
  const wIh = u([IN, 4 * HIDDEN], 1);
  const wHh = u([HIDDEN, 4 * HIDDEN], 2);
  const b = u([4 * HIDDEN], 3);
  const wOut = u([HIDDEN, CLASSES], 4);
  const bOut = u([CLASSES], 5);
  const params = [wIh, wHh, b, wOut, bOut];
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([T * BATCH, IN], 0, 1, 'float32', 6);
  const labels = tf.tensor1d(
    Array.from({ length: BATCH }, (_, i) => (i * 7) % CLASSES),
    'int32',
  );
  const y = tf.oneHot(labels, CLASSES);
  return tfjsTrainingStep(opt, () => {
    const xw = tf.reshape(tf.add(tf.matMul(x as tf.Tensor2D, wIh), b), [T, BATCH, 4 * HIDDEN]);
    const xs = tf.unstack(xw);
    let h: tf.Tensor2D = tf.zeros([BATCH, HIDDEN]);
    let c: tf.Tensor2D = tf.zeros([BATCH, HIDDEN]);
    for (let t = 0; t < T; t++) {
      const g = tf.add(xs[t]!, tf.matMul(h, wHh));
      const [i, f, gg, o] = tf.split(g, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(gg!)));
      h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
    }
    const logits = tf.add(tf.matMul(h, wOut), bOut);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  }, [...params, x, labels, y]);
}

/** tsgrad's step at each of {@link LENGTHS}, in turns: milliseconds per step and per time step. */
async function scaling(): Promise<Table> {
  const stats = await interleaveStats(
    LENGTHS.map((t) => localContender(tsgradStep(t))),
    { warmupMs: 1000, turnMs: 400, rounds: 4, minCalls: 4 },
  );
  const perStep = stats.map((s, i) => s.mean / LENGTHS[i]!);
  const perStepMedian = stats.map((s, i) => s.median / LENGTHS[i]!);
  return {
    title: `LSTM training step against sequence length (batch ${BATCH}, hidden ${HIDDEN}; tsgrad): the cost per time step stays flat`,
    headers: [
      'T',
      'ms/step (mean)',
      'ms/step (median)',
      'ms per time step (mean)',
      'ms per time step (median)',
      `vs T ${LENGTHS[0]} (mean)`,
    ],
    rows: stats.map((s, i) => [
      String(LENGTHS[i]),
      fmt(s.mean),
      fmt(s.median),
      fmt(perStep[i]!),
      fmt(perStepMedian[i]!),
      `×${(perStep[i]! / perStep[0]!).toFixed(2)}`,
    ]),
  };
}

export const run: Suite = async ({ peers }) => {
  await initCpuKernels();
  const tables = await stepSuite(
    `LSTM training step: T ${T}, batch ${BATCH}, input ${IN}, hidden ${HIDDEN}, linear head, Adam (higher steps/s is better)`,
    {
      peers,
      ours: tsgradStep(T),
      tfjs: tfjsStep,
      torch: 'lstm',
      timing,
      tfjsCpu: slowPeers,
    },
  );
  return [...tables, await scaling()];
};
