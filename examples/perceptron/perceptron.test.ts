import { tensor, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { perceptronStep, separablePoints, trainPerceptron, xorPoints } from './perceptron.js';

describe('perceptron example', () => {
  it('updates only on a mistake: w ← w + lr·y·x, b ← b + lr·y', () => {
    const w = zeros([2]);
    const b = zeros([]);
    expect(perceptronStep(w, b, tensor([1, 2]), 1, 0.5)).toBe(true); // on the line counts as wrong
    expect(Array.from(w.dataSync())).toEqual([0.5, 1]);
    expect(b.itemSync()).toBe(0.5);
    expect(perceptronStep(w, b, tensor([1, 2]), 1, 0.5)).toBe(false); // now right: no change
    expect(Array.from(w.dataSync())).toEqual([0.5, 1]);
    expect(perceptronStep(w, b, tensor([3, -1]), -1, 0.5)).toBe(true); // 1.5 − 1 + 0.5 > 0, label −1
    expect(Array.from(w.dataSync())).toEqual([-1, 1.5]);
    expect(b.itemSync()).toBe(0);
  });

  it('finds a separating line for separable points', () => {
    const data = separablePoints(60, 1);
    expect(new Set(data.y)).toEqual(new Set([-1, 1]));
    const r = trainPerceptron(data, { epochs: 30 });
    expect(r.converged).toBe(true);
    expect(r.mistakes.at(-1)).toBe(0);
    expect(r.mistakes[0]).toBeGreaterThan(0);
    expect(r.accuracy).toBe(1);
    data.x.forEach(([a, b], i) => {
      expect(data.y[i]! * (r.w[0] * a! + r.w[1] * b! + r.b)).toBeGreaterThan(0);
    });
  });

  it('never converges on XOR: every pass makes mistakes', () => {
    const data = xorPoints(5, 0);
    const r = trainPerceptron(data, { epochs: 15 });
    expect(r.converged).toBe(false);
    expect(r.mistakes).toHaveLength(15);
    expect(Math.min(...r.mistakes)).toBeGreaterThan(0);
    expect(r.accuracy).toBeLessThanOrEqual(0.75); // a line gets at most three of the four corners
  });
});
