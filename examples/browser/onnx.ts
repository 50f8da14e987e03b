/**
 * Runs ONNX models in onnxruntime-web (its WebAssembly build, one thread), for the browser
 * test: `window.runOnnx(model, feeds)` returns the outputs. The runtime's `.wasm` files are
 * served by this example's Vite config at `/ort-wasm/`, so nothing is fetched from elsewhere.
 */
import * as ort from 'onnxruntime-web/wasm';

/** A float32 tensor as plain data, the form that crosses into and out of the page. */
export interface PlainTensor {
  data: number[];
  dims: number[];
}

declare global {
  interface Window {
    runOnnx: (model: number[], feeds: Record<string, PlainTensor>) => Promise<Record<string, PlainTensor>>;
    onnxReady: boolean;
  }
}

ort.env.wasm.wasmPaths = new URL('/ort-wasm/', window.location.href).href;
ort.env.wasm.numThreads = 1;

window.runOnnx = async (model, feeds) => {
  const session = await ort.InferenceSession.create(new Uint8Array(model), { executionProviders: ['wasm'] });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      inputs[name] = new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
    }
    const outputs = await session.run(inputs);
    const result: Record<string, PlainTensor> = {};
    for (const [name, t] of Object.entries(outputs)) {
      result[name] = { data: Array.from(t.data as Float32Array), dims: [...t.dims] };
    }
    return result;
  } finally {
    await session.release();
  }
};
window.onnxReady = true;
document.getElementById('status')!.textContent = 'ready';
