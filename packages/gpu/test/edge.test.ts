import { ValueError, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { available, gpu } from './helpers.js';

describe.skipIf(!available)('webgpu allocation limit', () => {
  it("declares the device's largest binding as memory.maxBytes, and core refuses more before allocating", () => {
    const limits = gpu.gpu.limits;
    const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    expect(gpu.memory.maxBytes).toBe(max);
    const n = Math.floor(max / 4) + 1;
    expect(() => zeros([n], { device: 'webgpu' })).toThrow(ValueError);
    expect(() => zeros([n], { device: 'webgpu' })).toThrow(
      new RegExp(`^zeros: a float32 tensor of shape \\[${n}\\] needs ${n * 4} bytes .*at most ${max} bytes`),
    );
  });
});
