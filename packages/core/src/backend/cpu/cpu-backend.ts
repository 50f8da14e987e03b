/**
 * The CPU backend: storage is a TypedArray of the tensor's dtype, kernels are plain loops
 * (with a packed, blocked matmul and a WebAssembly SIMD fast path where available).
 */
import type { DType, TypedArray } from '../../dtype.js';
import { arrayType, itemSize } from '../../dtype.js';
import { normalAt, uniformAt } from '../../random.js';
import type { Backend, BackendMemory, RandomKind, View } from '../backend.js';
import { binary, cast, copy, unary, where } from './elementwise.js';
import { assign, concat, gather, scatterAdd } from './indexing.js';
import { matmul as matmulKernel } from './kernels/matmul.js';
import { adamStep } from './optimizers.js';
import { reduce } from './reduce.js';

const live: BackendMemory = { buffers: 0, bytes: 0 };

/** Arrays shorter than this are left to the garbage collector and not counted (see `untrackedBelow`). */
const UNTRACKED_BELOW = 1024;

function track<T extends TypedArray>(a: T): T {
  if (a.length >= UNTRACKED_BELOW) {
    live.buffers++;
    live.bytes += a.byteLength;
  }
  return a;
}

function matmul(a: View, b: View): TypedArray {
  const [batch, M, K] = a.layout.shape as [number, number, number];
  const N = b.layout.shape[2]!;
  const out = new (arrayType(a.dtype))(batch * M * N);
  const [aB, aR, aC] = a.layout.strides as [number, number, number];
  const [bB, bR, bC] = b.layout.strides as [number, number, number];
  matmulKernel(
    a.storage as Float32Array,
    a.layout.offset,
    aB,
    aR,
    aC,
    b.storage as Float32Array,
    b.layout.offset,
    bB,
    bR,
    bC,
    out as Float32Array,
    batch,
    M,
    N,
    K,
  );
  return out;
}

function copyOut(s: TypedArray, dtype: DType, size: number): TypedArray {
  const out = new (arrayType(dtype))(size);
  out.set(s.subarray(0, size));
  return out;
}

function random(kind: RandomKind, size: number, dtype: DType, key: number, counter: number): TypedArray {
  const out = new (arrayType(dtype))(size);
  const f = kind === 'uniform' ? uniformAt : normalAt;
  for (let i = 0; i < size; i++) out[i] = f(key, (counter + i) >>> 0);
  return out;
}

/**
 * The CPU backend instance, registered under `'cpu'` when core loads.
 *
 * @example
 * ```ts
 * cpuBackend.memory(); // { buffers, bytes } currently alive
 * ```
 */
export const cpuBackend: Backend = {
  device: 'cpu',
  dtypes: ['float32', 'float64', 'int32', 'bool'],
  untrackedBelow: UNTRACKED_BELOW,
  fromArray: (data, dtype) => track(new (arrayType(dtype))(data)),
  fill: (size, value, dtype) => track(new (arrayType(dtype))(size).fill(value)),
  read: async (s, dtype, size) => copyOut(s as TypedArray, dtype, size),
  readSync: (s, dtype, size) => copyOut(s as TypedArray, dtype, size),
  free(s) {
    const a = s as TypedArray;
    if (a.length >= UNTRACKED_BELOW) {
      live.buffers--;
      live.bytes -= a.byteLength;
    }
  },
  byteSize: (size, dtype) => size * itemSize(dtype),
  unary: (op, x, outDtype) => track(unary(op, x, outDtype)),
  binary: (op, a, b, outDtype) => track(binary(op, a, b, outDtype)),
  where: (c, a, b) => track(where(c, a, b)),
  reduce: (op, x, axes) => track(reduce(op, x, axes)),
  matmul: (a, b) => track(matmul(a, b)),
  copy: (x) => track(copy(x)),
  cast: (x, dtype) => track(cast(x, dtype)),
  gather: (x, dim, index) => track(gather(x, dim, index)),
  scatterAdd: (base, dim, index, src) => track(scatterAdd(base, dim, index, src)),
  concat: (inputs, dim) => track(concat(inputs, dim)),
  random: (kind, size, dtype, key, counter) => track(random(kind, size, dtype, key, counter)),
  assign,
  memory: () => ({ ...live }),
  adamStep,
};
