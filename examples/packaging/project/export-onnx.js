// `node export-onnx.js`: exports a small trained-shape MLP with @tsgrad/onnx and prints one JSON
// line { bytes, head } (the first bytes of the ONNX protobuf).
import { manualSeed, randn } from '@tsgrad/core';
import { Linear, ReLU, Sequential } from '@tsgrad/nn';
import { exportOnnx } from '@tsgrad/onnx';

manualSeed(0);
const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
model.eval();
const bytes = await exportOnnx(model, [randn([3, 4])], {
  inputNames: ['x'],
  dynamicAxes: { x: { 0: 'batch' } },
});
console.log(JSON.stringify({ bytes: bytes.length, head: Array.from(bytes.subarray(0, 2)) }));
