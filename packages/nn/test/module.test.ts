/**
 * Module machinery: names and order, state dicts, modes, device/dtype moves, printing.
 */
import {
  DeviceError,
  getBackend,
  manualSeed,
  ones,
  randn,
  registerBackend,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d,
  Dropout,
  Embedding,
  GELU,
  GRU,
  LayerNorm,
  Linear,
  LSTM,
  MLP,
  Module,
  ModuleDict,
  ModuleList,
  MultiheadAttention,
  Parameter,
  ReLU,
  Sequential,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '../src/index.js';

const names = (m: Module) => [...m.namedParameters()].map(([n]) => n);
const count = (m: Module) => m.parameters().reduce((s, p) => s + p.numel, 0);

class Net extends Module {
  fc1 = new Linear(4, 8);
  act = new ReLU();
  blocks = new ModuleList([new Linear(8, 8), new LayerNorm([8])]);
  scale = new Parameter(ones([1]));
  fc2 = new Linear(8, 2);
  override forward(x: Tensor): Tensor {
    let h = this.act.forward(this.fc1.forward(x));
    for (const b of this.blocks) h = b.forward(h);
    return this.fc2.forward(h.mul(this.scale));
  }
}

describe('Module', () => {
  it('names parameters as PyTorch, own parameters before submodules', () => {
    expect(names(new Net())).toEqual([
      'scale',
      'fc1.weight',
      'fc1.bias',
      'blocks.0.weight',
      'blocks.0.bias',
      'blocks.1.weight',
      'blocks.1.bias',
      'fc2.weight',
      'fc2.bias',
    ]);
    expect(names(new LSTM(3, 4, { numLayers: 2, bidirectional: true })).slice(0, 8)).toEqual([
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l0_reverse',
      'weight_hh_l0_reverse',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
    ]);
    expect(names(new MultiheadAttention(8, 2))).toEqual([
      'in_proj_weight',
      'in_proj_bias',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    const enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2);
    expect(names(enc)).toContain('layers.1.linear1.bias');
    expect(names(enc).slice(0, 6)).toEqual([
      'layers.0.self_attn.in_proj_weight',
      'layers.0.self_attn.in_proj_bias',
      'layers.0.self_attn.out_proj.weight',
      'layers.0.self_attn.out_proj.bias',
      'layers.0.linear1.weight',
      'layers.0.linear1.bias',
    ]);
    expect(Object.keys(new BatchNorm1d(3).stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
  });

  it('new MLP([784, 256, 128, 10]) has 235,146 parameters', () => {
    const m = new MLP([784, 256, 128, 10]);
    expect(count(m)).toBe(235146);
    expect(names(m)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    expect(names(new MLP([4, 8, 2], { dropout: 0.5, activation: 'gelu' }))).toEqual([
      '0.weight',
      '0.bias',
      '3.weight',
      '3.bias',
    ]);
  });

  it('TransformerEncoder layers start as identical, independent copies', () => {
    const enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2);
    const sd = enc.stateDict();
    expect(Array.from(sd['layers.0.linear1.weight']!.dataSync())).toEqual(
      Array.from(sd['layers.1.linear1.weight']!.dataSync()),
    );
    expect(sd['layers.0.linear1.weight']).not.toBe(sd['layers.1.linear1.weight']);
    const p0 = enc.layers.at(0).linear1.weight;
    expect(p0).not.toBe(enc.layers.at(1).linear1.weight);
  });

  it('stateDict round-trips; loadStateDict checks keys and shapes', () => {
    manualSeed(0);
    const a = new Net();
    const b = new Net();
    b.loadStateDict(a.stateDict());
    const x = randn([3, 4]);
    expect(Array.from(b.forward(x).dataSync())).toEqual(Array.from(a.forward(x).dataSync()));
    const sd = a.stateDict();
    const bad = { ...sd, 'fc1.weight': zeros([8, 5]) };
    expect(() => b.loadStateDict(bad)).toThrow(ShapeError);
    expect(() => b.loadStateDict(bad)).toThrow(/'fc1.weight': checkpoint has \[8,5\], model has \[8,4\]/);
    const { 'fc2.bias': _, ...missing } = sd;
    expect(() => b.loadStateDict({ ...missing, extra: zeros([1]) })).toThrow(
      /missing keys: 'fc2.bias'; unexpected keys: 'extra'/,
    );
    expect(b.loadStateDict({ ...missing, extra: zeros([1]) }, { strict: false })).toEqual({
      missingKeys: ['fc2.bias'],
      unexpectedKeys: ['extra'],
    });
  });

  it('train()/eval() reach every submodule', () => {
    const m = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5), new BatchNorm1d(2)));
    m.eval();
    expect([...m.modules()].every((x) => !x.training)).toBe(true);
    m.train();
    expect([...m.modules()].every((x) => x.training)).toBe(true);
  });

  it('to(dtype) keeps the Parameter objects and converts data, buffers and grads', () => {
    const m = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const params = m.parameters();
    const before = Array.from(params[0]!.dataSync());
    params[0]!.grad = ones([2, 3]);
    m.to('float64');
    const after = m.parameters();
    expect(after[0]).toBe(params[0]);
    expect(after.every((p) => p.dtype === 'float64' && p.requiresGrad)).toBe(true);
    expect(Array.from(after[0]!.dataSync())).toEqual(before.map((v) => v));
    expect(params[0]!.grad!.dtype).toBe('float64');
    const bn = m.at(1) as BatchNorm1d;
    expect(bn.running_mean!.dtype).toBe('float64');
    expect(bn.num_batches_tracked!.dtype).toBe('int32');
    const y = m.forward(randn([4, 3], { dtype: 'float64' }));
    expect(y.dtype).toBe('float64');
  });

  it('to(device) moves to any registered device, and names the registered ones otherwise', () => {
    // The CPU kernels under a name nn has never heard of.
    registerBackend('mock', { ...getBackend('cpu') });
    const m = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const params = m.parameters();
    const x = randn([4, 3]);
    const expected = Array.from(m.forward(x).dataSync());
    m.to('mock');
    expect(m.parameters()[0]).toBe(params[0]);
    expect(params.every((p) => p.device === 'mock' && p.requiresGrad)).toBe(true);
    expect((m.at(1) as BatchNorm1d).running_mean!.device).toBe('mock');
    const y = m.forward(x.to('mock'));
    expect(y.device).toBe('mock');
    expect(Array.from(y.dataSync())).toEqual(expected.map((v) => expect.closeTo(v, 5)));
    y.sum().backward();
    expect(params[0]!.grad!.device).toBe('mock');
    expect(() => new Linear(2, 2).to('nope')).toThrow(DeviceError);
    expect(() => new Linear(2, 2).to('nope')).toThrow(
      /Module.to: unknown device 'nope' \(registered: 'cpu', 'mock'/,
    );
  });

  it('zeroGrad, apply, children, ModuleDict', () => {
    const m = new Net();
    m.forward(randn([2, 4]))
      .sum()
      .backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    const seen: string[] = [];
    m.apply((x) => seen.push(x.constructor.name));
    expect(seen.at(-1)).toBe('Net');
    expect(seen).toContain('LayerNorm');
    expect([...m.namedChildren()].map(([n]) => n)).toEqual(['fc1', 'act', 'blocks', 'fc2']);
    const d = new ModuleDict({ a: new Linear(2, 3), b: new Linear(3, 1) });
    expect(names(d)).toEqual(['a.weight', 'a.bias', 'b.weight', 'b.bias']);
    expect(d.get('b').forward(d.get('a').forward(ones([1, 2]))).shape).toEqual([1, 1]);
    expect(() => d.get('c')).toThrow(ValueError);
  });

  it('a shared parameter is listed once', () => {
    const emb = new Embedding(10, 4);
    const head = new Linear(4, 10, { bias: false });
    head.weight = emb.weight;
    const m = new Sequential(emb, head);
    expect(names(m)).toEqual(['0.weight']);
  });

  it('prints like PyTorch', () => {
    const m = new Sequential(new Linear(6, 16), new GELU(), new LayerNorm([16]), new Linear(16, 3));
    expect(m.toString()).toBe(
      [
        'Sequential(',
        '  (0): Linear(inFeatures=6, outFeatures=16, bias=true)',
        "  (1): GELU(approximate='none')",
        '  (2): LayerNorm([16], eps=0.00001, elementwiseAffine=true)',
        '  (3): Linear(inFeatures=16, outFeatures=3, bias=true)',
        ')',
      ].join('\n'),
    );
    expect(new GRU(3, 4, { numLayers: 2 }).toString()).toBe('GRU(3, 4, numLayers=2)');
    expect(new ReLU().toString()).toBe('ReLU()');
  });
});

describe('layers: shapes, options and errors', () => {
  it('RNNs: batchFirst, unbatched input, initial state, errors', () => {
    manualSeed(0);
    const lstm = new LSTM(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
    const [out, [h, c]] = lstm.forward(randn([2, 7, 3]));
    expect(out.shape).toEqual([2, 7, 10]);
    expect(h.shape).toEqual([4, 2, 5]);
    expect(c.shape).toEqual([4, 2, 5]);
    const [o1] = lstm.forward(randn([7, 3]));
    expect(o1.shape).toEqual([7, 10]);
    const gru = new GRU(3, 5);
    const x = randn([4, 2, 3]);
    const h0 = randn([1, 2, 5]);
    const [, hN] = gru.forward(x, h0);
    // The last output of a one-layer unidirectional GRU is hN.
    const [all] = gru.forward(x, h0);
    expect(Array.from(all.narrow(0, 3, 1).dataSync())).toEqual(Array.from(hN.dataSync()));
    expect(() => gru.forward(x, randn([2, 2, 5]))).toThrow(/h0 must have shape \[1,2,5\], got \[2,2,5\]/);
    expect(() => gru.forward(randn([4, 2, 6]))).toThrow(/inputSize 3/);
  });

  it('MultiheadAttention: masks and weights', () => {
    manualSeed(0);
    const mha = new MultiheadAttention(8, 2, { batchFirst: true });
    const x = randn([2, 4, 8]);
    const [y, w] = mha.forward(x, x, x, { isCausal: true });
    expect(y.shape).toEqual([2, 4, 8]);
    const wv = w!.dataSync();
    // Causal: no weight above the diagonal; rows sum to 1.
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < 4; i++) {
        let s = 0;
        for (let j = 0; j < 4; j++) {
          const v = wv[b * 16 + i * 4 + j]!;
          if (j > i) expect(v).toBe(0);
          s += v;
        }
        expect(s).toBeCloseTo(1, 6);
      }
    const kpm = tensor([
      [false, false, true, true],
      [false, false, false, false],
    ]);
    const [, w2] = mha.forward(x, x, x, { keyPaddingMask: kpm, averageAttnWeights: false });
    expect(w2!.shape).toEqual([2, 2, 4, 4]);
    expect(Array.from(w2!.narrow(0, 0, 1).narrow(3, 2, 2).dataSync()).every((v) => v === 0)).toBe(true);
    const [, none] = mha.forward(x, x, x, { needWeights: false });
    expect(none).toBeNull();
    expect(() => new MultiheadAttention(10, 3)).toThrow(/divisible/);
  });

  it('BatchNorm1d tracks batches and handles [N, C, L]', () => {
    const bn = new BatchNorm1d(3);
    bn.forward(randn([4, 3, 5]));
    bn.forward(randn([4, 3]));
    expect(bn.num_batches_tracked!.itemSync()).toBe(2);
    expect(() => bn.forward(randn([4, 2]))).toThrow(/BatchNorm1d: expected input \[N, 3\]/);
  });
});
