/**
 * Walking a strided layout: the storage offset of every element, in row-major order.
 */
import type { Layout } from '../../layout.js';
import { isContiguous, numelOf } from '../../layout.js';

/**
 * Storage offsets of all elements of `l` in row-major order, or null when the layout is
 * contiguous (then element i sits at `l.offset + i`).
 */
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
    // Advance the multi-index over all dims but the last.
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
