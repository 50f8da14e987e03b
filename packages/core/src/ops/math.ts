/**
 * Elementwise functions composed from primitives: frac, lerp and xlogy. Autograd
 * differentiates the primitives they are built from, so they need no backward rule.
 */
import { isFloating } from '../dtype.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { castTo } from './convert.js';
import { where } from './elementwise.js';

/**
 * The fractional part x − trunc(x), with x's sign; its gradient is 1 (trunc's is 0).
 *
 * @example
 * ```ts
 * frac(tensor([1.25, -1.25])); // [0.25, -0.25]
 * ```
 */
export function frac(x: Tensor): Tensor {
  return x.sub(x.trunc());
}

/**
 * start + weight·(end − start), as PyTorch: where |weight| ≥ 0.5 it is computed from the end,
 * end − (end − start)·(1 − weight), so that weight 1 gives `end` exactly.
 *
 * @example
 * ```ts
 * lerp(tensor([0, 10]), tensor([10, 20]), 0.5); // [5, 15]
 * ```
 */
export function lerp(start: Tensor, end: Tensor, weight: TensorLike): Tensor {
  const diff = end.sub(start);
  if (typeof weight === 'number') {
    return Math.abs(weight) < 0.5 ? start.add(diff.mul(weight)) : end.sub(diff.mul(1 - weight));
  }
  return where(weight.abs().lt(0.5), start.add(diff.mul(weight)), end.sub(diff.mul(weight.neg().add(1))));
}

/**
 * x·log(y), and 0 where x is 0 (unless y is NaN), as PyTorch's `xlogy`. The gradient with
 * respect to x is 0 there too, whatever y is.
 *
 * @example
 * ```ts
 * xlogy(tensor([0, 2]), tensor([0, Math.E])); // [0, 2]
 * ```
 */
export function xlogy(x: Tensor, y: TensorLike): Tensor {
  if (typeof y === 'number') {
    if (Number.isNaN(y)) return x.mul(y);
    const xf = isFloating(x.dtype) ? x : castTo(x, 'float32');
    return where(xf.eq(0), 0, xf.mul(Math.log(y)));
  }
  // Where x is 0 (and y is not NaN) y is replaced by 1, so that log y is finite there and
  // no 0·∞ reaches the gradients of the masked-out branch.
  const zero = x.eq(0).logicalAnd(y.eq(y));
  const safe = where(zero, 1, y);
  return where(zero, 0, x.mul(safe.log()));
}
