/**
 * CPU kernels that map elements one to one: unary, binary, where, relu's gradient, copy, cast.
 * Each reads its operands through their layouts and writes a new contiguous array: it
 * splits its operands into rows alike (`strided.ts`), tries the WebAssembly loops, and
 * otherwise runs its TypeScript loop, kept in a function of its own (compiled inside the
 * entry point, beside the inlined row planning, the loop ran measurably slower).
 */
import type { DType, TypedArray } from '../../dtype.js';
import { numelOf } from '../../layout.js';
import type { BinaryOp, UnaryOp, View } from '../backend.js';
import { alloc } from './alloc.js';
import { binaryWasm, copyRowsWasm, fillWasm, unaryWasm, whereWasm } from './kernels/wasm/elementwise-wasm.js';
import { erf, pow, remainder, roundHalfEven, sigmoid } from './math.js';
import { jointRows, offsetsOf, type Rows, rowsOf } from './strided.js';

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
  relu: (x) => (x > 0 || x !== x ? x : 0),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN),
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  trunc: Math.trunc,
  round: roundHalfEven,
  log1p: Math.log1p,
  expm1: Math.expm1,
  tan: Math.tan,
  atan: Math.atan,
  asin: Math.asin,
  acos: Math.acos,
  sinh: Math.sinh,
  cosh: Math.cosh,
  not: (x) => (x === 0 ? 1 : 0),
};

const binaryFns: Record<BinaryOp, Fn2> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow,
  maximum: Math.max,
  minimum: Math.min,
  remainder,
  atan2: Math.atan2,
  hypot: (a, b) => Math.hypot(a, b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** `op` of each element of `x`, into a new contiguous array of `outDtype` (WebAssembly for float32). */
export function unary(op: UnaryOp, x: View, outDtype: DType): TypedArray {
  const n = numelOf(x.layout.shape);
  const out = alloc(outDtype, n);
  const rows = rowsOf(x);
  if (!(out instanceof Float32Array && unaryWasm(op, rows, out))) unaryRows(op, rows, out);
  return out;
}

function unaryRows(op: UnaryOp, rows: Rows, out: TypedArray): void {
  const src = rows.data;
  const f = unaryFns[op];
  const L = rows.length;
  const p = rows.step;
  let k = 0;
  for (let r = 0; r < rows.starts.length; r++) {
    const o = rows.starts[r]!;
    if (op === 'neg') for (let j = 0; j < L; j++) out[k++] = -src[o + j * p]!;
    else if (op === 'exp') for (let j = 0; j < L; j++) out[k++] = Math.exp(src[o + j * p]!);
    else for (let j = 0; j < L; j++) out[k++] = f(src[o + j * p]!);
  }
}

export function binary(op: BinaryOp, a: View, b: View, outDtype: DType): TypedArray {
  const n = numelOf(a.layout.shape);
  const out = alloc(outDtype, n);
  const [ra, rb] = jointRows([a, b]) as [Rows, Rows];
  const wasm = (out instanceof Float32Array || out instanceof Uint8Array) && binaryWasm(op, ra, rb, out);
  if (!wasm) binaryRows(op, ra, rb, out);
  return out;
}

/** g where y > 0, else 0 (relu's gradient from its output y), into a new contiguous array. */
export function reluBackward(y: View, g: View): TypedArray {
  const out = alloc(y.dtype, numelOf(y.layout.shape));
  const [ry, rg] = jointRows([y, g]) as [Rows, Rows];
  if (out instanceof Float32Array && binaryWasm('relu_bw', ry, rg, out)) return out;
  const sy = ry.data;
  const sg = rg.data;
  const L = ry.length;
  const [py, pg] = [ry.step, rg.step];
  let k = 0;
  for (let r = 0; r < ry.starts.length; r++) {
    const oy = ry.starts[r]!;
    const og = rg.starts[r]!;
    for (let j = 0; j < L; j++) out[k++] = sy[oy + j * py]! > 0 ? sg[og + j * pg]! : 0;
  }
  return out;
}

function binaryRows(op: BinaryOp, ra: Rows, rb: Rows, out: TypedArray): void {
  const sa = ra.data;
  const sb = rb.data;
  const L = ra.length;
  const pa = ra.step;
  const pb = rb.step;
  const f = binaryFns[op];
  let k = 0;
  for (let r = 0; r < ra.starts.length; r++) {
    const oa = ra.starts[r]!;
    const ob = rb.starts[r]!;
    switch (op) {
      case 'add':
        if (pa === 1 && pb === 1) for (let j = 0; j < L; j++) out[k++] = sa[oa + j]! + sb[ob + j]!;
        else for (let j = 0; j < L; j++) out[k++] = sa[oa + j * pa]! + sb[ob + j * pb]!;
        break;
      case 'sub':
        for (let j = 0; j < L; j++) out[k++] = sa[oa + j * pa]! - sb[ob + j * pb]!;
        break;
      case 'mul':
        // int32 products wrap around; in float64 a product past 2⁵³ would round first.
        if (out instanceof Int32Array)
          for (let j = 0; j < L; j++) out[k++] = Math.imul(sa[oa + j * pa]!, sb[ob + j * pb]!);
        else if (pa === 1 && pb === 1) for (let j = 0; j < L; j++) out[k++] = sa[oa + j]! * sb[ob + j]!;
        else for (let j = 0; j < L; j++) out[k++] = sa[oa + j * pa]! * sb[ob + j * pb]!;
        break;
      case 'div':
        for (let j = 0; j < L; j++) out[k++] = sa[oa + j * pa]! / sb[ob + j * pb]!;
        break;
      case 'gt':
        for (let j = 0; j < L; j++) out[k++] = sa[oa + j * pa]! > sb[ob + j * pb]! ? 1 : 0;
        break;
      case 'lt':
        for (let j = 0; j < L; j++) out[k++] = sa[oa + j * pa]! < sb[ob + j * pb]! ? 1 : 0;
        break;
      case 'eq':
        for (let j = 0; j < L; j++) out[k++] = sa[oa + j * pa]! === sb[ob + j * pb]! ? 1 : 0;
        break;
      default:
        for (let j = 0; j < L; j++) out[k++] = f(sa[oa + j * pa]!, sb[ob + j * pb]!);
    }
  }
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
  const out = alloc(a.dtype, n);
  const [c, x, y] = jointRows([cond, a, b]) as [Rows, Rows, Rows];
  if (!(out instanceof Float32Array && whereWasm(c, x, y, out))) whereRows(c, x, y, out);
  return out;
}

function whereRows(c: Rows, x: Rows, y: Rows, out: TypedArray): void {
  const sc = c.data;
  const sa = x.data;
  const sb = y.data;
  const L = c.length;
  const pc = c.step;
  const px = x.step;
  const py = y.step;
  let k = 0;
  for (let r = 0; r < c.starts.length; r++) {
    const oc = c.starts[r]!;
    const ox = x.starts[r]!;
    const oy = y.starts[r]!;
    if (py === 0) {
      const other = sb[oy]!;
      for (let j = 0; j < L; j++, k++) out[k] = sc[oc + j * pc] ? sa[ox + j * px]! : other;
    } else if (px === 0) {
      const other = sa[ox]!;
      for (let j = 0; j < L; j++, k++) out[k] = sc[oc + j * pc] ? other : sb[oy + j * py]!;
    } else {
      for (let j = 0; j < L; j++, k++) out[k] = sc[oc + j * pc] ? sa[ox + j * px]! : sb[oy + j * py]!;
    }
  }
}

export function copy(x: View): TypedArray {
  const n = numelOf(x.layout.shape);
  const src = x.storage as TypedArray;
  const rows = rowsOf(x);
  const out = alloc(x.dtype, n);
  if (copyRowsWasm(rows, out, rows)) return out;
  // new + set rather than slice(): V8's TypedArray slice is several times slower here.
  if (rows.starts.length === 1 && rows.step === 1) {
    out.set(src.subarray(rows.starts[0]!, rows.starts[0]! + n));
    return out;
  }
  const L = rows.length;
  const p = rows.step;
  let k = 0;
  for (let r = 0; r < rows.starts.length; r++) {
    const o = rows.starts[r]!;
    if (p === 1) {
      out.set(src.subarray(o, o + L), k);
      k += L;
    } else for (let j = 0; j < L; j++) out[k++] = src[o + j * p]!;
  }
  return out;
}

/** A new array of `n` elements of `dtype`, each `value` (the backend's `fill`). */
export function filled(n: number, value: number, dtype: DType): TypedArray {
  const out = alloc(dtype, n);
  if (!((out instanceof Float32Array || out instanceof Uint8Array) && fillWasm(out, value))) out.fill(value);
  return out;
}

export function cast(x: View, dtype: DType): TypedArray {
  if (dtype === x.dtype) return copy(x);
  const n = numelOf(x.layout.shape);
  const out = alloc(dtype, n);
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
