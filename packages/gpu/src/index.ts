/**
 * `@tsgrad/gpu`: the WebGPU backend for tsgrad. Call `await initWebGPU()` once, then create
 * tensors with `{ device: 'webgpu' }` or move them with `t.to('webgpu')`.
 *
 * @example
 * ```ts
 * import { initWebGPU } from '@tsgrad/gpu';
 * await initWebGPU();
 * ```
 *
 * @packageDocumentation
 * @module @tsgrad/gpu
 */
export { WebGPUBackend, type WebGPUBackendOptions, type WebGPUStats } from './backend.js';
export { initWebGPU, isWebGPUAvailable, type WebGPUOptions } from './init.js';
export {
  MATMUL_CONFIGS,
  type MajorOrder,
  type MatmulConfig,
  type MatmulConfigName,
  matmulWorkgroupBytes,
} from './kernels/matmul.js';
