/**
 * The devices the conformance suite runs on: the CPU always, WebGPU when an adapter exists.
 * Where none exists the WebGPU cases report themselves skipped, with the reason;
 * TSGRAD_REQUIRE_WEBGPU=1 (as CI sets it) turns a missing adapter into a failure.
 */
import type { Device, DType } from '@tsgrad/core';
import { initWebGPU, isWebGPUAvailable } from '@tsgrad/gpu';

/** Whether a missing WebGPU adapter is a failure rather than a skip. */
export const webgpuRequired = process.env.TSGRAD_REQUIRE_WEBGPU === '1';

async function probeWebGPU(): Promise<string | null> {
  try {
    if (!(await isWebGPUAvailable())) return 'no WebGPU adapter on this machine';
    await initWebGPU();
    return null;
  } catch (e) {
    return `WebGPU initialisation failed: ${(e as Error).message}`;
  }
}

/** Why WebGPU is not under test (null when it is). */
export const webgpuUnavailableReason: string | null = await probeWebGPU();

/** Every device the suite knows, with whether it is available here. */
export const allDevices: readonly { device: Device; available: boolean }[] = [
  { device: 'cpu', available: true },
  { device: 'webgpu', available: webgpuUnavailableReason === null },
];

/** The dtypes a device is tested in: WebGPU has no float64. */
export function dtypesFor(device: Device): DType[] {
  return device === 'webgpu' ? ['float32'] : ['float64', 'float32'];
}

/** The suite name of a device's tests, with the reason it is skipped where it is. */
export function deviceTitle(what: string, device: Device, available: boolean): string {
  return `${what} on ${device}${available ? '' : ` (${webgpuUnavailableReason})`}`;
}
