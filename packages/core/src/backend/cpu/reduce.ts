/**
 * CPU reductions over any set of axes. The reduced axes are walked by a precomputed list of
 * relative offsets, the kept axes by the outer loop.
 */
import type { TypedArray } from '../../dtype.js';
import type { Layout } from '../../layout.js';
import { isContiguous, numelOf } from '../../layout.js';
import type { ReduceOp, View } from '../backend.js';
import { alloc, recycle } from './alloc.js';
import { argDimWasm, colsumWasm, reduceAtWasm } from './kernels/wasm/elementwise-wasm.js';
import { allOffsets } from './strided.js';

export function reduce(op: ReduceOp, x: View, axes: readonly number[]): TypedArray {
  const fast = reduceContiguous(op, x, axes);
  if (fast !== null) return fast;
  const along = argAlongDim(op, x, axes);
  if (along !== null) return along;
  const { shape, strides, offset } = x.layout;
  const isAxis = shape.map((_, i) => axes.includes(i));
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (isAxis[i]) {
      redShape.push(shape[i]!);
      redStrides.push(strides[i]!);
    } else {
      keptShape.push(shape[i]!);
      keptStrides.push(strides[i]!);
    }
  }
  const outer = allOffsets({ shape: keptShape, strides: keptStrides, offset } as Layout);
  const inner = allOffsets({ shape: redShape, strides: redStrides, offset: 0 } as Layout);
  const nOut = numelOf(keptShape);
  const m = inner.length;
  const src = x.storage as TypedArray;
  const isArg = op === 'argmax' || op === 'argmin';
  const out = alloc(isArg ? 'int32' : x.dtype, nOut);
  if (
    (op === 'sum' || isArg) &&
    src instanceof Float32Array &&
    (out instanceof Float32Array || out instanceof Int32Array)
  ) {
    if (reduceAtWasm(op, src, outer, inner, m, out)) return out;
  }
  for (let o = 0; o < nOut; o++) {
    const base = outer[o]!;
    switch (op) {
      case 'sum': {
        let s = 0;
        for (let j = 0; j < m; j++) s += src[base + inner[j]!]!;
        out[o] = s;
        break;
      }
      case 'prod': {
        let s = 1;
        for (let j = 0; j < m; j++) s *= src[base + inner[j]!]!;
        out[o] = s;
        break;
      }
      case 'max':
      case 'min': {
        let best = op === 'max' ? -Infinity : Infinity;
        for (let j = 0; j < m; j++) {
          const v = src[base + inner[j]!]!;
          if (v !== v) {
            best = Number.NaN;
            break;
          }
          if (op === 'max' ? v > best : v < best) best = v;
        }
        out[o] = best;
        break;
      }
      default: {
        // First index of the extreme value; a NaN wins, as in PyTorch.
        let bestIdx = 0;
        let best = src[base + inner[0]!]!;
        for (let j = 1; j < m && best === best; j++) {
          const v = src[base + inner[j]!]!;
          if (v !== v || (op === 'argmax' ? v > best : v < best)) {
            best = v;
            bestIdx = j;
          }
        }
        out[o] = bestIdx;
      }
    }
  }
  return out;
}

/** argmax / argmin of a contiguous float32 input along one dim, in WebAssembly; null elsewhere. */
function argAlongDim(op: ReduceOp, x: View, axes: readonly number[]): TypedArray | null {
  if ((op !== 'argmax' && op !== 'argmin') || axes.length !== 1 || !isContiguous(x.layout)) return null;
  const src = x.storage;
  if (!(src instanceof Float32Array)) return null;
  const { shape } = x.layout;
  const d = axes[0]!;
  const outer = numelOf(shape.slice(0, d));
  const inner = numelOf(shape.slice(d + 1));
  const out = alloc('int32', outer * inner) as Int32Array;
  if (argDimWasm(op, src, x.layout.offset, outer, shape[d]!, inner, out)) return out;
  recycle(out, 'int32');
  return null;
}

/**
 * Fast paths for a contiguous input whose reduced axes are a trailing block (each output is
 * one contiguous run) or a leading block (rows are added into one accumulator row).
 */
function reduceContiguous(op: ReduceOp, x: View, axes: readonly number[]): TypedArray | null {
  if (!isContiguous(x.layout) || axes.length === 0) return null;
  const { shape, offset } = x.layout;
  const nd = shape.length;
  const src = x.storage as TypedArray;
  const isSuffix = axes.every((a, i) => a === nd - axes.length + i);
  const isPrefix = axes.every((a, i) => a === i);
  const inner = numelOf(shape.slice(nd - axes.length));
  if (isSuffix && (op === 'sum' || op === 'max' || op === 'min') && inner > 0) {
    const outer = numelOf(shape) / inner;
    const out = alloc(x.dtype, outer);
    if (op === 'sum' && src instanceof Float32Array && out instanceof Float32Array) {
      const starts = new Int32Array(outer);
      for (let o = 0; o < outer; o++) starts[o] = offset + o * inner;
      if (reduceAtWasm('sum', src, starts, null, inner, out)) return out;
    }
    for (let o = 0; o < outer; o++) {
      const base = offset + o * inner;
      if (op === 'sum') {
        let s = 0;
        for (let j = 0; j < inner; j++) s += src[base + j]!;
        out[o] = s;
      } else {
        let best = src[base]!;
        for (let j = 1; j < inner && best === best; j++) {
          const v = src[base + j]!;
          if (v !== v || (op === 'max' ? v > best : v < best)) best = v;
        }
        out[o] = best;
      }
    }
    return out;
  }
  if (isPrefix && op === 'sum') {
    const rows = numelOf(shape.slice(0, axes.length));
    // From the kept shape, not numel / rows: with an empty reduced block (rows 0) each output is 0.
    const width = numelOf(shape.slice(axes.length));
    if (src instanceof Float32Array) {
      const out = alloc('float32', width) as Float32Array;
      if (colsumWasm(src, offset, rows, width, out)) return out;
      recycle(out, 'float32');
    }
    const acc = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      const base = offset + r * width;
      for (let j = 0; j < width; j++) acc[j]! += src[base + j]!;
    }
    const out = alloc(x.dtype, width);
    out.set(acc);
    return out;
  }
  return null;
}
