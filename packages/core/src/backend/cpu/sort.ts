/**
 * CPU sort and scan along one axis. Each line along the axis (one per element of the other
 * axes) is read through x's strides into a scratch array and written to a contiguous output
 * of x's shape.
 */
import type { TypedArray } from '../../dtype.js';
import { numelOf } from '../../layout.js';
import type { ScanOp, SortResult, View } from '../backend.js';
import { alloc } from './alloc.js';
import { allOffsets } from './strided.js';

/** Where each line of x starts in storage, and how lines map onto a contiguous output. */
function linesOf(x: View, dim: number) {
  const { shape, strides, offset } = x.layout;
  const n = shape[dim]!;
  const starts = allOffsets({ shape: shape.map((s, i) => (i === dim ? 1 : s)), strides, offset });
  const inner = numelOf(shape.slice(dim + 1));
  return {
    n,
    step: strides[dim]!,
    starts,
    inner,
    /** Output offset of element 0 of line r (its elements follow `inner` apart). */
    outBase: (r: number) => Math.floor(r / inner) * n * inner + (r % inner),
  };
}

/** Stable sort along `dim`, NaN as the largest value (see `Backend.sort`). */
export function sort(x: View, dim: number, descending: boolean): SortResult {
  const total = numelOf(x.layout.shape);
  const values = alloc(x.dtype, total);
  const indices = alloc('int32', total) as Int32Array;
  if (total === 0) return { values, indices };
  const src = x.storage as TypedArray;
  const { n, step, starts, inner, outBase } = linesOf(x, dim);
  const vals = new Float64Array(n);
  const order = new Int32Array(n);
  // Ties are broken by position, so the result is stable whatever the engine's sort does.
  const ascending = (a: number, b: number): number => {
    const va = vals[a]!;
    const vb = vals[b]!;
    if (va < vb) return -1;
    if (va > vb) return 1;
    const na = va !== va;
    if (na !== (vb !== vb)) return na ? 1 : -1;
    return a - b;
  };
  const descendingCmp = (a: number, b: number): number => {
    const va = vals[a]!;
    const vb = vals[b]!;
    if (va > vb) return -1;
    if (va < vb) return 1;
    const na = va !== va;
    if (na !== (vb !== vb)) return na ? -1 : 1;
    return a - b;
  };
  const cmp = descending ? descendingCmp : ascending;
  for (let r = 0; r < starts.length; r++) {
    const s = starts[r]!;
    for (let j = 0; j < n; j++) {
      vals[j] = src[s + j * step]!;
      order[j] = j;
    }
    order.sort(cmp);
    const o = outBase(r);
    for (let j = 0; j < n; j++) {
      const k = order[j]!;
      values[o + j * inner] = vals[k]!;
      indices[o + j * inner] = k;
    }
  }
  return { values, indices };
}

/** Inclusive scan along `dim` (see `Backend.scan`); accumulates in float64. */
export function scan(op: ScanOp, x: View, dim: number, reverse: boolean): TypedArray {
  const total = numelOf(x.layout.shape);
  const out = alloc(x.dtype, total);
  if (total === 0) return out;
  const src = x.storage as TypedArray;
  const { n, step, starts, inner, outBase } = linesOf(x, dim);
  for (let r = 0; r < starts.length; r++) {
    const s = starts[r]!;
    const o = outBase(r);
    let acc = op === 'prod' ? 1 : 0;
    // logsumexp: the running maximum m and Σ exp(v − m); m = -Infinity while every term is.
    let m = Number.NEGATIVE_INFINITY;
    let nan = false;
    for (let t = 0; t < n; t++) {
      const j = reverse ? n - 1 - t : t;
      const v = src[s + j * step]!;
      if (op === 'sum') acc += v;
      else if (op === 'prod') acc *= v;
      else {
        if (v !== v) nan = true;
        else if (v === Number.NEGATIVE_INFINITY || m === Number.POSITIVE_INFINITY) {
          // Adds nothing, or the sum is already infinite.
        } else if (v > m) {
          acc = m === Number.NEGATIVE_INFINITY ? 1 : acc * Math.exp(m - v) + 1;
          m = v;
        } else acc += Math.exp(v - m);
        out[o + j * inner] = nan ? Number.NaN : m === Number.NEGATIVE_INFINITY ? m : m + Math.log(acc);
        continue;
      }
      out[o + j * inner] = acc;
    }
  }
  return out;
}
