import { describe, expect, it } from 'vitest';
import { trainXor } from './xor.js';

describe('xor example', () => {
  it('learns XOR from the default seed', () => {
    const r = trainXor();
    expect(r.solved).toBe(true);
    expect(r.finalLoss).toBeLessThan(0.05);
    expect(r.finalLoss).toBeLessThan(r.initialLoss);
    r.predictions.forEach((p, i) => {
      expect(Math.abs(p - r.targets[i]!)).toBeLessThan(0.1);
    });
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = trainXor({ seed: 3, steps: 50 });
    const b = trainXor({ seed: 3, steps: 50 });
    const c = trainXor({ seed: 4, steps: 50 });
    expect(a.predictions).toEqual(b.predictions);
    expect(a.weights).toEqual(b.weights);
    expect(c.weights).not.toEqual(a.weights);
  });
});
