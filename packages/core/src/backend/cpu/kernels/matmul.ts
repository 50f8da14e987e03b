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

import type { Bias, FloatArray, MatmulDims, MatOperand } from './mat-operand.js';
import { matmulTs } from './matmul-ts.js';
import { hasRelaxedSimd } from './wasm/engine.js';
import {
  fmaInUse,
  getThreads,
  initMatmulWasm,
  matmulWasm,
  readyWorkers,
  setFma,
  setMaxBytes,
  setParallelThreshold,
  setSpinMs,
  setThreads,
  wasmAvailable,
} from './wasm/matmul-wasm.js';

export type { Bias, FloatArray, MatmulDims, MatOperand };
export { matmulTs };

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
  /** Fused multiply-add where relaxed SIMD is available (default true); false: the plain SIMD kernel. */
  fma?: boolean;
}): void {
  if (opts.fma !== undefined) setFma(opts.fma);
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

/**
 * What `matmul` can use here: whether WebAssembly runs, whether the engine has relaxed SIMD
 * and the fused multiply-add kernel is in use, and how many workers are up.
 */
export function matmulInfo(): {
  wasm: boolean;
  relaxedSimd: boolean;
  fma: boolean;
  threads: number;
  readyWorkers: number;
} {
  return {
    wasm: wasmAvailable(),
    relaxedSimd: hasRelaxedSimd(),
    fma: fmaInUse(),
    threads: getThreads(),
    readyWorkers: readyWorkers(),
  };
}

/**
 * out[bt, i, j] = sum over k of A[bt, i, k] * B[bt, k, j] for `dims.batch` products of
 * [m, k] by [k, n], each operand read through its strides (see `MatOperand`). `out` is a
 * contiguous [batch, m, n] array of the operands' type and is overwritten; with `bias`,
 * each output row then has the bias row added. Synchronous.
 *
 * Where the engine has relaxed SIMD, float32 products through WebAssembly fuse each
 * multiply-add (one rounding instead of two). The sums then differ from the plain kernel's
 * by rounding alone: for an output element, |fused − plain| ≤ 2·k·ε·Σₖ|aᵢₖ·bₖⱼ| with
 * ε = 2⁻²⁴ (each path's error is within k·ε·Σ|aᵢₖ·bₖⱼ| of the exact sum), and in practice
 * far less. The order of the additions is the same in both.
 */
export function matmul(
  a: MatOperand,
  b: MatOperand,
  out: FloatArray,
  dims: MatmulDims,
  bias: Bias | null = null,
): void {
  const { batch, m, n, k } = dims;
  if (batch <= 0 || m <= 0 || n <= 0) return;
  if (
    impl !== 'ts' &&
    k > 0 &&
    (impl === 'wasm' || batch * m * n * k >= wasmMinMacs) &&
    matmulWasm(a, b, out, dims, bias)
  ) {
    return;
  }
  matmulTs(a, b, out, dims);
  if (bias !== null) addBias(out, batch * m, n, bias);
}

/** Adds the bias row to each of `rows` rows of width N (rounding to out's type). */
function addBias(out: FloatArray, rows: number, N: number, bias: Bias): void {
  const { data, offset, stride } = bias;
  for (let r = 0; r < rows; r++) {
    const base = r * N;
    for (let j = 0; j < N; j++) out[base + j]! += data[offset + j * stride]!;
  }
}
