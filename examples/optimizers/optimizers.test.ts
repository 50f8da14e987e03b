import { tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { contestants, raceRegression, raceRosenbrock, rosenbrock, stepsTo } from './race.js';

describe('optimizers example', () => {
  it('evaluates the Rosenbrock function and its gradient', () => {
    const p = tensor([-1.5, 2], { requiresGrad: true });
    const f = rosenbrock(p);
    expect(f.itemSync()).toBeCloseTo(12.5, 10); // 2.5² + 100·(2 − 2.25)²
    f.backward();
    // ∂f/∂x = −2(1 − x) − 400x(y − x²), ∂f/∂y = 200(y − x²)
    expect(Array.from(p.grad!.dataSync())).toEqual([-5 - 150, -50]);
    expect(stepsTo([3, 2, 0.5, 0.1], 1)).toBe(2);
    expect(stepsTo([3, 2], 1)).toBeUndefined();
  });

  it('races every optimizer down the Rosenbrock valley', () => {
    const runs = raceRosenbrock({ steps: 400, seed: 0 });
    expect(runs.map((r) => r.name)).toEqual(contestants.map((c) => c.name));
    const final = Object.fromEntries(runs.map((r) => [r.name, r.losses.at(-1)!]));
    for (const r of runs) {
      expect(r.losses).toHaveLength(401);
      expect(r.path![0]).toEqual([-1.5, 2]);
      expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 2);
    }
    expect(final.Adam!).toBeLessThan(final.SGD! / 5);
    // Momentum carries Nesterov and heavy-ball SGD along the flat valley far faster than plain SGD.
    expect(final.Nesterov!).toBeLessThan(final.SGD! / 10);
    expect(final['SGD momentum']!).toBeLessThan(final.SGD! / 10);
  });

  it('trains the MLP with every optimizer from the same start', () => {
    const runs = raceRegression({ steps: 40, seed: 0 });
    const first = runs[0]!.losses[0]!;
    for (const r of runs) {
      expect(r.losses[0]).toBe(first); // the same initialisation for all
      expect(r.losses.at(-1)!).toBeLessThan(first / 2);
    }
    const final = (name: string) => runs.find((r) => r.name === name)!.losses.at(-1)!;
    expect(final('Adam')).toBeLessThan(final('SGD'));
    expect(final('Adagrad')).toBeLessThan(final('SGD') / 2);
  });
});
