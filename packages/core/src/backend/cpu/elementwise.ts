/**
 * CPU kernels that map elements one to one: unary, binary, where, copy, cast.
 * Each reads its operands through their layouts and writes a new contiguous array.
 */
import type { DType, TypedArray } from '../../dtype.js';
import { arrayType } from '../../dtype.js';
import { numelOf } from '../../layout.js';
import type { BinaryOp, UnaryOp, View } from '../backend.js';
import { erf, sigmoid } from './math.js';
import { offsetsOf } from './strided.js';

type Fn1 = (x: number) => number;
type Fn2 = (a: number, b: number) => number;

const unaryFns: Record<UnaryOp, Fn1> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  erf,
  sigmoid,
  relu: (x) => (x > 0 ? x : 0),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN),
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  not: (x) => (x === 0 ? 1 : 0),
};

const binaryFns: Record<BinaryOp, Fn2> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || b !== b ? Number.NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? Number.NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** Integer division rounds toward zero in int32 tensors only for `div` of ints cast by core. */
export function unary(op: UnaryOp, x: View, outDtype: DType): TypedArray {
  const n = numelOf(x.layout.shape);
  const out = new (arrayType(outDtype))(n);
  const src = x.storage as TypedArray;
  const f = unaryFns[op];
  const offs = offsetsOf(x.layout);
  if (offs === null) {
    const o = x.layout.offset;
    if (op === 'relu') for (let i = 0; i < n; i++) out[i] = src[o + i]! > 0 ? src[o + i]! : 0;
    else if (op === 'neg') for (let i = 0; i < n; i++) out[i] = -src[o + i]!;
    else if (op === 'exp') for (let i = 0; i < n; i++) out[i] = Math.exp(src[o + i]!);
    else for (let i = 0; i < n; i++) out[i] = f(src[o + i]!);
  } else {
    for (let i = 0; i < n; i++) out[i] = f(src[offs[i]!]!);
  }
  return out;
}

export function binary(op: BinaryOp, a: View, b: View, outDtype: DType): TypedArray {
  const n = numelOf(a.layout.shape);
  const out = new (arrayType(outDtype))(n);
  const sa = a.storage as TypedArray;
  const sb = b.storage as TypedArray;
  const oa = offsetsOf(a.layout);
  const ob = offsetsOf(b.layout);
  const a0 = a.layout.offset;
  const b0 = b.layout.offset;
  if (oa === null && ob === null) {
    switch (op) {
      case 'add':
        for (let i = 0; i < n; i++) out[i] = sa[a0 + i]! + sb[b0 + i]!;
        return out;
      case 'sub':
        for (let i = 0; i < n; i++) out[i] = sa[a0 + i]! - sb[b0 + i]!;
        return out;
      case 'mul':
        for (let i = 0; i < n; i++) out[i] = sa[a0 + i]! * sb[b0 + i]!;
        return out;
      case 'div':
        for (let i = 0; i < n; i++) out[i] = sa[a0 + i]! / sb[b0 + i]!;
        return out;
      default: {
        const f = binaryFns[op];
        for (let i = 0; i < n; i++) out[i] = f(sa[a0 + i]!, sb[b0 + i]!);
        return out;
      }
    }
  }
  const f = binaryFns[op];
  if (ob === null) for (let i = 0; i < n; i++) out[i] = f(sa[oa![i]!]!, sb[b0 + i]!);
  else if (oa === null) for (let i = 0; i < n; i++) out[i] = f(sa[a0 + i]!, sb[ob[i]!]!);
  else for (let i = 0; i < n; i++) out[i] = f(sa[oa[i]!]!, sb[ob[i]!]!);
  return out;
}

/** Reads element i of a view (slow path helper for small, irregular kernels). */
function reader(v: View): (i: number) => number {
  const s = v.storage as TypedArray;
  const offs = offsetsOf(v.layout);
  const o = v.layout.offset;
  return offs === null ? (i) => s[o + i]! : (i) => s[offs[i]!]!;
}

export function where(cond: View, a: View, b: View): TypedArray {
  const n = numelOf(a.layout.shape);
  const out = new (arrayType(a.dtype))(n);
  const c = reader(cond);
  const ra = reader(a);
  const rb = reader(b);
  for (let i = 0; i < n; i++) out[i] = c(i) ? ra(i) : rb(i);
  return out;
}

export function copy(x: View): TypedArray {
  const n = numelOf(x.layout.shape);
  const src = x.storage as TypedArray;
  const offs = offsetsOf(x.layout);
  if (offs === null) return src.slice(x.layout.offset, x.layout.offset + n);
  const out = new (arrayType(x.dtype))(n);
  for (let i = 0; i < n; i++) out[i] = src[offs[i]!]!;
  return out;
}

export function cast(x: View, dtype: DType): TypedArray {
  const n = numelOf(x.layout.shape);
  const out = new (arrayType(dtype))(n);
  const r = reader(x);
  if (dtype === 'bool') {
    for (let i = 0; i < n; i++) out[i] = r(i) !== 0 ? 1 : 0;
  } else if (dtype === 'int32') {
    // Typed-array stores truncate toward zero (NaN becomes 0, as in a C cast's common result).
    for (let i = 0; i < n; i++) out[i] = r(i);
  } else {
    for (let i = 0; i < n; i++) out[i] = r(i);
  }
  return out;
}
