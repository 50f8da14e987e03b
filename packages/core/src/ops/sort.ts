/**
 * Sorting and selection along one axis, built on the backend's stable `sort` primitive:
 * `sort`, `argsort`, `topk`, `kthvalue`, `median`.
 *
 * tsgrad always sorts stably: equal elements keep their order (PyTorch's `stable=True`), and
 * NaN sorts as the largest value (last ascending, first descending), as in PyTorch.
 *
 * | op | d/dx |
 * |---|---|
 * | sort (values) | g scattered back to the positions the values came from |
 * | topk / kthvalue / median | through sort's values: g reaches the selected elements |
 */
import { record } from '../autograd/node.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { normDim } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { where } from './elementwise.js';
import { gather, scatterAdd } from './indexing.js';
import { backendOf, filled, fromStorage } from './make.js';
import { sum } from './reduce.js';

/**
 * What `sort`, `topk`, `kthvalue` and `median(dim)` return, as PyTorch's `(values, indices)`:
 * the selected elements and their int32 positions along the dim.
 */
export interface ValuesIndices {
  /** The selected elements (differentiable). */
  values: Tensor;
  /** Where each came from along the dim (int32). */
  indices: Tensor;
}

function checkSortable(op: string, x: Tensor): void {
  if (x.dtype === 'bool') {
    throw new DTypeError(
      `${op}: cannot sort a bool tensor ${formatShape(x.shape)}; convert it with .to('int32')`,
    );
  }
}

/**
 * Stable sort along `dim` (NaN largest); values carry the gradient.
 *
 * @example
 * ```ts
 * sort(tensor([3, 1, 2])); // { values: [1, 2, 3], indices: [1, 2, 0] }
 * ```
 */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  checkSortable('sort', x);
  if (x.ndim === 0) {
    normDim(dim, 1, 'sort');
    const r = sort(x.reshape([1]), 0, descending);
    return { values: r.values.reshape([]), indices: r.indices.reshape([]) };
  }
  const d = normDim(dim, x.ndim, 'sort');
  const b = backendOf(x);
  const r = b.sort(x._view('sort'), d, descending);
  const indices = fromStorage(b, r.indices, x.shape, 'int32');
  const values = fromStorage(b, r.values, x.shape, x.dtype);
  const shape = x.shape;
  record(values, 'sort', [x], [indices], (g) => [
    scatterAdd(filled(g.device, shape, 0, g.dtype), d, indices, g),
  ]);
  return { values, indices };
}

/**
 * The int32 positions that sort `x` along `dim` (stable).
 *
 * @example
 * ```ts
 * argsort(tensor([3, 1, 2]), 0, true); // [0, 2, 1]
 * ```
 */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  return sort(x, dim, descending).indices;
}

/** The size of `x` along `d` (1 for a 0-d tensor), for range checks. */
function sizeAlong(x: Tensor, d: number): number {
  return x.ndim === 0 ? 1 : x.shape[d]!;
}

/**
 * The `k` largest (or smallest) elements along `dim`, sorted, and their positions.
 *
 * @example
 * ```ts
 * topk(tensor([1, 4, 2, 3]), 2); // { values: [4, 3], indices: [1, 3] }
 * ```
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  void sorted; // Results always come sorted, which PyTorch allows for sorted=false too.
  const d = normDim(dim, Math.max(x.ndim, 1), 'topk');
  const n = sizeAlong(x, d);
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new ValueError(
      `topk: k = ${k} is out of range for dimension ${dim} of size ${n} (input ${formatShape(x.shape)}); k must be an integer in [0, ${n}]`,
    );
  }
  const r = sort(x, d, largest);
  if (x.ndim === 0) return r;
  return { values: r.values.narrow(d, 0, k), indices: r.indices.narrow(d, 0, k) };
}

/**
 * The `k`-th smallest element (counting from 1) along `dim`, and its position.
 *
 * @example
 * ```ts
 * kthvalue(tensor([3, 1, 2]), 1); // { values: 1, indices: 1 }
 * ```
 */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  const d = normDim(dim, Math.max(x.ndim, 1), 'kthvalue');
  const n = sizeAlong(x, d);
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new ValueError(
      `kthvalue: k = ${k} is out of range for dimension ${dim} of size ${n} (input ${formatShape(x.shape)}); k must be an integer in [1, ${n}]`,
    );
  }
  const r = sort(x, d);
  if (x.ndim === 0) return r;
  const values = r.values.narrow(d, k - 1, 1);
  const indices = r.indices.narrow(d, k - 1, 1);
  return keepdim ? { values, indices } : { values: values.squeeze(d), indices: indices.squeeze(d) };
}

/**
 * The lower median along `dim` (element (n − 1)/2 of the sorted line, rounded down) and its
 * position; a line holding NaN gives NaN and the position of its first NaN, as PyTorch does.
 *
 * @example
 * ```ts
 * medianDim(tensor([[3, 1, 2, 4]]), 1); // { values: [2], indices: [2] }
 * ```
 */
export function medianDim(x: Tensor, dim: number, keepdim = false): ValuesIndices {
  checkSortable('median', x);
  const d = normDim(dim, Math.max(x.ndim, 1), 'median');
  const n = sizeAlong(x, d);
  if (n === 0) {
    throw new ShapeError(
      `median: cannot take the median of an empty dimension ${dim} of ${formatShape(x.shape)}`,
    );
  }
  if (x.ndim === 0) return sort(x, d);
  const r = sort(x, d);
  let pos: Tensor;
  if (x.dtype === 'float32' || x.dtype === 'float64') {
    // NaNs sort last: the first of them sits at n − (number of NaNs).
    const nans = sum(x.ne(x), d, true);
    pos = where(nans.gt(0), nans.neg().add(n), (n - 1) >> 1);
  } else
    pos = filled(
      x.device,
      x.shape.map((s, i) => (i === d ? 1 : s)),
      (n - 1) >> 1,
      'int32',
    );
  if (pos.dtype !== 'int32') pos = castTo(pos, 'int32');
  const values = gather(r.values, d, pos);
  const indices = gather(r.indices, d, pos);
  return keepdim ? { values, indices } : { values: values.squeeze(d), indices: indices.squeeze(d) };
}

/**
 * The lower median of all elements, as a 0-d tensor (NaN when any element is NaN).
 *
 * @example
 * ```ts
 * median(tensor([4, 1, 3, 2])); // 2
 * ```
 */
export function median(x: Tensor): Tensor {
  if (x.numel === 0)
    throw new ShapeError(`median: cannot take the median of an empty tensor ${formatShape(x.shape)}`);
  return medianDim(x.reshape([x.numel]), 0).values.reshape([]);
}
