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
 */
export interface MatOperand {
  data: FloatArray;
  offset: number;
  batchStride: number;
  rowStride: number;
  colStride: number;
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
