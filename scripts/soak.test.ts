import { isWebGPUAvailable } from '@tsgrad/gpu';
import { describe, expect, it } from 'vitest';
import { soak } from './soak.js';

const gpuAvailable = await isWebGPUAvailable();

// The short version of `pnpm soak`: a training loop whose memory and RSS stay flat after warm-up.
describe('soak (short)', () => {
  it('200 CPU training steps leave memory() and RSS flat', async () => {
    const r = await soak('cpu', { steps: 200, log: () => {} });
    expect(r.growth).toMatchObject({ tensors: 0, buffers: 0, bytes: 0 });
    expect(r.ok).toBe(true);
  });

  it.skipIf(!gpuAvailable)('50 WebGPU training steps leave memory() flat', async () => {
    const { initWebGPU } = await import('@tsgrad/gpu');
    await initWebGPU();
    const r = await soak('webgpu', { steps: 50, log: () => {} });
    expect(r.growth).toMatchObject({ tensors: 0, buffers: 0, bytes: 0 });
    expect(r.ok).toBe(true);
  });
});
