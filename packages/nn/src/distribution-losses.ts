/**
 * Losses between distributions and of pairs: `klDivLoss`, `gaussianNllLoss`,
 * `marginRankingLoss` and `cosineEmbeddingLoss`, with PyTorch's definitions and defaults.
 */
import {
  DTypeError,
  formatShape,
  isFloating,
  ShapeError,
  sameShape,
  type Tensor,
  ValueError,
  where,
} from '@tsgrad/core';
import { type Reduction, type ReductionOptions, reduce } from './losses.js';

function checkFloating(op: string, ...ts: Tensor[]): void {
  for (const t of ts)
    if (!isFloating(t.dtype)) throw new DTypeError(`${op}: inputs must be floating, got ${t.dtype}`);
}

/** Options of {@link klDivLoss}. */
export interface KlDivOptions {
  /**
   * 'mean' (the default, as PyTorch: the mean over all elements, which is not the KL
   * divergence), 'batchmean' (the sum divided by the batch size: the KL divergence per
   * sample), 'sum' or 'none'.
   */
  reduction?: Reduction | 'batchmean';
  /** The target holds log-probabilities (false). */
  logTarget?: boolean;
}

/**
 * Kullback–Leibler divergence of the target from the input, where `input` holds
 * log-probabilities: target·(log target − input) pointwise (0 where target is 0), or with
 * `logTarget` exp(target)·(target − input). Use `reduction: 'batchmean'` for the
 * mathematical KL divergence per sample.
 *
 * @example
 * ```ts
 * klDivLoss(logits.logSoftmax(1), probs, { reduction: 'batchmean' });
 * ```
 */
export function klDivLoss(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  const op = 'klDivLoss';
  checkFloating(op, input, target);
  let l: Tensor;
  if (opts.logTarget) {
    l = target.exp().mul(target.sub(input));
  } else {
    // target·log(target) is 0 at target = 0 (xlogy); the safe log keeps the gradient finite.
    const pos = target.gt(0);
    const safe = where(pos, target, 1);
    l = where(pos, target.mul(safe.log()), 0).sub(target.mul(input));
  }
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'batchmean') {
    const n = l.ndim === 0 ? 1 : l.shape[0]!;
    return l.sum().div(n);
  }
  return reduce(op, l, reduction);
}

/** Options of {@link marginRankingLoss}. */
export interface MarginRankingOptions extends ReductionOptions {
  /** The margin (0). */
  margin?: number;
}

/**
 * Ranking loss of pairs: max(0, −y·(a − b) + margin), with y = 1 when `a` should rank higher
 * and −1 when `b` should.
 *
 * @example
 * ```ts
 * marginRankingLoss(scoresA, scoresB, tensor([1, -1, 1]), { margin: 0.1 });
 * ```
 */
export function marginRankingLoss(a: Tensor, b: Tensor, y: Tensor, opts: MarginRankingOptions = {}): Tensor {
  const op = 'marginRankingLoss';
  checkFloating(op, a, b);
  if (!sameShape(a.shape, b.shape) || !sameShape(a.shape, y.shape)) {
    throw new ShapeError(
      `${op}: inputs ${formatShape(a.shape)}, ${formatShape(b.shape)} and target ${formatShape(y.shape)} must have the same shape`,
    );
  }
  const l = y
    .neg()
    .mul(a.sub(b))
    .add(opts.margin ?? 0)
    .relu();
  return reduce(op, l, opts.reduction);
}

/** Options of {@link gaussianNllLoss}. */
export interface GaussianNllOptions extends ReductionOptions {
  /** Add the constant ½·log(2π) (false). */
  full?: boolean;
  /** Lower bound of the variance, for stability (1e-6). */
  eps?: number;
}

/**
 * Negative log-likelihood of `target` under a Gaussian with mean `input` and variance `variance`:
 * ½·(log max(var, eps) + (input − target)² / max(var, eps)) (+ ½·log 2π with `full`).
 * `variance` has the input's shape, or drops its last dim, or has a last dim of 1 (one
 * variance per row). As PyTorch, the clamp at eps does not stop the variance's gradient.
 *
 * @example
 * ```ts
 * gaussianNllLoss(mean, y, variance); // scalar
 * ```
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor,
  opts: GaussianNllOptions = {},
): Tensor {
  const op = 'gaussianNllLoss';
  checkFloating(op, input, target, variance);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`,
    );
  }
  let v = variance;
  if (!sameShape(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (sameShape(v.shape, lead)) v = v.unsqueeze(-1);
    else if (!(v.ndim === input.ndim && v.shape[v.ndim - 1] === 1 && sameShape(v.shape.slice(0, -1), lead))) {
      throw new ShapeError(
        `${op}: variance ${formatShape(variance.shape)} does not fit input ${formatShape(input.shape)} (same shape, one dim fewer, or last dim 1)`,
      );
    }
  }
  if (v.device === 'cpu' && v.dataSync().some((x) => x < 0))
    throw new ValueError(`${op}: variance has negative entries`);
  const eps = opts.eps ?? 1e-6;
  // Clamped values, identity gradient (PyTorch clamps a copy under no_grad).
  v = v.add(v.clamp(eps).sub(v).detach());
  const d = input.sub(target);
  let l = v.log().add(d.mul(d).div(v)).mul(0.5);
  if (opts.full) l = l.add(0.5 * Math.log(2 * Math.PI));
  return reduce(op, l, opts.reduction);
}

/** Options of {@link cosineEmbeddingLoss}. */
export interface CosineEmbeddingOptions extends ReductionOptions {
  /** Cosines below this cost nothing for dissimilar pairs (0). */
  margin?: number;
}

/**
 * Embedding loss of pairs: 1 − cos(a, b) where y = 1 (similar) and max(0, cos(a, b) − margin)
 * where y = −1, with cos over dim 1 of [N, D] inputs (or dim 0 of [D]) computed as PyTorch
 * does: Σ a·b / √((Σ a² + 1e-12)·(Σ b² + 1e-12)).
 *
 * @example
 * ```ts
 * cosineEmbeddingLoss(randn([4, 8]), randn([4, 8]), tensor([1, -1, 1, -1]), { margin: 0.2 });
 * ```
 */
export function cosineEmbeddingLoss(
  a: Tensor,
  b: Tensor,
  y: Tensor,
  opts: CosineEmbeddingOptions = {},
): Tensor {
  const op = 'cosineEmbeddingLoss';
  checkFloating(op, a, b);
  if (
    !sameShape(a.shape, b.shape) ||
    (a.ndim !== 1 && a.ndim !== 2) ||
    y.ndim !== a.ndim - 1 ||
    (a.ndim === 2 && y.shape[0] !== a.shape[0])
  ) {
    throw new ShapeError(
      `${op}: expected inputs [N, D] (or [D]) and target [N] (or []), got ${formatShape(a.shape)}, ${formatShape(b.shape)} and ${formatShape(y.shape)}`,
    );
  }
  const dim = a.ndim - 1;
  const EPS = 1e-12;
  const prod = a.mul(b).sum(dim);
  const m1 = a.mul(a).sum(dim).add(EPS);
  const m2 = b.mul(b).sum(dim).add(EPS);
  const cos = prod.div(m1.mul(m2).sqrt());
  const yt = y.to(cos.dtype);
  const l = where(yt.eq(1), cos.neg().add(1), 0).add(where(yt.eq(-1), cos.sub(opts.margin ?? 0).relu(), 0));
  return reduce(op, l, opts.reduction);
}
