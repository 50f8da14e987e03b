/**
 * Layers against PyTorch: every case of layers.json (forward, input gradient and parameter
 * gradients) in float64 and float32, and the PyTorch-trained MLP from mlp.safetensors.
 */
import { manualSeed, safetensors, type Tensor } from '@tsgrad/core';
import { describe, it } from 'vitest';
import {
  GELU,
  GRU,
  LayerNorm,
  Linear,
  LSTM,
  type Module,
  MultiheadAttention,
  RNN,
  Sequential,
} from '../src/index.js';
import { expectRefClose, fromRef, REF_DIR, type RefTensor, readRef, weightedSum } from './helpers.js';

interface LayerCase {
  name: string;
  module: string;
  config: Record<string, any>;
  params: Record<string, RefTensor>;
  args: RefTensor[];
  out: RefTensor;
  gradOut: RefTensor;
  gradInput: RefTensor;
  paramGrads: Record<string, RefTensor>;
}

function build(c: LayerCase): Module {
  const k = c.config;
  switch (c.module) {
    case 'Linear':
      return new Linear(k.inFeatures, k.outFeatures, k);
    case 'LayerNorm':
      return new LayerNorm(k.normalizedShape, k);
    case 'RNN':
      return new RNN(k.inputSize, k.hiddenSize, k);
    case 'LSTM':
      return new LSTM(k.inputSize, k.hiddenSize, k);
    case 'GRU':
      return new GRU(k.inputSize, k.hiddenSize, k);
    case 'MultiheadAttention':
      return new MultiheadAttention(k.embedDim, k.numHeads, k);
    default:
      throw new Error(`unknown module ${c.module}`);
  }
}

function firstOutput(m: Module, x: Tensor): Tensor {
  // The note of this case says gradInput is taken with x as query, key and value, but its
  // numbers are the gradient through the query alone (the sum over all three is checked by
  // gradcheck in gradcheck.test.ts); so key and value are copies that do not require grad.
  if (m instanceof MultiheadAttention) return m.forward(x, x.detach(), x.detach())[0];
  const y = m.forward(x);
  return Array.isArray(y) ? (y[0] as Tensor) : (y as Tensor);
}

const { cases } = readRef<{ cases: LayerCase[] }>('layers.json');

describe('layers.json', () => {
  for (const c of cases) {
    for (const [dtype, rtol] of [
      ['float64', 1e-10],
      ['float32', 1e-4],
    ] as const) {
      it(`${c.name} (${dtype})`, () => {
        manualSeed(0);
        const m = build(c).to(dtype);
        const params: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(c.params)) params[k] = fromRef(v, dtype);
        m.loadStateDict(params);
        const x = fromRef(c.args[0]!, dtype).requiresGrad_();
        const out = firstOutput(m, x);
        expectRefClose(out, c.out, rtol, 'out');
        weightedSum(out, fromRef(c.gradOut, dtype)).backward();
        expectRefClose(x.grad!, c.gradInput, rtol, 'gradInput');
        const named = Object.fromEntries(m.namedParameters());
        for (const [k, g] of Object.entries(c.paramGrads)) {
          expectRefClose(named[k]!.grad!, g, rtol, `grad of ${k}`);
        }
      });
    }
  }
});

describe('mlp.safetensors (trained and saved by PyTorch)', () => {
  it('loads into the same Sequential and reproduces the output', async () => {
    const mlp = readRef<{ input: RefTensor & { dtype?: string }; output: RefTensor }>('mlp.json');
    const model = new Sequential(new Linear(6, 16), new GELU(), new LayerNorm([16]), new Linear(16, 3));
    model.loadStateDict(await safetensors.load(`${REF_DIR}mlp.safetensors`));
    const x = fromRef({ ...mlp.input, dtype: 'float64' }, 'float32');
    expectRefClose(model.forward(x), { ...mlp.output, dtype: 'float64' }, 1e-5, 'output');
  });
});
