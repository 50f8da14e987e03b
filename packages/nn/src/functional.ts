/**
 * The functional forms of the layers (`torch.nn.functional`): plain functions of tensors,
 * composed from core ops so autograd differentiates them without rules of their own (layer
 * norm runs core's, which a backend may fuse).
 */
import {
  addmm,
  formatShape,
  type IndexLike,
  indexSelect,
  isFloating,
  noGrad,
  rand,
  ShapeError,
  sameShape,
  type Tensor,
  tensor,
  toIndexTensor,
  ValueError,
  where,
} from '@tsgrad/core';
import { layerNorm as layerNormOp } from '@tsgrad/core/internal';

/**
 * `x · weightᵀ + bias`, with weight of shape [out, in]. `op` names the call in errors (the
 * `Linear` layer passes its own).
 *
 * @example
 * ```ts
 * linear(randn([8, 3]), randn([2, 3]), zeros([2])).shape; // [8, 2]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null, op = 'linear'): Tensor {
  if (weight.ndim !== 2)
    throw new ShapeError(`${op}: weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const inF = weight.shape[1]!;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `${op}: input ${formatShape(x.shape)} does not end in ${inF} features (weight ${formatShape(weight.shape)})`,
    );
  }
  if (!bias) return x.matmul(weight.T);
  // Rows of features through one fused matmul + bias; other ranks flatten to rows and back.
  // Stryker disable next-line ConditionalExpression: the general path below computes the same
  if (x.ndim === 2) return addmm(bias, x, weight.T);
  // Stryker disable next-line ConditionalExpression: the general path below computes the same
  if (x.ndim === 1) return addmm(bias, x.unsqueeze(0), weight.T).squeeze(0);
  const rows = addmm(bias, x.reshape([-1, inF]), weight.T);
  return rows.reshape([...x.shape.slice(0, -1), weight.shape[0]!]);
}

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Added to the variance (1e-5). */
  eps?: number;
}

/**
 * Normalises over the last `normalizedShape.length` dims to zero mean and unit (biased)
 * variance, then scales by `weight` and shifts by `bias`.
 *
 * @example
 * ```ts
 * layerNorm(x, [16], { weight: w, bias: b });
 * ```
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[] | number,
  opts: LayerNormOptions = {},
): Tensor {
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  const k = ns.length;
  if (k === 0 || k > x.ndim || !sameShape(ns, x.shape.slice(x.ndim - k))) {
    throw new ShapeError(
      `layerNorm: input ${formatShape(x.shape)} does not end in normalizedShape ${formatShape(ns)}`,
    );
  }
  const dims = ns.map((_, i) => x.ndim - k + i);
  return layerNormOp(x, dims, opts.weight ?? null, opts.bias ?? null, opts.eps ?? 1e-5);
}

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Use batch statistics (and update the running ones) instead of the running ones. */
  training?: boolean;
  /** Weight of the new batch in the running averages (0.1). */
  momentum?: number;
  /** Added to the variance (1e-5). */
  eps?: number;
}

/**
 * Batch normalisation over dim 1 of [N, C] or [N, C, L] input. In training, normalises with
 * the batch mean and biased variance and updates `runningMean`/`runningVar` in place with
 * the unbiased variance (PyTorch's rule); otherwise uses the running statistics.
 *
 * @example
 * ```ts
 * batchNorm(x, runningMean, runningVar, { weight, bias, training: true });
 * ```
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  if (x.ndim < 2)
    throw new ShapeError(
      `batchNorm: expected input of at least 2 dims [N, C, ...], got ${formatShape(x.shape)}`,
    );
  const C = x.shape[1]!;
  const training = opts.training ?? false;
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  const statShape = x.shape.map((s, i) => (i === 1 ? s : 1));
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  for (const [name, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', opts.weight],
    ['bias', opts.bias],
  ] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) {
      throw new ShapeError(
        `batchNorm: ${name} must have shape [${C}] for input ${formatShape(x.shape)}, got ${formatShape(t.shape)}`,
      );
    }
  }
  let y: Tensor;
  if (training) {
    const n = x.numel / C;
    if (n <= 1) {
      throw new ValueError(
        `batchNorm: expected more than 1 value per channel in training, got input ${formatShape(x.shape)}`,
      );
    }
    const mean = x.mean(dims, true);
    const xc = x.sub(mean);
    const v = xc.mul(xc).mean(dims, true);
    y = xc.mul(v.add(eps).rsqrt());
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - momentum).add_(mean.reshape([C]).mul(momentum));
      if (runningVar) runningVar.mul_(1 - momentum).add_(v.reshape([C]).mul((momentum * n) / (n - 1)));
    });
  } else {
    if (!runningMean || !runningVar) {
      throw new ValueError('batchNorm: running statistics are required when training is false');
    }
    y = x.sub(runningMean.reshape(statShape)).mul(runningVar.reshape(statShape).add(eps).rsqrt());
  }
  if (opts.weight) y = y.mul(opts.weight.reshape(statShape));
  if (opts.bias) y = y.add(opts.bias.reshape(statShape));
  return y;
}

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** Rows looked up at this index receive no gradient. */
  paddingIdx?: number | null;
}

/**
 * Looks up rows of `weight` ([num, dim]) at `indices` (an int32 tensor or plain integer
 * arrays); the result has shape
 * `[...indices.shape, dim]`.
 *
 * @example
 * ```ts
 * embedding(tensor([[0, 2]], { dtype: 'int32' }), randn([4, 3])).shape; // [1, 2, 3]
 * ```
 */
export function embedding(ids: IndexLike, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  const indices = toIndexTensor('embedding', ids, weight.device, 'indices');
  if (weight.ndim !== 2)
    throw new ShapeError(`embedding: weight must be 2-D [num, dim], got ${formatShape(weight.shape)}`);
  const flat = indices.reshape([indices.numel]);
  let out = indexSelect(weight, 0, flat, 'embedding').reshape([...indices.shape, weight.shape[1]!]);
  const pad = opts.paddingIdx;
  if (pad !== undefined && pad !== null && weight.requiresGrad) {
    const p = pad < 0 ? pad + weight.shape[0]! : pad;
    // Same values, but the padding positions take the detached branch: no gradient flows.
    out = where(indices.eq(p).unsqueeze(-1), out.detach(), out);
  }
  return out;
}

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Probability of zeroing an element (0.5). */
  p?: number;
  /** Only active in training (true by default in the functional form, as PyTorch). */
  training?: boolean;
}

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1−p), using the global
 * generator; the identity when not training.
 *
 * @example
 * ```ts
 * dropout(x, { p: 0.2, training: model.training });
 * ```
 */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: p must be in [0, 1], got ${p}`);
  if (!(opts.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  const dtype = isFloating(x.dtype) ? x.dtype : 'float32';
  const u = rand(x.shape, { dtype, device: x.device });
  const keep = u.ge(p);
  u.dispose();
  // Scaled in the input's own precision (a float32 mask would round 1/(1 − p) for float64).
  return x
    .to(dtype)
    .mul(keep)
    .mul(1 / (1 - p));
}

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Bool (true = may attend) or float (added to the scores), broadcast to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights (0). */
  dropoutP?: number;
  /** Each query attends only to keys at positions ≤ its own. */
  isCausal?: boolean;
  /** Score scale (1/√E by default). */
  scale?: number;
}

/**
 * softmax(q·kᵀ·scale + mask)·v over [..., L, E] queries and [..., S, E] keys/values.
 *
 * @example
 * ```ts
 * scaledDotProductAttention(q, k, v, { isCausal: true });
 * ```
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions = {},
): Tensor {
  return attention(q, k, v, opts).output;
}

/** @internal Attention that also returns the weights (for MultiheadAttention). */
export function attention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions & { training?: boolean },
): { output: Tensor; weights: Tensor } {
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new ShapeError(
      `scaledDotProductAttention: q, k, v need at least 2 dims, got ${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`,
    );
  }
  const E = q.shape[q.ndim - 1]!;
  if (k.shape[k.ndim - 1] !== E || k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new ShapeError(
      `scaledDotProductAttention: q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)} do not fit (need q [..., L, E], k [..., S, E], v [..., S, Ev])`,
    );
  }
  const L = q.shape[q.ndim - 2]!;
  const S = k.shape[k.ndim - 2]!;
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  // Scaling q rather than the scores touches L·E values instead of L·S, and gives a contiguous
  // operand to multiply (q is often a view of the heads).
  let scores = q.mul(scale).matmul(k.transpose(-2, -1));
  if (opts.isCausal) scores = where(causalMask(L, S, q.device), scores, -Infinity);
  const m = opts.attnMask;
  if (m) scores = m.dtype === 'bool' ? where(m, scores, -Infinity) : scores.add(m);
  let w = scores.softmax(-1);
  const p = opts.dropoutP ?? 0;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: dropout with p = 0 is the identity
  if (p > 0 && (opts.training ?? true)) w = dropout(w, { p });
  return { output: w.matmul(v), weights: w };
}

/**
 * @internal Bool [L, S], true on and below the diagonal. Built from its values rather than with
 * `tril`, so that a traced graph (ONNX export) holds it as one constant.
 */
export function causalMask(L: number, S: number, device: Tensor['device'] = 'cpu'): Tensor {
  const data = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) for (let j = 0; j <= Math.min(i, S - 1); j++) data[i * S + j] = 1;
  return tensor(data, { shape: [L, S], dtype: 'bool', device });
}

export {
  clamp,
  elu,
  gelu,
  hardsigmoid,
  hardswish,
  hardtanh,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  mish,
  oneHot,
  relu6,
  selu,
  silu,
  softmax,
  softplus,
  softsign,
} from '@tsgrad/core';

/**
 * max(x, 0), elementwise (`x.relu()` as a function).
 *
 * @example
 * ```ts
 * relu(tensor([-1, 2])); // [0, 2]
 * ```
 */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/**
 * The logistic sigmoid 1 / (1 + e⁻ˣ), elementwise (`x.sigmoid()` as a function).
 *
 * @example
 * ```ts
 * sigmoid(tensor([0])); // [0.5]
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

/**
 * The hyperbolic tangent, elementwise (`x.tanh()` as a function).
 *
 * @example
 * ```ts
 * tanh(tensor([0])); // [0]
 * ```
 */
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}
export {
  type AvgPoolOptions,
  adaptiveAvgPool2d,
  avgPool2d,
  type ConvOptions,
  type ConvPadding,
  type ConvTransposeOptions,
  conv1d,
  conv2d,
  convTranspose2d,
  type InterpolateOptions,
  interpolate,
  type MaxPoolOptions,
  maxPool1d,
  maxPool2d,
  type PaddingMode,
} from './conv.js';
export {
  cosineEmbeddingLoss,
  gaussianNllLoss,
  klDivLoss,
  marginRankingLoss,
} from './distribution-losses.js';
export {
  bceLoss,
  bceWithLogitsLoss,
  crossEntropyLoss,
  huberLoss,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
} from './losses.js';
export {
  cosineSimilarity,
  groupNorm,
  instanceNorm,
  normalize,
  pairwiseDistance,
  rmsNorm,
} from './normalization.js';
export { type PadMode, type PadOptions, pad } from './pad.js';
