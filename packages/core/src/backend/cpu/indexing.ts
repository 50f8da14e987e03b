/**
 * CPU kernels that move elements by index: gather, scatterAdd, concat, assign.
 */
import type { TypedArray } from '../../dtype.js';
import { ShapeError } from '../../errors.js';
import { contiguousStrides, isContiguous, numelOf, sameShape } from '../../layout.js';
import type { View } from '../backend.js';
import { alloc, recycle } from './alloc.js';
import { copy } from './elementwise.js';
import { copyRowsWasm } from './kernels/wasm/elementwise-wasm.js';
import { allOffsets, jointRows, type Rows, rowsOf } from './strided.js';

function checkIndex(op: string, v: number, size: number, dim: number): void {
  if (v < 0 || v >= size) {
    throw new ShapeError(`${op}: index ${v} is out of bounds for dimension ${dim} with size ${size}`);
  }
}

/** Multi-index of element k of a row-major shape, written into idx. */
function unravel(k: number, shape: readonly number[], idx: number[]): void {
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    idx[d] = k % s;
    k = Math.floor(k / s);
  }
}

/** Offset of row r (a multi-index over every axis but the last) through `strides`. */
function rowOffset(r: number, shape: readonly number[], strides: readonly number[], offset: number): number {
  let o = offset;
  for (let d = shape.length - 2; d >= 0; d--) {
    const s = shape[d]!;
    o += (r % s) * strides[d]!;
    r = Math.floor(r / s);
  }
  return o;
}

/**
 * Gather along the last axis, one row at a time: no per-element multi-index (the windows of
 * a convolution are one such gather of millions of elements).
 */
function gatherLast(x: View, index: View): TypedArray {
  const ishape = index.layout.shape;
  const nd = ishape.length;
  const len = ishape[nd - 1]!;
  const rows = len === 0 ? 0 : numelOf(ishape) / len;
  const out = alloc(x.dtype, rows * len);
  const src = x.storage as TypedArray;
  const ix = index.storage as Int32Array;
  const { strides, offset, shape } = x.layout;
  const size = shape[nd - 1]!;
  const xs = strides[nd - 1]!;
  const is = index.layout.strides[nd - 1]!;
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const xb = rowOffset(r, ishape, strides, offset);
    const ib = rowOffset(r, ishape, index.layout.strides, index.layout.offset);
    for (let i = 0; i < len; i++) {
      const j = ix[ib + i * is]!;
      if (j < 0 || j >= size) checkIndex('gather', j, size, nd - 1);
      out[k++] = src[xb + j * xs]!;
    }
  }
  return out;
}

/**
 * gather along dim 0 where the index repeats each row's one value across x's other dims (as
 * index_select and a data loader's batches make it) and x's rows are contiguous: whole rows
 * copied at once. Null for any other pattern.
 */
function gatherRows(x: View, index: View): TypedArray | null {
  const xs = x.layout.shape;
  const is = index.layout.shape;
  if (is.length < 2 || is.length !== xs.length) return null;
  let rowLen = 1;
  for (let d = xs.length - 1; d >= 1; d--) {
    if (is[d] !== xs[d] || index.layout.strides[d] !== 0) return null;
    if (xs[d] !== 1 && x.layout.strides[d] !== rowLen) return null;
    rowLen *= xs[d]!;
  }
  // Empty rows: the general loop, which reads (and checks) no index.
  if (rowLen === 0) return null;
  const rows = is[0]!;
  const out = alloc(x.dtype, rows * rowLen);
  const src = x.storage as TypedArray;
  const ix = index.storage as Int32Array;
  const { offset, strides } = x.layout;
  for (let i = 0; i < rows; i++) {
    const j = ix[index.layout.offset + i * index.layout.strides[0]!]!;
    checkIndex('gather', j, xs[0]!, 0);
    const o = offset + j * strides[0]!;
    out.set(src.subarray(o, o + rowLen), i * rowLen);
  }
  return out;
}

/**
 * The blocks of a gather or scatterAdd along `dim` whose operands are all contiguous and whose
 * index has the other operand's size in every other dim: `outer` blocks (the dims before
 * `dim`), `inner` values per step along it (the dims after), `len` index steps and `size`
 * positions along `dim`. Null where the layouts need the general walk.
 */
function alongDim(
  views: readonly View[],
  index: View,
  dim: number,
): { outer: number; inner: number; len: number; size: number } | null {
  const ishape = index.layout.shape;
  const shape = views[0]!.layout.shape;
  if (![...views, index].every((v) => isContiguous(v.layout))) return null;
  if (!ishape.every((n, d) => d === dim || n === shape[d])) return null;
  return {
    outer: numelOf(ishape.slice(0, dim)),
    inner: numelOf(ishape.slice(dim + 1)),
    len: ishape[dim]!,
    size: shape[dim]!,
  };
}

export function gather(x: View, dim: number, index: View): TypedArray {
  if (dim === index.layout.shape.length - 1 && dim > 0) return gatherLast(x, index);
  if (dim === 0) {
    const rows = gatherRows(x, index);
    if (rows !== null) return rows;
  }
  const blocks = alongDim([x], index, dim);
  if (blocks !== null) {
    // Element (a, i, b) takes x's element (a, index[a, i, b], b): no per-element multi-index.
    const { outer, inner, len, size } = blocks;
    const out = alloc(x.dtype, outer * len * inner);
    const src = x.storage as TypedArray;
    const ix = index.storage as Int32Array;
    let k = 0;
    let at = index.layout.offset;
    for (let a = 0; a < outer; a++) {
      const base = x.layout.offset + a * size * inner;
      for (let i = 0; i < len; i++) {
        for (let b = 0; b < inner; b++, k++) {
          const j = ix[at++]!;
          if (j < 0 || j >= size) checkIndex('gather', j, size, dim);
          out[k] = src[base + j * inner + b]!;
        }
      }
    }
    return out;
  }
  const ishape = index.layout.shape;
  const n = numelOf(ishape);
  const out = alloc(x.dtype, n);
  const src = x.storage as TypedArray;
  const ix = index.storage as Int32Array;
  const ioffs = allOffsets(index.layout);
  const idx = new Array<number>(ishape.length).fill(0);
  const { strides, offset, shape } = x.layout;
  for (let k = 0; k < n; k++) {
    unravel(k, ishape, idx);
    const j = ix[ioffs[k]!]!;
    checkIndex('gather', j, shape[dim]!, dim);
    let o = offset;
    for (let d = 0; d < idx.length; d++) o += (d === dim ? j : idx[d]!) * strides[d]!;
    out[k] = src[o]!;
  }
  return out;
}

/** scatterAdd along the last axis, one row at a time (see {@link gatherLast}). */
function scatterAddLast(base: View, index: View, src: View): TypedArray {
  const out = copy(base);
  const oshape = base.layout.shape;
  const nd = oshape.length;
  const size = oshape[nd - 1]!;
  const ostrides = contiguousStrides(oshape);
  const ishape = index.layout.shape;
  const len = ishape[nd - 1]!;
  const rows = len === 0 ? 0 : numelOf(ishape) / len;
  const ix = index.storage as Int32Array;
  const s = src.storage as TypedArray;
  const is = index.layout.strides[nd - 1]!;
  const ss = src.layout.strides[nd - 1]!;
  for (let r = 0; r < rows; r++) {
    const ob = rowOffset(r, ishape, ostrides, 0);
    const ib = rowOffset(r, ishape, index.layout.strides, index.layout.offset);
    const sb = rowOffset(r, ishape, src.layout.strides, src.layout.offset);
    for (let i = 0; i < len; i++) {
      const j = ix[ib + i * is]!;
      if (j < 0 || j >= size) checkIndex('scatterAdd', j, size, nd - 1);
      out[ob + j]! += s[sb + i * ss]!;
    }
  }
  return out;
}

export function scatterAdd(base: View, dim: number, index: View, src: View): TypedArray {
  if (dim === index.layout.shape.length - 1 && dim > 0) return scatterAddLast(base, index, src);
  const out = copy(base);
  const blocks = alongDim([base, src], index, dim);
  if (blocks !== null && sameShape(src.layout.shape, index.layout.shape)) {
    // Element (a, i, b) of src adds into (a, index[a, i, b], b), in the general loop's order.
    const { outer, inner, len, size } = blocks;
    const s = src.storage as TypedArray;
    const ix = index.storage as Int32Array;
    let at = index.layout.offset;
    let k = src.layout.offset;
    for (let a = 0; a < outer; a++) {
      const ob = a * size * inner;
      for (let i = 0; i < len; i++) {
        for (let b = 0; b < inner; b++, k++) {
          const j = ix[at++]!;
          if (j < 0 || j >= size) checkIndex('scatterAdd', j, size, dim);
          out[ob + j * inner + b]! += s[k]!;
        }
      }
    }
    return out;
  }
  const oshape = base.layout.shape;
  const ostrides = contiguousStrides(oshape);
  const ishape = index.layout.shape;
  const n = numelOf(ishape);
  const ix = index.storage as Int32Array;
  const ioffs = allOffsets(index.layout);
  const s = src.storage as TypedArray;
  const soffs = allOffsets(src.layout);
  const idx = new Array<number>(ishape.length).fill(0);
  for (let k = 0; k < n; k++) {
    unravel(k, ishape, idx);
    const j = ix[ioffs[k]!]!;
    checkIndex('scatterAdd', j, oshape[dim]!, dim);
    let o = 0;
    for (let d = 0; d < idx.length; d++) o += (d === dim ? j : idx[d]!) * ostrides[d]!;
    out[o]! += s[soffs[k]!]!;
  }
  return out;
}

/**
 * A view's values in row-major order: the storage itself when contiguous (and not
 * `copyAnyway`), else a copy, which `done` hands back to the pool (in the arena, nothing
 * else would free it).
 */
function contiguousValues(v: View, copyAnyway = false): { values: TypedArray; done: () => void } {
  if (copyAnyway || !isContiguous(v.layout)) {
    const values = copy(v);
    return { values, done: () => recycle(values, v.dtype) };
  }
  const o = v.layout.offset;
  return { values: (v.storage as TypedArray).subarray(o, o + numelOf(v.layout.shape)), done: () => {} };
}

export function concat(inputs: readonly View[], dim: number): TypedArray {
  const first = inputs[0]!;
  const shape = first.layout.shape.slice();
  shape[dim] = inputs.reduce((a, v) => a + v.layout.shape[dim]!, 0);
  const out = alloc(first.dtype, numelOf(shape));
  const outer = numelOf(shape.slice(0, dim));
  const rowOut = numelOf(shape.slice(dim));
  let col = 0;
  for (const v of inputs) {
    const { values: part, done } = contiguousValues(v);
    const rowIn = numelOf(v.layout.shape.slice(dim));
    // Row o of this input goes to row o of the output, from column `col`.
    const starts = new Int32Array(outer);
    for (let o = 0; o < outer; o++) starts[o] = o * rowOut + col;
    const to: Rows = { data: out, starts, length: rowIn, step: 1 };
    if (!copyRowsWasm(part, to, to)) {
      for (let o = 0; o < outer; o++) out.set(part.subarray(o * rowIn, (o + 1) * rowIn), starts[o]!);
    }
    col += rowIn;
    done();
  }
  return out;
}

export function assign(dst: View, src: View): void {
  const d = dst.storage as TypedArray;
  if (src.storage !== dst.storage && !isContiguous(src.layout)) {
    // A strided source in another storage: one walk over the rows both split alike, rather
    // than a contiguous copy of the source and then a second pass.
    const [rd, rs] = jointRows([dst, src]) as [Rows, Rows];
    if (copyRowsWasm(rs, rd, rd)) return;
    const s = src.storage as TypedArray;
    const L = rd.length;
    const pd = rd.step;
    const ps = rs.step;
    for (let r = 0; r < rd.starts.length; r++) {
      let o = rd.starts[r]!;
      let q = rs.starts[r]!;
      if (pd === 1 && ps === 1 && L >= 32) d.set(s.subarray(q, q + L), o);
      else for (let j = 0; j < L; j++, o += pd, q += ps) d[o] = s[q]!;
    }
    return;
  }
  // A source in another storage is read where it is when contiguous; one that may overlap
  // the destination is copied first.
  const { values, done } = contiguousValues(src, src.storage === dst.storage);
  const rows = rowsOf(dst);
  if (copyRowsWasm(values, rows, rows)) {
    done();
    return;
  }
  const L = rows.length;
  const p = rows.step;
  let k = 0;
  for (let r = 0; r < rows.starts.length; r++) {
    const o = rows.starts[r]!;
    if (p === 1) {
      d.set(values.subarray(k, k + L), o);
      k += L;
    } else for (let j = 0; j < L; j++) d[o + j * p] = values[k++]!;
  }
  done();
}
