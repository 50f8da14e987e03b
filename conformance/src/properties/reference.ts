/**
 * Plain JavaScript references for the public API's property tests, written from PyTorch's
 * documented semantics and independent of tsgrad's code: arrays of float64 numbers with a
 * shape and a dtype. A reference either computes the result (with, for each element, the
 * rounding error a correct implementation may add) or throws {@link Rejected}: the call is
 * invalid and tsgrad must throw a TsgradError.
 */

/** The dtypes of the public API (tsgrad's `DType`). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** A dense row-major array: what a tensor holds, as numbers (bools as 0/1). */
export interface Arr {
  shape: readonly number[];
  dtype: DType;
  data: readonly number[];
  /** Absolute error allowed per element (absent: exact, after rounding to the dtype). */
  err?: readonly number[];
  /** Units in the last place allowed per element, on top of `err` (transcendental functions). */
  ulps?: number;
  /** Set where refusing the call (a TsgradError) is as right as this result, and why. */
  orReject?: string;
}

/** Thrown by a reference for a call that must throw a TsgradError. */
export class Rejected extends Error {}

/** Rejects the call unless `ok`. */
export function need(ok: boolean, why: string): asserts ok {
  if (!ok) throw new Rejected(why);
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/** The flat position of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d]! + idx[d]!;
  return i;
}

/** `x` stored as `dtype` (float32 rounding, int32 wrap-around, bool as 0/1). */
export function store(x: number, dtype: DType): number {
  if (dtype === 'float64') return x;
  if (dtype === 'float32') return Math.fround(x);
  if (dtype === 'int32') return x | 0;
  return x !== 0 ? 1 : 0;
}

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** Machine epsilon of a floating dtype (0 for the exact ones). */
export const epsOf = (d: DType): number => (d === 'float32' ? 2 ** -23 : d === 'float64' ? 2 ** -52 : 0);

/** A dim, checked: an integer in [-rank, rank) (a 0-d tensor takes -1 and 0). */
export function normDim(dim: unknown, rank: number): number {
  const r = Math.max(rank, 1);
  need(typeof dim === 'number' && Number.isInteger(dim) && dim >= -r && dim < r, `dim ${String(dim)}`);
  return dim < 0 ? dim + r : dim;
}

/** PyTorch's broadcast of two shapes. */
export function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    need(x === y || x === 1 || y === 1, `cannot broadcast [${a}] with [${b}]`);
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** The element of `a` that position `idx` of the broadcast shape `shape` reads. */
export function broadcastRead(a: Arr, idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  const lead = shape.length - a.shape.length;
  for (let d = 0; d < a.shape.length; d++) i = i * a.shape[d]! + (a.shape[d] === 1 ? 0 : idx[lead + d]!);
  return a.data[i]!;
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };
const category: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * The dtype two tensors compute in (PyTorch's rule, over tsgrad's dtypes): the higher one,
 * except that a 0-d operand does not raise a dimensioned one of the same category or higher.
 */
export function promote(a: Arr, b: Arr): DType {
  if (a.dtype === b.dtype) return a.dtype;
  const za = a.shape.length === 0;
  const zb = b.shape.length === 0;
  if (za !== zb) {
    const [dim, zero] = za ? [b.dtype, a.dtype] : [a.dtype, b.dtype];
    if (category[zero] <= category[dim]) return dim;
  }
  return rank[a.dtype] >= rank[b.dtype] ? a.dtype : b.dtype;
}

/** The dtype a tensor and a JavaScript number compute in: an integer keeps an integer tensor. */
export function promoteScalar(t: DType, s: number): DType {
  if (isFloat(t)) return t;
  if (Number.isInteger(s)) return t === 'bool' ? 'int32' : t;
  return 'float32';
}

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** `a` converted to `dtype`, as `t.to(dtype)` does. */
export function cast(a: Arr, dtype: DType): Arr {
  return { shape: a.shape, dtype, data: a.data.map((x) => store(x, dtype)) };
}

/** A 0-d array holding `x` as `dtype`. */
export const scalar = (x: number, dtype: DType): Arr => ({ shape: [], dtype, data: [store(x, dtype)] });
