/**
 * Running (inclusive) reductions along one axis, built on the backend's `scan` primitive:
 * `cumsum`, `cumprod`, `logcumsumexp`.
 *
 * | op | d/dx |
 * |---|---|
 * | cumsum | the running sum of g taken from the end |
 * | cumprod | Σ_{j ≥ i} g_j·y_j / x_i, with zeros handled exactly (only the first zero of a line gets a gradient) |
 * | logcumsumexp | Σ_{j ≥ i} g_j·exp(x_i − y_j), summed stably in log space for g > 0 and g < 0 apart |
 */
import { record } from '../autograd/node.js';
import type { ScanOp } from '../backend/backend.js';
import { isFloating } from '../dtype.js';
import { normDim } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { where } from './elementwise.js';
import { backendOf, fromStorage } from './make.js';

/** Runs the scan primitive along `d` (no graph). */
function scanRaw(op: ScanOp, x: Tensor, d: number, reverse: boolean): Tensor {
  const b = backendOf(x);
  return fromStorage(b, b.scan(op, x._view(op), d, reverse), x.shape, x.dtype);
}

/** Applies `f` along the normalised `dim`; a 0-d tensor is scanned as one element. */
function along(x: Tensor, dim: number, op: string, f: (x: Tensor, d: number) => Tensor): Tensor {
  if (x.ndim === 0) {
    normDim(dim, 1, op);
    return f(x.reshape([1]), 0).reshape([]);
  }
  return f(x, normDim(dim, x.ndim, op));
}

/** Running sum along `d`, from the end when `reverse`; its gradient is the scan the other way. */
function cumsumDir(x: Tensor, d: number, reverse: boolean): Tensor {
  const y = scanRaw('sum', x, d, reverse);
  return record(y, 'cumsum', [x], [], (g) => [cumsumDir(g, d, !reverse)]);
}

/** Running product along `d`. */
function cumprodDir(x: Tensor, d: number): Tensor {
  const y = scanRaw('prod', x, d, false);
  return record(y, 'cumprod', [x], [x, y], (g) => {
    // For x_i ≠ 0 before the line's first zero z, dy_j/dx_i = y_j / x_i. The first zero gets
    // Σ_{j ≥ z} g_j·y'_j, y' the running product with x_z replaced by 1; everything after it, 0.
    const isZero = x.eq(0);
    const zerosSoFar = scanRaw('sum', castTo(isZero, 'int32'), d, false);
    const before = zerosSoFar.eq(0);
    const first = isZero.logicalAnd(zerosSoFar.eq(1));
    const plain = cumsumDir(g.mul(y), d, true).div(where(isZero, 1, x));
    const atFirst = cumsumDir(g.mul(cumprodDir(where(first, 1, x), d)), d, true);
    return [where(before, plain, where(first, atFirst, 0))];
  });
}

/** Running log(Σ exp) along `d`, from the end when `reverse`. */
function logcumsumexpDir(x: Tensor, d: number, reverse: boolean): Tensor {
  const y = scanRaw('logsumexp', x, d, reverse);
  return record(y, 'logcumsumexp', [x], [x, y], (g) => {
    // Σ_j g_j·exp(x_i − y_j) over j on the scanned side of i, as exp(x_i + logcumsumexp of
    // log|g_j| − y_j) for the positive and the negative g_j apart. Missing terms are the
    // lowest finite value rather than -Infinity, so that the rule's own gradient stays finite.
    const lowest = g.dtype === 'float64' ? -Number.MAX_VALUE : -3.4028234663852886e38;
    const logAbs = g.abs().log();
    const part = (mask: Tensor) =>
      logcumsumexpDir(where(mask, logAbs, lowest).sub(y), d, !reverse)
        .add(x)
        .exp();
    return [part(g.gt(0)).sub(part(g.lt(0)))];
  });
}

/**
 * Running sum along `dim`; bool input counts as int32.
 *
 * @example
 * ```ts
 * cumsum(tensor([1, 2, 3]), 0); // [1, 3, 6]
 * ```
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  if (x.dtype === 'bool') x = castTo(x, 'int32');
  return along(x, dim, 'cumsum', (t, d) => cumsumDir(t, d, false));
}

/**
 * Running product along `dim`; bool input counts as int32. The gradient is exact with zeros.
 *
 * @example
 * ```ts
 * cumprod(tensor([1, 2, 3]), 0); // [1, 2, 6]
 * ```
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  if (x.dtype === 'bool') x = castTo(x, 'int32');
  return along(x, dim, 'cumprod', cumprodDir);
}

/**
 * Running log(Σ exp(x)) along `dim`, computed stably (no overflow for large values); integer
 * input is computed in float32.
 *
 * @example
 * ```ts
 * logcumsumexp(tensor([1000, 1000]), 0); // [1000, 1000.6931]
 * ```
 */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  if (!isFloating(x.dtype)) x = castTo(x, 'float32');
  return along(x, dim, 'logcumsumexp', (t, d) => logcumsumexpDir(t, d, false));
}
