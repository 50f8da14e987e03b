/**
 * One training step of a transformer encoder layer (the block of a tiny GPT): model width 128, 4
 * heads, feed-forward 512, ReLU, post-norm, no dropout, batch 32 × 64 tokens with a causal mask,
 * loss mean(y²), Adam (lr 1e-3): `nn.TransformerEncoderLayer` in tsgrad and PyTorch; in TF.js the
 * same layer written with tfjs-core ops (`tfjs-transformer.ts`). tsgrad and PyTorch take turns,
 * then tfjs-wasm runs on its own (`compareSteps`); tfjs-cpu is timed only with
 * `TSGRAD_BENCH_TFJS_CPU=1`.
 */
import { initCpuKernels, manualSeed, randn, tensor, tidy } from '@tsgrad/core';
import { TransformerEncoderLayer } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { tf } from '../peers.js';
import { causalMask, tfjsEncoderLayer } from '../tfjs-transformer.js';
import { slowPeers, stepSuite, type TfjsStep, tfjsTrainingStep } from '../training.js';
import type { Suite } from './suite.js';

const D = 128;
const HEADS = 4;
const FF = 512;
const BATCH = 32;
const SEQ = 64;
const timing = { warmupMs: 1500, turnMs: 600, rounds: 6, minCalls: 10 };

function tsgradStep(): () => void {
  manualSeed(0);
  const layer = new TransformerEncoderLayer(D, HEADS, { dimFeedforward: FF, dropout: 0, batchFirst: true });
  const opt = new Adam(layer.parameters(), { lr: 1e-3 });
  const x = randn([BATCH, SEQ, D]);
  const mask = tensor(causalMask(SEQ), { shape: [SEQ, SEQ] });
  return () =>
    tidy(() => {
      opt.zeroGrad();
      const loss = layer.forward(x, { srcMask: mask }).pow(2).mean();
      loss.backward();
      opt.step();
      loss.itemSync();
    });
}

/** A TF.js step on the current backend, and a function that frees its tensors. */
function tfjsStep(): TfjsStep {
  const layer = tfjsEncoderLayer({ d: D, heads: HEADS, ff: FF, batch: BATCH, seq: SEQ }, 0);
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([BATCH * SEQ, D], 0, 1, 'float32', 7) as tf.Tensor2D;
  const mask = tf.tensor2d(causalMask(SEQ), [SEQ, SEQ]);
  return tfjsTrainingStep(opt, () => tf.mean(tf.square(layer.forward(x, mask))) as tf.Scalar, [
    ...layer.params,
    x,
    mask,
  ]);
}

export const run: Suite = async ({ peers }) => {
  await initCpuKernels();
  return stepSuite(
    `TransformerEncoderLayer training step: d ${D}, ${HEADS} heads, ff ${FF}, batch ${BATCH} × ${SEQ} tokens, causal, Adam (higher steps/s is better)`,
    {
      peers,
      ours: tsgradStep(),
      tfjs: tfjsStep,
      torch: 'transformer',
      timing,
      tfjsCpu: slowPeers,
    },
  );
};
