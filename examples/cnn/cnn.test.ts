import { describe, expect, it } from 'vitest';
import { trainCnn } from './train.js';

describe('cnn example (smoke)', () => {
  it('learns digits above chance from a small subset', async () => {
    const losses: number[] = [];
    const r = await trainCnn(
      { epochs: 1, batchSize: 64, lr: 3e-3, trainLimit: 1280, testLimit: 500, seed: 1 },
      { onProgress: (p) => losses.push(p.loss) },
    );
    // 20 steps on 1280 images; chance is 0.1 and the loss starts near ln 10 ≈ 2.30.
    expect(r.testAccuracy).toBeGreaterThan(0.4);
    expect(r.epochs).toHaveLength(1);
    expect(r.epochs[0]!.trainLoss).toBeLessThan(2.1);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
  });
});
