import { rand } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

describe('CPU memory in a synchronous loop', () => {
  it('is reclaimed by the garbage collector without waiting for the event loop', () => {
    // 400 steps × 3 arrays of 1 MB: if finalizers kept arrays alive, this would hold 1.2 GB.
    const w = rand([512, 512], { requiresGrad: true });
    const start = process.memoryUsage().arrayBuffers;
    let peak = 0;
    for (let i = 0; i < 400; i++) {
      w.mul(2).add(1).sum().backward();
      w.grad = null;
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - start);
    }
    expect(peak).toBeLessThan(400e6);
  });
});
