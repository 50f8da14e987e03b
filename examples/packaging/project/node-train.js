// `node node-train.js cpu|webgpu`: trains and prints one JSON line { device, losses } (or
// { device, skipped } where WebGPU has no adapter).
import { initWebGPU, isWebGPUAvailable } from '@tsgrad/gpu';
import { train } from './train.js';

const device = process.argv[2] ?? 'cpu';
if (device === 'webgpu') {
  if (!(await isWebGPUAvailable())) {
    console.log(JSON.stringify({ device, skipped: 'no WebGPU adapter in Node (no Vulkan driver?)' }));
    process.exit(0);
  }
  await initWebGPU();
}
const losses = await train(device);
console.log(JSON.stringify({ device, losses }));
// Dawn keeps the event loop alive while its device is open.
process.exit(0);
