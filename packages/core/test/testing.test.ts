/** The public testing helpers themselves: they must catch wrong gradients, not only pass right ones. */
import { type Tensor, tensor, ValueError } from '@tsgrad/core';
import {
  arbBroadcastableShapes,
  arbShape,
  arbTensor,
  GradcheckError,
  gradcheck,
  gradgradcheck,
} from '@tsgrad/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const x64 = (v: number[]) => tensor(v, { dtype: 'float64', requiresGrad: true });

describe('gradcheck', () => {
  it('passes correct gradients of several inputs and outputs', () => {
    const a = x64([0.3, -1.2, 2]);
    const b = x64([0.5, 0.25, -1]);
    expect(gradcheck((p, q) => [p.mul(q).sin(), p.exp().sum()], [a, b])).toBe(true);
  });

  it('reports a wrong gradient with the input, element and both values', () => {
    const a = x64([0.3, -1.2]);
    // A gradient cut by detach: autograd sees only half of d(x²)/dx.
    const wrong = (t: Tensor) => t.mul(t.detach());
    expect(() => gradcheck(wrong, [a], { name: 'halfSquare' })).toThrow(GradcheckError);
    expect(() => gradcheck(wrong, [a], { name: 'halfSquare' })).toThrow(
      /gradcheck\(halfSquare\): gradient mismatch for input 0 \(shape \[2\]\) at element 0 \[0\] \(x = 0.3\): numerical -?[\d.]+, analytical -?[\d.]+/,
    );
  });

  it('treats an unused input as a zero gradient, and catches a missing one', () => {
    const a = x64([1, 2]);
    const b = x64([3]);
    expect(gradcheck((p) => p.mul(2), [a, b])).toBe(true);
    expect(() => gradcheck((p, q) => p.mul(q.detach()), [a, b])).toThrow(/input 1/);
  });

  it('passes non-differentiable inputs through unchanged', () => {
    const x = x64([1, 2, 3]);
    const idx = tensor([2, 0], { dtype: 'int32' });
    expect(gradcheck((t, i) => t.indexSelect(0, i!).square(), [x, idx])).toBe(true);
  });

  it('needs float64 CPU inputs and at least one input that requires grad', () => {
    expect(() => gradcheck((t) => t, [tensor([1], { requiresGrad: true })])).toThrow(
      /input 0 is a float32 tensor on cpu; finite differences need float64/,
    );
    expect(() => gradcheck((t) => t, [tensor([1], { dtype: 'float64' })])).toThrow(ValueError);
  });

  it('catches a wrong second derivative that a first-order check misses', () => {
    const a = x64([0.3, -0.7, 1.1]);
    // Right first derivative (3x²) with a backward rule that is not itself differentiable.
    const cubeConstRule = (t: Tensor) =>
      t
        .detach()
        .pow(3)
        .add(t.sub(t.detach()).mul(t.detach().square().mul(3)));
    expect(gradcheck(cubeConstRule, [a])).toBe(true);
    expect(() => gradgradcheck(cubeConstRule, [a])).toThrow(/gradcheck\(grad of cubeConstRule\)/);
    expect(gradgradcheck((t) => t.pow(3), [a])).toBe(true);
  });
});

describe('arbitraries', () => {
  it('arbShape respects its bounds', () => {
    fc.assert(
      fc.property(arbShape({ minRank: 1, maxRank: 3, minDim: 2, maxDim: 4 }), (s) => {
        expect(s.length).toBeGreaterThanOrEqual(1);
        expect(s.length).toBeLessThanOrEqual(3);
        for (const d of s) expect(d >= 2 && d <= 4).toBe(true);
      }),
    );
  });

  it('arbBroadcastableShapes always broadcast', () => {
    fc.assert(
      fc.property(arbBroadcastableShapes({ count: 3 }), (shapes) => {
        expect(shapes).toHaveLength(3);
        const [a, b, c] = shapes.map((s) =>
          tensor(new Float32Array(s.reduce((p, q) => p * q, 1)), { shape: s }),
        );
        expect(() => a!.add(b!).add(c!)).not.toThrow();
      }),
    );
  });

  it('arbTensor gives tensors of the asked shape, dtype and range', () => {
    fc.assert(
      fc.property(arbTensor({ shape: [2, 3], dtype: 'float32', min: -1, max: 1 }), (t) => {
        expect(t.shape).toEqual([2, 3]);
        expect(t.dtype).toBe('float32');
        for (const v of t.dataSync()) expect(v >= -1 && v <= 1).toBe(true);
      }),
    );
    fc.assert(
      fc.property(arbTensor({ shape: arbShape({ maxRank: 2 }), dtype: 'int32', min: 0, max: 4 }), (t) => {
        for (const v of t.dataSync()) expect(Number.isInteger(v) && v >= 0 && v <= 4).toBe(true);
      }),
    );
    fc.assert(
      fc.property(arbTensor({ shape: [4], requiresGrad: true }), (t) => {
        expect(t.dtype).toBe('float64');
        expect(t.requiresGrad).toBe(true);
        expect(gradcheck((u) => u.tanh(), [t])).toBe(true);
      }),
      { numRuns: 20 },
    );
    expect(() => arbTensor({ min: 1, max: 0 })).toThrow(/min 1 is greater than max 0/);
  });
});
