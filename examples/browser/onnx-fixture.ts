/**
 * The model for the onnxruntime-web test: a seeded 4 → 8 (GELU) → 3 (tanh) MLP exported with
 * `@tsgrad/onnx` with a dynamic batch axis, and tsgrad's outputs to compare with.
 */
import { manualSeed, randn } from '@tsgrad/core';
import { GELU, Linear, Sequential, Tanh } from '@tsgrad/nn';
import { exportOnnx } from '@tsgrad/onnx';

/** A float32 tensor as plain arrays. */
export interface PlainFloats {
  data: Float32Array;
  dims: number[];
}

/** The exported model (input `x` `[batch, 4]`, output `y` `[batch, 3]`) and a way to get cases. */
export function smallMlpFixture(): {
  onnx: Uint8Array;
  caseOf: (batch: number) => Promise<{ input: PlainFloats; expected: PlainFloats }>;
} {
  manualSeed(0);
  const model = new Sequential(new Linear(4, 8), new GELU(), new Linear(8, 3), new Tanh()).eval();
  const onnx = exportOnnx(model, [randn([3, 4])], {
    inputNames: ['x'],
    outputNames: ['y'],
    dynamicAxes: { x: { 0: 'batch' } },
  });
  return {
    onnx,
    async caseOf(batch) {
      const x = randn([batch, 4]);
      const y = model.call(x);
      return {
        input: { data: (await x.data()) as Float32Array, dims: x.shape.slice() },
        expected: { data: (await y.data()) as Float32Array, dims: y.shape.slice() },
      };
    },
  };
}
