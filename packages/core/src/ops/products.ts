/**
 * Products and distances built on matmul and elementwise ops: `outer`, `dot`, `baddbmm`,
 * `cdist`. Gradients come from the ops they are made of.
 */
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { broadcastShapes } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { clamp } from './activation.js';
import { castTo } from './convert.js';
import { where } from './elementwise.js';
import { matmul } from './linalg.js';
import { sameDevice } from './make.js';

/**
 * The outer product of two vectors: `out[i][j] = a[i]·b[j]`, like `torch.outer`.
 *
 * @example
 * ```ts
 * outer(tensor([1, 2]), tensor([3, 4, 5])); // [[3, 4, 5], [6, 8, 10]]
 * ```
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  sameDevice('outer', a, b);
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError(
      `outer: expects two 1-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

/**
 * The dot product of two 1-D tensors of equal length (a 0-d tensor), like `torch.dot`.
 *
 * @example
 * ```ts
 * dot(tensor([1, 2, 3]), tensor([4, 5, 6])); // 32
 * ```
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  sameDevice('dot', a, b);
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `dot: expects two 1-D tensors of the same length, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  return matmul(a, b);
}

/** Options of {@link baddbmm}. */
export interface BaddbmmOptions {
  /** Scale of `input` (1); with 0, `input` is ignored, NaN and Inf included. */
  beta?: number;
  /** Scale of the batched product (1). */
  alpha?: number;
}

/**
 * `beta·input + alpha·(a @ b)` for batches of matrices a [B, n, m] and b [B, m, p], with
 * `input` broadcast to [B, n, p], like `torch.baddbmm`.
 *
 * @example
 * ```ts
 * baddbmm(zeros([2, 3, 5]), randn([2, 3, 4]), randn([2, 4, 5]), { beta: 0.5, alpha: 2 });
 * ```
 */
export function baddbmm(input: Tensor, a: Tensor, b: Tensor, opts: BaddbmmOptions = {}): Tensor {
  sameDevice('baddbmm', input, a, b);
  const beta = opts.beta ?? 1;
  const alpha = opts.alpha ?? 1;
  if (a.ndim !== 3 || b.ndim !== 3) {
    throw new ShapeError(
      `baddbmm: batch1 and batch2 must be 3-D, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new ShapeError(
      `baddbmm: cannot multiply batches ${formatShape(a.shape)} and ${formatShape(b.shape)} (batch sizes must match and inner dimensions agree)`,
    );
  }
  const outShape = [a.shape[0]!, a.shape[1]!, b.shape[2]!];
  const full = broadcastShapes(input.shape, outShape, 'baddbmm');
  if (full.length !== 3 || full.some((d, i) => d !== outShape[i])) {
    throw new ShapeError(
      `baddbmm: input ${formatShape(input.shape)} does not broadcast to ${formatShape(outShape)}`,
    );
  }
  let prod = matmul(a, b);
  if (alpha !== 1) prod = prod.mul(alpha);
  if (beta === 0) return prod;
  return prod.add(beta === 1 ? input : input.mul(beta));
}

/**
 * √s where s > 0 and 0 elsewhere, with a zero gradient (of every order) at s = 0, as
 * PyTorch's distance gradients are at zero distance.
 */
function rootWhereNonzero(s: Tensor, p: number): Tensor {
  const pos = s.gt(0);
  const safe = where(pos, s, 1);
  const r = p === 2 ? safe.sqrt() : safe.pow(1 / p);
  return where(pos, r, 0);
}

/**
 * Pairwise p-norm distances between the rows of `a` [B…, P, M] and of `b` [B…, R, M]:
 * [B…, P, R], like `torch.cdist` (batch dims broadcast). `p` may be any value ≥ 0 or
 * `Infinity`. For p = 2 and more than 25 rows on either side, the distances are computed
 * through a matrix product (‖a‖² + ‖b‖² − 2a·bᵀ), as PyTorch's default does. The gradient at
 * zero distance is 0.
 *
 * @example
 * ```ts
 * cdist(tensor([[0, 0]]), tensor([[3, 4], [0, 1]])); // [[5, 1]]
 * ```
 */
export function cdist(a: Tensor, b: Tensor, p = 2): Tensor {
  sameDevice('cdist', a, b);
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(
      `cdist: x1 and x2 need at least 2 dims, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const m = a.shape[a.ndim - 1]!;
  if (b.shape[b.ndim - 1] !== m) {
    throw new ShapeError(
      `cdist: x1 ${formatShape(a.shape)} and x2 ${formatShape(b.shape)} must have the same number of columns`,
    );
  }
  if (!(p >= 0)) throw new ValueError(`cdist: p must be ≥ 0, got ${p}`);
  const rowsA = a.shape[a.ndim - 2]!;
  const rowsB = b.shape[b.ndim - 2]!;
  if (p === 2 && (rowsA > 25 || rowsB > 25)) {
    const a2 = a.square().sum(-1, true);
    const b2 = b.square().sum(-1, true).transpose(-1, -2);
    const s = clamp(a2.add(b2).sub(matmul(a, b.transpose(-1, -2)).mul(2)), 0);
    return rootWhereNonzero(s, 2);
  }
  const diff = a.unsqueeze(-2).sub(b.unsqueeze(-3));
  if (p === 0) return castTo(diff.ne(0).sum(-1), diff.dtype);
  if (p === Number.POSITIVE_INFINITY) return diff.abs().max(-1);
  if (p === 1) return diff.abs().sum(-1);
  if (p === 2) return rootWhereNonzero(diff.square().sum(-1), 2);
  return rootWhereNonzero(diff.abs().pow(p).sum(-1), p);
}
