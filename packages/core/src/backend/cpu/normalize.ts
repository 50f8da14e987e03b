/**
 * Fused row normalisations for the CPU: softmax and layer norm, forward and backward, each one
 * pass over a row instead of a chain of elementwise ops and reductions with their
 * intermediate tensors. Float32 rows run in WebAssembly (`softmax`, `layernorm` and their
 * gradients in `elementwise-wat.mjs`); float64 and small tensors in the TypeScript loops
 * here, which compute the same formulas in float64 and round once. Operands are contiguous
 * (the ops make them so), `[rows, L]` with the row the last dims.
 */
import type { TypedArray } from '../../dtype.js';
import { numelOf } from '../../layout.js';
import type { View } from '../backend.js';
import { alloc } from './alloc.js';
import {
  layerNormBackwardWasm,
  layerNormWasm,
  type RowKernel,
  rowKernelWasm,
  type Span,
} from './kernels/wasm/elementwise-wasm.js';

/** Rows and row length of a contiguous view normalised over its last `k` dims. */
function rowCount(v: View, L: number): number {
  return L === 0 ? 0 : numelOf(v.layout.shape) / L;
}

const lastDim = (v: View) => v.layout.shape[v.layout.shape.length - 1] ?? 1;

/** A view's storage and first element as a float32 span, or null for another dtype. */
function span(v: View | null): Span | null {
  if (v === null || !(v.storage instanceof Float32Array)) return null;
  return { data: v.storage, offset: v.layout.offset };
}

/** Whether the WebAssembly row kernel `kernel` filled `out` from `inputs` (all float32). */
function viaKernel(kernel: RowKernel, inputs: View[], rows: number, L: number, out: TypedArray): boolean {
  const spans = inputs.map(span);
  return (
    out instanceof Float32Array &&
    spans.every((x) => x !== null) &&
    rowKernelWasm(kernel, spans as Span[], rows, L, out)
  );
}

/** A row's maximum and Σ e^(x − max), in float64. */
function rowExpSum(s: TypedArray, base: number, L: number): { max: number; sum: number } {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < L; j++) max = Math.max(max, s[base + j]!);
  let sum = 0;
  for (let j = 0; j < L; j++) sum += Math.exp(s[base + j]! - max);
  return { max, sum };
}

/** softmax along the last dim: e^(x − max) / Σ e^(x − max) per row. */
export function softmax(x: View): TypedArray {
  const L = lastDim(x);
  const rows = rowCount(x, L);
  const out = alloc(x.dtype, rows * L);
  const s = x.storage as TypedArray;
  const o = x.layout.offset;
  if (viaKernel('softmax', [x], rows, L, out)) return out;
  for (let r = 0; r < rows; r++) {
    const base = o + r * L;
    const { max, sum } = rowExpSum(s, base, L);
    for (let j = 0; j < L; j++) out[r * L + j] = Math.exp(s[base + j]! - max) / sum;
  }
  return out;
}

/** y·(g − Σ g·y) along the last dim: the gradient of softmax from its output y. */
export function softmaxBackward(y: View, g: View): TypedArray {
  const L = lastDim(y);
  const rows = rowCount(y, L);
  const out = alloc(y.dtype, rows * L);
  const ys = y.storage as TypedArray;
  const gs = g.storage as TypedArray;
  const yo = y.layout.offset;
  const go = g.layout.offset;
  if (viaKernel('softmax_bw', [y, g], rows, L, out)) return out;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let j = 0; j < L; j++) dot += ys[yo + r * L + j]! * gs[go + r * L + j]!;
    for (let j = 0; j < L; j++) out[r * L + j] = ys[yo + r * L + j]! * (gs[go + r * L + j]! - dot);
  }
  return out;
}

/**
 * log-softmax along the last dim: x − max − log Σ e^(x − max) per row. float32 rows of
 * enough elements run through the `logsoftmax` WebAssembly kernel; the rest in float64 and
 * rounded once.
 */
export function logSoftmax(x: View): TypedArray {
  const L = lastDim(x);
  const rows = rowCount(x, L);
  const out = alloc(x.dtype, rows * L);
  const s = x.storage as TypedArray;
  const o = x.layout.offset;
  if (viaKernel('logsoftmax', [x], rows, L, out)) return out;
  for (let r = 0; r < rows; r++) {
    const base = o + r * L;
    // z = x − max and z − log Σ e^z, as the composite computes them (a row with an infinite
    // max gives NaN there too).
    const { max, sum } = rowExpSum(s, base, L);
    const log = Math.log(sum);
    for (let j = 0; j < L; j++) out[r * L + j] = s[base + j]! - max - log;
  }
  return out;
}

/** g − e^y·Σ g along the last dim: the gradient of log-softmax from its output y. */
export function logSoftmaxBackward(y: View, g: View): TypedArray {
  const L = lastDim(y);
  const rows = rowCount(y, L);
  const out = alloc(y.dtype, rows * L);
  const ys = y.storage as TypedArray;
  const gs = g.storage as TypedArray;
  const yo = y.layout.offset;
  const go = g.layout.offset;
  if (viaKernel('logsoftmax_bw', [y, g], rows, L, out)) return out;
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let j = 0; j < L; j++) total += gs[go + r * L + j]!;
    for (let j = 0; j < L; j++) out[r * L + j] = gs[go + r * L + j]! - Math.exp(ys[yo + r * L + j]!) * total;
  }
  return out;
}

/**
 * Layer norm over rows of L = the size of `weight`'s (or the normalised) dims: y and the
 * stats of each row, [rows, 2] (mean, 1/√(σ² + eps)), which the gradient reads.
 */
export function layerNorm(
  x: View,
  weight: View | null,
  bias: View | null,
  L: number,
  eps: number,
): { y: TypedArray; stats: TypedArray } {
  const rows = rowCount(x, L);
  const y = alloc(x.dtype, rows * L);
  const stats = alloc(x.dtype, 2 * rows);
  const xs = span(x);
  if (
    xs !== null &&
    (weight === null || span(weight) !== null) &&
    (bias === null || span(bias) !== null) &&
    layerNormWasm(xs, span(weight), span(bias), rows, L, eps, y as Float32Array, stats as Float32Array)
  ) {
    return { y, stats };
  }
  const s = x.storage as TypedArray;
  const o = x.layout.offset;
  const w = weight?.storage as TypedArray | undefined;
  const wo = weight?.layout.offset ?? 0;
  const b = bias?.storage as TypedArray | undefined;
  const bo = bias?.layout.offset ?? 0;
  for (let r = 0; r < rows; r++) {
    const base = o + r * L;
    let sum = 0;
    for (let j = 0; j < L; j++) sum += s[base + j]!;
    const mean = sum / L;
    let sq = 0;
    for (let j = 0; j < L; j++) sq += (s[base + j]! - mean) ** 2;
    const rstd = 1 / Math.sqrt(sq / L + eps);
    stats[2 * r] = mean;
    stats[2 * r + 1] = rstd;
    for (let j = 0; j < L; j++) {
      let v = (s[base + j]! - mean) * rstd;
      if (w !== undefined) v *= w[wo + j]!;
      if (b !== undefined) v += b[bo + j]!;
      y[r * L + j] = v;
    }
  }
  return { y, stats };
}

/**
 * The gradient of layer norm from the forward's stats: dx, and (when asked for) the weight's
 * gradient Σ g·x̂ and the bias's Σ g over rows.
 */
export function layerNormBackward(
  g: View,
  x: View,
  weight: View | null,
  stats: View,
  L: number,
  want: { weight: boolean; bias: boolean },
): { dx: TypedArray; dWeight: TypedArray | null; dBias: TypedArray | null } {
  const rows = rowCount(x, L);
  const dx = alloc(x.dtype, rows * L);
  const dWeight = want.weight ? alloc(x.dtype, L) : null;
  const dBias = want.bias ? alloc(x.dtype, L) : null;
  const gs = span(g);
  const xs = span(x);
  const ss = stats.storage;
  if (
    gs !== null &&
    xs !== null &&
    ss instanceof Float32Array &&
    stats.layout.offset === 0 &&
    (weight === null || span(weight) !== null) &&
    layerNormBackwardWasm(
      gs,
      xs,
      span(weight),
      ss,
      rows,
      L,
      dx as Float32Array,
      dWeight as Float32Array | null,
      dBias as Float32Array | null,
    )
  ) {
    return { dx, dWeight, dBias };
  }
  const gd = g.storage as TypedArray;
  const go = g.layout.offset;
  const xd = x.storage as TypedArray;
  const xo = x.layout.offset;
  const sd = stats.storage as TypedArray;
  const so = stats.layout.offset;
  const w = weight?.storage as TypedArray | undefined;
  const wo = weight?.layout.offset ?? 0;
  const accW = want.weight ? new Float64Array(L) : null;
  const accB = want.bias ? new Float64Array(L) : null;
  for (let r = 0; r < rows; r++) {
    const mean = sd[so + 2 * r]!;
    const rstd = sd[so + 2 * r + 1]!;
    let sa = 0;
    let sc = 0;
    for (let j = 0; j < L; j++) {
      const gv = gd[go + r * L + j]!;
      const xh = (xd[xo + r * L + j]! - mean) * rstd;
      const gh = w === undefined ? gv : gv * w[wo + j]!;
      sa += gh;
      sc += gh * xh;
      if (accW !== null) accW[j]! += gv * xh;
      if (accB !== null) accB[j]! += gv;
    }
    sa /= L;
    sc /= L;
    for (let j = 0; j < L; j++) {
      const gv = gd[go + r * L + j]!;
      const xh = (xd[xo + r * L + j]! - mean) * rstd;
      const gh = w === undefined ? gv : gv * w[wo + j]!;
      dx[r * L + j] = rstd * (gh - sa - xh * sc);
    }
  }
  if (accW !== null) dWeight!.set(accW);
  if (accB !== null) dBias!.set(accB);
  return { dx, dWeight, dBias };
}
