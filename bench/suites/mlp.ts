/**
 * One training step of the MNIST classifier: MLP 784-256-128-10 (ReLU), batch 128, cross-entropy
 * on logits, Adam (lr 1e-3) — forward, backward and update, the loop of `pnpm example mnist`.
 * Reported in steps per second, with the one-epoch time that implies for MNIST's 60,000 training
 * images (469 steps; data loading not included).
 *
 * tsgrad and PyTorch (where installed, at the better of one and two threads) take turns, then
 * TF.js's wasm backend and the far slower tfjs-cpu run on their own (`compareSteps`). Mean (what
 * an epoch costs, garbage collection included, over at least 200 steps) and median are both
 * reported.
 */
import { initCpuKernels, manualSeed, randint, randn, tidy } from '@tsgrad/core';
import { crossEntropyLoss, MLP } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { tf } from '../peers.js';
import { fmt } from '../table.js';
import { compareSteps, stepTable, type TfjsStep, tfjsTrainingStep } from '../training.js';
import type { Suite } from './suite.js';

const SIZES = [784, 256, 128, 10];
const BATCH = 128;
const STEPS_PER_EPOCH = Math.ceil(60_000 / BATCH);
/**
 * Each contender warms up for 3 s before the timed turns: on two threads tsgrad's step runs
 * slower until V8 has compiled its code (by blocks of 200 steps, 3.9 ms at first, 2.3 ms after
 * 1,000 steps, 1.85 ms from about 3,000; `node --trace-opt` lists compilations up to then).
 * Its two contenders run the same code, so it gets about 2,500 warm-up steps. Turns are
 * 100 ms, about fifty steps, so that the slow spells of a shared machine, which last seconds,
 * fall on every contender alike; each starts with 10 ms of untimed steps, since the first few
 * steps after the others' turns ran slower (in one run tsgrad's first five averaged 2.7–3.4 ms
 * against a median of 1.9).
 */
const timing = { warmupMs: 3000, turnMs: 100, leadMs: 10, rounds: 20, minCalls: 200 };

function tsgradStep(): () => void {
  manualSeed(0);
  const model = new MLP(SIZES);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([BATCH, SIZES[0]!]);
  const y = randint(0, 10, [BATCH], { dtype: 'int32' });
  return () =>
    tidy(() => {
      opt.zeroGrad();
      const loss = crossEntropyLoss(model.call(x), y);
      loss.backward();
      opt.step();
      loss.itemSync();
    });
}

/** A TF.js step on the current backend, and a function that frees its tensors. */
function tfjsStep(): TfjsStep {
  const params: tf.Variable[] = [];
  for (let i = 0; i + 1 < SIZES.length; i++) {
    const bound = 1 / Math.sqrt(SIZES[i]!);
    params.push(tf.variable(tf.randomUniform([SIZES[i]!, SIZES[i + 1]!], -bound, bound, 'float32', i)));
    params.push(tf.variable(tf.randomUniform([SIZES[i + 1]!], -bound, bound, 'float32', 10 + i)));
  }
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([BATCH, SIZES[0]!], 0, 1, 'float32', 1);
  const labels = tf.tensor1d(
    Array.from({ length: BATCH }, (_, i) => (i * 7) % 10),
    'int32',
  );
  const y = tf.oneHot(labels, 10);
  return tfjsTrainingStep(opt, () => {
    let h: tf.Tensor = x;
    for (let i = 0; i < params.length; i += 2) {
      h = tf.add(tf.matMul(h, params[i]!), params[i + 1]!);
      if (i + 2 < params.length) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  }, [...params, x, labels, y]);
}

export const run: Suite = async ({ peers }) => {
  // Worker threads up before timing, as a deployed app would have them after its first steps.
  await initCpuKernels();
  const { ours, rows } = await compareSteps({
    peers,
    ours: tsgradStep(),
    tfjs: tfjsStep,
    torch: 'mlp',
    timing,
    tfjsCpu: true,
  });
  const table = stepTable(
    `MLP ${SIZES.join('-')} training step, batch ${BATCH}, Adam (higher steps/s is better)`,
    ours,
    rows,
    {
      header: `MNIST epoch, s (${STEPS_PER_EPOCH} steps)`,
      cell: (s) => fmt((s.mean * STEPS_PER_EPOCH) / 1000),
    },
  );
  table.notes = [
    ...(table.notes ?? []),
    `Each warms up for ${timing.warmupMs / 1000} s first (tsgrad's first ~3000 steps run slower while V8 compiles), then takes ${timing.turnMs} ms turns that start with ${timing.leadMs} ms of untimed steps.`,
  ];
  return [table];
};
