/** The examples' `--device cpu|webgpu` flag: checks it and starts WebGPU when asked. */
import type { Device } from '@tsgrad/core';

/** Returns the device named by `--device`, after starting WebGPU for `webgpu`; exits on a bad name or no adapter. */
export async function startDevice(name: string, usage: string): Promise<Device> {
  if (name !== 'cpu' && name !== 'webgpu') {
    console.error(`--device must be cpu or webgpu, got '${name}'\n${usage}`);
    process.exit(2);
  }
  if (name === 'webgpu') {
    const { initWebGPU } = await import('@tsgrad/gpu');
    try {
      await initWebGPU();
    } catch (e) {
      console.error(`--device webgpu: no WebGPU adapter (${(e as Error).message})`);
      process.exit(1);
    }
  }
  return name;
}
