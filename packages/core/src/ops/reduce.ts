/**
 * Reductions. `sum`, `prod`, `max`, `min`, `argmax`, `argmin` are primitives; `mean`, `var`
 * and `logsumexp` are built from them.
 *
 * | op | d/dx |
 * |---|---|
 * | sum | g broadcast back over the reduced axes |
 * | prod | g·y/x (with the zero cases handled exactly) |
 * | max / min | g split evenly among the elements equal to the result |
 */
import { record, recordTraceOnly } from '../autograd/node.js';
import type { ReduceOp } from '../backend/backend.js';
import { isFloating } from '../dtype.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { describeValue, normDim, sameShape } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { where } from './elementwise.js';
import { backendOf, fromStorage } from './make.js';

/** Sorted, normalised, distinct axes (all axes when `dim` is omitted). */
export function reduceAxes(x: Tensor, dim: number | readonly number[] | undefined, op: string): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  if (typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new ShapeError(`${op}: dim must be a number or a list of numbers, got ${describeValue(dim)}`);
  }
  const list = typeof dim === 'number' ? [dim] : dim;
  const axes = list.map((d) => normDim(d, x.ndim, op)).sort((a, b) => a - b);
  if (axes.some((a, i) => a === axes[i - 1])) {
    throw new ShapeError(`${op}: dim ${formatShape(list)} names a dimension twice`);
  }
  if (x.ndim === 0) return [];
  return axes;
}

/** Throws unless `keepdim` is a boolean (or left out). */
export function checkKeepdim(keepdim: unknown, op: string): void {
  if (keepdim !== undefined && typeof keepdim !== 'boolean') {
    throw new ValueError(`${op}: keepdim must be true or false, got ${describeValue(keepdim)}`);
  }
}

/** Throws if `x` has nothing to reduce over `axes` (an extreme of no elements is undefined). */
function checkExtent(x: Tensor, axes: readonly number[], op: string): void {
  if (axes.some((a) => x.shape[a] === 0) || (axes.length === 0 && x.numel === 0)) {
    throw new ShapeError(`${op}: cannot reduce over an empty dimension of ${formatShape(x.shape)}`);
  }
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function dropAxes(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Runs a reduce primitive; the result keeps the reduced axes as size 1. */
function reduceRaw(op: ReduceOp, x: Tensor, axes: readonly number[]): Tensor {
  const b = backendOf(x);
  const dtype = op === 'argmax' || op === 'argmin' ? 'int32' : x.dtype;
  return fromStorage(b, b.reduce(op, x._view(op), axes), keptShape(x.shape, axes), dtype);
}

/**
 * Sums `g` down to `shape`, undoing broadcasting (leading dims and size-1 dims).
 *
 * @example
 * ```ts
 * sumTo(ones([4, 3]), [1, 3]); // [[4, 4, 4]]
 * ```
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return sum(g, axes, true).reshape([...shape]);
}

/**
 * Sum over `dim` (all elements when omitted). Bool sums count as int32.
 *
 * @example
 * ```ts
 * sum(tensor([[1, 2], [3, 4]]), 1); // [3, 7]
 * ```
 */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkKeepdim(keepdim, 'sum');
  if (x.dtype === 'bool') x = castTo(x, 'int32');
  const axes = reduceAxes(x, dim, 'sum');
  const kept = reduceRaw('sum', x, axes);
  const y = keepdim ? kept : kept.reshape(dropAxes(x.shape, axes));
  const shape = x.shape;
  return record(y, 'sum', [x], [], (g) => [g.reshape(keptShape(shape, axes)).expand([...shape])], {
    axes,
    keepdim,
  });
}

/**
 * Mean over `dim`; floating tensors only.
 *
 * @example
 * ```ts
 * mean(tensor([1, 2, 3])); // 2
 * ```
 */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkKeepdim(keepdim, 'mean');
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`mean: needs a floating tensor, got ${x.dtype}; convert with .to('float32')`);
  }
  const axes = reduceAxes(x, dim, 'mean');
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  return sum(x, axes, keepdim).div(n);
}

/** Product over `dim`. */
export function prod(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkKeepdim(keepdim, 'prod');
  if (x.dtype === 'bool') x = castTo(x, 'int32');
  const axes = reduceAxes(x, dim, 'prod');
  const kept = reduceRaw('prod', x, axes);
  const y = keepdim ? kept : kept.reshape(dropAxes(x.shape, axes));
  return record(y, 'prod', [x], [x], (g) => {
    // d(prod)/dx_i = product of the others. Without zeros that is y/x_i; with exactly one zero
    // only that element gets the product of the rest; with two or more, all are 0.
    // Built from differentiable ops on x (not from the saved result) so that the rule has a
    // correct gradient of its own.
    const gk = g.reshape(keptShape(x.shape, axes));
    const isZero = x.eq(0);
    const zeros = sum(isZero, axes, true);
    const safe = where(isZero, 1, x);
    const others = prod(safe, axes, true);
    const noZero = others.div(safe);
    const onlyZero = where(isZero.logicalAnd(zeros.eq(1)), others, 0);
    return [gk.mul(where(zeros.eq(0), noZero, onlyZero))];
  });
}

/**
 * Largest/smallest values over `dim`. Over several or all axes the gradient is shared evenly
 * among ties (as PyTorch's `amax`); over one axis it goes to the first extreme (as `max(dim)`).
 */
export function extreme(
  op: 'max' | 'min',
  x: Tensor,
  dim: number | readonly number[] | undefined,
  keepdim: boolean,
  name: string = op,
): Tensor {
  checkKeepdim(keepdim, name);
  if (typeof dim === 'number' && x.ndim > 0) {
    const d = normDim(dim, x.ndim, name);
    checkExtent(x, [d], name);
    const idx = argExtreme(op === 'max' ? 'argmax' : 'argmin', x, d, true);
    const y = x.gather(d, idx);
    return keepdim ? y : y.squeeze(d);
  }
  const axes = reduceAxes(x, dim, name);
  checkExtent(x, axes, name);
  const kept = reduceRaw(op, x, axes);
  const y = keepdim ? kept : kept.reshape(dropAxes(x.shape, axes));
  return record(
    y,
    op,
    [x],
    [x],
    (g) => {
      const mask = castTo(x.eq(kept), x.dtype);
      const count = sum(mask, axes, true);
      return [g.reshape(keptShape(x.shape, axes)).mul(mask).div(count)];
    },
    { axes, keepdim },
  );
}

/**
 * Index of the first largest/smallest element along `dim` (over the flattened tensor when omitted).
 */
export function argExtreme(
  op: 'argmax' | 'argmin',
  x: Tensor,
  dim: number | undefined,
  keepdim: boolean,
): Tensor {
  checkKeepdim(keepdim, op);
  if (dim === undefined) {
    checkExtent(x, [], op);
    const flat = x.reshape([x.numel]);
    const r = recordTraceOnly(reduceRaw(op, flat, [0]), op, [flat], { axes: [0], keepdim: true });
    return keepdim ? r.reshape(x.shape.map(() => 1)) : r.reshape([]);
  }
  const d = normDim(dim, x.ndim, op);
  if (x.ndim === 0) return reduceRaw(op, x.reshape([1]), [0]).reshape([]);
  checkExtent(x, [d], op);
  const r = recordTraceOnly(reduceRaw(op, x, [d]), op, [x], { axes: [d], keepdim: true });
  return keepdim ? r : r.squeeze(d);
}

/**
 * Variance with Bessel's `correction` (1: unbiased, the default; 0: population).
 *
 * @example
 * ```ts
 * variance(tensor([1, 2, 3, 4]), undefined, false, 1); // 1.6667
 * ```
 */
export function variance(
  x: Tensor,
  dim: number | readonly number[] | undefined,
  keepdim: boolean,
  correction: number,
  op: 'var' | 'std' = 'var',
): Tensor {
  checkKeepdim(keepdim, op);
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: needs a floating tensor, got ${x.dtype}`);
  const axes = reduceAxes(x, dim, op);
  const n = axes.reduce((a, i) => a * x.shape[i]!, 1);
  const d = x.sub(mean(x, axes, true));
  return sum(d.mul(d), axes, keepdim).div(Math.max(n - correction, 0));
}

/**
 * log(sum(exp(x))) over `dim`, computed stably by shifting by the maximum.
 *
 * @example
 * ```ts
 * logsumexp(tensor([1000, 1000])); // 1000.6931
 * ```
 */
export function logsumexp(x: Tensor, dim: number | readonly number[] | undefined, keepdim: boolean): Tensor {
  checkKeepdim(keepdim, 'logsumexp');
  if (!isFloating(x.dtype)) x = castTo(x, 'float32');
  const axes = reduceAxes(x, dim, 'logsumexp');
  const m = recordTraceOnly(reduceRaw('max', x, axes), 'max', [x], { axes, keepdim: true });
  const finiteM = where(m.abs().eq(Number.POSITIVE_INFINITY), 0, m);
  const r = sum(x.sub(finiteM).exp(), axes, true).log().add(finiteM);
  return keepdim ? r : r.reshape(dropAxes(x.shape, axes));
}

/**
 * x minus its maximum along `dim` (a constant for autograd), as softmax and logSoftmax start.
 * The plain maximum, as PyTorch's: a line holding +∞ or NaN, or only −∞, turns NaN.
 */
export function shiftByMax(x: Tensor, dim: number): Tensor {
  return x.sub(recordTraceOnly(reduceRaw('max', x, [dim]), 'max', [x], { axes: [dim], keepdim: true }));
}
