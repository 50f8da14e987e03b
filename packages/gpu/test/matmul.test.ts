import type { Layout, View } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { available, expectClose, gpu, matmulRef, randomData, readAll, rng, viewOf } from './helpers.js';

type Order = 'row' | 'col' | 'strided';

/** A [batch, rows, cols] operand stored row-major, column-major or with gaps, maybe shared across the batch. */
function operand(batch: number, rows: number, cols: number, order: Order, shared: boolean, r: () => number) {
  const gap = order === 'strided' ? 3 : 0;
  const stored = shared ? 1 : batch;
  const rs = order === 'col' ? 1 : cols + gap;
  const cs = order === 'col' ? rows : 1;
  const per = order === 'col' ? rows * cols : rows * (cols + gap);
  const offset = order === 'strided' ? 5 : 0;
  const host = randomData('float32', offset + stored * per, r, 1) as Float32Array;
  const layout: Layout = { shape: [batch, rows, cols], strides: [shared ? 0 : per, rs, cs], offset };
  const view: View = { storage: gpu.fromArray(host, 'float32'), dtype: 'float32', layout };
  return { host, layout, view };
}

describe.skipIf(!available)('webgpu matmul', () => {
  const sizes: [number, number, number, number][] = [
    [1, 1, 1, 1],
    [1, 3, 5, 2],
    [2, 7, 9, 11],
    [1, 1, 70, 65], // vector × matrix
    [1, 64, 64, 64], // one full tile
    [2, 65, 33, 70], // partial tiles in every direction
    [3, 100, 17, 40],
    [1, 130, 200, 96],
  ];
  for (const [batch, M, K, N] of sizes) {
    it(`[${batch},${M},${K}] × [${batch},${K},${N}] for row-, column-major and strided operands`, async () => {
      const r = rng(batch * 1000 + M * 10 + N);
      for (const oa of ['row', 'col', 'strided'] as const) {
        for (const ob of ['row', 'col', 'strided'] as const) {
          const shared = r() < 0.3 && batch > 1;
          const a = operand(batch, M, K, oa, false, r);
          const b = operand(batch, K, N, ob, shared, r);
          const out = gpu.matmul(a.view, b.view);
          const got = await readAll(out, 'float32', batch * M * N);
          expectClose(got, matmulRef(a.host, a.layout, b.host, b.layout), 1e-4, 1e-4);
          gpu.free(out);
          gpu.free(a.view.storage);
          gpu.free(b.view.storage);
        }
      }
    });
  }

  // The tiled program compiles slowly on CPU drivers, so it is checked on two variants that
  // between them stage both operands both ways (plus strided and batch-shared operands).
  it('the tiled program on row- and column-major operands, with partial tiles', async () => {
    const before = gpu.matmulKernel;
    gpu.matmulKernel = 'tiled';
    try {
      const r = rng(11);
      const cases: [number, number, number, number, Order, Order, boolean][] = [
        [2, 65, 33, 70, 'row', 'row', false],
        [1, 130, 40, 64, 'strided', 'strided', false],
        [3, 64, 64, 64, 'row', 'row', true],
        [2, 65, 33, 70, 'col', 'col', false],
        [1, 20, 100, 129, 'col', 'col', true],
      ];
      for (const [batch, M, K, N, oa, ob, shared] of cases) {
        const a = operand(batch, M, K, oa, false, r);
        const b = operand(batch, K, N, ob, shared, r);
        const got = await readAll(gpu.matmul(a.view, b.view), 'float32', batch * M * N);
        expectClose(got, matmulRef(a.host, a.layout, b.host, b.layout), 1e-4, 1e-4);
      }
    } finally {
      gpu.matmulKernel = before;
    }
  });

  it('a batch broadcast on the left operand, and an empty inner dimension', async () => {
    const r = rng(3);
    const a = operand(4, 40, 50, 'row', true, r);
    const b = operand(4, 50, 45, 'col', false, r);
    const got = await readAll(gpu.matmul(a.view, b.view), 'float32', 4 * 40 * 45);
    expectClose(got, matmulRef(a.host, a.layout, b.host, b.layout), 1e-4, 1e-4);
    const e = gpu.fill(0, 0, 'float32');
    const ea: View = {
      storage: e,
      dtype: 'float32',
      layout: { shape: [1, 2, 0], strides: [0, 0, 1], offset: 0 },
    };
    const eb: View = {
      storage: e,
      dtype: 'float32',
      layout: { shape: [1, 0, 3], strides: [0, 3, 1], offset: 0 },
    };
    expect(await readAll(gpu.matmul(ea, eb), 'float32', 6)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects non-float operands', () => {
    const x = viewOf([1, 2, 3, 4], [1, 2, 2], 'int32');
    expect(() => gpu.matmul(x, x)).toThrow(/float32/);
  });
});
