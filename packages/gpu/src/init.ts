/**
 * Acquiring a WebGPU device: in browsers from `navigator.gpu`, in Node from the `webgpu`
 * package (Dawn). The device is opened once, with the adapter's own limits (the defaults cap
 * a storage binding at 128 MiB), and registered with core as the `'webgpu'` backend.
 */
import { DeviceError, registerBackend } from '@tsgrad/core';
// The WebGPU type declarations (GPUDevice …) come with the `webgpu` package.
import type {} from 'webgpu';
import { WebGPUBackend, type WebGPUBackendOptions } from './backend.js';

/**
 * Options of {@link initWebGPU}.
 *
 * @example
 * ```ts
 * await initWebGPU({ powerPreference: 'low-power' });
 * ```
 */
export interface WebGPUOptions extends WebGPUBackendOptions {
  /** Adapter preference passed to `requestAdapter` (default `'high-performance'`). */
  powerPreference?: GPUPowerPreference;
  /** A `GPU` object to use instead of `navigator.gpu` or the `webgpu` package's. */
  gpu?: GPU;
  /** Dawn toggles for the `webgpu` package's `create()` in Node, e.g. `['backend=vulkan']`. */
  dawnOptions?: string[];
}

const LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  // Alignments are better when smaller: parameter slots pack tighter.
  'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment',
] as const;

// The `webgpu` package frees Dawn's instance when the object create() returned is garbage
// collected, and any device made from it then crashes the process: keep it for good.
let nodeGpu: GPU | undefined;
let active: WebGPUBackend | undefined;
let pending: Promise<WebGPUBackend> | undefined;

const INSTALL_HINT =
  'In Node, WebGPU runs on Vulkan: install a Vulkan driver — on a machine without a GPU, ' +
  "Mesa's lavapipe (Debian 12: `apt-get install libvulkan1` and " +
  '`apt-get install -t bookworm-backports mesa-vulkan-drivers`, or run scripts/install-system-deps.sh). ' +
  'In a browser, use one with WebGPU enabled and serve the page over https or from http://localhost.';

async function loadNodeGpu(dawnOptions: string[]): Promise<GPU | undefined> {
  if (nodeGpu !== undefined) return nodeGpu;
  // Kept out of bundlers' sight: browsers take navigator.gpu and never reach this import.
  const name = 'webgpu';
  const mod = (await import(/* @vite-ignore */ name)) as { create(o: string[]): GPU; globals: object };
  if (typeof (globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage === 'undefined') {
    Object.assign(globalThis, mod.globals);
  }
  nodeGpu = mod.create(dawnOptions);
  return nodeGpu;
}

async function findGpu(options: WebGPUOptions): Promise<GPU | undefined> {
  if (options.gpu !== undefined) return options.gpu;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu !== undefined) return nav.gpu;
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  if (!isNode) return undefined;
  return loadNodeGpu(options.dawnOptions ?? []);
}

async function requestAdapter(options: WebGPUOptions): Promise<GPUAdapter> {
  let gpu: GPU | undefined;
  try {
    gpu = await findGpu(options);
  } catch (e) {
    throw new DeviceError(
      `initWebGPU: could not load the 'webgpu' package (${(e as Error).message}). ${INSTALL_HINT}`,
    );
  }
  if (gpu === undefined) throw new DeviceError(`initWebGPU: this environment has no WebGPU. ${INSTALL_HINT}`);
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? 'high-performance',
  });
  if (adapter === null) throw new DeviceError(`initWebGPU: no WebGPU adapter was found. ${INSTALL_HINT}`);
  return adapter;
}

async function open(options: WebGPUOptions): Promise<WebGPUBackend> {
  const adapter = await requestAdapter(options);
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS) {
    const v = adapter.limits[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    throw new DeviceError(`initWebGPU: the adapter refused to open a device (${(e as Error).message})`);
  }
  const info = (adapter as { info?: GPUAdapterInfo }).info ?? null;
  const backend = new WebGPUBackend(device, options, info);
  void device.lost.then(() => {
    if (active === backend) active = undefined;
  });
  return backend;
}

/**
 * Opens a WebGPU device and registers it as the `'webgpu'` backend, so that tensors can be
 * made with `{ device: 'webgpu' }` or moved with `t.to('webgpu')`. Later calls return the same
 * backend. Throws a `DeviceError` saying what to install when no adapter is found.
 *
 * @example
 * ```ts
 * await initWebGPU();
 * const x = tensor([1, 2, 3], { device: 'webgpu' });
 * await x.mul(2).data(); // Float32Array [2, 4, 6]
 * ```
 */
export async function initWebGPU(options: WebGPUOptions = {}): Promise<WebGPUBackend> {
  if (active !== undefined) return active;
  if (pending === undefined) {
    pending = open(options).then(
      (b) => {
        active = b;
        registerBackend('webgpu', b);
        pending = undefined;
        return b;
      },
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
  }
  return pending;
}

let availability: Promise<boolean> | undefined;

/**
 * Whether a WebGPU adapter can be had here (the result is remembered). Never throws: use it
 * to skip GPU tests on machines without a driver.
 *
 * @example
 * ```ts
 * if (await isWebGPUAvailable()) await initWebGPU();
 * ```
 */
export function isWebGPUAvailable(): Promise<boolean> {
  availability ??= (async () => {
    if (active !== undefined) return true;
    try {
      await requestAdapter({});
      return true;
    } catch {
      return false;
    }
  })();
  return availability;
}
