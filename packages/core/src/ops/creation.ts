/**
 * Making tensors: from data, filled, ranges, identity, and random.
 */
import type { Device } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { arrayType, checkDType, isFloating } from '../dtype.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { checkShape, describeValue, numelOf } from '../layout.js';
import { takeCounters, uniformAt } from '../random.js';
import type { NestedArray, Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { checkAlloc, fromStorage } from './make.js';

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

/** The backend for `opts.device`, after checking the dtype, shape and size of the new tensor. */
function target(shape: readonly number[], opts: TensorOptions, dtype: DType, op: string) {
  checkDType(dtype, op);
  const device = opts.device ?? 'cpu';
  const b = getBackend(device, op);
  if (!b.dtypes.includes(dtype)) {
    throw new DTypeError(
      `${op}: the ${device} device does not support ${dtype}${dtype === 'float64' ? '; use float32' : ''}`,
    );
  }
  checkAlloc(b, shape, dtype, op);
  return b;
}

function make(
  data: TypedArray,
  shape: readonly number[],
  opts: TensorOptions,
  dtype: DType,
  op = 'tensor',
): Tensor {
  const b = target(shape, opts, dtype, op);
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
      } else throw new ValueError(`${op}: expected numbers or booleans, got ${describeValue(v)}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ValueError(
        `${op}: ragged nested array (expected length ${shape[depth]} at depth ${depth}, got ${describeValue(v)})`,
      );
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
  checkData(data);
  if (opts.dtype !== undefined) checkDType(opts.dtype, 'tensor');
  if (opts.shape !== undefined) {
    checkShape(opts.shape, 'tensor');
    const flat = typeof data === 'number' ? [data] : (data as ArrayLike<number>);
    if (Array.isArray(flat) && flat.some((v) => typeof v !== 'number')) {
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

/** Refuses what cannot be a tensor's data: strings, plain objects, Sets, symbols, null … */
function checkData(data: unknown): void {
  if (typeof data === 'number' || typeof data === 'boolean' || Array.isArray(data)) return;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return;
  if (typeof data === 'object' && data !== null && !(data instanceof Set) && !(data instanceof Map)) {
    const n = (data as { length?: unknown }).length;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) {
      for (let i = 0; i < n; i++) {
        const v = (data as ArrayLike<unknown>)[i];
        if (typeof v !== 'number' && typeof v !== 'boolean') {
          throw new ValueError(`tensor: expected numbers or booleans, got ${describeValue(v)} at index ${i}`);
        }
      }
      return;
    }
  }
  throw new ValueError(
    `tensor: expected a number, a boolean, a (nested) array or a typed array, got ${describeValue(data)}`,
  );
}

function inferTyped(a: ArrayLike<number>): DType {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  return 'float32';
}

function toTyped(values: ArrayLike<number>, dtype: DType, op = 'tensor'): TypedArray {
  const out = new (arrayType(dtype))(values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else {
    if (dtype === 'int32' && !(values instanceof Int32Array)) checkInt32(values, op);
    out.set(values as ArrayLike<number>);
  }
  return out;
}

/** As PyTorch's `tensor(..., dtype=int32)`: NaN and values outside int32 are refused, not wrapped. */
function checkInt32(values: ArrayLike<number>, op: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!(v > -2147483649 && v < 2147483648)) {
      throw new ValueError(
        `${op}: value ${v} cannot be converted to int32 without overflow (int32 holds -2147483648 … 2147483647)`,
      );
    }
  }
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
  return fullAs(shape, value, opts, 'full');
}

function fullAs(shape: readonly number[], value: number, opts: TensorOptions, op: string): Tensor {
  checkShape(shape, op);
  const dtype = opts.dtype ?? 'float32';
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ValueError(`${op}: fill value must be a number, got ${describeValue(value)}`);
  }
  const b = target(shape, opts, dtype, op);
  if (dtype === 'int32') checkInt32([value], op);
  const t = fromStorage(b, b.fill(numelOf(shape), value, dtype), shape, dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Zeros of `shape`. @example `zeros([2, 3], { dtype: 'float64' })` */
export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return fullAs(shape, 0, opts, 'zeros');
}

/** Ones of `shape`. @example `ones([3])` */
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return fullAs(shape, 1, opts, 'ones');
}

function likeOpts(t: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: t.dtype, device: t.device, ...opts };
}

/** Zeros with t's shape, dtype and device. @example `zerosLike(x)` */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return fullAs(t.shape, 0, likeOpts(t, opts), 'zerosLike');
}

/** Ones with t's shape, dtype and device. @example `onesLike(x)` */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return fullAs(t.shape, 1, likeOpts(t, opts), 'onesLike');
}

/** `value` with t's shape, dtype and device. @example `fullLike(x, 2)` */
export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return fullAs(t.shape, value, likeOpts(t, opts), 'fullLike');
}

function checkFinite(op: string, args: Record<string, number>): void {
  for (const [name, v] of Object.entries(args)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValueError(`${op}: ${name} must be a finite number, got ${describeValue(v)}`);
    }
  }
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
  checkFinite('arange', { start, end, step });
  if (step === 0) throw new ValueError('arange: step must be nonzero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = opts.dtype ?? (ints ? 'int32' : 'float32');
  target([n], opts, dtype, 'arange');
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = start + i * step;
  return make(toTyped(vals, dtype, 'arange'), [n], opts, dtype, 'arange');
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
  checkFinite('linspace', { start, end });
  const dtype = opts.dtype ?? 'float32';
  target([steps], opts, dtype, 'linspace');
  const vals = new Float64Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends, as PyTorch does, so the last value is exactly `end`; one step is
  // `start` (PyTorch fills it so).
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) vals[i] = i < half ? start + i * step : end - (steps - 1 - i) * step;
  return make(toTyped(vals, dtype, 'linspace'), [steps], opts, dtype, 'linspace');
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
  target([n, m], opts, dtype, 'eye');
  const vals = new (arrayType(dtype))(n * m);
  for (let i = 0; i < Math.min(n, m); i++) vals[i * m + i] = 1;
  return make(vals, [n, m], opts, dtype, 'eye');
}

function randomTensor(
  kind: 'uniform' | 'normal',
  shape: readonly number[],
  opts: TensorOptions,
  op: string,
): Tensor {
  checkShape(shape, op);
  const dtype = opts.dtype ?? 'float32';
  checkDType(dtype, op);
  if (!isFloating(dtype)) throw new DTypeError(`${op}: needs a floating dtype, got ${dtype}`);
  const b = target(shape, opts, dtype, op);
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
