/**
 * The elementwise parity ops at their special values (±0, ±Infinity, NaN) against JavaScript's
 * Math, round's ties to even, and the gradients of the rounding ops (zero, not "unused").
 */
import { describe, expect, it } from 'vitest';
import { grad, type Tensor, tensor } from '../src/index.js';

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 2.5, -2.5, 1e-300, -1e-12, Infinity, -Infinity, Number.NaN];

/** Values equal as Object.is sees them (NaN equals NaN, −0 differs from 0), within `rel` for finite ones. */
function expectSame(got: ArrayLike<number>, want: readonly number[], what: string, rel = 0): void {
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (rel > 0 && Number.isFinite(w) && w !== 0) {
      expect(Math.abs(g - w) <= rel * Math.abs(w), `${what} at ${i}: ${g}, want ${w}`).toBe(true);
    } else expect(Object.is(g, w), `${what} at ${i}: ${g}, want ${w}`).toBe(true);
  }
}

const f64 = (v: readonly number[]) => tensor(v as number[], { dtype: 'float64' });

describe('unary special values match Math (float64)', () => {
  const cases: [string, (x: Tensor) => Tensor, (x: number) => number][] = [
    ['log1p', (x) => x.log1p(), Math.log1p],
    ['expm1', (x) => x.expm1(), Math.expm1],
    ['tan', (x) => x.tan(), Math.tan],
    ['atan', (x) => x.atan(), Math.atan],
    ['asin', (x) => x.asin(), Math.asin],
    ['acos', (x) => x.acos(), Math.acos],
    ['sinh', (x) => x.sinh(), Math.sinh],
    ['cosh', (x) => x.cosh(), Math.cosh],
    ['ceil', (x) => x.ceil(), Math.ceil],
    ['trunc', (x) => x.trunc(), Math.trunc],
  ];
  it.each(cases)('%s', (name, f, ref) => {
    expectSame(f(f64(SPECIAL)).dataSync(), SPECIAL.map(ref), name);
  });

  it('log1p and expm1 keep full precision near 0', () => {
    const x = [1e-10, -1e-10, 1e-300, 3e-17];
    expectSame(f64(x).log1p().dataSync(), x.map(Math.log1p), 'log1p');
    expectSame(f64(x).expm1().dataSync(), x.map(Math.expm1), 'expm1');
    expect(f64([1e-10]).log1p().itemSync()).toBeCloseTo(1e-10 - 5e-21, 30);
  });
});

describe('round', () => {
  it('sends ties to the even integer and keeps the sign of zero', () => {
    const x = [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -0.3, 0.49999999999999994, 4.500000000000001];
    expectSame(f64(x).round().dataSync(), [0, 2, 2, 4, -0, -2, -2, -0, 0, 5], 'round');
  });
  it('passes ±Infinity, NaN and large integers through, and int32 unchanged', () => {
    expectSame(
      f64([Infinity, -Infinity, Number.NaN, 2 ** 53 + 2])
        .round()
        .dataSync(),
      [Infinity, -Infinity, Number.NaN, 2 ** 53 + 2],
      'round',
    );
    const i = tensor([3, -4], { dtype: 'int32' });
    expect(i.round().dtype).toBe('int32');
    expect(Array.from(i.round().dataSync())).toEqual([3, -4]);
  });
  it('rounds ties to even in float32 too', () => {
    expect(Array.from(tensor([0.5, 1.5, 2.5, -2.5]).round().dataSync())).toEqual([0, 2, 2, -2]);
  });
});

describe('binary special values', () => {
  const pairs: [number, number][] = [];
  for (const a of SPECIAL) for (const b of SPECIAL) pairs.push([a, b]);
  const as = pairs.map((p) => p[0]);
  const bs = pairs.map((p) => p[1]);

  it('remainder is fmod shifted to the divisor’s sign, as Python', () => {
    const want = pairs.map(([a, b]) => {
      const r = a % b;
      return r !== 0 && r < 0 !== b < 0 ? r + b : r;
    });
    expectSame(f64(as).remainder(f64(bs)).dataSync(), want, 'remainder');
    // Python: 5 % 3 = 2, -5 % 3 = 1, 5 % -3 = -1, -5 % -3 = -2, -1 % inf = inf, 7.5 % 2 = 1.5.
    expectSame(
      f64([5, -5, 5, -5, -1, 7.5])
        .remainder(f64([3, 3, -3, -3, Infinity, 2]))
        .dataSync(),
      [2, 1, -1, -2, Infinity, 1.5],
      'remainder',
    );
  });
  it('remainder of int32 tensors stays int32 and follows the divisor’s sign', () => {
    const r = tensor([7, -7, 7, -7], { dtype: 'int32' }).remainder(
      tensor([3, 3, -3, -3], { dtype: 'int32' }),
    );
    expect(r.dtype).toBe('int32');
    expect(Array.from(r.dataSync())).toEqual([1, 2, -2, -1]);
    expect(Array.from(tensor([5, -5]).remainder(3).dataSync())).toEqual([2, 1]);
  });
  it('atan2 matches Math.atan2, signed zeros and infinities included', () => {
    expectSame(
      f64(as).atan2(f64(bs)).dataSync(),
      pairs.map(([a, b]) => Math.atan2(a, b)),
      'atan2',
    );
  });
  it('hypot matches Math.hypot and does not overflow', () => {
    expectSame(
      f64(as).hypot(f64(bs)).dataSync(),
      pairs.map(([a, b]) => Math.hypot(a, b)),
      'hypot',
      1e-15,
    );
    expect(
      tensor([3e30])
        .hypot(tensor([4e30]))
        .itemSync(),
    ).toBeCloseTo(5e30, -25);
  });
  it('xlogy is 0 where x is 0 unless y is NaN, else x·log y', () => {
    const want = pairs.map(([a, b]) => (a === 0 && !Number.isNaN(b) ? 0 : a * Math.log(b)));
    expectSame(f64(as).xlogy(f64(bs)).dataSync(), want, 'xlogy', 1e-15);
    expectSame(f64([0, 0, 2]).xlogy(-1).dataSync(), [0, 0, Number.NaN], 'xlogy scalar');
  });
  it('int32 operands of atan2 and hypot give float32', () => {
    const a = tensor([1, 3], { dtype: 'int32' });
    expect(a.atan2(tensor([1, 4], { dtype: 'int32' })).dtype).toBe('float32');
    expect(Array.from(a.hypot(tensor([0, 4], { dtype: 'int32' })).dataSync())).toEqual([1, 5]);
  });
});

describe('gradients of the rounding ops', () => {
  it.each(['round', 'ceil', 'trunc'] as const)('%s has a zero gradient, not an unused input', (op) => {
    const x = tensor([0.3, 1.7, -2.2], { dtype: 'float64', requiresGrad: true });
    const [g] = grad([x[op]().mul(3).sum()], [x]);
    expect(Array.from(g!.dataSync())).toEqual([0, 0, 0]);
  });
  it('frac has gradient 1', () => {
    const x = tensor([0.3, 1.7, -2.2], { dtype: 'float64', requiresGrad: true });
    const [g] = grad([x.frac().sum()], [x]);
    expect(Array.from(g!.dataSync())).toEqual([1, 1, 1]);
    expectSame(x.frac().dataSync(), [0.3, 0.7, -0.2], 'frac', 1e-14);
  });
  it('xlogy gives x a zero gradient where x is 0, even for y ≤ 0', () => {
    const x = tensor([0, 0, 2], { dtype: 'float64', requiresGrad: true });
    const y = tensor([-1, 0, Math.E], { dtype: 'float64', requiresGrad: true });
    const [gx, gy] = grad([x.xlogy(y).sum()], [x, y]);
    expect(Array.from(gx!.dataSync())).toEqual([0, 0, 1]);
    expectSame(gy!.dataSync(), [0, 0, 2 / Math.E], 'dy', 1e-15);
  });
  it('lerp takes the end exactly at weight 1, and a tensor weight gets end − start', () => {
    const a = tensor([0.1, -3], { dtype: 'float64' });
    const b = tensor([0.7, 1e-20], { dtype: 'float64' });
    expect(Array.from(a.lerp(b, 1).dataSync())).toEqual([0.7, 1e-20]);
    const w = tensor([0.25, 0.75], { dtype: 'float64', requiresGrad: true });
    const [gw] = grad([a.lerp(b, w).sum()], [w]);
    expectSame(gw!.dataSync(), [0.6, 3], 'dw', 1e-15);
  });
});
