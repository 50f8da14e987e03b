/**
 * Every tiled matmul configuration against doubles: edge blocks in every direction (sizes that
 * are not multiples of any block: 1, 7, 65, 130), batches with batch strides and a broadcast
 * operand, offsets, gaps between rows, and both major orders of each operand (which change how
 * blocks are staged); for configurations that take blocks in bands of block-rows, enough rows
 * for a short last band. Shapes stay small: CPU drivers run these programs slowly.
 */
import type { Layout, View } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { MATMUL_CONFIGS, type MatmulConfigName } from '../src/index.js';
import { checkMatmulConfig, matmulKey, matmulWorkgroupBytes } from '../src/kernels/matmul.js';
import { available, expectClose, gpu, matmulRef, randomData, readAll, rng } from './helpers.js';

type Order = 'row' | 'col';

/** A [batch, rows, cols] operand at an offset, rows `gap` apart beyond their length, maybe shared. */
function operand(batch: number, rows: number, cols: number, order: Order, shared: boolean, r: () => number) {
  const gap = 3;
  const offset = 5;
  const rs = order === 'col' ? 1 : cols + gap;
  const cs = order === 'col' ? rows + gap : 1;
  const per = order === 'col' ? (rows + gap) * cols : rows * (cols + gap);
  const host = randomData('float32', offset + (shared ? 1 : batch) * (per + 7), r, 1) as Float32Array;
  const layout: Layout = { shape: [batch, rows, cols], strides: [shared ? 0 : per + 7, rs, cs], offset };
  const view: View = { storage: gpu.fromArray(host, 'float32'), dtype: 'float32', layout };
  return { host, layout, view };
}

describe.skipIf(!available)('webgpu tiled matmul configurations', () => {
  // [batch, M, K, N, B shared across the batch]
  const shapes: [number, number, number, number, boolean][] = [
    [1, 130, 37, 129, false],
    [2, 65, 20, 7, false],
    [3, 7, 65, 66, true],
    [1, 1, 9, 130, false],
  ];
  // Each pair of orders stages both operands one way: along k for (row, col) (into padded
  // rows of workgroup memory), along the block's rows and columns for (col, row). CPU drivers
  // compile these programs slowly (seconds for 128×128 blocks written out 16 deep), so each
  // program is compiled once: the configurations that differ only in their band of
  // block-rows share one, and the others take the other pair.
  const orders: Record<MatmulConfigName, [Order, Order]> = {
    t64x64k16: ['row', 'col'],
    t128x64k16d: ['col', 'row'],
    t128x128k8uw: ['col', 'row'],
    t128x128k16uw: ['row', 'col'],
    t128x128k16uwg8: ['row', 'col'],
    t128x128k16uwg16: ['row', 'col'],
  };
  const names = Object.keys(MATMUL_CONFIGS) as MatmulConfigName[];
  names.forEach((name, i) => {
    const [oa, ob] = orders[name];
    const { bm, group } = MATMUL_CONFIGS[name];
    // Bands of G block-rows: G + 1 block-rows in each of a batch of two (a full band and a
    // band of one), three block-columns, the last ones partial.
    const banded: [number, number, number, number, boolean][] =
      group > 1 ? [[2, (group + 1) * bm - 5, 3, 300, false]] : [];
    it(`${name} (${oa}·${ob}): partial blocks, batches, offsets, strides`, async () => {
      const c = MATMUL_CONFIGS[name];
      const limit = gpu.gpu.limits.maxComputeWorkgroupStorageSize;
      // A configuration the device cannot hold falls back to another (checked in the backend).
      if (matmulWorkgroupBytes(c, oa, ob) > limit) return;
      const saved = [gpu.matmulKernel, gpu.matmulConfig] as const;
      gpu.matmulKernel = 'tiled';
      gpu.matmulConfig = name;
      try {
        const r = rng(100 + i);
        for (const [batch, M, K, N, shared] of [...shapes, ...banded]) {
          const a = operand(batch, M, K, oa, false, r);
          const b = operand(batch, K, N, ob, shared, r);
          const out = gpu.matmul(a.view, b.view);
          const got = await readAll(out, 'float32', batch * M * N);
          expectClose(got, matmulRef(a.host, a.layout, b.host, b.layout), 1e-4, 1e-4);
          for (const s of [out, a.view.storage, b.view.storage]) gpu.free(s);
        }
      } finally {
        [gpu.matmulKernel, gpu.matmulConfig] = saved;
      }
    });
  });

  it('every configuration fits the default 32 KiB of workgroup memory and generates', () => {
    for (const c of Object.values(MATMUL_CONFIGS)) {
      for (const [oa, ob] of [
        ['row', 'col'],
        ['col', 'row'],
        ['row', 'row'],
        ['col', 'col'],
      ] as const) {
        expect(matmulWorkgroupBytes(c, oa, ob)).toBeLessThanOrEqual(32768);
      }
      expect(() => checkMatmulConfig(c)).not.toThrow();
    }
    expect(() =>
      checkMatmulConfig({
        bm: 128,
        bn: 128,
        bk: 8,
        tm: 6,
        tn: 8,
        db: false,
        unroll: false,
        warp8x4: false,
        group: 1,
      }),
    ).toThrow(/unsupported/);
    // 8×4 warps need a grid of invocations at least 8 wide and 4 high (here 4×16).
    expect(() => checkMatmulConfig({ ...MATMUL_CONFIGS.t64x64k16, tn: 16, warp8x4: true })).toThrow(
      /unsupported/,
    );
    expect(() => checkMatmulConfig({ ...MATMUL_CONFIGS.t64x64k16, group: 0 })).toThrow(/unsupported/);
  });

  it('configurations that differ only in their band of block-rows share one program', () => {
    const key = (config: MatmulConfigName) => matmulKey({ tiled: true, a: 'row', b: 'col', config });
    expect(key('t128x128k16uwg8')).toBe(key('t128x128k16uw'));
    expect(key('t128x128k16uwg16')).toBe(key('t128x128k16uw'));
    expect(key('t128x128k8uw')).not.toBe(key('t128x128k16uw'));
  });
});
