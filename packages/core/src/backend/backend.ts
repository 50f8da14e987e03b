/**
 * The seam between tensors and the hardware that runs them.
 *
 * A backend is a connector: it owns storage on one device and runs a small set of primitive
 * kernels over it. It knows nothing of autograd, broadcasting rules or dtype promotion —
 * core resolves those before calling in — and nothing of other backends. It does not know its
 * own name either: a device is whatever name its backend was registered under.
 *
 * Conventions every method follows:
 * - Inputs arrive as {@link View}s: storage plus a {@link Layout} (shape, strides, offset in
 *   elements). Strides may be zero (broadcast) or describe a transposed or sliced view;
 *   kernels read through them and never assume contiguity.
 * - Every method that returns a `Storage` returns a new, contiguous, row-major buffer that
 *   the caller owns and later hands to {@link Backend.free}. Inputs are never modified,
 *   except the destination of {@link Backend.assign} and the state a fused optimizer step updates.
 * - Work may be queued; {@link Backend.read} waits for all earlier work on that storage.
 *
 * Writing one: implement the required methods of {@link Backend} (nineteen primitives: storage
 * in and out, elementwise, reductions, matmul, indexing, random fills, sort, scan and
 * convolution windows) and register the object
 * under a name; tensors made with `{ device: name }` or moved with `t.to(name)` then run on it,
 * and every composite op (softmax, attention, losses, optimizers …) works unchanged, since core
 * builds them from these primitives. Two optional parts follow: {@link Backend.memory} says how
 * storage is accounted for, and {@link Backend.fused} offers fused kernels for composites, each
 * of which core uses when present and replaces by the composite (its tested reference) when not.
 *
 * The primitive set grows only when a new op family cannot be fast as a composite of these
 * (sorting, scans, convolution windows): such a family adds a primitive here, with a one-line
 * contract and a reference test, rather than a fused kernel. Sorting and scans are such a
 * family: a composite of elementwise ops and reductions needs O(n²) work per row (comparing
 * every pair, or summing every prefix), and a row's order or running total is inherently
 * sequential along the axis, so {@link Backend.sort} and {@link Backend.scan} are primitives;
 * `sort`, `argsort`, `topk`, `median`, `kthvalue`, `cumsum`, `cumprod` and `logcumsumexp`
 * (and their gradients) are built on them. Convolution windows are another: as a composite,
 * laying out every window of an image is a `gather` through a precomputed index (one int32 per
 * output element, read and bounds-checked element by element, plus a padded copy of the
 * input) and its adjoint a `scatterAdd`, several times slower than a loop over contiguous rows;
 * so {@link Backend.im2col} and {@link Backend.col2im} are primitives, and convolution,
 * transposed convolution and pooling (and their gradients) are built on them.
 *
 * @example
 * ```ts
 * // A device that runs on the CPU kernels, under its own name.
 * registerBackend('mirror', { ...getBackend('cpu') });
 * const x = tensor([1, 2, 3], { device: 'mirror' }).exp();
 * const s = x.to('cpu');
 * ```
 */
import type { DType, TypedArray } from '../dtype.js';
import { isDType } from '../dtype.js';
import { DeviceError } from '../errors.js';
import type { Layout } from '../layout.js';

/** A device's name: the name its backend was registered under (`'cpu'` is built in). */
export type Device = string;
/** A backend's opaque handle to a buffer of elements. */
export type Storage = unknown;

/** An operand: a storage seen through a layout. */
export interface View {
  readonly storage: Storage;
  readonly layout: Layout;
  readonly dtype: DType;
}

/**
 * Elementwise functions of one argument. `out` has the input's shape.
 *
 * `log1p`, `expm1` and the trigonometric and hyperbolic functions are primitives because their
 * composites lose accuracy (1 + x rounds away small x; e^x − e^−x cancels near 0) or do not
 * exist (atan, asin, acos). The rounding functions (`floor`, `ceil`, `trunc`, `round` — half to
 * even) are primitives because no composite of the others rounds.
 */
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
  | 'ceil'
  | 'trunc'
  | 'round'
  | 'log1p'
  | 'expm1'
  | 'tan'
  | 'atan'
  | 'asin'
  | 'acos'
  | 'sinh'
  | 'cosh'
  | 'not';

/**
 * Elementwise functions of two arguments (comparisons produce `bool`).
 *
 * `remainder` (the result takes the divisor's sign, as Python's `%`), `atan2` and `hypot` are
 * primitives: a − b·⌊a/b⌋ is inexact for large quotients, atan2 has no composite that keeps
 * its quadrants and signed zeros, and √(a² + b²) overflows long before the result does.
 */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'remainder'
  | 'atan2'
  | 'hypot'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge';

/** Reductions over axes. `argmax`/`argmin` take exactly one axis and produce `int32`. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/**
 * Inclusive scans of {@link Backend.scan}: running sum, running product, and the running
 * log(Σ exp) (computed stably with a running maximum; -Infinity terms contribute nothing).
 */
export type ScanOp = 'sum' | 'prod' | 'logsumexp';

/** What {@link Backend.sort} returns: both contiguous, with x's shape. */
export interface SortResult {
  /** The sorted elements, in x's dtype. */
  values: Storage;
  /** int32 positions along the sorted axis that the sorted elements came from. */
  indices: Storage;
}

/**
 * The geometry of {@link Backend.im2col} and {@link Backend.col2im}: an [H, W] plane, an
 * [kH, kW] kernel whose taps are `dilation` apart, windows `stride` apart starting `padding`
 * before the plane's first element, and the [oH, oW] grid of windows. Window (oh, ow)'s tap
 * (kh, kw) reads row oh·strideH − paddingH + kh·dilationH and the column alike; taps outside
 * the plane read the padding value.
 */
export interface WindowSpec {
  /** The input plane [H, W]. */
  readonly size: readonly [number, number];
  /** Kernel taps [kH, kW]. */
  readonly kernel: readonly [number, number];
  /** Step between windows [sH, sW], positive. */
  readonly stride: readonly [number, number];
  /** Padding before the plane's first row and column [pH, pW], non-negative. */
  readonly padding: readonly [number, number];
  /** Step between taps [dH, dW], positive. */
  readonly dilation: readonly [number, number];
  /** The grid of windows [oH, oW]. */
  readonly out: readonly [number, number];
}

/** Distributions of {@link Backend.random}. */
export type RandomKind = 'uniform' | 'normal';

/** Buffers and bytes a backend reports about its own allocations. */
export interface BackendMemory {
  buffers: number;
  bytes: number;
}

/** How a backend's storage is accounted for. Every field is optional. */
export interface MemoryPolicy {
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
  /**
   * The largest storage, in bytes, this backend can allocate (the CPU's typed-array limit, a
   * WebGPU device's `maxBufferSize`). Core refuses a larger tensor before allocating it.
   */
  readonly maxBytes?: number;
  /** The most elements one storage may have (kernels index elements with int32 on the CPU). */
  readonly maxElements?: number;
  /** Bytes a storage of `size` elements of `dtype` occupies (default: size × the dtype's item size). */
  byteSize?(size: number, dtype: DType): number;
  /** The backend's own count of its allocations (e.g. arrays kept for reuse), for tests and benchmarks. */
  usage?(): BackendMemory;
}

/**
 * Fused kernels for composite ops. Each is optional and must match its composite, the tested
 * reference core runs when the kernel is missing. They are called as methods of this group.
 */
export interface FusedKernels {
  /**
   * `matmul(a, b)` plus `bias` (a [N] vector, any stride) added to every output row, as a
   * linear layer needs: a is [1, M, K], b is [1, K, N]; the result is a contiguous [M, N].
   * Composite: `matmul` then `binary('add')` (`addmm` in `ops/linalg.ts`).
   */
  addmm?(bias: View, a: View, b: View): Storage;
  /**
   * A batched matmul whose operands have a two-level batch, as the heads of a [B, T, H, D]
   * tensor seen as B·H matrices [T, D] do: a is [outer, inner, M, K], b [outer', inner', K, N]
   * (any strides, 0 where broadcast), with outer × inner = outer' × inner' batches; batch bt
   * is [⌊bt / inner⌋, bt mod inner] of a and likewise of b. The result is a contiguous
   * [batch, M, N]. Composite: `matmul` of contiguous copies (`matmul` in `ops/linalg.ts`).
   */
  matmulNested?(a: View, b: View): Storage;
  /**
   * One Adam/AdamW update of a contiguous parameter, in place on `param`, `expAvg`,
   * `expAvgSq` (and `maxExpAvgSq` with AMSGrad); all have one shape and float dtype.
   * Composite: `adamStepComposite_` in `ops/optimizers.ts`.
   */
  adamStep?(
    param: View,
    grad: View,
    expAvg: View,
    expAvgSq: View,
    maxExpAvgSq: View | null,
    opts: AdamStepOptions,
  ): void;
  /**
   * g where y > 0, else 0: the gradient of relu from its output y and the gradient g arriving
   * (one shape and float dtype, any strides), a new contiguous storage. Composite:
   * `where(y.gt(0), g, 0)` (the relu rule in `ops/elementwise.ts`).
   */
  reluBackward?(y: View, g: View): Storage;
  /**
   * softmax along the last dim of a contiguous x: e^(x − max) / Σ e^(x − max) per row, a new
   * contiguous storage. Composite: `softmax` in `ops/activation.ts` (through logsumexp).
   */
  softmax?(x: View): Storage;
  /**
   * y·(g − Σ g·y) along the last dim, the gradient of softmax from its output y and the
   * gradient g arriving (contiguous, one shape). Composite: the same formula in tensor ops.
   */
  softmaxBackward?(y: View, g: View): Storage;
  /**
   * log-softmax along the last dim of a contiguous x: x − max − log Σ e^(x − max) per row, a
   * new contiguous storage. Composite: `logSoftmax` in `ops/activation.ts`.
   */
  logSoftmax?(x: View): Storage;
  /**
   * g − e^y·Σ g along the last dim, the gradient of log-softmax from its output y and the
   * gradient g arriving (contiguous, one shape). Composite: the same formula in tensor ops.
   */
  logSoftmaxBackward?(y: View, g: View): Storage;
  /**
   * Layer norm of a contiguous x over rows of its last `size` elements: y = (x − μ)/√(σ² + eps)
   * (biased variance), times `weight` and plus `bias` (contiguous, `size` elements) when given;
   * also each row's μ and 1/√(σ² + eps) as stats [rows, 2]. Composite: `layerNorm` in
   * `ops/norm.ts` (means, a product, rsqrt).
   */
  layerNorm?(
    x: View,
    weight: View | null,
    bias: View | null,
    size: number,
    eps: number,
  ): { y: Storage; stats: Storage };
  /**
   * The gradient of {@link FusedKernels.layerNorm} from its input, weight and stats, for the
   * gradient g of y: dx, and when asked for, the weight's (Σ g·x̂ over rows) and the bias's
   * (Σ g) gradients. Composite: the same formulas in tensor ops.
   */
  layerNormBackward?(
    g: View,
    x: View,
    weight: View | null,
    stats: View,
    size: number,
    want: { weight: boolean; bias: boolean },
  ): { dx: Storage; dWeight: Storage | null; dBias: Storage | null };
  /**
   * One LSTM step: the gate pre-activations gx + gh ([B, 4H] each, gates in PyTorch's order
   * i, f, g, o) and the previous cell c ([B, H]), all with unit column stride, give
   * hc = [h | c'] ([B, 2H], contiguous) and the gate activations ([B, 4H]), which the
   * gradient reads. Composite: `lstmCell` in `ops/recurrent.ts`.
   */
  lstmCell?(gx: View, gh: View, c: View): { hc: Storage; acts: Storage };
  /**
   * The gradient of {@link FusedKernels.lstmCell} for the gradient g of hc (unit column
   * stride): of the gate pre-activations ([B, 4H]) and of c ([B, H]). Composite: the same
   * formulas in tensor ops.
   */
  lstmCellBackward?(acts: View, c: View, hc: View, g: View): { dGates: Storage; dc: Storage };
}

/** What a device implements. */
export interface Backend {
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

  /** `out[i] = op(x[i])`; `outDtype` is x's dtype except `not` (bool) and `floor`/`sign` on ints. */
  unary(op: UnaryOp, x: View, outDtype: DType): Storage;
  /** `out[i] = a[i] op b[i]`; a and b have the same shape (broadcast via zero strides) and dtype. */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage;
  /** `out[i] = cond[i] ? a[i] : b[i]`; all three have the same shape, a and b the same dtype. */
  where(cond: View, a: View, b: View): Storage;
  /** Reduces `axes` of x; the result keeps those axes with size 1. */
  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage;
  /** a [batch, M, K] times b [batch, K, N] (one float dtype, batch strides may be 0): [batch, M, N]. */
  matmul(a: View, b: View): Storage;
  /** x as `dtype` (floats to int32 truncate, nonzero to bool is 1); to x's own dtype, a plain copy. */
  cast(x: View, dtype: DType): Storage;
  /** `out[..., i, ...] = x[..., index[..., i, ...], ...]` along `dim`; out has index's shape. */
  gather(x: View, dim: number, index: View): Storage;
  /** A copy of `base` with `src` added at `index` along `dim` (index and src have the same shape). */
  scatterAdd(base: View, dim: number, index: View, src: View): Storage;
  /** Inputs joined along `dim` (all have the same dtype and equal other dims). */
  concat(inputs: readonly View[], dim: number): Storage;
  /** `size` floats whose element i is `uniformAt`/`normalAt(key, counter + i)` of `random.ts` (u32). */
  random(kind: RandomKind, size: number, dtype: DType, key: number, counter: number): Storage;
  /** Writes `src` (same shape and dtype) into `dst`'s storage through dst's layout, in place. */
  assign(dst: View, src: View): void;
  /** Stable sort of every line of x along `dim` (ties keep their order, NaN sorts as the largest value). */
  sort(x: View, dim: number, descending: boolean): SortResult;
  /** Inclusive scan of `op` along `dim`, from the last element back when `reverse`: contiguous, x's shape and dtype. */
  scan(op: ScanOp, x: View, dim: number, reverse: boolean): Storage;
  /** Every window of x [N, C, H, W] as [N, C, kH·kW, oH·oW] (im2col); taps outside the plane read `padValue`. */
  im2col(x: View, spec: WindowSpec, padValue: number): Storage;
  /** The adjoint of {@link Backend.im2col}: cols [N, C, kH·kW, oH·oW] summed into [N, C, H, W], padding taps dropped. */
  col2im(cols: View, spec: WindowSpec): Storage;

  /** How storage is accounted for; without it every storage is tracked at its dtype's size. */
  readonly memory?: MemoryPolicy;
  /** Fused kernels for composites; without them core runs the composites. */
  readonly fused?: FusedKernels;
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
// A backend replaced under its name keeps the name for the tensors still on it.
const names = new WeakMap<Backend, Device>();

/**
 * Makes a backend available under a device name: tensors made with `{ device: name }` or
 * moved with `t.to(name)` run on it. Registering another backend under a taken name replaces
 * it for new tensors. A dtype's name cannot be a device's (`t.to()` takes both), and one
 * backend object has one name (register a copy, `{ ...backend }`, to run it under two).
 *
 * @example
 * ```ts
 * registerBackend('mirror', { ...getBackend('cpu') });
 * tensor([1, 2], { device: 'mirror' }).device; // 'mirror'
 * ```
 */
export function registerBackend(name: Device, backend: Backend): void {
  if (typeof name !== 'string' || name === '') {
    throw new DeviceError(
      "registerBackend: expected a device name and a backend, e.g. registerBackend('mine', backend)",
    );
  }
  if (isDType(name))
    throw new DeviceError(`registerBackend: '${name}' is a dtype, so it cannot name a device`);
  const had = names.get(backend);
  if (had !== undefined && had !== name) {
    throw new DeviceError(
      `registerBackend: this backend is registered as '${had}'; register a copy of it under '${name}'`,
    );
  }
  backends.set(name, backend);
  names.set(backend, name);
}

/**
 * The backend registered under a device name, or a DeviceError naming the registered ones.
 * `op` prefixes the error message.
 *
 * @example
 * ```ts
 * getBackend('cpu').dtypes; // ['float32', 'float64', 'int32', 'bool']
 * ```
 */
export function getBackend(device: Device, op = 'getBackend'): Backend {
  const b = backends.get(device);
  if (b === undefined) {
    const known = registeredDevices()
      .map((d) => `'${d}'`)
      .join(', ');
    throw new DeviceError(
      `${op}: unknown device '${device}' (registered: ${known}); initialise the package that provides it, or registerBackend() it`,
    );
  }
  return b;
}

/**
 * Whether a backend is registered under a device name.
 *
 * @example
 * ```ts
 * hasBackend('cpu'); // true
 * ```
 */
export function hasBackend(device: Device): boolean {
  return backends.has(device);
}

/**
 * The names of the registered devices, in registration order.
 *
 * @example
 * ```ts
 * registeredDevices(); // ['cpu'], and more once other backends register
 * ```
 */
export function registeredDevices(): Device[] {
  return [...backends.keys()];
}

/** The device name a registered backend runs under (tensors report it as `t.device`). */
export function deviceOf(backend: Backend): Device {
  return names.get(backend)!;
}
