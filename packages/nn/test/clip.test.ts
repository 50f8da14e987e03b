/**
 * Gradient clipping against hand-computed norms and coefficients: the 2-norm, other p-norms
 * and the max norm over several parameters, the cap at 1 (gradients under the bound are left
 * alone), parameters without gradients, the non-finite check and refused arguments; value
 * clipping; the L1 penalty.
 */
import { type Tensor, tensor, ValueError } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { clipGradNorm_, clipGradValue_, l1Penalty } from '../src/index.js';

const vals = (t: Tensor) => Array.from(t.dataSync());

/** Leaf tensors whose `.grad` holds the given values. */
function withGrads(grads: (number[] | null)[], dtype: 'float32' | 'float64' = 'float64'): Tensor[] {
  return grads.map((g) => {
    const p = tensor(g ? g.map(() => 0) : [0], { dtype }).requiresGrad_();
    if (g) p.grad = tensor(g, { dtype });
    return p;
  });
}

const closeAll = (actual: number[], expected: number[], digits = 12) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits);
};

describe('clipGradNorm_', () => {
  it('scales by maxNorm / (norm + 1e-6) when the 2-norm is over the bound', () => {
    // Joint 2-norm of [3, 4] and [12] is 13.
    const ps = withGrads([[3, 4], [12]]);
    const norm = clipGradNorm_(ps, 1);
    expect(norm.shape).toEqual([]);
    expect(norm.itemSync()).toBeCloseTo(13, 12);
    const c = 1 / (13 + 1e-6);
    closeAll(vals(ps[0]!.grad!), [3 * c, 4 * c]);
    closeAll(vals(ps[1]!.grad!), [12 * c]);
    // The clipped gradients have norm maxNorm (up to the 1e-6).
    const after = Math.hypot(...vals(ps[0]!.grad!), ...vals(ps[1]!.grad!));
    expect(after).toBeCloseTo(1, 5);
  });

  it('leaves gradients under the bound unchanged (coefficient capped at 1)', () => {
    const ps = withGrads([[0.3, -0.4]]);
    expect(clipGradNorm_(ps, 1).itemSync()).toBeCloseTo(0.5, 12);
    expect(vals(ps[0]!.grad!)).toEqual([0.3, -0.4]);
    // Exactly at the bound: the coefficient 5 / (5 + 1e-6) is just under 1.
    const qs = withGrads([[3, 4]]);
    clipGradNorm_(qs, 5);
    closeAll(vals(qs[0]!.grad!), [3 * (5 / (5 + 1e-6)), 4 * (5 / (5 + 1e-6))]);
    // A large bound never scales up.
    const rs = withGrads([[1, 2]]);
    clipGradNorm_(rs, 1e6);
    expect(vals(rs[0]!.grad!)).toEqual([1, 2]);
  });

  it('other norm types: 1, 3 and Infinity', () => {
    let ps = withGrads([[1, -2], [-3]]);
    expect(clipGradNorm_(ps, 3, { normType: 1 }).itemSync()).toBeCloseTo(6, 12);
    let c = 3 / (6 + 1e-6);
    closeAll([...vals(ps[0]!.grad!), ...vals(ps[1]!.grad!)], [c, -2 * c, -3 * c]);

    ps = withGrads([[1, -2], [-3]]);
    const n3 = Math.cbrt(1 + 8 + 27);
    expect(clipGradNorm_(ps, 1, { normType: 3 }).itemSync()).toBeCloseTo(n3, 12);
    c = 1 / (n3 + 1e-6);
    closeAll([...vals(ps[0]!.grad!), ...vals(ps[1]!.grad!)], [c, -2 * c, -3 * c]);

    // The max norm is the largest |g| of all: here in the first tensor, whose smallest is 1.
    expect(clipGradNorm_(withGrads([[1, -4], [-3]]), 10, { normType: Infinity }).itemSync()).toBe(4);
    ps = withGrads([[1, -2], [-3]]);
    expect(clipGradNorm_(ps, 1.5, { normType: Infinity }).itemSync()).toBe(3);
    c = 1.5 / (3 + 1e-6);
    closeAll([...vals(ps[0]!.grad!), ...vals(ps[1]!.grad!)], [c, -2 * c, -3 * c]);
  });

  it('skips parameters without a gradient; none at all gives norm 0', () => {
    const ps = withGrads([null, [6, 8], null]);
    expect(clipGradNorm_(ps, 5).itemSync()).toBeCloseTo(10, 12);
    closeAll(vals(ps[1]!.grad!), [6 * (5 / (10 + 1e-6)), 8 * (5 / (10 + 1e-6))]);
    expect(ps[0]!.grad).toBeNull();
    const none = clipGradNorm_(withGrads([null, null]), 1);
    expect(none.itemSync()).toBe(0);
    expect(clipGradNorm_([], 1).itemSync()).toBe(0);
  });

  it('keeps float32 gradients float32 and accepts any iterable', () => {
    const ps = withGrads([[30, 40]], 'float32');
    const norm = clipGradNorm_(new Set(ps), 1);
    expect(norm.dtype).toBe('float32');
    expect(ps[0]!.grad!.dtype).toBe('float32');
    closeAll(vals(ps[0]!.grad!), [0.6, 0.8], 6);
  });

  it('does not record the clipping in the graph', () => {
    const ps = withGrads([[3, 4]]);
    const norm = clipGradNorm_(ps, 1);
    expect(norm.requiresGrad).toBe(false);
    expect(ps[0]!.grad!.requiresGrad).toBe(false);
  });

  it('errorIfNonfinite throws on an infinite or NaN norm, and otherwise passes it through', () => {
    expect(() => clipGradNorm_(withGrads([[Infinity, 1]]), 1, { errorIfNonfinite: true })).toThrow(
      ValueError,
    );
    expect(() => clipGradNorm_(withGrads([[Number.NaN]]), 1, { errorIfNonfinite: true })).toThrow(
      /clipGradNorm_.*NaN/,
    );
    expect(clipGradNorm_(withGrads([[Number.NaN]]), 1).itemSync()).toBeNaN();
    expect(clipGradNorm_(withGrads([[3, 4]]), 1, { errorIfNonfinite: true }).itemSync()).toBeCloseTo(5, 12);
  });

  it('maxNorm 0 zeroes the gradients; a negative or non-number maxNorm is refused', () => {
    const ps = withGrads([[3, -4]]);
    expect(clipGradNorm_(ps, 0).itemSync()).toBeCloseTo(5, 12);
    expect(vals(ps[0]!.grad!).map(Math.abs)).toEqual([0, 0]);
    for (const maxNorm of [-1, Number.NaN, '1' as never]) {
      expect(() => clipGradNorm_(withGrads([[1]]), maxNorm)).toThrow(
        `clipGradNorm_: maxNorm must be a non-negative number, got ${String(maxNorm)}`,
      );
    }
  });

  it('refuses a norm type that is not positive', () => {
    for (const normType of [0, -2, Number.NaN]) {
      expect(() => clipGradNorm_(withGrads([[1]]), 1, { normType })).toThrow(ValueError);
    }
    expect(() => clipGradNorm_(withGrads([[1]]), 1, { normType: -1 })).toThrow(/normType/);
  });
});

describe('clipGradValue_', () => {
  it('clamps each element to [−clipValue, clipValue] in place', () => {
    const ps = withGrads([[-3, -0.5, 0, 0.25, 2], null, [1.5]]);
    const g = ps[0]!.grad!;
    clipGradValue_(ps, 1);
    expect(ps[0]!.grad).toBe(g);
    expect(vals(g)).toEqual([-1, -0.5, 0, 0.25, 1]);
    expect(vals(ps[2]!.grad!)).toEqual([1]);
    expect(ps[1]!.grad).toBeNull();
    const zs = withGrads([[-2, 3]]);
    clipGradValue_(zs, 0);
    expect(vals(zs[0]!.grad!).map(Math.abs)).toEqual([0, 0]);
  });

  it('refuses a negative or NaN clipValue', () => {
    expect(() => clipGradValue_(withGrads([[1]]), -1)).toThrow(ValueError);
    expect(() => clipGradValue_(withGrads([[1]]), Number.NaN)).toThrow(/clipGradValue_/);
  });
});

describe('l1Penalty', () => {
  it('is λ·Σ|w| and differentiable', () => {
    const a = tensor([1, -2], { dtype: 'float64' }).requiresGrad_();
    const b = tensor([-3], { dtype: 'float64' }).requiresGrad_();
    const pen = l1Penalty([a, b], 0.5);
    expect(pen.itemSync()).toBeCloseTo(3, 12);
    pen.backward();
    expect(vals(a.grad!)).toEqual([0.5, -0.5]);
    expect(vals(b.grad!)).toEqual([-0.5]);
    expect(l1Penalty([a]).itemSync()).toBe(3);
    expect(l1Penalty([]).itemSync()).toBe(0);
  });
});
