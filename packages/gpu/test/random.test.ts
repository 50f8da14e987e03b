import { normalAt, uniformAt } from '@tsgrad/core/internal';
import { describe, expect, it } from 'vitest';
import { available, expectClose, gpu, readAll } from './helpers.js';

describe.skipIf(!available)('webgpu random', () => {
  it('uniform draws equal the CPU generator bit for bit, across the counter wrap', async () => {
    for (const [key, counter] of [
      [0, 0],
      [123456789, 1000],
      [0xdeadbeef, 4294967296 - 500],
    ] as const) {
      const n = 1000;
      const got = await readAll(gpu.random('uniform', n, 'float32', key, counter), 'float32', n);
      const want = Array.from({ length: n }, (_, i) => Math.fround(uniformAt(key, (counter + i) >>> 0)));
      expect(got).toEqual(want);
      expect(Math.min(...got)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...got)).toBeLessThan(1);
    }
  });

  it('normal draws equal the CPU generator up to float32 rounding of log and cos', async () => {
    const n = 5000;
    const got = await readAll(gpu.random('normal', n, 'float32', 42, 7), 'float32', n);
    const want = Array.from({ length: n }, (_, i) => normalAt(42, 7 + i));
    expectClose(got, want, 1e-5, 1e-5);
    const mean = got.reduce((a, b) => a + b, 0) / n;
    const variance = got.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.08);
  });
});
