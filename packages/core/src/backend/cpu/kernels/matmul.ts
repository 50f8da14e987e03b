/**
 * Batched matrix multiply for the CPU backend.
 *
 * `matmul` dispatches between two kernels:
 * - float32, when WebAssembly SIMD is available and the problem is large enough to pay
 *   for copying the operands into wasm memory: the SIMD128 kernel in `wasm/`, on every
 *   core in Node (worker threads over shared memory), on the calling thread elsewhere;
 * - everything else (float64, small problems, no WebAssembly): the packed, register-blocked
 *   TypeScript kernel in `matmul-ts.ts`.
 *
 * Both are synchronous. `setMatmulImpl` forces one of them (tests use it to cover both).
 */

import { type FloatArray, matmulTs } from './matmul-ts.js';
import {
  getThreads,
  initMatmulWasm,
  matmulWasm,
  readyWorkers,
  setMaxBytes,
  setParallelThreshold,
  setSpinMs,
  setThreads,
  wasmAvailable,
} from './wasm/matmul-wasm.js';

export type { FloatArray };
export { matmulTs };

/** A row vector added to every output row (`addmm`): element j is `data[off + j * stride]`. */
export interface Bias {
  data: FloatArray;
  off: number;
  stride: number;
}

/** Which kernel `matmul` uses: `'auto'` picks by dtype and size. */
export type MatmulImpl = 'auto' | 'ts' | 'wasm';

let impl: MatmulImpl = 'auto';

/**
 * Float32 problems with fewer multiply-adds than this stay in TypeScript: below it,
 * copying into wasm memory and packing cost more than the faster inner loop saves.
 */
let wasmMinMacs = 512;

/** Forces a kernel (`'wasm'` still runs float64 in TypeScript). */
export function setMatmulImpl(next: MatmulImpl): void {
  impl = next;
}

export function getMatmulImpl(): MatmulImpl {
  return impl;
}

/**
 * Threads used by the WebAssembly kernel, the calling thread included. Defaults to the
 * number of cores (at most 8) in Node and to 1 where worker threads are unavailable.
 * Lowering it stops the surplus workers.
 */
export function setMatmulThreads(n: number): void {
  setThreads(n);
}

export function getMatmulThreads(): number {
  return getThreads();
}

/** Tuning knobs, mainly for benchmarks and tests. */
export function setMatmulTuning(opts: {
  /** Float32 problems below this many multiply-adds use the TypeScript kernel. */
  wasmMinMacs?: number;
  /** Problems below this many multiply-adds stay on one thread. */
  parallelMinMacs?: number;
  /** How long idle workers poll for new work before sleeping, in ms. */
  spinMs?: number;
  /** Largest wasm working set of one call in bytes; larger batches are split. */
  wasmMaxBytes?: number;
}): void {
  if (opts.wasmMaxBytes !== undefined) setMaxBytes(opts.wasmMaxBytes);
  if (opts.wasmMinMacs !== undefined) wasmMinMacs = opts.wasmMinMacs;
  if (opts.parallelMinMacs !== undefined) setParallelThreshold(opts.parallelMinMacs);
  if (opts.spinMs !== undefined) setSpinMs(opts.spinMs);
}

/**
 * Compiles the WebAssembly kernel asynchronously and starts its worker threads, resolving
 * once they are ready (to `false` where WebAssembly is unavailable). Calling it is
 * optional: it keeps the first large matmul from compiling on the spot and running on a
 * single thread while the workers start. In browsers it is also the way to compile the
 * module where synchronous compilation of it is not allowed on the main thread.
 */
export function initMatmul(): Promise<boolean> {
  return initMatmulWasm();
}

/** What `matmul` can use here: whether WebAssembly runs, and how many workers are up. */
export function matmulInfo(): { wasm: boolean; threads: number; readyWorkers: number } {
  return { wasm: wasmAvailable(), threads: getThreads(), readyWorkers: readyWorkers() };
}

/**
 * out[bt, i, j] = sum over k of A[bt, i, k] * B[bt, k, j], where
 * A[bt, i, k] = a[aOff + bt * aBatchStride + i * aRowStride + k * aColStride] and likewise
 * for B. Strides are in elements and may be anything, including 0 (a broadcast batch or
 * row) and transposed layouts (`aRowStride = 1, aColStride = M`). `out` is a contiguous
 * [batch, M, N] array of the operands' type and is overwritten; with `bias`, each output
 * row then has the bias row added. Synchronous.
 */
export function matmul(
  a: FloatArray,
  aOff: number,
  aBatchStride: number,
  aRowStride: number,
  aColStride: number,
  b: FloatArray,
  bOff: number,
  bBatchStride: number,
  bRowStride: number,
  bColStride: number,
  out: FloatArray,
  batch: number,
  M: number,
  N: number,
  K: number,
  bias: Bias | null = null,
): void {
  if (batch <= 0 || M <= 0 || N <= 0) return;
  if (
    impl !== 'ts' &&
    K > 0 &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    out instanceof Float32Array &&
    (impl === 'wasm' || batch * M * N * K >= wasmMinMacs) &&
    matmulWasm(
      a,
      aOff,
      aBatchStride,
      aRowStride,
      aColStride,
      b,
      bOff,
      bBatchStride,
      bRowStride,
      bColStride,
      out,
      batch,
      M,
      N,
      K,
      bias,
    )
  ) {
    return;
  }
  matmulTs(
    a,
    aOff,
    aBatchStride,
    aRowStride,
    aColStride,
    b,
    bOff,
    bBatchStride,
    bRowStride,
    bColStride,
    out,
    batch,
    M,
    N,
    K,
  );
  if (bias !== null) addBias(out, batch * M, N, bias);
}

/** Adds the bias row to each of `rows` rows of width N (rounding to out's type). */
function addBias(out: FloatArray, rows: number, N: number, bias: Bias): void {
  const { data, off, stride } = bias;
  for (let r = 0; r < rows; r++) {
    const base = r * N;
    for (let j = 0; j < N; j++) out[base + j]! += data[off + j * stride]!;
  }
}
