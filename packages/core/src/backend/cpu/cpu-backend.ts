/**
 * The CPU backend: storage is a TypedArray of the tensor's dtype, kernels are plain loops
 * (with a packed, blocked matmul and a WebAssembly SIMD fast path where available).
 */
import type { DType, TypedArray } from '../../dtype.js';
import { arrayType, dtypes } from '../../dtype.js';
import { normalAt, uniformAt } from '../../random.js';
import type { Backend, RandomKind, View } from '../backend.js';
import { alloc, POOL_MIN_LENGTH, poolStats, recycle } from './alloc.js';
import { setArenaLimits } from './arena.js';
import { binary, cast, filled, reluBackward, unary, where } from './elementwise.js';
import { assign, concat, gather, scatterAdd } from './indexing.js';
import type { FloatArray, MatOperand } from './kernels/mat-operand.js';
import { getMatmulThreads, initMatmul, matmul as matmulKernel, setMatmulThreads } from './kernels/matmul.js';
import {
  layerNorm,
  layerNormBackward,
  logSoftmax,
  logSoftmaxBackward,
  softmax,
  softmaxBackward,
} from './normalize.js';
import { adamStep } from './optimizers.js';
import { lstmCell, lstmCellBackward } from './recurrent.js';
import { reduce } from './reduce.js';
import { scan, sort } from './sort.js';
import { col2im, im2col } from './windows.js';

/** A [batch, rows, cols] or [outer, inner, rows, cols] view as a matmul operand. */
function matOperand(v: View): MatOperand {
  const { strides, shape, offset } = v.layout;
  const data = v.storage as FloatArray;
  if (strides.length === 3) {
    const [batchStride, rowStride, colStride] = strides as [number, number, number];
    return { data, offset, batchStride, rowStride, colStride };
  }
  const [batchStride, innerStride, rowStride, colStride] = strides as [number, number, number, number];
  return { data, offset, batchStride, innerBatch: shape[1]!, innerStride, rowStride, colStride };
}

function matmul(a: View, b: View, bias: View | null = null): TypedArray {
  const sa = a.layout.shape;
  const batch = sa.slice(0, -2).reduce((x, y) => x * y, 1);
  const m = sa[sa.length - 2]!;
  const k = sa[sa.length - 1]!;
  const n = b.layout.shape[b.layout.shape.length - 1]!;
  const out = alloc(a.dtype, batch * m * n);
  const addend = bias && {
    data: bias.storage as FloatArray,
    offset: bias.layout.offset,
    stride: bias.layout.strides[0]!,
  };
  matmulKernel(matOperand(a), matOperand(b), out as FloatArray, { batch, m, n, k }, addend);
  return out;
}

function copyOut(s: TypedArray, dtype: DType, size: number): TypedArray {
  const out = new (arrayType(dtype))(size);
  out.set(s.subarray(0, size));
  return out;
}

function random(kind: RandomKind, size: number, dtype: DType, key: number, counter: number): TypedArray {
  const out = alloc(dtype, size);
  const f = kind === 'uniform' ? uniformAt : normalAt;
  for (let i = 0; i < size; i++) out[i] = f(key, (counter + i) >>> 0);
  return out;
}

/**
 * The CPU backend instance, registered under `'cpu'` when core loads.
 *
 * @example
 * ```ts
 * cpuBackend.memory?.usage?.(); // { buffers, bytes } waiting in the reuse pool
 * ```
 */
export const cpuBackend: Backend = {
  dtypes,
  fromArray(data, dtype) {
    const a = alloc(dtype, data.length);
    a.set(data);
    return a;
  },
  fill: filled,
  read: async (s, dtype, size) => copyOut(s as TypedArray, dtype, size),
  readSync: (s, dtype, size) => copyOut(s as TypedArray, dtype, size),
  free(s) {
    const a = s as TypedArray;
    recycle(a, dtypeOf(a));
  },
  unary,
  binary,
  where,
  reduce,
  matmul: (a, b) => matmul(a, b),
  cast,
  gather,
  scatterAdd,
  concat,
  random,
  assign,
  sort,
  scan,
  im2col,
  col2im,
  memory: {
    gcManaged: true,
    untrackedBelow: POOL_MIN_LENGTH,
    usage: poolStats,
    // Kernels index elements with int32 (row starts, gather indices), and typed arrays stop near there.
    maxElements: 2 ** 31 - 1,
  },
  fused: {
    addmm: (bias, a, b) => matmul(a, b, bias),
    matmulNested: (a, b) => matmul(a, b),
    adamStep,
    reluBackward,
    softmax,
    softmaxBackward,
    logSoftmax,
    logSoftmaxBackward,
    layerNorm,
    layerNormBackward,
    lstmCell,
    lstmCellBackward,
  },
};

function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

/**
 * Compiles the CPU backend's WebAssembly kernels and starts its worker threads, resolving
 * to whether the WebAssembly kernels are in use (false where WebAssembly is unavailable:
 * everything then runs in TypeScript). Optional: without it the first large matmul starts
 * the workers and runs on one thread until they are up.
 *
 * @example
 * ```ts
 * await initCpuKernels(); // before timing a training loop
 * ```
 */
export function initCpuKernels(): Promise<boolean> {
  return initMatmul();
}

/**
 * Sets how many threads large CPU matmuls use, the calling one included (like
 * `torch.set_num_threads`). The default is the number of cores, at most 8; browsers and
 * runtimes without worker threads use 1. Results are identical for any count.
 *
 * @example
 * ```ts
 * setNumThreads(1); // keep the CPU backend on the calling thread
 * ```
 */
export function setNumThreads(n: number): void {
  setMatmulThreads(n);
}

/**
 * Threads large CPU matmuls use, the calling one included.
 *
 * @example
 * ```ts
 * getNumThreads(); // 2 on a two-core machine in Node
 * ```
 */
export function getNumThreads(): number {
  return getMatmulThreads();
}

/**
 * Sets how many bytes of tensor storage the CPU backend may keep in WebAssembly memory and
 * returns the previous limit (default 1 GiB). Float32 and bool tensors live there, where the
 * kernels and worker threads use them in place; past the limit new storages are ordinary
 * arrays that the kernels copy in and out, at about half the speed. WebAssembly memory never
 * shrinks, so the limit also caps what a program keeps reserved once its largest step is over.
 * Raise it for working sets beyond 1 GiB (an LSTM step over 128 time steps at batch 64 and
 * hidden 256 holds about 230 MiB); 0 keeps new storages out of it. Memory is 4 GiB at most.
 *
 * @example
 * ```ts
 * setCpuMemoryLimit(2 * 1024 ** 3); // long sequences: up to 2 GiB in WebAssembly memory
 * ```
 */
export function setCpuMemoryLimit(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`setCpuMemoryLimit: expected a byte count >= 0, got ${bytes}`);
  }
  return setArenaLimits({ limit: Math.floor(bytes) }).limit;
}
