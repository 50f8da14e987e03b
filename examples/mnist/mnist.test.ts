import { describe, expect, it } from 'vitest';
import { trainMnist } from './train.js';

describe('mnist example (smoke)', () => {
  it('learns digits well above chance from a small subset', async () => {
    const progress: number[] = [];
    const r = await trainMnist(
      { epochs: 1, batchSize: 64, lr: 3e-3, trainLimit: 4096, testLimit: 1000, seed: 1 },
      { onProgress: (p) => progress.push(p.batch) },
    );
    // 64 steps on 4096 images; chance is 0.1.
    expect(r.testAccuracy).toBeGreaterThan(0.75);
    expect(r.epochs).toHaveLength(1);
    expect(r.epochs[0]!.trainLoss).toBeLessThan(1.5);
    expect(progress[progress.length - 1]).toBe(64);
  });
});
