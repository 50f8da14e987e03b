/**
 * Walking strided operands. A kernel sees each operand as rows: its layout is collapsed to
 * as few dims as the walk allows (`collapseDims`), every dim but the last becomes a list of
 * row starts, and a row is stepped through by the last dim's stride. Only one offset per row
 * is ever materialised.
 */
import type { TypedArray } from '../../dtype.js';
import type { Layout } from '../../layout.js';
import { collapseDims, isContiguous, numelOf } from '../../layout.js';
import type { View } from '../backend.js';

/** An operand as rows: its storage, where each row starts, the row length and step. */
export interface Rows {
  data: TypedArray;
  /** Offset of the first element of each row. */
  starts: Int32Array;
  /** Elements per row. */
  length: number;
  /** Storage step between consecutive elements of a row. */
  step: number;
}

/** The rows of one operand. A contiguous operand is one row. */
export function rowsOf(v: View): Rows {
  return isContiguous(v.layout) ? wholeRow(v, numelOf(v.layout.shape)) : jointRows([v])[0]!;
}

/** The row starts of a contiguous operand at offset 0 (kernels only read row starts). */
const START_AT_ZERO = new Int32Array(1);

/** A contiguous operand of `n` elements as one row. */
function wholeRow(v: View, n: number): Rows {
  const offset = v.layout.offset;
  let starts = START_AT_ZERO;
  if (offset !== 0) {
    starts = new Int32Array(1);
    starts[0] = offset;
  }
  return { data: v.storage as TypedArray, starts, length: n, step: 1 };
}

/**
 * Rows of operands of one shape, split alike so that row r, element j of each is the same
 * element of the shape: one row each when all are contiguous, else rows along the last dim
 * of their joint collapse. (Plain loops: this runs once per kernel call, small ops included.)
 */
export function jointRows(views: readonly View[]): Rows[] {
  let contiguous = true;
  for (let i = 0; i < views.length && contiguous; i++) contiguous = isContiguous(views[i]!.layout);
  if (contiguous) {
    const n = numelOf(views[0]!.layout.shape);
    const rows: Rows[] = [];
    for (let i = 0; i < views.length; i++) rows.push(wholeRow(views[i]!, n));
    return rows;
  }
  const c = collapseDims(
    views[0]!.layout.shape,
    views.map((v) => v.layout.strides),
  );
  const nd = c.shape.length;
  const outer = c.shape.slice(0, nd - 1);
  return views.map((v, k) => {
    const strides = c.strides[k]!;
    return {
      data: v.storage as TypedArray,
      starts: allOffsets({ shape: outer, strides: strides.slice(0, nd - 1), offset: v.layout.offset }),
      length: c.shape[nd - 1]!,
      step: strides[nd - 1]!,
    };
  });
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
  if (n === 0) return out;
  const c = collapseDims(l.shape, [l.strides]);
  const shape = c.shape;
  const strides = c.strides[0]!;
  const nd = shape.length;
  const last = shape[nd - 1]!;
  const lastStride = strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let base = l.offset;
  let k = 0;
  while (k < n) {
    for (let j = 0; j < last; j++) out[k++] = base + j * lastStride;
    let d = nd - 2;
    while (d >= 0) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= idx[d]! * strides[d]!;
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}
