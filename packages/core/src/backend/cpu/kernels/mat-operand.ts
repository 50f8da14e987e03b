/**
 * What the matmul kernels receive: each operand as its storage and strides (the way a kernel
 * receives a tensor's storage and layout), the sizes of the product once, and an optional
 * bias row.
 */

export type FloatArray = Float32Array | Float64Array;

/**
 * One operand of a batched matmul: element [bt, r, c] is
 * `data[offset + bt * batchStride + r * rowStride + c * colStride]`. Strides are in
 * elements and may be anything, including 0 (a broadcast batch or row) and transposed
 * layouts (`rowStride = 1, colStride = rows`).
 *
 * The batch may also have two levels, as the heads of a [B, T, H, D] tensor seen as B·H
 * matrices [T, D] do: with `innerBatch` = n > 1, batch bt is inner batch bt mod n of outer
 * batch ⌊bt / n⌋ and starts at `offset + ⌊bt / n⌋ * batchStride + (bt mod n) * innerStride`.
 */
export interface MatOperand {
  data: FloatArray;
  offset: number;
  /** Stride between batches, or between outer batches when `innerBatch` > 1. */
  batchStride: number;
  rowStride: number;
  colStride: number;
  /** Batches per outer batch (1 when absent: one level). */
  innerBatch?: number;
  /** Stride between the batches of one outer batch (used when `innerBatch` > 1). */
  innerStride?: number;
}

/** Where batch `bt` of `x` starts in `x.data`. */
export function batchOffset(x: MatOperand, bt: number): number {
  const n = x.innerBatch ?? 1;
  if (n <= 1) return x.offset + bt * x.batchStride;
  const outer = Math.floor(bt / n);
  return x.offset + outer * x.batchStride + (bt - outer * n) * (x.innerStride ?? 0);
}

/** Sizes of a batched product: [batch, m, k] times [batch, k, n] gives [batch, m, n]. */
export interface MatmulDims {
  batch: number;
  m: number;
  n: number;
  k: number;
}

/** A row vector added to every output row (`addmm`): element j is `data[offset + j * stride]`. */
export interface Bias {
  data: FloatArray;
  offset: number;
  stride: number;
}
