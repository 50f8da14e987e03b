/**
 * One training step of a tiny GPT: 65 token types (a character set), 64-token context, token and
 * position embeddings, 2 pre-norm transformer blocks (width 128, 4 heads, feed-forward 512, ReLU,
 * causal mask, no dropout), a final layer norm and a linear head; next-token cross-entropy over a
 * batch of 32 × 64 tokens; Adam (lr 1e-3). `nn.Embedding`, `nn.TransformerEncoderLayer` (norm
 * first), `nn.LayerNorm` and `nn.Linear` in tsgrad and PyTorch; in TF.js the same model written
 * with tfjs-core ops (`tfjs-transformer.ts`), its token embedding a product with one-hot rows
 * (its wasm backend cannot differentiate gather). tsgrad and PyTorch take turns, then tfjs-wasm
 * runs on its own (`compareSteps`); tfjs-cpu only with `TSGRAD_BENCH_TFJS_CPU=1`.
 */
import { arange, initCpuKernels, manualSeed, randint, tensor, tidy } from '@tsgrad/core';
import { crossEntropyLoss, Embedding, LayerNorm, Linear, TransformerEncoderLayer } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { tf } from '../peers.js';
import { causalMask, tfjsEncoderLayer, tfjsNorm } from '../tfjs-transformer.js';
import { slowPeers, stepSuite, type TfjsStep, tfjsTrainingStep } from '../training.js';
import type { Suite } from './suite.js';

const VOCAB = 65;
const D = 128;
const HEADS = 4;
const FF = 512;
const LAYERS = 2;
const BATCH = 32;
const SEQ = 64;
const timing = { warmupMs: 1500, turnMs: 600, rounds: 6, minCalls: 10 };

function tsgradStep(): () => void {
  manualSeed(0);
  const tok = new Embedding(VOCAB, D);
  const pos = new Embedding(SEQ, D);
  const blocks = Array.from(
    { length: LAYERS },
    () =>
      new TransformerEncoderLayer(D, HEADS, {
        dimFeedforward: FF,
        dropout: 0,
        batchFirst: true,
        normFirst: true,
      }),
  );
  const norm = new LayerNorm(D);
  const head = new Linear(D, VOCAB);
  const params = [tok, pos, ...blocks, norm, head].flatMap((m) => m.parameters());
  const opt = new Adam(params, { lr: 1e-3 });
  const tokens = randint(0, VOCAB, [BATCH, SEQ], { dtype: 'int32' });
  const targets = randint(0, VOCAB, [BATCH * SEQ], { dtype: 'int32' });
  const positions = arange(SEQ, undefined, 1, { dtype: 'int32' });
  const mask = tensor(causalMask(SEQ), { shape: [SEQ, SEQ] });
  return () =>
    tidy(() => {
      opt.zeroGrad();
      let x = tok.call(tokens).add(pos.call(positions));
      for (const b of blocks) x = b.forward(x, { srcMask: mask });
      const logits = head.call(norm.call(x)).reshape([BATCH * SEQ, VOCAB]);
      const loss = crossEntropyLoss(logits, targets);
      loss.backward();
      opt.step();
      loss.itemSync();
    });
}

/** A TF.js step on the current backend, and a function that frees its tensors. */
function tfjsStep(): TfjsStep {
  const shape = { d: D, heads: HEADS, ff: FF, batch: BATCH, seq: SEQ };
  const tok = tf.variable(tf.randomNormal([VOCAB, D], 0, 1, 'float32', 1));
  const pos = tf.variable(tf.randomNormal([SEQ, D], 0, 1, 'float32', 2));
  const blocks = Array.from({ length: LAYERS }, (_, i) => tfjsEncoderLayer(shape, i + 1, true));
  const norm = tfjsNorm(D);
  const k = 1 / Math.sqrt(D);
  const wHead = tf.variable(tf.randomUniform([D, VOCAB], -k, k, 'float32', 3));
  const bHead = tf.variable(tf.randomUniform([VOCAB], -k, k, 'float32', 4));
  const params = [tok, pos, ...blocks.flatMap((b) => b.params), ...norm.params, wHead, bHead];
  const opt = tf.train.adam(1e-3);
  // The token embedding as a product with one-hot rows: the wasm backend has no kernel for
  // gather's gradient (UnsortedSegmentSum), and the product's gradient is the same sum.
  const tokens = tf.cast(
    tf.oneHot(tf.randomUniform([BATCH * SEQ], 0, VOCAB, 'int32', 5) as tf.Tensor1D, VOCAB),
    'float32',
  ) as tf.Tensor2D;
  const targets = tf.oneHot(tf.randomUniform([BATCH * SEQ], 0, VOCAB, 'int32', 6) as tf.Tensor1D, VOCAB);
  const mask = tf.tensor2d(causalMask(SEQ), [SEQ, SEQ]);
  return tfjsTrainingStep(opt, () => {
    let x = tf.add(tf.matMul(tokens, tok), tf.tile(pos, [BATCH, 1])) as tf.Tensor2D;
    for (const b of blocks) x = b.forward(x, mask);
    const logits = tf.add(tf.matMul(norm.apply(x), wHead), bHead);
    return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
  }, [...params, tokens, targets, mask]);
}

export const run: Suite = async ({ peers }) => {
  await initCpuKernels();
  return stepSuite(
    `tiny GPT training step: vocabulary ${VOCAB}, ${LAYERS} pre-norm blocks of d ${D}, ${HEADS} heads, ff ${FF}, batch ${BATCH} × ${SEQ} tokens, Adam (higher steps/s is better)`,
    {
      peers,
      ours: tsgradStep(),
      tfjs: tfjsStep,
      torch: 'gpt',
      timing,
      tfjsCpu: slowPeers,
    },
  );
};
