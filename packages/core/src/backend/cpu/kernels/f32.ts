/**
 * Small loops over contiguous float32 (or float64) arrays that a training step runs
 * around every matmul: bias add, ReLU and its gradient, column sums (bias gradients),
 * axpy and dot. They take explicit lengths and offsets so callers can pass views of
 * larger buffers without copying, and allocate nothing. Sums accumulate in float64.
 */

import type { FloatArray } from './matmul-ts.js';

/** out[i, j] = x[i, j] + bias[j] for a row-major [rows, cols] block. `out` may be `x`. */
export function addRowVector(
  out: FloatArray,
  x: FloatArray,
  bias: FloatArray,
  rows: number,
  cols: number,
  xOff = 0,
  biasOff = 0,
  outOff = 0,
): void {
  for (let i = 0; i < rows; i++) {
    const xr = xOff + i * cols;
    const orow = outOff + i * cols;
    for (let j = 0; j < cols; j++) out[orow + j] = x[xr + j] + bias[biasOff + j];
  }
}

/** out[i] = max(x[i], 0) for i < n. `out` may be `x`. NaN stays NaN. */
export function relu(out: FloatArray, x: FloatArray, n: number, xOff = 0, outOff = 0): void {
  for (let i = 0; i < n; i++) {
    const v = x[xOff + i];
    out[outOff + i] = v < 0 ? 0 : v;
  }
}

/** gradIn[i] = x[i] > 0 ? gradOut[i] : 0 for i < n (the ReLU gradient, 0 at 0). */
export function reluBackward(
  gradIn: FloatArray,
  gradOut: FloatArray,
  x: FloatArray,
  n: number,
  gOff = 0,
  xOff = 0,
  inOff = 0,
): void {
  for (let i = 0; i < n; i++) gradIn[inOff + i] = x[xOff + i] > 0 ? gradOut[gOff + i] : 0;
}

let colAcc = new Float64Array(256);

/**
 * out[j] = sum over i of x[i, j] for a row-major [rows, cols] block: the gradient of a
 * bias added to every row. Reads x row by row (in memory order).
 */
export function sumColumns(
  out: FloatArray,
  x: FloatArray,
  rows: number,
  cols: number,
  xOff = 0,
  outOff = 0,
): void {
  if (colAcc.length < cols) colAcc = new Float64Array(cols);
  const acc = colAcc;
  acc.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const r = xOff + i * cols;
    for (let j = 0; j < cols; j++) acc[j] += x[r + j];
  }
  for (let j = 0; j < cols; j++) out[outOff + j] = acc[j];
}

/** out[i] = sum over j of x[i, j] for a row-major [rows, cols] block. */
export function sumRows(
  out: FloatArray,
  x: FloatArray,
  rows: number,
  cols: number,
  xOff = 0,
  outOff = 0,
): void {
  for (let i = 0; i < rows; i++) {
    const r = xOff + i * cols;
    let s0 = 0;
    let s1 = 0;
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      s0 += x[r + j];
      s1 += x[r + j + 1];
    }
    if (j < cols) s0 += x[r + j];
    out[outOff + i] = s0 + s1;
  }
}

/** y[i] += alpha * x[i] for i < n. */
export function axpy(y: FloatArray, alpha: number, x: FloatArray, n: number, xOff = 0, yOff = 0): void {
  for (let i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
}

/** Sum of x[i] * y[i] for i < n, accumulated in float64. */
export function dot(x: FloatArray, y: FloatArray, n: number, xOff = 0, yOff = 0): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[xOff + i] * y[yOff + i];
    s1 += x[xOff + i + 1] * y[yOff + i + 1];
    s2 += x[xOff + i + 2] * y[yOff + i + 2];
    s3 += x[xOff + i + 3] * y[yOff + i + 3];
  }
  for (; i < n; i++) s0 += x[xOff + i] * y[yOff + i];
  return s0 + s1 + (s2 + s3);
}
