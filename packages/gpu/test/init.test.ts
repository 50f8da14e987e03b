import { DeviceError, getBackend, registeredDevices } from '@tsgrad/core';
import { describe, expect, it, vi } from 'vitest';
import { initWebGPU, isWebGPUAvailable } from '../src/index.js';
import { available, required } from './helpers.js';

describe('WebGPU availability', () => {
  it('has an adapter wherever one is required (TSGRAD_REQUIRE_WEBGPU=1)', () => {
    expect(
      available || !required,
      'no WebGPU adapter: install libvulkan1 and Mesa lavapipe (scripts/install-system-deps.sh)',
    ).toBe(true);
  });

  it('isWebGPUAvailable never throws', async () => {
    expect(typeof (await isWebGPUAvailable())).toBe('boolean');
  });

  it('says what to install when no adapter is found', async () => {
    vi.resetModules();
    const fresh = (await import('../src/init.js')) as typeof import('../src/init.js');
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const err = await fresh.initWebGPU({ gpu: noAdapter }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('DeviceError');
    expect((err as Error).message).toMatch(/no WebGPU adapter was found/);
    expect((err as Error).message).toMatch(/lavapipe/);
    expect((err as Error).message).toMatch(/bookworm-backports/);
  });
});

describe.skipIf(!available)('initWebGPU', () => {
  it('opens one device, registers it as webgpu and returns it again', async () => {
    const a = await initWebGPU();
    const b = await initWebGPU();
    expect(a).toBe(b);
    expect(getBackend('webgpu')).toBe(a);
    expect(registeredDevices()).toContain('webgpu');
    expect(a.dtypes).toEqual(['float32', 'int32', 'bool']);
    // The adapter's limits, not WebGPU's defaults.
    expect(a.gpu.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
  });

  it('names the device in errors about foreign storages', () => {
    expect(() =>
      getBackend('webgpu').cast(
        { storage: new Float32Array(1), dtype: 'float32', layout: { shape: [1], strides: [1], offset: 0 } },
        'float32',
      ),
    ).toThrow(DeviceError);
  });
});
