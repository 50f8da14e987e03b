/**
 * One training step of a transformer encoder layer (the block of a tiny GPT): model width
 * 128, 4 heads, feed-forward 512, ReLU, post-norm, no dropout, batch 32 × 64 tokens with a
 * causal mask, loss mean(y²), Adam (lr 1e-3): `nn.TransformerEncoderLayer` in tsgrad and
 * PyTorch; in TF.js the same layer written with tfjs-core ops (one QKV projection, batched
 * head matmuls, softmax, a hand-written layer norm). tsgrad, tfjs-wasm and PyTorch take turns
 * (`compareSteps`); tfjs-cpu is timed only with `TSGRAD_BENCH_TFJS_CPU=1`.
 */
import { initCpuKernels, manualSeed, randn, tensor, tidy } from '@tsgrad/core';
import { TransformerEncoderLayer } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { tf } from '../peers.js';
import { compareSteps, slowPeers, stepTable, type TfjsStep } from '../training.js';
import type { Suite } from './suite.js';

const D = 128;
const HEADS = 4;
const FF = 512;
const BATCH = 32;
const SEQ = 64;
const EPS = 1e-5;
const timing = { warmupMs: 1500, turnMs: 600, rounds: 6, minCalls: 10 };

/** The additive causal mask: 0 on and below the diagonal, −∞ above. */
function causal(): Float32Array {
  const m = new Float32Array(SEQ * SEQ);
  for (let i = 0; i < SEQ; i++) for (let j = i + 1; j < SEQ; j++) m[i * SEQ + j] = -Infinity;
  return m;
}

function tsgradStep(): () => void {
  manualSeed(0);
  const layer = new TransformerEncoderLayer(D, HEADS, { dimFeedforward: FF, dropout: 0, batchFirst: true });
  const opt = new Adam(layer.parameters(), { lr: 1e-3 });
  const x = randn([BATCH, SEQ, D]);
  const mask = tensor(causal(), { shape: [SEQ, SEQ] });
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
  const u = (shape: number[], k: number, seed: number) =>
    tf.variable(tf.randomUniform(shape, -k, k, 'float32', seed));
  const wQkv = u([D, 3 * D], Math.sqrt(6 / (4 * D)), 1);
  const bQkv = tf.variable(tf.zeros([3 * D]));
  const wO = u([D, D], 1 / Math.sqrt(D), 2);
  const bO = tf.variable(tf.zeros([D]));
  const w1 = u([D, FF], 1 / Math.sqrt(D), 3);
  const b1 = u([FF], 1 / Math.sqrt(D), 4);
  const w2 = u([FF, D], 1 / Math.sqrt(FF), 5);
  const b2 = u([D], 1 / Math.sqrt(FF), 6);
  const g1 = tf.variable(tf.ones([D]));
  const be1 = tf.variable(tf.zeros([D]));
  const g2 = tf.variable(tf.ones([D]));
  const be2 = tf.variable(tf.zeros([D]));
  const params = [wQkv, bQkv, wO, bO, w1, b1, w2, b2, g1, be1, g2, be2];
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([BATCH * SEQ, D], 0, 1, 'float32', 7) as tf.Tensor2D;
  const mask = tf.tensor2d(causal(), [SEQ, SEQ]);
  const dh = D / HEADS;
  const layerNorm = (z: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D => {
    const zc = tf.sub(z, tf.mean(z, -1, true));
    const inv = tf.rsqrt(tf.add(tf.mean(tf.square(zc), -1, true), EPS));
    return tf.add(tf.mul(tf.mul(zc, inv), g), b);
  };
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [BATCH, SEQ, HEADS, dh]), [0, 2, 1, 3]);
  const step = () => {
    const cost = opt.minimize(() => {
      const qkv = tf.add(tf.matMul(x, wQkv), bQkv);
      const [q, k, v] = tf.split(qkv, 3, 1).map(heads) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask);
      const attn = tf.matMul(tf.softmax(scores), v);
      const merged = tf.reshape(tf.transpose(attn, [0, 2, 1, 3]), [BATCH * SEQ, D]);
      const h1 = layerNorm(tf.add(x, tf.add(tf.matMul(merged as tf.Tensor2D, wO), bO)), g1, be1);
      const ff = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h1, w1), b1)), w2), b2);
      const y = layerNorm(tf.add(h1, ff), g2, be2);
      return tf.mean(tf.square(y)) as tf.Scalar;
    }, true);
    cost!.dataSync();
    cost!.dispose();
  };
  const dispose = () => {
    for (const t of [...params, x, mask]) t.dispose();
    opt.dispose();
  };
  return { step, dispose };
}

export const run: Suite = async ({ peers }) => {
  await initCpuKernels();
  const { ours, rows } = await compareSteps({
    peers,
    ours: tsgradStep(),
    tfjs: tfjsStep,
    torch: 'transformer',
    timing,
    tfjsCpu: slowPeers,
  });
  return [
    stepTable(
      `TransformerEncoderLayer training step: d ${D}, ${HEADS} heads, ff ${FF}, batch ${BATCH} × ${SEQ} tokens, causal, Adam (higher steps/s is better)`,
      ours,
      rows,
    ),
  ];
};
