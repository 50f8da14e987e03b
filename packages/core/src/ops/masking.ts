/**
 * Masking and integer indexing, PyTorch's `masked_fill`, `masked_select`, `scatter`,
 * `index_add`, `take_along_dim`, `nonzero`, `x[intTensor]` and `one_hot`.
 *
 * All are composites of the primitives (where, gather, scatter-add, concat, comparisons), so
 * they run on every backend and their gradients come from the primitives' rules.
 *
 * Data-dependent shapes: `maskedSelect` and `nonzero` need the number of selected elements
 * before their output can be allocated. That count is a one-number reduction computed on the
 * tensor's device; the sync forms read it synchronously (the CPU) and throw on devices that
 * read only asynchronously (WebGPU), naming the `…Async` form, which awaits the count and
 * otherwise runs the same kernels. The compaction itself never leaves the device: an inclusive
 * prefix sum of the mask (log₂ n shifted adds) and a binary search of it for each output slot
 * (log₂ n gathers) give the source position of every selected element.
 */
import { DeviceError, DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { broadcastShapes, normDim, sameShape } from '../layout.js';
import { tidy } from '../memory.js';
import { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { arange } from './creation.js';
import { where } from './elementwise.js';
import { gather, type IndexLike, indexSelect, scatterAdd, toIndexTensor } from './indexing.js';
import { filled, sameDevice, scalarLike } from './make.js';
import { cat, stack } from './movement.js';

function checkMask(op: string, mask: Tensor): void {
  if (mask.dtype !== 'bool') {
    throw new DTypeError(
      `${op}: mask must be bool, got ${mask.dtype}; make one with a comparison (x.gt(0)) or .to('bool')`,
    );
  }
}

/**
 * `x` with `value` wherever `mask` (bool, broadcast to x's shape) is true. The gradient is zero
 * at the filled positions; a 0-d tensor `value` gets the sum of the gradient there.
 *
 * @example
 * ```ts
 * scores.maskedFill(causal.logicalNot(), -Infinity).softmax(-1);
 * ```
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  checkMask('maskedFill', mask);
  sameDevice('maskedFill', x, mask);
  const shape = broadcastShapes(x.shape, mask.shape, 'maskedFill');
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(
      `maskedFill: mask ${formatShape(mask.shape)} does not broadcast to the input's shape ${formatShape(x.shape)}`,
    );
  }
  let v: Tensor;
  if (typeof value === 'number') v = scalarLike(x, value);
  else {
    if (value.ndim !== 0) {
      throw new ShapeError(
        `maskedFill: value must be a number or a 0-d tensor, got ${formatShape(value.shape)}`,
      );
    }
    v = castTo(value.device === x.device ? value : value.to(x.device), x.dtype);
  }
  return where(mask, v, x);
}

/** x and mask broadcast together and flattened. */
function flatPair(op: string, x: Tensor, mask: Tensor): { xs: Tensor; ms: Tensor } {
  checkMask(op, mask);
  sameDevice(op, x, mask);
  const shape = broadcastShapes(x.shape, mask.shape, op);
  const xs = sameShape(shape, x.shape) ? x.reshape([-1]) : x.expand(shape).reshape([-1]);
  const ms = sameShape(shape, mask.shape) ? mask.reshape([-1]) : mask.expand(shape).reshape([-1]);
  return { xs, ms };
}

/** The number of true elements of a bool tensor, as a 0-d int32 tensor on its device. */
function countTrue(mask: Tensor): Tensor {
  return castTo(mask, 'int32').sum();
}

function readCountSync(op: string, mask: Tensor): number {
  if (mask._ref.backend.readSync === undefined) {
    throw new DeviceError(
      `${op}: the size of its result depends on the data, which ${mask.device} tensors cannot read synchronously; use await ${op}Async(…)`,
    );
  }
  return countTrue(mask).itemSync();
}

const MAX_COMPACT = 2 ** 24;

/**
 * Inclusive prefix sum along the last dim by log₂ n shifted adds (Hillis–Steele): every step
 * is one concat and one add, so the order of the additions, and with it every rounding, is the
 * same on every backend.
 */
export function inclusiveScan(x: Tensor): Tensor {
  const d = x.ndim - 1;
  const n = x.shape[d]!;
  let s = x;
  for (let k = 1; k < n; k *= 2) {
    const pad = filled(x.device, [...x.shape.slice(0, d), k], 0, x.dtype);
    s = s.add(cat([pad, s.narrow(d, 0, n - k)], d));
  }
  return s;
}

/**
 * The flat positions (int32 [count]) of the true elements of a 1-D bool mask, in order: for
 * output slot k, the first position whose inclusive prefix count exceeds k, found by a binary
 * search run for all slots at once.
 */
function compact(op: string, mask: Tensor, count: number): Tensor {
  const n = mask.numel;
  if (n >= MAX_COMPACT) {
    throw new ValueError(`${op}: inputs of ${MAX_COMPACT} or more elements are not supported, got ${n}`);
  }
  // The scan and the search's intermediates are freed at once (GPU memory is not collected).
  return tidy(() => {
    const prefix = inclusiveScan(castTo(mask, 'int32'));
    const want = arange(1, count + 1, 1, { device: mask.device, dtype: 'int32' });
    let lo = filled(mask.device, [count], 0, 'int32');
    let hi = filled(mask.device, [count], n - 1, 'int32');
    // Each step at least halves every slot's range [lo, hi], which holds the answer.
    for (let size = n; size > 1; size = Math.ceil(size / 2)) {
      // (lo + hi) / 2 in float32 is exact below 2^24, so floor gives the integer midpoint.
      const mid = castTo(lo.add(hi).mul(0.5).floor(), 'int32');
      const found = gather(prefix, 0, mid).ge(want);
      hi = where(found, mid, hi);
      lo = where(found, lo, mid.add(1));
    }
    return lo;
  });
}

function maskedSelectWith(xs: Tensor, ms: Tensor, count: number): Tensor {
  if (count === 0) return xs.narrow(0, 0, 0).contiguous();
  return indexSelect(xs, 0, compact('maskedSelect', ms, count));
}

/**
 * The elements of `x` where `mask` is true, as a 1-D tensor (x and mask broadcast together).
 * The result's length depends on the data, so this sync form needs a device that reads
 * synchronously (the CPU); on WebGPU use {@link maskedSelectAsync}.
 *
 * @example
 * ```ts
 * maskedSelect(tensor([1, -2, 3]), tensor([true, false, true])); // [1, 3]
 * ```
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const { xs, ms } = flatPair('maskedSelect', x, mask);
  return maskedSelectWith(xs, ms, readCountSync('maskedSelect', ms));
}

/**
 * {@link maskedSelect} on any device: awaits the count (one number computed on the device),
 * then selects with the device's kernels.
 *
 * @example
 * ```ts
 * const pos = await maskedSelectAsync(x, x.gt(0));
 * ```
 */
export async function maskedSelectAsync(x: Tensor, mask: Tensor): Promise<Tensor> {
  const { xs, ms } = flatPair('maskedSelect', x, mask);
  const count = await countTrue(ms).item();
  return maskedSelectWith(xs, ms, count);
}

function nonzeroWith(x: Tensor, ms: Tensor, count: number): Tensor {
  const nd = x.ndim;
  if (count === 0 || nd === 0) return filled(x.device, [count, nd], 0, 'int32');
  const flat = compact('nonzero', ms, count);
  const coords = x.shape.map((size, d) => {
    const view = x.shape.map((_, i) => (i === d ? size : 1));
    const grid = arange(size, undefined, 1, { device: x.device, dtype: 'int32' })
      .reshape(view)
      .expand([...x.shape])
      .reshape([-1]);
    return gather(grid, 0, flat);
  });
  return stack(coords, 1);
}

/**
 * The indices of the nonzero elements of `x`, an int32 tensor of shape [n, x.ndim] in
 * row-major order (as `torch.nonzero`). Needs a device that reads synchronously; on WebGPU
 * use {@link nonzeroAsync}.
 *
 * @example
 * ```ts
 * nonzero(tensor([[0, 1], [2, 0]])); // [[0, 1], [1, 0]]
 * ```
 */
export function nonzero(x: Tensor): Tensor {
  const ms = x.ne(0).reshape([-1]);
  return nonzeroWith(x, ms, readCountSync('nonzero', ms));
}

/**
 * {@link nonzero} on any device: awaits the count, then finds the indices on the device.
 *
 * @example
 * ```ts
 * const idx = await nonzeroAsync(x);
 * ```
 */
export async function nonzeroAsync(x: Tensor): Promise<Tensor> {
  const ms = x.ne(0).reshape([-1]);
  const count = await countTrue(ms).item();
  return nonzeroWith(x, ms, count);
}

/**
 * A copy of `x` with `src` written at `index` along `dim`: for dim 0,
 * `out[index[i][j]][j] = src[i][j]` (src a tensor at least index's size, or a number).
 * Gradients: src gets the gradient gathered at index; x gets it with the written positions
 * zeroed. Where `index` names one position twice, PyTorch leaves the result undefined; tsgrad
 * writes the sum of the colliding values (and each of them gets the position's gradient).
 *
 * @example
 * ```ts
 * scatter(zeros([3]), 0, [2, 0], tensor([5, 6])); // [6, 0, 5]
 * ```
 */
export function scatter(x: Tensor, dim: number, idx: IndexLike, src: Tensor | number): Tensor {
  const index = toIndexTensor('scatter', idx, x.device);
  const d = normDim(dim, x.ndim, 'scatter');
  const s = typeof src === 'number' ? filled(x.device, index.shape, src, x.dtype) : src;
  const zero = filled(x.device, x.shape, 0, x.dtype);
  const hits = scatterAdd(zero, d, index, filled(x.device, index.shape, 1, x.dtype)).gt(0);
  const placed = scatterAdd(zero, d, index, s);
  return where(hits, placed, x);
}

/** Options of {@link indexAdd}. */
export interface IndexAddOptions {
  /** Multiplies `source` before adding (1). */
  alpha?: number;
}

/**
 * A copy of `x` with `alpha · source` added at the 1-D `index` along `dim`:
 * `out[index[i]] += alpha · source[i]` for dim 0. source has x's shape with dim `dim` of
 * index's length; repeated indices accumulate.
 *
 * @example
 * ```ts
 * indexAdd(zeros([3, 2]), 0, [2, 0, 2], ones([3, 2])); // rows [1, 1], [0, 0], [2, 2]
 * ```
 */
export function indexAdd(
  x: Tensor,
  dim: number,
  idx: IndexLike,
  source: Tensor,
  opts: IndexAddOptions = {},
): Tensor {
  const index = toIndexTensor('indexAdd', idx, x.device);
  const d = normDim(dim, x.ndim, 'indexAdd');
  if (index.ndim > 1) throw new ShapeError(`indexAdd: index must be 1-D, got ${formatShape(index.shape)}`);
  const expected = x.shape.map((s, i) => (i === d ? index.numel : s));
  const src = source.ndim === 0 && x.ndim <= 1 ? source.reshape(expected) : source;
  if (!sameShape(src.shape, expected)) {
    throw new ShapeError(
      `indexAdd: source ${formatShape(source.shape)} must have shape ${formatShape(expected)} for input ${formatShape(x.shape)} and ${index.numel} indices along dim ${d}`,
    );
  }
  const view = expected.map((s, i) => (i === d ? s : 1));
  const full = index.reshape(view).expand(expected);
  const alpha = opts.alpha ?? 1;
  return scatterAdd(x, d, full, alpha === 1 ? src : src.mul(alpha));
}

/**
 * Picks values of `x` along `dim` at `indices`, which broadcast against x in every other dim
 * (`torch.take_along_dim`); without `dim`, both are flattened first.
 *
 * @example
 * ```ts
 * const i = x.argmax(1, true);
 * takeAlongDim(x, i, 1); // the row maxima, [N, 1]
 * ```
 */
export function takeAlongDim(x: Tensor, idx: IndexLike, dim?: number): Tensor {
  const index = toIndexTensor('takeAlongDim', idx, x.device, 'indices');
  if (dim === undefined) return gather(x.reshape([-1]), 0, index.reshape([-1]));
  const d = normDim(dim, x.ndim, 'takeAlongDim');
  if (index.ndim !== x.ndim) {
    throw new ShapeError(
      `takeAlongDim: indices ${formatShape(index.shape)} and input ${formatShape(x.shape)} must have the same number of dims`,
    );
  }
  const rest = broadcastShapes(
    x.shape.map((s, i) => (i === d ? 1 : s)),
    index.shape.map((s, i) => (i === d ? 1 : s)),
    'takeAlongDim',
  );
  const xs = x.expand(rest.map((s, i) => (i === d ? x.shape[d]! : s)));
  const is = index.expand(rest.map((s, i) => (i === d ? index.shape[d]! : s)));
  return gather(xs, d, is);
}

/**
 * PyTorch's `x[indices]` with integer indices: rows of `x` (dim 0) at every entry of
 * `indices` (any shape; negative entries count from the end). The result has shape
 * `[...indices.shape, ...x.shape.slice(1)]`.
 *
 * @example
 * ```ts
 * index(table, [[4, 0], [1, 1]]).shape; // [2, 2, ...table.shape.slice(1)]
 * ```
 */
export function index(x: Tensor, idx: IndexLike): Tensor {
  const ix = toIndexTensor('index', idx, x.device, 'indices');
  if (x.ndim === 0) throw new ShapeError('index: cannot index a 0-d tensor');
  const n = x.shape[0]!;
  const flat = where(ix.lt(0), ix.add(n), ix).reshape([-1]);
  return indexSelect(x, 0, flat).reshape([...ix.shape, ...x.shape.slice(1)]);
}

/**
 * One-hot encoding of class indices: an int32 tensor of shape `[...indices.shape, numClasses]`
 * with 1 at each index. `numClasses` -1 uses the largest index + 1, which reads the data (the
 * CPU; on WebGPU pass `numClasses`).
 *
 * @example
 * ```ts
 * oneHot([0, 2], 3); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(indices: IndexLike, numClasses = -1): Tensor {
  const ix = toIndexTensor('oneHot', indices, indices instanceof Tensor ? indices.device : 'cpu', 'indices');
  if (!Number.isInteger(numClasses) || numClasses < -1) {
    throw new ValueError(`oneHot: numClasses must be -1 or a non-negative integer, got ${numClasses}`);
  }
  const b = ix._ref.backend;
  if (b.readSync !== undefined) {
    const vals = ix.dataSync();
    let max = -1;
    for (const v of vals) {
      if (v < 0) throw new ValueError(`oneHot: class values must be non-negative, got ${v}`);
      if (v > max) max = v;
    }
    if (numClasses === -1) numClasses = max + 1;
    else if (max >= numClasses) {
      throw new ValueError(`oneHot: class value ${max} is out of range for ${numClasses} classes`);
    }
  } else if (numClasses === -1) {
    throw new DeviceError(
      `oneHot: numClasses -1 reads the largest index, which ${ix.device} tensors cannot do synchronously; pass numClasses`,
    );
  }
  const classes = arange(numClasses, undefined, 1, { device: ix.device, dtype: 'int32' });
  return castTo(ix.unsqueeze(-1).eq(classes), 'int32');
}
