/**
 * The direct matmul program over more outputs than one row of workgroups covers (65535 × 64 =
 * 4,194,240): a large-vocabulary head, [8, K]·[K, 530000] (M < 32 keeps it on the direct
 * program), checked at sampled outputs on both sides of that boundary against doubles.
 */
import type { Layout, View } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { available, gpu, rng } from './helpers.js';

describe.skipIf(!available)('webgpu direct matmul over a 2-D workgroup grid', () => {
  it('[8, 16]·[16, 530000] matches doubles at sampled outputs past 4.19M', async () => {
    const [M, K, N] = [8, 16, 530_000];
    expect(M * N).toBeGreaterThan(65535 * 64);
    const r = rng(17);
    const a = Float32Array.from({ length: M * K }, () => r() * 2 - 1);
    const b = Float32Array.from({ length: K * N }, () => r() * 2 - 1);
    const view = (data: Float32Array, rows: number, cols: number): View => {
      const layout: Layout = { shape: [1, rows, cols], strides: [rows * cols, cols, 1], offset: 0 };
      return { storage: gpu.fromArray(data, 'float32'), dtype: 'float32', layout };
    };
    const saved = gpu.matmulKernel;
    gpu.matmulKernel = 'direct';
    try {
      const out = gpu.matmul(view(a, M, K), view(b, K, N));
      const got = await gpu.read(out, 'float32', M * N);
      // Samples: the first and last outputs, both sides of the first grid row's end, and a
      // spread of others (every row and a range of columns).
      const edge = 65535 * 64;
      const samples = [0, 1, edge - 1, edge, edge + 1, edge + 63, edge + 64, M * N - 1];
      for (let s = 0; s < 400; s++) samples.push(Math.floor(r() * M * N));
      for (const idx of samples) {
        const m = Math.floor(idx / N);
        const n = idx % N;
        let want = 0;
        for (let k = 0; k < K; k++) want += a[m * K + k]! * b[k * N + n]!;
        expect(Math.abs(got[idx]! - want), `output ${idx} (row ${m}, column ${n})`).toBeLessThan(1e-4);
      }
    } finally {
      gpu.matmulKernel = saved;
    }
  });
});
