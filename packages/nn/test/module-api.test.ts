/**
 * The Module API around the layers: buffers (persistent or not), names, shared submodules,
 * zeroGrad, to(), the strict and non-strict loadStateDict reports, cloneModule's deep copy,
 * the containers (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, Flatten,
 * Unflatten) and the PyTorch-like printout of every layer.
 */
import { ones, randn, ShapeError, type Tensor, tensor, ValueError, zeros } from '@tsgrad/core';
import {
  BatchNorm1d,
  cloneModule,
  ELU,
  Embedding,
  Flatten,
  GELU,
  GRU,
  GRUCell,
  GroupNorm,
  Hardtanh,
  KLDivLoss,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  LSTM,
  LuongAttention,
  MaxPool2d,
  Module,
  ModuleDict,
  ModuleList,
  MSELoss,
  MultiheadAttention,
  Parameter,
  ParameterDict,
  ParameterList,
  ReLU,
  RMSNorm,
  RNN,
  Sequential,
  Softmax,
  Softplus,
  Transformer,
  Unflatten,
} from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

const values = (t: Tensor) => Array.from(t.dataSync());

class WithBuffers extends Module {
  readonly lin = new Linear(2, 2);
  constructor() {
    super();
    this.registerBuffer('steps', zeros([1]));
    this.registerBuffer('cache', ones([2]), false);
  }
}

describe('buffers, names and state dicts', () => {
  test('non-persistent buffers are buffers but stay out of the state dict', () => {
    const m = new WithBuffers();
    expect([...m.namedBuffers()].map(([k]) => k)).toEqual(['steps', 'cache']);
    expect(m.buffers()).toHaveLength(2);
    expect(Object.keys(m.stateDict())).toEqual(['steps', 'lin.weight', 'lin.bias']); // own state first, as PyTorch
    // Registering again flips persistence.
    m.registerBuffer('cache', ones([2]));
    expect(Object.keys(m.stateDict())).toContain('cache');
    m.registerBuffer('steps', null, false);
    expect(Object.keys(m.stateDict())).not.toContain('steps');
  });

  test('loadStateDict: a non-persistent buffer is neither expected nor filled', () => {
    const m = new WithBuffers();
    const sd = { ...new WithBuffers().stateDict(), steps: tensor([5]) };
    expect(m.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(values((m as unknown as { steps: Tensor }).steps)).toEqual([5]);
    expect(() => m.loadStateDict({ ...sd, cache: zeros([2]) })).toThrow(
      "loadStateDict: unexpected keys: 'cache'",
    );
  });

  test('strict loading lists missing and unexpected keys; non-strict loading reports them', () => {
    const m = new Sequential(new Linear(2, 1), new Linear(1, 1));
    const sd = m.stateDict();
    const partial = { '0.weight': sd['0.weight']!, extra: zeros([1]) };
    expect(() => m.loadStateDict(partial)).toThrow(
      "loadStateDict: missing keys: '0.bias', '1.weight', '1.bias'; unexpected keys: 'extra'",
    );
    expect(() => m.loadStateDict({ ...sd, extra: zeros([1]) })).toThrow(
      /^loadStateDict: unexpected keys: 'extra'$/,
    );
    expect(m.loadStateDict({ '0.bias': tensor([3]) }, { strict: false })).toEqual({
      missingKeys: ['0.weight', '1.weight', '1.bias'],
      unexpectedKeys: [],
    });
    expect(values((m.at(0) as Linear).bias!)).toEqual([3]);
    expect(() => m.loadStateDict(null as never)).toThrow('expected an object of tensors by name, got null');
    expect(() => m.loadStateDict(new Map() as never)).toThrow('got a Map (pass Object.fromEntries(map))');
    expect(() => m.loadStateDict([] as never)).toThrow('got an array');
  });

  test('names must be non-empty, dot-free and not reserved; a Parameter is not a buffer', () => {
    const m = new Module();
    expect(() => m.registerBuffer('', zeros([1]))).toThrow("Module: invalid name '' (non-empty, no dots)");
    expect(() => m.registerBuffer('a.b', zeros([1]))).toThrow("invalid name 'a.b'");
    expect(() => m.registerBuffer('training', zeros([1]))).toThrow("Module: 'training' is reserved");
    expect(() => m.registerBuffer('w', new Parameter(zeros([1])))).toThrow(
      "registerBuffer: 'w' is a Parameter; use registerParameter",
    );
    expect(() => m.forward()).toThrow('Module.forward: not implemented');
  });

  test('a submodule registered twice is visited once', () => {
    const shared = new Linear(2, 2);
    const m = new Sequential(shared, new ReLU(), shared);
    expect([...m.namedModules()].map(([k]) => k)).toEqual(['', '0', '1']);
    expect(m.parameters()).toHaveLength(2);
  });

  test('zeroGrad clears gradients, or zeroes them in place with setToNone false', () => {
    const m = new Linear(2, 1);
    m.forward(ones([1, 2]))
      .sum()
      .backward();
    const g = m.weight.grad!;
    m.zeroGrad(false);
    expect(m.weight.grad).toBe(g);
    expect(values(g)).toEqual([0, 0]);
    m.zeroGrad();
    expect(m.weight.grad).toBeNull();
    m.zeroGrad(false); // no gradients: nothing to do
    expect(m.bias!.grad).toBeNull();
  });

  test('to() keeps the parameter objects and converts floating buffers only', () => {
    const bn = new BatchNorm1d(2);
    const w = bn.weight!;
    bn.to('float64');
    expect(bn.weight).toBe(w);
    expect([w.dtype, bn.running_mean!.dtype, bn.num_batches_tracked!.dtype]).toEqual([
      'float64',
      'float64',
      'int32',
    ]);
    bn.to('cpu');
    expect(values(bn.weight!)).toEqual([1, 1]);
  });
});

describe('cloneModule', () => {
  test('copies parameters and buffers into new storage, keeping settings and sharing', () => {
    const bn = new BatchNorm1d(2, { momentum: 0.5 });
    bn.forward(
      tensor([
        [1, 2],
        [3, 6],
      ]),
    );
    const shared = new Linear(2, 2);
    const model = new Sequential(bn, shared, new ReLU(), shared);
    const copy = cloneModule(model);
    const bn2 = copy.at(0) as BatchNorm1d;
    expect(bn2).not.toBe(bn);
    expect(bn2).toBeInstanceOf(BatchNorm1d);
    expect(bn2.momentum).toBe(0.5);
    expect(values(bn2.running_mean!)).toEqual(values(bn.running_mean!));
    expect(bn2.running_mean).not.toBe(bn.running_mean);
    bn2.running_mean!.add_(1);
    expect(values(bn.running_mean!)).toEqual([1, 2]);
    expect(copy.at(1)).toBe(copy.at(3));
    expect(copy.at(1)).not.toBe(shared);
    expect((copy.at(1) as Linear).weight).toBeInstanceOf(Parameter);
    expect(values((copy.at(1) as Linear).weight)).toEqual(values(shared.weight));
  });

  test('copies plain options, maps and sets, and keeps other objects by reference', () => {
    class Holder extends Module {
      opts = { stride: [2, 1], nested: { k: 3 } };
      table = new Map([['t', tensor([1, 2])]]);
      tags = new Set(['a']);
      when = new Date(0);
    }
    const h = new Holder();
    const c = cloneModule(h);
    expect(c.opts).toEqual(h.opts);
    expect(c.opts).not.toBe(h.opts);
    expect(c.opts.stride).not.toBe(h.opts.stride);
    expect(values(c.table.get('t')!)).toEqual([1, 2]);
    expect(c.table.get('t')).not.toBe(h.table.get('t'));
    expect(c.tags).toEqual(new Set(['a']));
    expect(c.tags).not.toBe(h.tags);
    expect(c.when).toBe(h.when);
    const pool = cloneModule(new MaxPool2d(3, { stride: 2 }));
    expect(pool.options).toEqual({ stride: 2 });
  });
});

describe('containers', () => {
  test('Sequential: length, at (negative from the end), append, iteration', () => {
    const a = new ReLU();
    const b = new Linear(2, 2);
    const s = new Sequential(a);
    expect(s.append(b)).toBe(s);
    expect(s.length).toBe(2);
    expect([s.at(0), s.at(1), s.at(-1), s.at(-2)]).toEqual([a, b, b, a]);
    expect(() => s.at(-3)).toThrow('Sequential.at: index -3 out of range for 2 modules');
    expect([...s]).toEqual([a, b]);
    expect(Object.keys(s.stateDict())).toEqual(['1.weight', '1.bias']);
  });

  test('ModuleList.at and ModuleDict lookups', () => {
    const l = new ModuleList([new ReLU(), new GELU()]);
    expect(l.at(-1)).toBeInstanceOf(GELU);
    expect(() => l.at(2)).toThrow('ModuleList.at: index 2 out of range for 2 modules');
    const d = new ModuleDict({ cls: new Linear(2, 3), act: new ReLU() });
    expect([d.has('cls'), d.has('reg')]).toEqual([true, false]);
    expect(d.keys()).toEqual(['cls', 'act']);
    expect(d.entries().map(([k, m]) => [k, m.constructor.name])).toEqual([
      ['cls', 'Linear'],
      ['act', 'ReLU'],
    ]);
  });

  test('ParameterList and ParameterDict wrap tensors and print their shapes', () => {
    const p = new Parameter(zeros([2]));
    const l = new ParameterList([p, ones([3, 1])]);
    expect(l.at(0)).toBe(p);
    expect(l.at(1)).toBeInstanceOf(Parameter);
    expect(l.toString()).toBe('ParameterList(\n  (0): Parameter [2]\n  (1): Parameter [3,1]\n)');
    const d = new ParameterDict({ scale: ones([2]), shift: zeros([2]) });
    expect(d.length).toBe(2);
    expect(d.entries().map(([k]) => k)).toEqual(['scale', 'shift']);
  });

  test('Flatten and Unflatten are inverses over a range of dims', () => {
    const x = randn([2, 3, 4, 5]);
    const f = new Flatten(1, 2);
    expect(f.forward(x).shape).toEqual([2, 12, 5]);
    expect(new Flatten().forward(x).shape).toEqual([2, 60]);
    const u = new Unflatten(-2, [3, 4]);
    expect(u.forward(f.forward(x)).toArraySync()).toEqual(x.toArraySync());
    expect(f.toString()).toBe('Flatten(startDim=1, endDim=2)');
    expect(u.toString()).toBe('Unflatten(dim=-2, unflattenedSize=[3,4])');
    expect(() => new Unflatten(-4, [3, 4]).forward(zeros([2, 12]))).toThrow(ShapeError);
  });
});

test('every layer prints its settings as PyTorch prints them', () => {
  const model = new Sequential(
    new Linear(4, 3, { bias: false }),
    new LeakyReLU(0.2),
    new ELU(0.5),
    new Softplus(2, 10),
    new Softmax(1),
    new LogSoftmax(0),
    new Hardtanh(-2, 2),
    new Embedding(5, 2, { paddingIdx: 0 }),
    new BatchNorm1d(3, { momentum: null, affine: false }),
    new GroupNorm(1, 4, { affine: false }),
    new LayerNorm([2, 3], { elementwiseAffine: false }),
    new RMSNorm(3),
    new RNN(2, 3, {
      numLayers: 2,
      nonlinearity: 'relu',
      bias: false,
      batchFirst: true,
      dropout: 0.1,
      bidirectional: true,
    }),
    new GRUCell(2, 3, { bias: false }),
    new LuongAttention(3, 'general'),
    new MultiheadAttention(4, 2, { dropout: 0.1, kdim: 3, vdim: 5 }),
    new MSELoss({ reduction: 'sum' }),
    new KLDivLoss({ reduction: 'batchmean', logTarget: true }),
  );
  expect(model.toString().split('\n')).toEqual([
    'Sequential(',
    '  (0): Linear(inFeatures=4, outFeatures=3, bias=false)',
    '  (1): LeakyReLU(negativeSlope=0.2)',
    '  (2): ELU(alpha=0.5)',
    '  (3): Softplus(beta=2, threshold=10)',
    '  (4): Softmax(dim=1)',
    '  (5): LogSoftmax(dim=0)',
    '  (6): Hardtanh(minVal=-2, maxVal=2)',
    '  (7): Embedding(5, 2, paddingIdx=0)',
    '  (8): BatchNorm1d(3, eps=0.00001, momentum=null, affine=false, trackRunningStats=true)',
    '  (9): GroupNorm(1, 4, eps=0.00001, affine=false)',
    '  (10): LayerNorm([2, 3], eps=0.00001, elementwiseAffine=false)',
    '  (11): RMSNorm([3], eps=null, elementwiseAffine=true)',
    "  (12): RNN(2, 3, numLayers=2, nonlinearity='relu', bias=false, batchFirst=true, dropout=0.1, bidirectional=true)",
    '  (13): GRUCell(2, 3, bias=false)',
    '  (14): LuongAttention(',
    "    3, method='general'",
    '    (W): Linear(inFeatures=3, outFeatures=3, bias=false)',
    '  )',
    '  (15): MultiheadAttention(',
    '    embedDim=4, numHeads=2, kdim=3, vdim=5, dropout=0.1',
    '    (out_proj): Linear(inFeatures=4, outFeatures=4, bias=true)',
    '  )',
    "  (16): MSELoss(reduction='sum')",
    "  (17): KLDivLoss(reduction='batchmean', logTarget=true)",
    ')',
  ]);
  expect(new LSTM(2, 3).toString()).toBe('LSTM(2, 3)');
  expect(new GRU(2, 3, { numLayers: 3 }).toString()).toBe('GRU(2, 3, numLayers=3)');
  expect(
    new Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 8,
      batchFirst: true,
    }).extraRepr(),
  ).toBe('dModel=8, nhead=2, batchFirst=true');
  expect(new MultiheadAttention(4, 2).extraRepr()).toBe('embedDim=4, numHeads=2');
});

test('ValueError is what bad container indices throw', () => {
  expect(() => new ParameterList().at(0)).toThrow(ValueError);
});
