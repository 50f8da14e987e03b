import type { BinaryOp, DType, UnaryOp } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import {
  available,
  contiguous,
  expectClose,
  gpu,
  randomView,
  readAll,
  rng,
  storeAs,
  viewOf,
} from './helpers.js';

function erfRef(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a > 4) return Math.sign(x);
  // 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)): all terms positive, no cancellation.
  let term = a;
  let sum = a;
  for (let n = 1; n < 300; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

const unaryRef: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  erf: erfRef,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (x > 0 ? x : 0),
  sign: (x) => (Number.isNaN(x) ? x : Math.sign(x)),
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  trunc: Math.trunc,
  round: (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
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

const binaryRef: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b)),
  remainder: (a, b) => {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  },
  atan2: Math.atan2,
  hypot: (a, b) => Math.hypot(a, b),
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
};

const UNARY = Object.keys(unaryRef) as UnaryOp[];
const BINARY = Object.keys(binaryRef) as BinaryOp[];

function randomShape(r: () => number, maxRank = 4, maxDim = 5): number[] {
  const rank = Math.floor(r() * (maxRank + 1));
  return Array.from({ length: rank }, () => 1 + Math.floor(r() * maxDim));
}

/** The dtype core asks for: the input's, except `not` (bool) and float-only ops on ints. */
function unaryOut(op: UnaryOp, dtype: DType): DType {
  if (op === 'not') return 'bool';
  if (dtype === 'float32') return 'float32';
  return ['neg', 'abs', 'sign', 'relu', 'floor', 'ceil', 'trunc', 'round'].includes(op) ? 'int32' : 'float32';
}

describe.skipIf(!available)('webgpu elementwise kernels', () => {
  for (const op of UNARY) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      if (dtype === 'bool' && op !== 'not') continue;
      it(`unary ${op} on ${dtype} views`, async () => {
        const r = rng(op.length * 31 + dtype.length);
        for (let trial = 0; trial < 6; trial++) {
          const shape = randomShape(r);
          const { view, values } = randomView(shape, dtype, r);
          const outDtype = unaryOut(op, dtype);
          const out = gpu.unary(op, view, outDtype);
          const n = values.length;
          const got = await readAll(out, outDtype, n);
          const want = values.map((v) => storeAs(outDtype, unaryRef[op](v)));
          const rtol = ['erf', 'tanh', 'tan', 'sinh', 'cosh', 'expm1', 'log1p'].includes(op) ? 1e-5 : 2e-6;
          expectClose(got, want, rtol, op === 'sin' || op === 'cos' ? 2e-6 : 1e-6);
          gpu.free(out);
          gpu.free(view.storage);
        }
      });
    }
  }

  it('unary special values (NaN, ±Infinity, 0, negatives)', async () => {
    const vals = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0,
      -0,
      -2,
      2,
      1e-8,
      -1e-8,
      50,
      -50,
    ];
    const x = viewOf(vals, [vals.length], 'float32');
    for (const op of UNARY) {
      const out = gpu.unary(op, x, op === 'not' ? 'bool' : 'float32');
      const got = await readAll(out, op === 'not' ? 'bool' : 'float32', vals.length);
      const want = vals.map((v) => storeAs(op === 'not' ? 'bool' : 'float32', unaryRef[op](v)));
      for (let i = 0; i < vals.length; i++) {
        const g = got[i]!;
        const w = want[i]!;
        if (Number.isNaN(w)) expect(g, `${op}(${vals[i]})`).toBeNaN();
        else
          expect(
            Math.abs(g - w) <= 1e-6 + 1e-5 * Math.abs(w) || g === w,
            `${op}(${vals[i]}) = ${g}, want ${w}`,
          ).toBe(true);
      }
      gpu.free(out);
    }
    gpu.free(x.storage);
  });

  for (const op of BINARY) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      if (dtype === 'bool' && !['eq', 'ne', 'maximum', 'minimum', 'mul', 'add'].includes(op)) continue;
      it(`binary ${op} on ${dtype} with broadcasting and strided operands`, async () => {
        const r = rng(op.length * 131 + dtype.length * 7);
        const cmp = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op);
        for (let trial = 0; trial < 6; trial++) {
          const shape = randomShape(r);
          const a = randomView(shape, dtype, r, 'any', op === 'pow' ? 2 : 3);
          const b = randomView(shape, dtype, r, 'any', op === 'pow' ? 2 : 3);
          const toFloat = op === 'div' || op === 'atan2' || op === 'hypot';
          const outDtype: DType = cmp ? 'bool' : dtype === 'bool' ? 'bool' : toFloat ? 'float32' : dtype;
          const out = gpu.binary(op, a.view, b.view, outDtype);
          const got = await readAll(out, outDtype, a.values.length);
          const want = a.values.map((v, i) => storeAs(outDtype, binaryRef[op](v, b.values[i]!)));
          expectClose(got, want, op === 'pow' ? 1e-5 : 2e-6, 1e-6);
          gpu.free(out);
          gpu.free(a.view.storage);
          gpu.free(b.view.storage);
        }
      });
    }
  }

  it('remainder, atan2 and hypot at special values (±0, ±Infinity, NaN) match JavaScript', async () => {
    const vals = [
      0,
      -0,
      1,
      -1,
      2.5,
      -2.5,
      1e-30,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ];
    const as: number[] = [];
    const bs: number[] = [];
    for (const a of vals) {
      for (const b of vals) {
        as.push(a);
        bs.push(b);
      }
    }
    const a = viewOf(as, [as.length], 'float32');
    const b = viewOf(bs, [bs.length], 'float32');
    for (const op of ['remainder', 'atan2', 'hypot'] as const) {
      const out = gpu.binary(op, a, b, 'float32');
      const got = await readAll(out, 'float32', as.length);
      for (let i = 0; i < as.length; i++) {
        const w = Math.fround(binaryRef[op](Math.fround(as[i]!), Math.fround(bs[i]!)));
        const g = got[i]!;
        const ok = Number.isNaN(w)
          ? Number.isNaN(g)
          : Object.is(g, w) || Math.abs(g - w) <= 1e-6 * Math.abs(w);
        expect(ok, `${op}(${as[i]}, ${bs[i]}) = ${g}, want ${w}`).toBe(true);
      }
      gpu.free(out);
    }
  });

  it('round sends ties to even; remainder takes the divisor’s sign, exactly for large quotients', async () => {
    const x = viewOf([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.4999999701976776], [8], 'float32');
    const r = await readAll(gpu.unary('round', x, 'float32'), 'float32', 8);
    expect(r.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([0, 2, 2, '-0', -2, -2, 4, 0]);
    const as = [5, -5, 5, -5, 1e6 + 0.25, -1e6 - 0.25, 7, -7];
    const bs = [3, 3, -3, -3, 0.5, 0.5, 0, 2];
    const m = await readAll(
      gpu.binary('remainder', viewOf(as, [8], 'float32'), viewOf(bs, [8], 'float32'), 'float32'),
      'float32',
      8,
    );
    expect(m).toEqual([2, 1, -1, -2, 0.25, 0.25, Number.NaN, 1]);
  });

  it('int32 division truncates and gives 0 for x / 0; int32 pow is exact', async () => {
    const a = viewOf([7, -7, 7, -7, 5, 0, -2147483648, 3, 2, -3, 1, -1], [12], 'int32');
    const b = viewOf([2, 2, -2, -2, 0, 0, -1, 4, 10, 3, -3, -3], [12], 'int32');
    const q = gpu.binary('div', a, b, 'int32');
    expect(await readAll(q, 'int32', 12)).toEqual([3, -3, -3, 3, 0, 0, -2147483648, 0, 0, -1, 0, 0]);
    const p = gpu.binary('pow', a, b, 'int32');
    const want = [49, 49, 0, 0, 1, 1, 0, 81, 1024, -27, 1, -1];
    const got = await readAll(p, 'int32', 12);
    expect(got.slice(0, 6)).toEqual(want.slice(0, 6));
    expect(got.slice(7)).toEqual(want.slice(7));
  });

  it('float pow handles negative bases, zero and fractional exponents', async () => {
    const as = [-2, -2, -2, 0, 0, 2, 4, -8, 1.5, Number.NaN, 3];
    const bs = [2, 3, 0.5, -1, 2, -2, 0.5, 1 / 3, 2.5, 0, -0.5];
    const out = gpu.binary('pow', viewOf(as, [11], 'float32'), viewOf(bs, [11], 'float32'), 'float32');
    const want = as.map((x, i) => Math.fround(Math.fround(x) ** Math.fround(bs[i]!)));
    expectClose(await readAll(out, 'float32', 11), want, 1e-6, 0);
  });

  it('where selects through broadcast condition and strided branches', async () => {
    const r = rng(5);
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (let trial = 0; trial < 5; trial++) {
        const shape = randomShape(r);
        const c = randomView(shape, 'bool', r);
        const a = randomView(shape, dtype, r);
        const b = randomView(shape, dtype, r);
        const out = gpu.where(c.view, a.view, b.view);
        const want = c.values.map((cv, i) => (cv ? a.values[i]! : b.values[i]!));
        expect(await readAll(out, dtype, want.length)).toEqual(want);
      }
    }
    // A float condition: nonzero (NaN too) is true.
    const cond = viewOf([0, 1, -0, Number.NaN, 2.5], [5], 'float32');
    const out = gpu.where(
      cond,
      viewOf([1, 2, 3, 4, 5], [5], 'int32'),
      viewOf([-1, -2, -3, -4, -5], [5], 'int32'),
    );
    expect(await readAll(out, 'int32', 5)).toEqual([-1, 2, -3, 4, 5]);
  });

  it('copy makes strided views contiguous', async () => {
    const r = rng(9);
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (let trial = 0; trial < 8; trial++) {
        const shape = randomShape(r);
        const x = randomView(shape, dtype, r);
        const out = gpu.copy(x.view);
        expect(await readAll(out, dtype, x.values.length)).toEqual(x.values);
      }
    }
  });

  it('cast converts between every pair of dtypes as a typed-array store does', async () => {
    const vals = [
      0,
      1,
      -1,
      2.7,
      -2.7,
      0.5,
      -0.5,
      1e10,
      -3e9,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      123456.75,
    ];
    const f = viewOf(vals, [vals.length], 'float32');
    const host = Float32Array.from(vals);
    for (const to of ['float32', 'int32', 'bool'] as const) {
      const out = gpu.cast(f, to);
      const want = Array.from(host, (v) => (to === 'bool' ? (v !== 0 ? 1 : 0) : storeAs(to, v)));
      expect(await readAll(out, to, vals.length), `float32 → ${to}`).toEqual(want);
    }
    const ints = [0, 5, -7, 2147483647, -2147483648, 16777217];
    const i = viewOf(ints, [ints.length], 'int32');
    expect(await readAll(gpu.cast(i, 'float32'), 'float32', ints.length)).toEqual(ints.map(Math.fround));
    expect(await readAll(gpu.cast(i, 'bool'), 'bool', ints.length)).toEqual(ints.map((v) => +(v !== 0)));
    const b = viewOf([0, 1, 1, 0], [4], 'bool');
    expect(await readAll(gpu.cast(b, 'float32'), 'float32', 4)).toEqual([0, 1, 1, 0]);
    expect(await readAll(gpu.cast(b, 'int32'), 'int32', 4)).toEqual([0, 1, 1, 0]);
    // Through a transposed view.
    const m = viewOf([1.5, 2.5, 3.5, 4.5, 5.5, 6.5], [2, 3], 'float32');
    const t = { ...m, layout: { shape: [3, 2], strides: [1, 3], offset: 0 } };
    expect(await readAll(gpu.cast(t, 'int32'), 'int32', 6)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('runs past 65535 workgroups in one dimension', async () => {
    const n = 65535 * 256 + 300;
    const x = gpu.fill(n, 1.5, 'float32');
    const y = gpu.unary('neg', { storage: x, dtype: 'float32', layout: contiguous([n]) }, 'float32');
    const got = await gpu.read(y, 'float32', n);
    expect(got[0]).toBe(-1.5);
    expect(got[n - 1]).toBe(-1.5);
    expect(got[65535 * 256 + 1]).toBe(-1.5);
    gpu.free(x);
    gpu.free(y);
  });
});
