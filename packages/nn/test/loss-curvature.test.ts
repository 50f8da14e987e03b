import { grad, tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { functional as F } from '../src/index.js';

describe('quadratic losses near zero', () => {
  it.each([
    ['huberLoss', (x: any, t: any) => F.huberLoss(x, t), 1],
    ['smoothL1Loss (beta 0.5)', (x: any, t: any) => F.smoothL1Loss(x, t, { beta: 0.5 }), 2],
  ])('%s has its true second derivative where input equals target', (_name, f, expected) => {
    const x = tensor([0.3], { dtype: 'float64', requiresGrad: true });
    const t = tensor([0.3], { dtype: 'float64' });
    const [g] = grad(f(x, t), x, { createGraph: true });
    const [h] = grad(g!.sum(), x);
    expect(g!.itemSync()).toBe(0);
    expect(h!.itemSync()).toBeCloseTo(expected, 12);
  });
});
