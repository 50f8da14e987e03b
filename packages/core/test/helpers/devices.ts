/**
 * The devices the conformance suite runs on: the CPU always, WebGPU when `@tsgrad/gpu` is
 * present and finds an adapter. Loading the gpu package is optional so that the CPU suite
 * never depends on it; WebGPU cases run in float32 only and are reported as skipped where no
 * adapter exists.
 */
import type { Device, DType } from '@tsgrad/core';

/** Why WebGPU is not under test (null when it is). */
export let webgpuUnavailableReason: string | null = 'not probed yet';

async function probeWebGPU(): Promise<boolean> {
  // A variable specifier keeps tsc and the bundler from requiring the package to exist.
  const spec = '@tsgrad/gpu';
  let gpu: Record<string, unknown>;
  try {
    gpu = (await import(/* @vite-ignore */ spec)) as Record<string, unknown>;
  } catch (e) {
    webgpuUnavailableReason = `@tsgrad/gpu could not be loaded (${(e as Error).message.split('\n')[0]})`;
    return false;
  }
  const isAvailable = gpu.isWebGPUAvailable as (() => boolean | Promise<boolean>) | undefined;
  const init = gpu.initWebGPU as (() => Promise<unknown>) | undefined;
  if (typeof isAvailable !== 'function' || typeof init !== 'function') {
    webgpuUnavailableReason = '@tsgrad/gpu does not export isWebGPUAvailable/initWebGPU yet';
    return false;
  }
  try {
    if (!(await isAvailable())) {
      webgpuUnavailableReason = 'no WebGPU adapter on this machine';
      return false;
    }
    await init();
  } catch (e) {
    webgpuUnavailableReason = `WebGPU initialisation failed: ${(e as Error).message}`;
    return false;
  }
  webgpuUnavailableReason = null;
  return true;
}

const webgpu = await probeWebGPU();

/** Every device the suite knows, with whether it is available here. */
export const allDevices: readonly { device: Device; available: boolean }[] = [
  { device: 'cpu', available: true },
  { device: 'webgpu', available: webgpu },
];

/**
 * The devices to run on: `['cpu']`, plus `'webgpu'` when an adapter is available.
 *
 * @example
 * ```ts
 * for (const d of devicesUnderTest()) it(`adds on ${d}`, () => { … });
 * ```
 */
export function devicesUnderTest(): Device[] {
  return allDevices.filter((d) => d.available).map((d) => d.device);
}

/** The dtypes a device is tested in: WebGPU has no float64. */
export function dtypesFor(device: Device): DType[] {
  return device === 'webgpu' ? ['float32'] : ['float64', 'float32'];
}
