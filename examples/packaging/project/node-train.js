// `node node-train.js cpu|webgpu`: trains and prints one JSON line { device, losses } (or
// { device, skipped } where WebGPU has no adapter); on the CPU it also exports the trained
// model to ONNX and reports the size as `onnxBytes`.
import { tensor } from '@tsgrad/core';
import { initWebGPU, isWebGPUAvailable } from '@tsgrad/gpu';
import { exportOnnx } from '@tsgrad/onnx';
import { train } from './train.js';

const device = process.argv[2] ?? 'cpu';
if (device === 'webgpu') {
  if (!(await isWebGPUAvailable())) {
    console.log(JSON.stringify({ device, skipped: 'no WebGPU adapter in Node (no Vulkan driver?)' }));
    process.exit(0);
  }
  await initWebGPU();
}
const { model, losses } = await train(device);
const onnxBytes = device === 'cpu' ? exportOnnx(model.eval(), [tensor([[0, 1]])]).length : undefined;
console.log(JSON.stringify({ device, losses, onnxBytes }));
// Dawn keeps the event loop alive while its device is open.
process.exit(0);
