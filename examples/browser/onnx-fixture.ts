/**
 * A small model for the onnxruntime-web test, exported by `@tsgrad/onnx`: a seeded MLP
 * (Linear → ReLU → Linear → Tanh), input `x` `[batch, 4]` with a dynamic batch axis, output `y`.
 */
import { manualSeed, randn } from '@tsgrad/core';
import { Linear, ReLU, Sequential, Tanh } from '@tsgrad/nn';
import { exportOnnx } from '@tsgrad/onnx';

/** The seeded model, its ONNX bytes (traced on a batch of 3), an input batch and tsgrad's output for it. */
export async function smallMlpFixture(batch = 5): Promise<{
  onnx: Uint8Array;
  input: { data: Float32Array; dims: number[] };
  expected: { data: Float32Array; dims: number[] };
}> {
  manualSeed(0);
  const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3), new Tanh());
  model.eval();
  const onnx = await exportOnnx(model, [randn([3, 4])], {
    inputNames: ['x'],
    outputNames: ['y'],
    dynamicAxes: { x: { 0: 'batch' } },
  });
  const x = randn([batch, 4]);
  const y = model.forward(x);
  return {
    onnx,
    input: { data: (await x.data()) as Float32Array, dims: x.shape.slice() },
    expected: { data: (await y.data()) as Float32Array, dims: y.shape.slice() },
  };
}
