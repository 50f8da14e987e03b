/**
 * Ops that copy elements into a new arrangement: `flip`, `roll`, `repeat`, `tile`,
 * `repeatInterleave`, `tril` and `triu`. All are composites of primitives (gather, concat,
 * expand + copy, where), so they run on every backend and their gradients come from those.
 *
 * | op | built from | backward |
 * |---|---|---|
 * | flip | one gather at reversed positions | gather's (a scatter-add) |
 * | roll | narrow + cat per dim | cat's |
 * | repeat / tile / repeatInterleave (number) | expand + reshape | expand's (a sum) |
 * | repeatInterleave (counts) | indexSelect | gather's |
 * | tril / triu | where with a band mask | where's |
 */
import { DeviceError, DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { checkShape, contiguousStrides, normDim } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { where } from './elementwise.js';
import { gather, indexSelect } from './indexing.js';
import { backendOf, checkAlloc } from './make.js';
import { cat, clone, narrow, reshape } from './movement.js';
import { layoutPositions } from './views.js';

function dimList(v: number | readonly number[]): number[] {
  return typeof v === 'number' ? [v] : [...v];
}

/**
 * `x` with the order of elements reversed along each of `dims` (a copy, as in PyTorch).
 *
 * @example
 * ```ts
 * flip(tensor([[1, 2], [3, 4]]), [1]); // [[2, 1], [4, 3]]
 * ```
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const ds = dimList(dims).map((d) => normDim(d, x.ndim, 'flip'));
  if (new Set(ds).size !== ds.length) throw new ShapeError(`flip: repeated dim in [${dimList(dims)}]`);
  if (ds.length === 0 || x.numel === 0 || x.ndim === 0) return clone(x);
  // The positions a reversed walk reads from a contiguous copy: negative strides on `dims`.
  const strides = contiguousStrides(x.shape);
  let offset = 0;
  for (const d of ds) {
    offset += (x.shape[d]! - 1) * strides[d]!;
    strides[d] = -strides[d]!;
  }
  const idx = tensor(layoutPositions({ shape: x.shape, strides, offset }), {
    dtype: 'int32',
    device: x.device,
  });
  return reshape(gather(reshape(x, [-1]), 0, idx), [...x.shape]);
}

/**
 * Rotates elements along `dims` by `shifts` (elements pushed off the end come back at the
 * start). Without `dims` the tensor is rolled as if flattened, then given its shape back.
 *
 * @example
 * ```ts
 * roll(tensor([1, 2, 3, 4]), 1);                       // [4, 1, 2, 3]
 * roll(tensor([[1, 2], [3, 4]]), [1, -1], [0, 1]);     // [[4, 3], [2, 1]]
 * ```
 */
export function roll(
  x: Tensor,
  shifts: number | readonly number[],
  dims?: number | readonly number[],
): Tensor {
  const sh = dimList(shifts);
  if (sh.some((s) => !Number.isInteger(s)))
    throw new ValueError(`roll: shifts must be integers, got [${sh}]`);
  if (dims === undefined) {
    if (sh.length !== 1) {
      throw new ShapeError(`roll: without dims, shifts must be one number, got [${sh}]`);
    }
    return reshape(roll(reshape(x, [-1]), sh, [0]), [...x.shape]);
  }
  const ds = dimList(dims).map((d) => normDim(d, x.ndim, 'roll'));
  if (ds.length !== sh.length) {
    throw new ShapeError(`roll: ${sh.length} shifts [${sh}] for ${ds.length} dims [${dimList(dims)}]`);
  }
  let y = x;
  ds.forEach((d, i) => {
    const n = x.ndim === 0 ? 1 : x.shape[d]!;
    const s = ((sh[i]! % n) + n) % n;
    if (s === 0 || x.ndim === 0) return;
    y = cat([narrow(y, d, n - s, s), narrow(y, d, 0, n - s)], d);
  });
  return y === x ? clone(x) : y;
}

/**
 * `x` repeated `reps[i]` times along each dim (leading dims added when `reps` is longer than
 * the shape), like `Tensor.repeat`.
 *
 * @example
 * ```ts
 * repeat(tensor([1, 2]), [2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 */
export function repeat(x: Tensor, reps: readonly number[], op = 'repeat'): Tensor {
  if (reps.length < x.ndim) {
    throw new ShapeError(
      `${op}: ${reps.length} repeats [${reps}] for a tensor of ${x.ndim} dims ${formatShape(x.shape)}; give at least one per dim`,
    );
  }
  if (reps.some((r) => !Number.isSafeInteger(r) || r < 0)) {
    throw new ValueError(`${op}: repeats must be non-negative integers, got [${reps}]`);
  }
  const outShape = reps.map(
    (r, i) => r * (i < reps.length - x.ndim ? 1 : x.shape[i - (reps.length - x.ndim)]!),
  );
  checkShape(outShape, op);
  checkAlloc(backendOf(x), outShape, x.dtype, op);
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  const split = shape.flatMap((s) => [1, s]);
  const big = shape.flatMap((s, i) => [reps[i]!, s]);
  const out = shape.map((s, i) => s * reps[i]!);
  return reshape(reshape(x, split).expand(big), out);
}

/**
 * `x` repeated `reps[i]` times along each dim; a shorter `reps` is padded with leading 1s,
 * like `torch.tile`.
 *
 * @example
 * ```ts
 * tile(tensor([[1, 2]]), [2]); // [[1, 2, 1, 2]]
 * ```
 */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  const full = reps.length < x.ndim ? [...new Array<number>(x.ndim - reps.length).fill(1), ...reps] : reps;
  return repeat(x, full, 'tile');
}

/**
 * Each element repeated in place along `dim` (the flattened tensor when `dim` is omitted):
 * `repeats` times, or `repeats[i]` times for element i, like `torch.repeat_interleave`.
 * Counts may be a number, an array or an int tensor that can be read synchronously (on the
 * CPU); the output's size depends on them.
 *
 * @example
 * ```ts
 * repeatInterleave(tensor([1, 2]), 2);      // [1, 1, 2, 2]
 * repeatInterleave(tensor([1, 2]), [1, 3]); // [1, 2, 2, 2]
 * ```
 */
export function repeatInterleave(
  x: Tensor,
  repeats: number | readonly number[] | Tensor,
  dim?: number,
): Tensor {
  if (dim === undefined) return repeatInterleave(reshape(x, [-1]), repeats, 0);
  const base = x.ndim === 0 ? reshape(x, [1]) : x;
  const d = normDim(dim, base.ndim, 'repeatInterleave');
  const n = base.shape[d]!;
  if (typeof repeats === 'number') {
    if (!Number.isInteger(repeats) || repeats < 0) {
      throw new ValueError(`repeatInterleave: repeats must be a non-negative integer, got ${repeats}`);
    }
    const split = base.shape.slice();
    split.splice(d + 1, 0, 1);
    const big = split.slice();
    big[d + 1] = repeats;
    const out = base.shape.slice();
    out[d] = n * repeats;
    return reshape(reshape(base, split).expand(big), out);
  }
  const counts = readCounts(repeats);
  if (counts.length === 1) return repeatInterleave(x, counts[0]!, dim);
  if (counts.length !== n) {
    throw new ShapeError(
      `repeatInterleave: ${counts.length} repeat counts for dim ${d} of size ${n} in ${formatShape(x.shape)}`,
    );
  }
  if (counts.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new ValueError(`repeatInterleave: repeats must be non-negative integers, got [${counts}]`);
  }
  const idx: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) idx.push(i);
  });
  return indexSelect(base, d, tensor(idx, { dtype: 'int32', device: x.device }));
}

function readCounts(repeats: readonly number[] | Tensor): number[] {
  if (Array.isArray(repeats)) return repeats as number[];
  const t = repeats as Tensor;
  if (t.dtype !== 'int32') {
    throw new DTypeError(
      `repeatInterleave: repeats must be an int32 tensor, got ${t.dtype}; make one with tensor(counts, { dtype: 'int32' })`,
    );
  }
  if (t.ndim > 1)
    throw new ShapeError(`repeatInterleave: repeats must be 0-d or 1-D, got ${formatShape(t.shape)}`);
  try {
    return Array.from(t.dataSync());
  } catch (e) {
    if (e instanceof DeviceError) {
      throw new DeviceError(
        `repeatInterleave: repeat counts on ${t.device} cannot be read synchronously; pass them as a plain array`,
      );
    }
    throw e;
  }
}

function band(x: Tensor, diagonal: number, lower: boolean): Tensor {
  const op = lower ? 'tril' : 'triu';
  if (x.ndim < 2)
    throw new ShapeError(`${op}: needs a tensor of at least 2 dims, got ${formatShape(x.shape)}`);
  if (!Number.isInteger(diagonal))
    throw new ValueError(`${op}: diagonal must be an integer, got ${diagonal}`);
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const keep = lower ? j - i <= diagonal : j - i >= diagonal;
      mask[i * cols + j] = keep ? 1 : 0;
    }
  }
  const m = tensor(mask, { shape: [rows, cols], dtype: 'bool', device: x.device });
  return x.dtype === 'bool' ? x.logicalAnd(m) : where(m, x, 0);
}

/**
 * The lower triangle of the last two dims: elements with column − row ≤ `diagonal` are kept,
 * the rest set to 0, like `torch.tril`.
 *
 * @example
 * ```ts
 * tril(ones([3, 3]));     // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 * tril(ones([3, 3]), -1); // [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
 * ```
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return band(x, diagonal, true);
}

/**
 * The upper triangle of the last two dims: elements with column − row ≥ `diagonal` are kept,
 * the rest set to 0, like `torch.triu`.
 *
 * @example
 * ```ts
 * triu(ones([3, 3]), 1); // [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
 * ```
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return band(x, diagonal, false);
}
