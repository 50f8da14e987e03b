/**
 * Walking a strided layout. Kernels loop over rows (all dims but the last) and step along the
 * last dim by its stride, so only one offset per row is ever materialised.
 */
import type { Layout } from '../../layout.js';
import { isContiguous, numelOf } from '../../layout.js';

/** A layout as rows: the storage offset where each row starts, the row length and step. */
export interface Rows {
  /** Offset of the first element of each row. */
  starts: Int32Array;
  /** Elements per row (the last dim; 1 for a 0-d tensor). */
  length: number;
  /** Storage step between consecutive elements of a row. */
  step: number;
}

/** The rows of a layout. A contiguous layout is one row. */
export function rowsOf(l: Layout): Rows {
  const nd = l.shape.length;
  if (isContiguous(l)) {
    const starts = new Int32Array(1);
    starts[0] = l.offset;
    return { starts, length: numelOf(l.shape), step: 1 };
  }
  const length = l.shape[nd - 1]!;
  const step = l.strides[nd - 1]!;
  const starts = allOffsets({
    shape: l.shape.slice(0, nd - 1),
    strides: l.strides.slice(0, nd - 1),
    offset: l.offset,
  });
  return { starts, length, step };
}

/**
 * Rows of two layouts of the same shape, split so both walk the same elements: when either
 * is not contiguous, both use per-last-dim rows.
 */
export function pairedRows(a: Layout, b: Layout): [Rows, Rows] {
  const ca = isContiguous(a);
  const cb = isContiguous(b);
  if (ca && cb) return [rowsOf(a), rowsOf(b)];
  const nd = a.shape.length;
  const split = (l: Layout, c: boolean): Rows => {
    if (nd === 0) return rowsOf(l);
    const length = l.shape[nd - 1]!;
    const step = c && length > 1 ? 1 : l.strides[nd - 1]!;
    const starts = allOffsets({
      shape: l.shape.slice(0, nd - 1),
      strides: l.strides.slice(0, nd - 1),
      offset: l.offset,
    });
    return { starts, length, step };
  };
  return [split(a, ca), split(b, cb)];
}

/** Rows along the last dim, whatever the layout (so several operands split alike). */
export function lastDimRows(l: Layout): Rows {
  const nd = l.shape.length;
  if (nd === 0) return rowsOf(l);
  const starts = allOffsets({
    shape: l.shape.slice(0, nd - 1),
    strides: l.strides.slice(0, nd - 1),
    offset: l.offset,
  });
  return { starts, length: l.shape[nd - 1]!, step: l.strides[nd - 1]! };
}

/** Storage offsets of all elements of `l` in row-major order, or null when contiguous. */
export function offsetsOf(l: Layout): Int32Array | null {
  if (isContiguous(l)) return null;
  return allOffsets(l);
}

/** Storage offsets of all elements of `l` in row-major order. */
export function allOffsets(l: Layout): Int32Array {
  const n = numelOf(l.shape);
  const out = new Int32Array(n);
  const nd = l.shape.length;
  if (n === 0) return out;
  if (nd === 0) {
    out[0] = l.offset;
    return out;
  }
  const last = l.shape[nd - 1]!;
  const lastStride = l.strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let base = l.offset;
  let k = 0;
  while (k < n) {
    for (let j = 0; j < last; j++) out[k++] = base + j * lastStride;
    let d = nd - 2;
    while (d >= 0) {
      idx[d]!++;
      base += l.strides[d]!;
      if (idx[d]! < l.shape[d]!) break;
      base -= idx[d]! * l.strides[d]!;
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}
