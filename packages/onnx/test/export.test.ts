import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, randint, randn, type Tensor } from '@tsgrad/core';
import {
  AvgPool2d,
  BatchNorm1d,
  Conv1d,
  Conv2d,
  Dropout,
  Embedding,
  Flatten,
  GELU,
  GRU,
  LayerNorm,
  Linear,
  LSTM,
  MaxPool1d,
  MaxPool2d,
  Module,
  MultiheadAttention,
  ReLU,
  RNN,
  Sequential,
  Sigmoid,
  Tanh,
  TransformerEncoderLayer,
} from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';
import {
  type ExportableModel,
  exportOnnx,
  OnnxExportError,
  type OnnxExportOptions,
  saveOnnx,
} from '../src/index.js';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const ortType = { float32: 'float32', int32: 'int32', bool: 'bool', float64: 'float64' } as const;

async function runOrt(bytes: Uint8Array, names: string[], inputs: Tensor[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
  inputs.forEach((x, i) => {
    feeds[names[i]!] = new ort.Tensor(ortType[x.dtype], x.dataSync() as Float32Array, [...x.shape]);
  });
  const out = await session.run(feeds);
  return session.outputNames.map((n) => out[n]!.data as Float32Array);
}

function outputsOf(model: ExportableModel, inputs: Tensor[]): Tensor[] {
  const r = model.forward(...inputs);
  return Array.isArray(r) ? [...(r as Tensor[])] : [r as Tensor];
}

function expectClose(actual: ArrayLike<number>, expected: Tensor): void {
  const e = expected.dataSync();
  expect(actual.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const tol = 1e-5 * Math.abs(e[i]!) + 1e-5;
    if (!(Math.abs(actual[i]! - e[i]!) <= tol))
      throw new Error(`element ${i}: onnxruntime ${actual[i]} vs tsgrad ${e[i]} (tolerance ${tol})`);
  }
}

/** Exports on `example`, then runs each input set in ONNX Runtime and compares with tsgrad. */
async function check(
  model: ExportableModel,
  example: Tensor[],
  others: Tensor[][],
  options: OnnxExportOptions = {},
): Promise<Uint8Array> {
  const bytes = exportOnnx(model, example, options);
  const names = example.map((_, i) => options.inputNames?.[i] ?? `input_${i}`);
  for (const inputs of [example, ...others]) {
    const got = await runOrt(bytes, names, inputs);
    const want = outputsOf(model, inputs);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => {
      expectClose(got[i]!, w);
    });
  }
  return bytes;
}

const batch = (name = 'input_0'): OnnxExportOptions => ({ dynamicAxes: { [name]: { 0: 'batch' } } });

class Fn extends Module {
  constructor(
    readonly inner: Module,
    readonly f: (m: Module, ...xs: Tensor[]) => Tensor | Tensor[],
  ) {
    super();
  }
  override forward(...xs: Tensor[]): Tensor | Tensor[] {
    return this.f(this.inner, ...xs);
  }
}

describe('exportOnnx runs in onnxruntime-node', () => {
  it('MLPs with ReLU, GELU, tanh and sigmoid, with a dynamic batch', async () => {
    manualSeed(1);
    for (const act of [new ReLU(), new GELU(), new Tanh(), new Sigmoid()]) {
      const m = new Sequential(new Linear(4, 8), act, new Linear(8, 3)).eval();
      await check(m, [randn([2, 4])], [[randn([5, 4])]], batch());
    }
  });

  it('LayerNorm, BatchNorm (eval) and Dropout (eval)', async () => {
    manualSeed(2);
    const bn = new BatchNorm1d(6);
    bn.train();
    bn.forward(randn([16, 6]).mul(3).add(1));
    const m = new Sequential(
      new Linear(5, 6),
      bn,
      new Dropout(0.3),
      new LayerNorm(6),
      new Linear(6, 2),
    ).eval();
    await check(m, [randn([3, 5])], [[randn([7, 5])]], batch());
  });

  it('Embedding with int32 ids, dynamic batch and sequence', async () => {
    manualSeed(3);
    const m = new Sequential(new Embedding(10, 4), new Linear(4, 2)).eval();
    const ids = (b: number, s: number) => randint(0, 10, [b, s], { dtype: 'int32' });
    await check(m, [ids(2, 3)], [[ids(4, 5)]], { dynamicAxes: { input_0: { 0: 'batch', 1: 'seq' } } });
  });

  it('Conv2d with max and average pooling and Flatten; Conv1d with max pooling', async () => {
    manualSeed(8);
    const cnn = new Sequential(
      new Conv2d(2, 3, 3, { padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(3, 4, 3, { stride: 2 }),
      new AvgPool2d(2),
      new Flatten(),
      new Linear(4, 2),
    ).eval();
    await check(cnn, [randn([2, 2, 12, 12])], [[randn([3, 2, 12, 12])]], batch());
    const c1 = new Sequential(
      new Conv1d(3, 4, 3, { padding: 1 }),
      new Tanh(),
      new MaxPool1d(2),
      new Flatten(),
    ).eval();
    await check(c1, [randn([2, 3, 8])], [[randn([5, 3, 8])]], batch());
  });

  it('softmax and log-softmax', async () => {
    manualSeed(4);
    const m = new Fn(new Linear(4, 5), (l, x) => {
      const h = l.forward(x!) as Tensor;
      return [h.softmax(-1), h.logSoftmax(1)];
    });
    await check(m, [randn([2, 4])], [[randn([6, 4])]], batch());
  });

  it('RNN, LSTM and GRU (two layers, batch first): fixed length, dynamic batch', async () => {
    manualSeed(5);
    for (const rnn of [
      new RNN(3, 4, { numLayers: 2, batchFirst: true }),
      new LSTM(3, 4, { numLayers: 2, batchFirst: true }),
      new GRU(3, 4, { numLayers: 2, batchFirst: true }),
    ]) {
      const m = new Fn(rnn, (r, x) => (r.forward(x!) as [Tensor, unknown])[0]);
      await check(m, [randn([2, 5, 3])], [[randn([3, 5, 3])]], batch());
    }
  });

  it('MultiheadAttention and a TransformerEncoderLayer', async () => {
    manualSeed(6);
    const mha = new MultiheadAttention(8, 2, { batchFirst: true }).eval();
    const m = new Fn(mha, (a, x) => (a.forward(x!, x!, x!) as [Tensor, Tensor | null])[0]);
    await check(m, [randn([2, 4, 8])], [[randn([3, 4, 8])]], batch());
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }).eval();
    await check(layer, [randn([2, 4, 8])], [[randn([3, 4, 8])]], batch());
  });

  it('a tiny GPT: token and position embeddings, causal encoder layers, a linear head', async () => {
    manualSeed(7);
    const V = 11;
    const T = 5;
    class TinyGPT extends Module {
      tok = new Embedding(V, 8);
      pos = new Embedding(T, 8);
      block = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, normFirst: true });
      head = new Linear(8, V);
      override forward(ids: Tensor): Tensor {
        const positions = [...Array(ids.shape[1]!).keys()];
        const h = this.tok.forward(ids).add(this.pos.forward(positions));
        return this.head.forward(this.block.forward(h, { isCausal: true }));
      }
    }
    const m = new TinyGPT().eval();
    const ids = (b: number) => randint(0, V, [b, T], { dtype: 'int32' });
    await check(m, [ids(2)], [[ids(3)]], { ...batch('ids'), inputNames: ['ids'], outputNames: ['logits'] });
  });

  it('saveOnnx writes the same bytes to a file', async () => {
    const m = new Sequential(new Linear(2, 2)).eval();
    const x = randn([1, 2]);
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-onnx-'));
    try {
      const path = join(dir, 'm.onnx');
      await saveOnnx(path, m, [x]);
      expect(new Uint8Array(readFileSync(path))).toEqual(exportOnnx(m, [x]));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('an op without an ONNX mapping is named in the error', () => {
    const m = new Fn(new Linear(3, 3), (l, x) => (l.forward(x!) as Tensor).cumsum(1));
    expect(() => exportOnnx(m, [randn([2, 3])])).toThrow(OnnxExportError);
    expect(() => exportOnnx(m, [randn([2, 3])])).toThrow(/op 'cumsum' has no ONNX mapping/);
  });
});
