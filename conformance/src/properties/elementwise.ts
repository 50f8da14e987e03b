/**
 * References of the elementwise ops: unary math, binary arithmetic and comparisons with
 * broadcasting and type promotion, and their forms with a JavaScript number.
 */
import {
  type Arr,
  broadcast,
  broadcastRead,
  cast,
  type DType,
  INT32_MAX,
  INT32_MIN,
  isFloat,
  need,
  numel,
  promote,
  promoteScalar,
  scalar,
  store,
  unravel,
} from './reference.js';

/** Unary ops a float tensor takes, with their float64 function and the ulps they may be off. */
export const UNARY: Record<string, { f: (x: number) => number; floatOnly: boolean; ulps?: number }> = {
  neg: { f: (x) => -x, floatOnly: false },
  abs: { f: Math.abs, floatOnly: false },
  relu: { f: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)), floatOnly: false },
  sign: { f: (x) => (Number.isNaN(x) ? x : x > 0 ? 1 : x < 0 ? -1 : 0), floatOnly: false },
  floor: { f: Math.floor, floatOnly: false },
  ceil: { f: Math.ceil, floatOnly: false },
  trunc: { f: Math.trunc, floatOnly: false },
  round: { f: roundHalfEven, floatOnly: false },
  exp: { f: Math.exp, floatOnly: true, ulps: 2 },
  log: { f: Math.log, floatOnly: true },
  sqrt: { f: Math.sqrt, floatOnly: true },
  sin: { f: Math.sin, floatOnly: true },
  cos: { f: Math.cos, floatOnly: true },
  tan: { f: Math.tan, floatOnly: true },
  tanh: { f: Math.tanh, floatOnly: true, ulps: 2 },
  sigmoid: { f: sigmoid, floatOnly: true, ulps: 2 },
  reciprocal: { f: (x) => 1 / x, floatOnly: true },
  log1p: { f: Math.log1p, floatOnly: true },
  expm1: { f: Math.expm1, floatOnly: true },
  atan: { f: Math.atan, floatOnly: true },
  asin: { f: Math.asin, floatOnly: true },
  acos: { f: Math.acos, floatOnly: true },
  sinh: { f: Math.sinh, floatOnly: true },
  cosh: { f: Math.cosh, floatOnly: true },
};

function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * `op` of each element. Float-only functions compute int and bool tensors in float32; the
 * others compute bools as int32 (PyTorch would refuse some of those; tsgrad's choice).
 */
export function unary(op: string, x: Arr): Arr {
  const u = UNARY[op]!;
  const dtype: DType = u.floatOnly && !isFloat(x.dtype) ? 'float32' : x.dtype === 'bool' ? 'int32' : x.dtype;
  const data = x.data.map((v) => store(u.f(store(v, dtype)), dtype));
  return { shape: x.shape, dtype, data, ulps: isFloat(dtype) ? (u.ulps ?? 0) : 0 };
}

export const COMPARISONS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export const ARITHMETIC = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'remainder',
  'atan2',
] as const;
export type BinaryName = (typeof ARITHMETIC)[number] | (typeof COMPARISONS)[number];

const compare: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};

/** IEEE 754 pow (C's and PyTorch's): 1 for x⁰ and 1ʸ whatever the other, (-1)^±∞ = 1. */
function powFloat(a: number, b: number): number {
  if (b === 0 || a === 1) return 1;
  if (a === -1 && (b === Number.POSITIVE_INFINITY || b === Number.NEGATIVE_INFINITY)) return 1;
  return a ** b;
}

/** Integer pow as PyTorch computes it: wraps around; a negative exponent gives 0 unless |a| = 1. */
function powInt(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let r = 1n;
  let base = BigInt(a);
  for (let e = BigInt(b); e > 0n; e >>= 1n) {
    if (e & 1n) r = BigInt.asIntN(32, r * base);
    base = BigInt.asIntN(32, base * base);
  }
  return Number(r);
}

/** PyTorch's remainder: the sign of the divisor (fmod, then shifted by b when the signs differ). */
function remainder(a: number, b: number, dtype: DType): number {
  if (!isFloat(dtype) && b === 0) return Number.NaN; // PyTorch raises; anything goes (see `binary`)
  const m = a % b;
  return m !== 0 && b < 0 !== m < 0 ? m + b : m;
}

/** One element of an arithmetic op computed in `dtype`. */
function arithmetic(op: string, a: number, b: number, dtype: DType): number {
  const int = !isFloat(dtype);
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return int ? Math.imul(a, b) : a * b;
    case 'div':
      return a / b;
    case 'pow':
      return int ? powInt(a, b) : powFloat(a, b);
    case 'maximum':
      return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b);
    case 'minimum':
      return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b);
    case 'remainder':
      return remainder(a, b, dtype);
    case 'atan2':
      return Math.atan2(a, b);
  }
  throw new Error(`unknown op ${op}`);
}

/**
 * `a op b` with broadcasting. `b` is a tensor or a JavaScript number (anything else is an
 * invalid call). Bools add as "or" and multiply as "and" and cannot be subtracted; other ops
 * compute them as the integers 0 and 1. Integer tensors divide (and take atan2) in float32.
 */
export function binary(op: BinaryName, a: Arr, b: unknown): Arr {
  const isCmp = (COMPARISONS as readonly string[]).includes(op);
  let other: Arr;
  let dtype: DType;
  const trueDivision = op === 'div' || op === 'atan2';
  if (typeof b === 'number') {
    dtype = promoteScalar(a.dtype, b);
    if ((trueDivision || (op === 'pow' && b < 0)) && !isFloat(dtype)) dtype = 'float32';
    if (dtype === 'int32' && Number.isInteger(b) && (b < INT32_MIN || b > INT32_MAX)) {
      // PyTorch refuses a number that the tensor's integer type cannot hold, except to compare.
      need(isCmp, `${b} does not fit int32`);
      return compareWithNumber(op, cast(a, 'int32'), b);
    }
    other = scalar(b, dtype);
  } else {
    need(isArr(b), 'the other operand is neither a tensor nor a number');
    other = b;
    dtype = promote(a, b);
    if (trueDivision && !isFloat(dtype)) dtype = 'float32';
  }
  need(!(dtype === 'bool' && op === 'sub'), 'bool subtraction');
  const shape = broadcast(a.shape, other.shape);
  const x = cast(a, dtype);
  const y = cast(other, dtype);
  const outDtype: DType = isCmp ? 'bool' : dtype;
  const n = numel(shape);
  const data = new Array<number>(n);
  const err = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    const u = broadcastRead(x, idx, shape);
    const v = broadcastRead(y, idx, shape);
    let r: number;
    if (isCmp) r = compare[op]!(u, v) ? 1 : 0;
    else if (dtype === 'bool' && (op === 'add' || op === 'mul'))
      r = op === 'add' ? Math.max(u, v) : Math.min(u, v);
    else r = arithmetic(op, u, v, dtype === 'bool' ? 'int32' : dtype);
    // Integer remainder by zero raises in PyTorch; tsgrad cannot check data on every device.
    if (op === 'remainder' && !isFloat(dtype) && v === 0) err[i] = Number.POSITIVE_INFINITY;
    data[i] = store(r, outDtype);
  }
  return { shape, dtype: outDtype, data, err };
}

/** An integer tensor compared with an integer outside int32: the answer is the same everywhere. */
function compareWithNumber(op: string, a: Arr, b: number): Arr {
  return { shape: a.shape, dtype: 'bool', data: a.data.map((v) => (compare[op]!(v, b) ? 1 : 0)) };
}

/** Whether `v` is a reference array (stands for a tensor argument). */
export function isArr(v: unknown): v is Arr {
  return typeof v === 'object' && v !== null && 'shape' in v && 'data' in v && 'dtype' in v;
}
