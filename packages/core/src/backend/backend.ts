/**
 * The seam between tensors and the hardware that runs them.
 *
 * A backend is a connector: it owns storage on one device and runs a small set of primitive
 * kernels over it. It knows nothing of autograd, broadcasting rules or dtype promotion —
 * core resolves those before calling in — so a new device implements only what is here.
 *
 * Conventions every method follows:
 * - Inputs arrive as {@link View}s: storage plus a {@link Layout} (shape, strides, offset in
 *   elements). Strides may be zero (broadcast) or describe a transposed or sliced view;
 *   kernels read through them and never assume contiguity.
 * - Every method that returns a `Storage` returns a new, contiguous, row-major buffer that
 *   the caller owns and later hands to {@link Backend.free}. Inputs are never modified,
 *   except the destination of {@link Backend.assign}.
 * - Work may be queued; {@link Backend.read} waits for all earlier work on that storage.
 *
 * @example
 * ```ts
 * const cpu = getBackend('cpu');
 * const s = cpu.fromArray(new Float32Array([1, 2, 3]), 'float32');
 * const y = cpu.unary('exp', { storage: s, dtype: 'float32', layout: contiguousLayout([3]) }, 'float32');
 * await cpu.read(y, 'float32', 3);
 * ```
 */
import type { DType, TypedArray } from '../dtype.js';
import { DeviceError } from '../errors.js';
import type { Layout } from '../layout.js';

/** Device names. `'cpu'` is built in; `'webgpu'` is registered by `@tsgrad/gpu`. */
export type Device = 'cpu' | 'webgpu';

/** A backend's opaque handle to a buffer of elements. */
export type Storage = unknown;

/** An operand: a storage seen through a layout. */
export interface View {
  readonly storage: Storage;
  readonly layout: Layout;
  readonly dtype: DType;
}

/** Elementwise functions of one argument. `out` has the input's shape. */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'abs'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'erf'
  | 'sigmoid'
  | 'relu'
  | 'sign'
  | 'reciprocal'
  | 'floor'
  | 'not';

/** Elementwise functions of two arguments (comparisons produce `bool`). */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge';

/** Reductions over axes. `argmax`/`argmin` take exactly one axis and produce `int32`. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/** Distributions of {@link Backend.random}. */
export type RandomKind = 'uniform' | 'normal';

/** Buffers and bytes a backend reports about itself. */
export interface BackendMemory {
  buffers: number;
  bytes: number;
}

/** What a device implements. */
export interface Backend {
  /** The device name tensors carry. */
  readonly device: Device;
  /**
   * Storages of fewer elements than this are plain garbage-collected memory: they are not
   * watched by a FinalizationRegistry (whose registration costs more than a small op) and
   * `memory()` does not count them. Leave undefined to track every storage (GPU memory).
   */
  readonly untrackedBelow?: number;
  /**
   * True when storage is ordinary JavaScript memory that the garbage collector reclaims (the
   * CPU). Core then never keeps a storage alive for a finalizer to free: `free` is called only
   * on explicit disposal, as a hint that the memory may be reused.
   */
  readonly gcManaged?: boolean;
  /** dtypes this backend stores (WebGPU has no float64). */
  readonly dtypes: readonly DType[];
  /** Copies host data into a new storage of `dtype` (data has that dtype's typed array type). */
  fromArray(data: TypedArray, dtype: DType): Storage;
  /** A new storage of `size` elements, all `value`. */
  fill(size: number, value: number, dtype: DType): Storage;
  /** Copies the first `size` elements of a storage to the host, after pending work on it. */
  read(storage: Storage, dtype: DType, size: number): Promise<TypedArray>;
  /** Synchronous read; backends that cannot read synchronously leave it out. */
  readSync?(storage: Storage, dtype: DType, size: number): TypedArray;
  /** Releases a storage. The caller must not use it again. */
  free(storage: Storage): void;
  /** Bytes a storage of `size` elements of `dtype` occupies here. */
  byteSize(size: number, dtype: DType): number;

  /** `out[i] = op(x[i])`; `outDtype` is x's dtype except `not` (bool) and `floor`/`sign` on ints. */
  unary(op: UnaryOp, x: View, outDtype: DType): Storage;
  /** `out[i] = a[i] op b[i]`; a and b have the same shape (broadcast via zero strides) and dtype. */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage;
  /** `out[i] = cond[i] ? a[i] : b[i]`; all three have the same shape, a and b the same dtype. */
  where(cond: View, a: View, b: View): Storage;
  /** Reduces `axes` of x; the result keeps those axes with size 1. */
  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage;
  /**
   * Batched matrix product: a is [batch, M, K], b is [batch, K, N] (batch strides may be zero),
   * both of the same float dtype; the result is a contiguous [batch, M, N].
   */
  matmul(a: View, b: View): Storage;
  /**
   * Optional fused `matmul(a, b)` plus `bias` (a [N] vector, any stride) added to every
   * output row, as a linear layer needs. Without it core adds the bias with `binary`.
   */
  addmm?(bias: View, a: View, b: View): Storage;
  /** A contiguous copy of x. */
  copy(x: View): Storage;
  /** x converted to `dtype` (floats to int32 truncate toward zero; nonzero to bool is 1). */
  cast(x: View, dtype: DType): Storage;
  /** `out[..., i, ...] = x[..., index[..., i, ...], ...]` along `dim`; out has index's shape. */
  gather(x: View, dim: number, index: View): Storage;
  /** A copy of `base` with `src` added at `index` along `dim` (index and src have the same shape). */
  scatterAdd(base: View, dim: number, index: View, src: View): Storage;
  /** Inputs joined along `dim` (all have the same dtype and equal other dims). */
  concat(inputs: readonly View[], dim: number): Storage;
  /**
   * `size` random numbers of a float dtype from the counter-based generator of `random.ts`:
   * element `i` is `uniformAt(key, counter + i)` or `normalAt(key, counter + i)` (u32
   * arithmetic, counter wrapping at 2^32), so every backend produces the same stream.
   */
  random(kind: RandomKind, size: number, dtype: DType, key: number, counter: number): Storage;
  /** Writes `src` (same shape and dtype) into `dst`'s storage through dst's layout, in place. */
  assign(dst: View, src: View): void;
  /** The backend's own allocations beyond live tensors' storage (e.g. buffers kept for reuse). */
  memory(): BackendMemory;
  /**
   * Optional fused kernel for one Adam/AdamW update of a contiguous parameter, in place on
   * `param`, `expAvg`, `expAvgSq` (and `maxExpAvgSq` with AMSGrad). Core's composite in
   * `ops/optimizers.ts` is the reference it must match; without it core runs the composite.
   */
  adamStep?(
    param: View,
    grad: View,
    expAvg: View,
    expAvgSq: View,
    maxExpAvgSq: View | null,
    opts: AdamStepOptions,
  ): void;
}

/** Hyper-parameters of one Adam/AdamW step, as PyTorch's `torch.optim.Adam` documents them. */
export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: shrink the parameter by `lr·weightDecay` instead of adding an L2 gradient. */
  decoupledWeightDecay: boolean;
  maximize: boolean;
  /** The step number, counting from 1. */
  step: number;
}

const backends = new Map<Device, Backend>();

/**
 * Makes a backend available under its device name.
 *
 * @example
 * ```ts
 * registerBackend(myBackend); // tensors with device: myBackend.device now run on it
 * ```
 */
export function registerBackend(backend: Backend): void {
  backends.set(backend.device, backend);
}

/**
 * The backend registered for a device.
 *
 * @example
 * ```ts
 * getBackend('cpu').device; // 'cpu'
 * ```
 */
export function getBackend(device: Device): Backend {
  const b = backends.get(device);
  if (b === undefined) {
    const hint = device === 'webgpu' ? " (call `await initWebGPU()` from '@tsgrad/gpu' first)" : '';
    throw new DeviceError(`device '${device}' is not available${hint}`);
  }
  return b;
}

/** Whether a backend is registered for a device. */
export function hasBackend(device: Device): boolean {
  return backends.has(device);
}
