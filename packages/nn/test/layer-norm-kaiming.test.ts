/**
 * LayerNorm over one, two and three trailing dims against a float64 computation written out
 * here (a gradcheck alone would accept a wrong forward), and Kaiming initialisation's `mode`
 * checked both ways: fanIn and fanOut give different bounds and spreads, and each distribution
 * fills its bound.
 */
import { manualSeed, randn, type Tensor, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { init, LayerNorm, layerNorm } from '../src/index.js';

const vals = (t: Tensor) => Array.from(t.dataSync());

/** LayerNorm over the trailing `k` dims of row-major `x` with the given shape, in float64. */
function refLayerNorm(
  x: number[],
  shape: number[],
  k: number,
  eps: number,
  w?: number[],
  b?: number[],
): number[] {
  const group = shape.slice(shape.length - k).reduce((a, c) => a * c, 1);
  const out: number[] = [];
  for (let g = 0; g < x.length / group; g++) {
    const row = x.slice(g * group, (g + 1) * group);
    const mean = row.reduce((a, c) => a + c, 0) / group;
    const v = row.reduce((a, c) => a + (c - mean) ** 2, 0) / group;
    row.forEach((c, i) => {
      out.push(((c - mean) / Math.sqrt(v + eps)) * (w ? w[i]! : 1) + (b ? b[i]! : 0));
    });
  }
  return out;
}

const expectNear = (a: number[], e: number[], tol: number) => {
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThan(tol);
};

describe('layerNorm normalises over every dim of normalizedShape', () => {
  manualSeed(4);
  const shape = [3, 2, 4, 5];
  // Rows with different means per trailing slice, so normalising over fewer dims differs.
  const x = randn(shape, { dtype: 'float64' }).add(randn([1, 2, 4, 1], { dtype: 'float64' }).mul(3));
  const xs = vals(x);

  for (const k of [1, 2, 3]) {
    it(`over the last ${k} dim(s), with and without affine, float64 and float32`, () => {
      const ns = shape.slice(shape.length - k);
      const w = randn(ns, { dtype: 'float64' });
      const b = randn(ns, { dtype: 'float64' });
      expectNear(vals(layerNorm(x, ns)), refLayerNorm(xs, shape, k, 1e-5), 1e-12);
      expectNear(
        vals(layerNorm(x, ns, { weight: w, bias: b, eps: 0.1 })),
        refLayerNorm(xs, shape, k, 0.1, vals(w), vals(b)),
        1e-12,
      );
      expectNear(vals(layerNorm(x.to('float32'), ns)), refLayerNorm(xs, shape, k, 1e-5), 1e-5);
      const m = new LayerNorm(ns).to('float64');
      expectNear(vals(m.forward(x)), refLayerNorm(xs, shape, k, 1e-5), 1e-12);
    });
  }

  it('a number normalizedShape means the last dim', () => {
    expectNear(vals(layerNorm(x, 5)), refLayerNorm(xs, shape, 1, 1e-5), 1e-12);
  });
});

describe('kaiming mode', () => {
  const stats = (t: Tensor) => {
    const v = vals(t);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    return { std, min: Math.min(...v), max: Math.max(...v) };
  };
  // fanIn 4·3·3 = 36, fanOut 100·3·3 = 900: bounds a factor 5 apart.
  const shape = [100, 4, 3, 3];
  const gain = Math.SQRT2;

  it('kaimingUniform_ fills ±gain·√(3/fan) for the fan that mode names', () => {
    for (const [mode, fan] of [
      ['fanIn', 36],
      ['fanOut', 900],
    ] as const) {
      manualSeed(1);
      const w = init.kaimingUniform_(zeros(shape), { mode, nonlinearity: 'relu' });
      const bound = gain * Math.sqrt(3 / fan);
      const s = stats(w);
      expect(s.max).toBeLessThanOrEqual(bound);
      expect(s.min).toBeGreaterThanOrEqual(-bound);
      // 3600 draws reach within 1 % of both ends.
      expect(s.max).toBeGreaterThan(0.99 * bound);
      expect(s.min).toBeLessThan(-0.99 * bound);
      expect(s.std / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
    }
    // The default mode is fanIn.
    manualSeed(1);
    const d = stats(init.kaimingUniform_(zeros(shape), { nonlinearity: 'relu' }));
    expect(d.max).toBeGreaterThan(0.99 * gain * Math.sqrt(3 / 36));
  });

  it('kaimingNormal_ has std gain/√fan for the fan that mode names', () => {
    for (const [mode, fan] of [
      ['fanIn', 36],
      ['fanOut', 900],
    ] as const) {
      manualSeed(2);
      const s = stats(init.kaimingNormal_(zeros(shape), { mode, nonlinearity: 'leaky_relu', a: 0.2 }));
      const std = Math.sqrt(2 / (1 + 0.04)) / Math.sqrt(fan);
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.05);
    }
  });

  it('refuses an unknown mode', () => {
    expect(() => init.kaimingNormal_(zeros([2, 2]), { mode: 'fan_in' as 'fanIn' })).toThrow(/mode/);
  });
});
