/**
 * A transformer encoder layer written with TF.js core ops, for the TF.js side of the
 * `transformer` and `gpt` suites: one QKV projection, batched head matmuls, softmax with an
 * additive mask, a hand-written layer norm, a ReLU feed-forward; post-norm as PyTorch's
 * default, or pre-norm (`normFirst`) as a GPT block. Parameters are initialised like
 * PyTorch's (uniform ±1/√fan-in, Xavier for the QKV projection, unit norms).
 */
import { tf } from './peers.js';

export interface TfjsLayerShape {
  d: number;
  heads: number;
  ff: number;
  batch: number;
  seq: number;
}

const EPS = 1e-5;

function layerNorm(z: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const zc = tf.sub(z, tf.mean(z, -1, true));
  const inv = tf.rsqrt(tf.add(tf.mean(tf.square(zc), -1, true), EPS));
  return tf.add(tf.mul(tf.mul(zc, inv), g), b);
}

/** A layer norm's trainable gain and bias. */
export function tfjsNorm(d: number): { params: tf.Variable[]; apply: (z: tf.Tensor2D) => tf.Tensor2D } {
  const g = tf.variable(tf.ones([d]));
  const b = tf.variable(tf.zeros([d]));
  return { params: [g, b], apply: (z) => layerNorm(z, g, b) };
}

/**
 * The layer's variables and its forward pass over [batch·seq, d] rows, `mask` added to the
 * attention scores; `seed` varies the initial values between layers.
 */
export function tfjsEncoderLayer(
  s: TfjsLayerShape,
  seed: number,
  normFirst = false,
): { params: tf.Variable[]; forward: (x: tf.Tensor2D, mask: tf.Tensor) => tf.Tensor2D } {
  const { d, heads, ff, batch, seq } = s;
  const u = (shape: number[], k: number, i: number) =>
    tf.variable(tf.randomUniform(shape, -k, k, 'float32', seed * 16 + i));
  const wQkv = u([d, 3 * d], Math.sqrt(6 / (4 * d)), 1);
  const bQkv = tf.variable(tf.zeros([3 * d]));
  const wO = u([d, d], 1 / Math.sqrt(d), 2);
  const bO = tf.variable(tf.zeros([d]));
  const w1 = u([d, ff], 1 / Math.sqrt(d), 3);
  const b1 = u([ff], 1 / Math.sqrt(d), 4);
  const w2 = u([ff, d], 1 / Math.sqrt(ff), 5);
  const b2 = u([d], 1 / Math.sqrt(ff), 6);
  const n1 = tfjsNorm(d);
  const n2 = tfjsNorm(d);
  const dh = d / heads;
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, seq, heads, dh]), [0, 2, 1, 3]);
  const attention = (z: tf.Tensor2D, mask: tf.Tensor): tf.Tensor2D => {
    const qkv = tf.add(tf.matMul(z, wQkv), bQkv);
    const [q, k, v] = tf.split(qkv, 3, 1).map(split) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask);
    const merged = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [batch * seq, d]);
    return tf.add(tf.matMul(merged as tf.Tensor2D, wO), bO);
  };
  const feedForward = (z: tf.Tensor2D): tf.Tensor2D =>
    tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(z, w1), b1)), w2), b2);
  const forward = (x: tf.Tensor2D, mask: tf.Tensor): tf.Tensor2D => {
    if (normFirst) {
      const h: tf.Tensor2D = tf.add(x, attention(n1.apply(x), mask));
      return tf.add(h, feedForward(n2.apply(h)));
    }
    const h = n1.apply(tf.add(x, attention(x, mask)));
    return n2.apply(tf.add(h, feedForward(h)));
  };
  return { params: [wQkv, bQkv, wO, bO, w1, b1, w2, b2, ...n1.params, ...n2.params], forward };
}

/** The additive causal mask of `seq` tokens: 0 on and below the diagonal, −∞ above. */
export function causalMask(seq: number): Float32Array {
  const m = new Float32Array(seq * seq);
  for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) m[i * seq + j] = -Infinity;
  return m;
}
