/**
 * Normalisations and distances of `torch.nn.functional`: `groupNorm`, `instanceNorm`,
 * `rmsNorm`, `normalize`, `cosineSimilarity` and `pairwiseDistance`, composed from core ops
 * (so they run on every backend and autograd differentiates them to any order).
 */
import {
  DTypeError,
  formatShape,
  isFloating,
  noGrad,
  ShapeError,
  sameShape,
  type Tensor,
  ValueError,
} from '@tsgrad/core';

function checkFloating(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: input must be floating, got ${x.dtype}`);
}

function checkChannelParam(
  op: string,
  name: string,
  t: Tensor | null | undefined,
  C: number,
  x: Tensor,
): void {
  if (t && (t.ndim !== 1 || t.shape[0] !== C)) {
    throw new ShapeError(
      `${op}: ${name} must have shape [${C}] for input ${formatShape(x.shape)}, got ${formatShape(t.shape)}`,
    );
  }
}

/** Scales by a per-channel weight and shifts by a per-channel bias along dim 1. */
function channelAffine(
  y: Tensor,
  weight: Tensor | null | undefined,
  bias: Tensor | null | undefined,
): Tensor {
  const statShape = y.shape.map((s, i) => (i === 1 ? s : 1));
  let out = y;
  if (weight) out = out.mul(weight.reshape(statShape));
  if (bias) out = out.add(bias.reshape(statShape));
  return out;
}

/** (x − mean) / √(biased var + eps) over `dims`. */
function standardize(x: Tensor, dims: number[], eps: number): { y: Tensor; mean: Tensor; v: Tensor } {
  const mean = x.mean(dims, true);
  const xc = x.sub(mean);
  const v = xc.mul(xc).mean(dims, true);
  return { y: xc.mul(v.add(eps).rsqrt()), mean, v };
}

/** Options of {@link groupNorm}. */
export interface GroupNormOptions {
  /** Per-channel scale [C]. */
  weight?: Tensor | null;
  /** Per-channel shift [C]. */
  bias?: Tensor | null;
  /** Added to the variance (1e-5). */
  eps?: number;
}

/**
 * Group normalisation (Wu & He, 2018): the C channels of [N, C, *] input are split into
 * `numGroups` groups, each normalised over its channels and all spatial positions to zero
 * mean and unit (biased) variance, then scaled and shifted per channel.
 *
 * @example
 * ```ts
 * groupNorm(randn([2, 6, 5]), 3, { weight: ones([6]), bias: zeros([6]) }).shape; // [2, 6, 5]
 * ```
 */
export function groupNorm(x: Tensor, numGroups: number, opts: GroupNormOptions = {}): Tensor {
  const op = 'groupNorm';
  checkFloating(op, x);
  if (x.ndim < 2) throw new ShapeError(`${op}: expected input [N, C, *], got ${formatShape(x.shape)}`);
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new ValueError(
      `${op}: ${C} channels of input ${formatShape(x.shape)} do not split into ${numGroups} groups`,
    );
  }
  checkChannelParam(op, 'weight', opts.weight, C, x);
  checkChannelParam(op, 'bias', opts.bias, C, x);
  const { y } = standardize(x.reshape([N, numGroups, -1]), [2], opts.eps ?? 1e-5);
  return channelAffine(y.reshape(x.shape), opts.weight, opts.bias);
}

/** Options of {@link instanceNorm}. */
export interface InstanceNormOptions {
  /** Running mean [C], updated in place when `useInputStats` (null: none). */
  runningMean?: Tensor | null;
  /** Running (unbiased) variance [C], updated in place when `useInputStats`. */
  runningVar?: Tensor | null;
  /** Per-channel scale [C]. */
  weight?: Tensor | null;
  /** Per-channel shift [C]. */
  bias?: Tensor | null;
  /** Normalise with each instance's own statistics (true); false uses the running ones. */
  useInputStats?: boolean;
  /** Weight of the new statistics in the running averages (0.1). */
  momentum?: number;
  /** Added to the variance (1e-5). */
  eps?: number;
}

/**
 * Instance normalisation (Ulyanov et al., 2016): each channel of each sample of [N, C, *]
 * input is normalised over its spatial positions, then scaled and shifted per channel. With
 * running statistics, they move towards the batch average of the instance means and unbiased
 * variances, as PyTorch does.
 *
 * @example
 * ```ts
 * instanceNorm(randn([2, 3, 6])).shape; // [2, 3, 6]
 * ```
 */
export function instanceNorm(x: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = 'instanceNorm';
  checkFloating(op, x);
  if (x.ndim < 3)
    throw new ShapeError(`${op}: expected input [N, C, *] with spatial dims, got ${formatShape(x.shape)}`);
  const C = x.shape[1]!;
  for (const name of ['runningMean', 'runningVar', 'weight', 'bias'] as const) {
    checkChannelParam(op, name, opts[name], C, x);
  }
  const eps = opts.eps ?? 1e-5;
  const dims = x.shape.map((_, i) => i).slice(2);
  const statShape = x.shape.map((s, i) => (i === 1 ? s : 1));
  let y: Tensor;
  if (opts.useInputStats ?? true) {
    const n = x.shape.slice(2).reduce((a, b) => a * b, 1);
    if (n <= 1) {
      throw new ValueError(
        `${op}: expected more than 1 spatial element per channel, got input ${formatShape(x.shape)}`,
      );
    }
    const s = standardize(x, dims, eps);
    y = s.y;
    const m = opts.momentum ?? 0.1;
    noGrad(() => {
      if (opts.runningMean) opts.runningMean.mul_(1 - m).add_(s.mean.mean(0).reshape([C]).mul(m));
      if (opts.runningVar)
        opts.runningVar.mul_(1 - m).add_(
          s.v
            .mean(0)
            .reshape([C])
            .mul((m * n) / (n - 1)),
        );
    });
  } else {
    if (!opts.runningMean || !opts.runningVar) {
      throw new ValueError(`${op}: runningMean and runningVar are required when useInputStats is false`);
    }
    y = x.sub(opts.runningMean.reshape(statShape)).mul(opts.runningVar.reshape(statShape).add(eps).rsqrt());
  }
  return channelAffine(y, opts.weight, opts.bias);
}

/** Options of {@link rmsNorm}. */
export interface RmsNormOptions {
  /** Elementwise scale of `normalizedShape`. */
  weight?: Tensor | null;
  /** Added to the mean square; by default the machine epsilon of the input's dtype, as PyTorch. */
  eps?: number | null;
}

/** `torch.finfo(dtype).eps`. */
function machineEps(x: Tensor): number {
  return x.dtype === 'float64' ? Number.EPSILON : 2 ** -23;
}

/**
 * Root-mean-square normalisation (Zhang & Sennrich, 2019): x / √(mean(x²) + eps) · weight,
 * the mean taken over the last `normalizedShape.length` dims.
 *
 * @example
 * ```ts
 * rmsNorm(randn([2, 3, 6]), [6], { weight: ones([6]), eps: 1e-6 }).shape; // [2, 3, 6]
 * ```
 */
export function rmsNorm(
  x: Tensor,
  normalizedShape: readonly number[] | number,
  opts: RmsNormOptions = {},
): Tensor {
  const op = 'rmsNorm';
  checkFloating(op, x);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  const k = ns.length;
  if (k === 0 || k > x.ndim || !sameShape(ns, x.shape.slice(x.ndim - k))) {
    throw new ShapeError(
      `${op}: input ${formatShape(x.shape)} does not end in normalizedShape ${formatShape(ns)}`,
    );
  }
  if (opts.weight && !sameShape(opts.weight.shape, ns)) {
    throw new ShapeError(
      `${op}: weight must have shape ${formatShape(ns)}, got ${formatShape(opts.weight.shape)}`,
    );
  }
  const dims = ns.map((_, i) => x.ndim - k + i);
  const eps = opts.eps ?? machineEps(x);
  const y = x.mul(x.mul(x).mean(dims, true).add(eps).rsqrt());
  return opts.weight ? y.mul(opts.weight) : y;
}

/** The p-norm over `dim` (kept), for p ≥ 1 or ∞. */
function pNorm(op: string, x: Tensor, p: number, dim: number): Tensor {
  if (!(p > 0)) throw new ValueError(`${op}: p must be positive, got ${p}`);
  if (p === Number.POSITIVE_INFINITY) return x.abs().max(dim, true);
  if (p === 1) return x.abs().sum(dim, true);
  if (p === 2) return x.mul(x).sum(dim, true).sqrt();
  return x
    .abs()
    .pow(p)
    .sum(dim, true)
    .pow(1 / p);
}

function normDim(op: string, x: Tensor, dim: number): number {
  const d = dim < 0 ? dim + x.ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= x.ndim) {
    throw new ValueError(`${op}: dim ${dim} is out of range for input ${formatShape(x.shape)}`);
  }
  return d;
}

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /** The norm's exponent (2); `Infinity` for the max norm. */
  p?: number;
  /** The dim normalised (1). */
  dim?: number;
  /** Lower bound of the divisor (1e-12). */
  eps?: number;
}

/**
 * Divides x by its p-norm along `dim`: x / max(‖x‖ₚ, eps).
 *
 * @example
 * ```ts
 * normalize(randn([2, 3, 4]), { dim: -1 }); // unit vectors along the last dim
 * ```
 */
export function normalize(x: Tensor, opts: NormalizeOptions = {}): Tensor {
  const op = 'normalize';
  checkFloating(op, x);
  const dim = normDim(op, x, opts.dim ?? 1);
  const eps = opts.eps ?? 1e-12;
  return x.div(pNorm(op, x, opts.p ?? 2, dim).clamp(eps));
}

/** Options of {@link cosineSimilarity}. */
export interface CosineSimilarityOptions {
  /** The dim of the vectors (1). */
  dim?: number;
  /** Lower bound of each norm (1e-8). */
  eps?: number;
}

/**
 * Cosine of the angle between a and b along `dim` (the two broadcast together):
 * Σ a·b / (max(‖a‖, eps) · max(‖b‖, eps)). The result drops `dim`.
 *
 * @example
 * ```ts
 * cosineSimilarity(randn([2, 3, 4]), randn([2, 3, 4]), { dim: -1 }).shape; // [2, 3]
 * ```
 */
export function cosineSimilarity(a: Tensor, b: Tensor, opts: CosineSimilarityOptions = {}): Tensor {
  const op = 'cosineSimilarity';
  checkFloating(op, a);
  checkFloating(op, b);
  const ndim = Math.max(a.ndim, b.ndim);
  const dim = opts.dim ?? 1;
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= ndim) {
    throw new ValueError(
      `${op}: dim ${dim} is out of range for inputs ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const eps = opts.eps ?? 1e-8;
  const na = a
    .mul(a)
    .sum(d - (ndim - a.ndim), true)
    .sqrt()
    .clamp(eps);
  const nb = b
    .mul(b)
    .sum(d - (ndim - b.ndim), true)
    .sqrt()
    .clamp(eps);
  return a.mul(b).sum(d).div(na.mul(nb).squeeze(d));
}

/** Options of {@link pairwiseDistance}. */
export interface PairwiseDistanceOptions {
  /** The norm's exponent (2). */
  p?: number;
  /** Added to the difference, avoiding a zero norm (1e-6). */
  eps?: number;
  /** Keep the last dim as size 1 (false). */
  keepdim?: boolean;
}

/**
 * The p-norm distance between the rows of a and b along the last dim: ‖a − b + eps‖ₚ.
 *
 * @example
 * ```ts
 * pairwiseDistance(randn([4, 5]), randn([4, 5])).shape; // [4]
 * ```
 */
export function pairwiseDistance(a: Tensor, b: Tensor, opts: PairwiseDistanceOptions = {}): Tensor {
  const op = 'pairwiseDistance';
  checkFloating(op, a);
  checkFloating(op, b);
  const diff = a.sub(b).add(opts.eps ?? 1e-6);
  if (diff.ndim === 0) throw new ShapeError(`${op}: inputs must have at least 1 dim, got scalars`);
  const n = pNorm(op, diff, opts.p ?? 2, diff.ndim - 1);
  return opts.keepdim ? n : n.squeeze(-1);
}
