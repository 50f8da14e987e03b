/**
 * Making tensors: from data, filled, ranges, identity, and random.
 */
import type { Device } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { arrayType, isFloating } from '../dtype.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { numelOf } from '../layout.js';
import { takeCounters, uniformAt } from '../random.js';
import type { NestedArray, Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { fromStorage } from './make.js';

/** Options shared by the factory functions. */
export interface TensorOptions {
  /** Element type; float32 unless the data says otherwise (booleans → bool). */
  dtype?: DType;
  /** Device; 'cpu' by default. */
  device?: Device;
  /** Whether the new leaf tracks gradients. */
  requiresGrad?: boolean;
}

/** Options of {@link tensor}: a flat array or TypedArray needs `shape`. */
export interface TensorDataOptions extends TensorOptions {
  shape?: readonly number[];
}

/** What {@link tensor} accepts. */
export type TensorData = NestedArray | readonly number[] | ArrayLike<number>;

function checkShape(shape: readonly number[], op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${formatShape(shape)}`);
  }
}

function make(data: TypedArray, shape: readonly number[], opts: TensorOptions, dtype: DType): Tensor {
  const device = opts.device ?? 'cpu';
  const b = getBackend(device, 'tensor');
  if (!b.dtypes.includes(dtype)) {
    throw new DTypeError(
      `tensor: the ${device} device does not support ${dtype}${dtype === 'float64' ? '; use float32' : ''}`,
    );
  }
  const t = fromStorage(b, b.fromArray(data, dtype), shape, dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

function flattenNested(data: unknown, op: string): { values: number[]; shape: number[]; bool: boolean } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: number[] = [];
  let bool = typeof probe === 'boolean';
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v === 'boolean') values.push(v ? 1 : 0);
      else if (typeof v === 'number') {
        values.push(v);
        bool = false;
      } else throw new ValueError(`${op}: expected numbers or booleans, got ${typeof v}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`${op}: ragged nested array (expected length ${shape[depth]} at depth ${depth})`);
    }
    for (const e of v) walk(e, depth + 1);
  };
  walk(data, 0);
  return { values, shape, bool };
}

/**
 * A tensor from a number, nested arrays, or a flat array/TypedArray with `opts.shape`.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]);
 * tensor(new Float32Array(6), { shape: [2, 3] });
 * tensor(3.5, { dtype: 'float64', requiresGrad: true });
 * ```
 */
export function tensor(data: TensorData, opts: TensorDataOptions = {}): Tensor {
  if (opts.shape !== undefined) {
    checkShape(opts.shape, 'tensor');
    const flat = typeof data === 'number' ? [data] : (data as ArrayLike<number>);
    if (Array.isArray(flat) && flat.some((v) => Array.isArray(v))) {
      const f = flattenNested(flat, 'tensor');
      return tensor(f.values, { ...opts });
    }
    if (flat.length !== numelOf(opts.shape)) {
      throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${formatShape(opts.shape)}`);
    }
    const dtype = opts.dtype ?? inferTyped(flat);
    return make(toTyped(flat, dtype), opts.shape, opts, dtype);
  }
  if (typeof data === 'number' || typeof data === 'boolean') {
    const dtype = opts.dtype ?? (typeof data === 'boolean' ? 'bool' : 'float32');
    return make(toTyped([Number(data)], dtype), [], opts, dtype);
  }
  if (!Array.isArray(data)) {
    const arr = data as ArrayLike<number>;
    const dtype = opts.dtype ?? inferTyped(arr);
    return make(toTyped(arr, dtype), [arr.length], opts, dtype);
  }
  const f = flattenNested(data, 'tensor');
  const dtype = opts.dtype ?? (f.bool && f.values.length > 0 ? 'bool' : 'float32');
  return make(toTyped(f.values, dtype), f.shape, opts, dtype);
}

function inferTyped(a: ArrayLike<number>): DType {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  return 'float32';
}

function toTyped(values: ArrayLike<number>, dtype: DType): TypedArray {
  const out = new (arrayType(dtype))(values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else out.set(values as ArrayLike<number>);
  return out;
}

/**
 * A tensor of `shape` with every element `value`.
 *
 * @example
 * ```ts
 * full([2, 2], 7);
 * ```
 */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  checkShape(shape, 'full');
  const dtype = opts.dtype ?? 'float32';
  const device = opts.device ?? 'cpu';
  const b = getBackend(device, 'full');
  if (!b.dtypes.includes(dtype)) throw new DTypeError(`full: the ${device} device does not support ${dtype}`);
  const t = fromStorage(b, b.fill(numelOf(shape), value, dtype), shape, dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Zeros of `shape`. @example `zeros([2, 3], { dtype: 'float64' })` */
export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** Ones of `shape`. @example `ones([3])` */
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

function likeOpts(t: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: t.dtype, device: t.device, ...opts };
}

/** Zeros with t's shape, dtype and device. @example `zerosLike(x)` */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, likeOpts(t, opts));
}

/** Ones with t's shape, dtype and device. @example `onesLike(x)` */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, likeOpts(t, opts));
}

/** `value` with t's shape, dtype and device. @example `fullLike(x, 2)` */
export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, likeOpts(t, opts));
}

/**
 * `start, start+step, …` up to but excluding `end` (`arange(n)` is 0 … n−1). Integer
 * arguments give int32, others float32.
 *
 * @example
 * ```ts
 * arange(5);          // [0, 1, 2, 3, 4]
 * arange(0, 1, 0.25); // [0, 0.25, 0.5, 0.75]
 * ```
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new ValueError('arange: step must be nonzero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = opts.dtype ?? (ints ? 'int32' : 'float32');
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = start + i * step;
  return make(toTyped(vals, dtype), [n], opts, dtype);
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 *
 * @example
 * ```ts
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = opts.dtype ?? 'float32';
  const vals = new Float64Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends, as PyTorch does, so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) vals[i] = i < half ? start + i * step : end - (steps - 1 - i) * step;
  return make(toTyped(vals, dtype), [steps], opts, dtype);
}

/**
 * The n×m identity matrix.
 *
 * @example
 * ```ts
 * eye(3);
 * ```
 */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  checkShape([n, m], 'eye');
  const dtype = opts.dtype ?? 'float32';
  const vals = new (arrayType(dtype))(n * m);
  for (let i = 0; i < Math.min(n, m); i++) vals[i * m + i] = 1;
  return make(vals, [n, m], opts, dtype);
}

function randomTensor(
  kind: 'uniform' | 'normal',
  shape: readonly number[],
  opts: TensorOptions,
  op: string,
): Tensor {
  checkShape(shape, op);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new DTypeError(`${op}: needs a floating dtype, got ${dtype}`);
  const device = opts.device ?? 'cpu';
  const b = getBackend(device, op);
  if (!b.dtypes.includes(dtype))
    throw new DTypeError(`${op}: the ${device} device does not support ${dtype}`);
  const n = numelOf(shape);
  const { key, counter } = takeCounters(n);
  const t = fromStorage(b, b.random(kind, n, dtype, key, counter), shape, dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * Uniform numbers in [0, 1), from the global generator (see `manualSeed`).
 *
 * @example
 * ```ts
 * manualSeed(0); rand([2, 2]);
 * ```
 */
export function rand(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return randomTensor('uniform', shape, opts, 'rand');
}

/**
 * Standard normal numbers, from the global generator.
 *
 * @example
 * ```ts
 * randn([3]);
 * ```
 */
export function randn(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return randomTensor('normal', shape, opts, 'randn');
}

/**
 * Integers uniformly from [low, high), int32 by default.
 *
 * @example
 * ```ts
 * randint(0, 10, [5]);
 * ```
 */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  opts: TensorOptions = {},
): Tensor {
  if (!(high > low)) throw new ValueError(`randint: high (${high}) must be greater than low (${low})`);
  const u = randomTensor('uniform', shape, { device: opts.device }, 'randint');
  const r = castTo(
    u
      .mul(high - low)
      .floor()
      .add(low),
    opts.dtype ?? 'int32',
  );
  u.dispose();
  return r;
}

/**
 * A random permutation of 0 … n−1 (int32), by Fisher–Yates over the global generator.
 *
 * @example
 * ```ts
 * randperm(5); // e.g. [3, 0, 4, 1, 2]
 * ```
 */
export function randperm(n: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError(`randperm: n must be a non-negative integer, got ${n}`);
  const { key, counter } = takeCounters(n);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniformAt(key, (counter + i) >>> 0) * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  const dtype = opts.dtype ?? 'int32';
  return make(toTyped(p, dtype), [n], opts, dtype);
}
