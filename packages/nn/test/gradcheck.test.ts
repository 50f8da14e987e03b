/**
 * Finite-difference gradient checks (float64) of every layer, with respect to the input and
 * every parameter, and of every loss with respect to its input (and target where it is
 * differentiable).
 */
import { manualSeed, rand, randn, type Tensor, tensor } from '@tsgrad/core';
import { gradcheck } from '@tsgrad/core/testing';
import { describe, it } from 'vitest';
import * as F from '../src/functional.js';
import {
  BahdanauAttention,
  BatchNorm1d,
  Dropout,
  ELU,
  Embedding,
  GELU,
  GRU,
  GRUCell,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  LSTM,
  LSTMCell,
  LuongAttention,
  MLP,
  type Module,
  MultiheadAttention,
  PositionalEncoding,
  RNN,
  RNNCell,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Tanh,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
} from '../src/index.js';

/** Sets `path` (dotted) of a module to `t`, returning the previous value. */
function swap(m: Module, path: string, t: Tensor): Tensor {
  const parts = path.split('.');
  let o = m as unknown as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
  const last = parts.at(-1)!;
  const old = o[last] as Tensor;
  o[last] = t;
  return old;
}

/**
 * Checks d(forward)/d(inputs and parameters) of a float64 module. `run` maps the inputs to
 * the output; `seed` re-seeds the generator on each call so dropout masks repeat.
 */
function checkModule(
  name: string,
  m: Module,
  inputs: Tensor[],
  run: (m: Module, xs: Tensor[]) => Tensor,
  seed?: number,
) {
  m.to('float64');
  const named = [...m.namedParameters()];
  const params = named.map(([, p]) => p.detach().clone().requiresGrad_());
  const xs = inputs.map((x) => (x.dtype === 'float64' ? x.requiresGrad_() : x));
  gradcheck(
    (...all: Tensor[]) => {
      if (seed !== undefined) manualSeed(seed);
      const ins = all.slice(0, xs.length);
      const ps = all.slice(xs.length);
      const olds = named.map(([n], i) => swap(m, n, ps[i]!));
      try {
        return run(m, ins);
      } finally {
        named.forEach(([n], i) => {
          swap(m, n, olds[i]!);
        });
      }
    },
    [...xs, ...params],
    { name },
  );
}

const f64 = (shape: number[]) => randn(shape, { dtype: 'float64' });
const fwd = (m: Module, xs: Tensor[]) => m.forward(...xs) as Tensor;
const first = (m: Module, xs: Tensor[]) => (m.forward(...xs) as Tensor[])[0]!;

describe('gradcheck: layers', () => {
  manualSeed(11);
  it('Linear, MLP, activations', () => {
    checkModule('Linear', new Linear(3, 2), [f64([4, 3])], fwd);
    checkModule('MLP', new MLP([3, 4, 2], { activation: 'tanh' }), [f64([2, 3])], fwd);
    for (const a of [
      new ELU(),
      new GELU(),
      new GELU('tanh'),
      new SiLU(),
      new Sigmoid(),
      new Tanh(),
      new Softplus(2),
      new Softmax(1),
      new LogSoftmax(1),
      new LeakyReLU(0.2),
    ]) {
      checkModule(a.constructor.name, a, [f64([3, 4])], fwd);
    }
  });
  it('LayerNorm, BatchNorm1d (train and eval), Dropout, Embedding', () => {
    checkModule('LayerNorm', new LayerNorm([2, 3]), [f64([2, 2, 3])], fwd);
    checkModule('BatchNorm1d', new BatchNorm1d(3), [f64([4, 3, 2])], fwd);
    const bn = new BatchNorm1d(3);
    bn.forward(randn([5, 3]));
    checkModule('BatchNorm1d eval', bn.eval(), [f64([4, 3])], fwd);
    checkModule('Dropout', new Dropout(0.4), [f64([3, 5])], fwd, 5);
    checkModule(
      'Embedding',
      new Embedding(5, 3),
      [
        tensor(
          [
            [0, 1, 4],
            [4, 2, 1],
          ],
          { dtype: 'int32' },
        ),
      ],
      fwd,
    );
  });
  it('RNN, LSTM, GRU (2 layers, bidirectional, initial states) and cells', () => {
    const opts = { numLayers: 2, bidirectional: true };
    checkModule(
      'RNN',
      new RNN(2, 2, { ...opts, nonlinearity: 'relu' }),
      [f64([3, 2, 2]), f64([4, 2, 2])],
      first,
    );
    checkModule('GRU', new GRU(2, 2, { ...opts, batchFirst: true }), [f64([2, 3, 2]), f64([4, 2, 2])], first);
    checkModule(
      'LSTM',
      new LSTM(2, 2, opts),
      [f64([3, 2, 2]), f64([4, 2, 2]), f64([4, 2, 2])],
      (m, [x, h, c]) => {
        const [out, [hN, cN]] = (m as LSTM).forward(x!, [h!, c!]);
        return out.sum().add(hN.mul(cN).sum());
      },
    );
    checkModule('LSTM dropout', new LSTM(2, 2, { numLayers: 2, dropout: 0.5 }), [f64([3, 1, 2])], first, 3);
    checkModule('RNNCell', new RNNCell(3, 2), [f64([2, 3]), f64([2, 2])], fwd);
    checkModule('GRUCell', new GRUCell(3, 2), [f64([2, 3]), f64([2, 2])], fwd);
    checkModule('LSTMCell', new LSTMCell(3, 2), [f64([2, 3]), f64([2, 2]), f64([2, 2])], (m, [x, h, c]) => {
      const [h2, c2] = (m as LSTMCell).forward(x!, [h!, c!]);
      return h2.add(c2.mul(2));
    });
  });
  it('attention layers', () => {
    const kpm = tensor([
      [false, false, true],
      [false, false, false],
    ]);
    for (const method of ['dot', 'general', 'concat'] as const) {
      checkModule(
        `Luong ${method}`,
        new LuongAttention(3, method),
        [f64([2, 3]), f64([2, 3, 3])],
        (m, [q, k]) => {
          const [ctx, w] = (m as LuongAttention).forward(q!, k!, { keyPaddingMask: kpm });
          return ctx.sum().add(w.mul(w).sum());
        },
      );
    }
    checkModule(
      'Bahdanau',
      new BahdanauAttention(2, 3, 4),
      [f64([2, 2]), f64([2, 3, 3])],
      (m, [q, k]) => (m as BahdanauAttention).forward(q!, k!)[0],
    );
    checkModule(
      'MHA self (q = k = v)',
      new MultiheadAttention(4, 2),
      [f64([3, 2, 4])],
      (m, [x]) => (m as MultiheadAttention).forward(x!, x!, x!)[0],
    );
    checkModule(
      'MHA cross, masks, weights',
      new MultiheadAttention(4, 2, { batchFirst: true }),
      [f64([2, 2, 4]), f64([2, 3, 4])],
      (m, [q, kv]) => {
        const [y, w] = (m as MultiheadAttention).forward(q!, kv!, kv!, {
          keyPaddingMask: kpm,
          attnMask: tensor(
            [
              [0, -1, 0.5],
              [0.2, 0, 0],
            ],
            { dtype: 'float64' },
          ),
        });
        return y.sum().add(w!.mul(w!).sum());
      },
    );
  });
  it('transformer layers and positional encoding', () => {
    const o = { dimFeedforward: 6, dropout: 0.2, batchFirst: true };
    checkModule(
      'EncoderLayer',
      new TransformerEncoderLayer(4, 2, o),
      [f64([2, 3, 4])],
      (m, [x]) => (m as TransformerEncoderLayer).forward(x!, { isCausal: true }),
      7,
    );
    checkModule(
      'EncoderLayer normFirst gelu',
      new TransformerEncoderLayer(4, 2, { ...o, normFirst: true, activation: 'gelu' }),
      [f64([2, 3, 4])],
      fwd,
      7,
    );
    checkModule(
      'DecoderLayer',
      new TransformerDecoderLayer(4, 1, o),
      [f64([2, 2, 4]), f64([2, 3, 4])],
      (m, [t, mem]) => (m as TransformerDecoderLayer).forward(t!, mem!, { tgtIsCausal: true }),
      7,
    );
    checkModule(
      'PositionalEncoding',
      new PositionalEncoding(4, { maxLen: 10, dropout: 0.1 }),
      [f64([3, 2, 4])],
      fwd,
      2,
    );
  });
});

describe('gradcheck: losses', () => {
  manualSeed(12);
  const x = () => f64([4, 3]).requiresGrad_();
  const y = () => f64([4, 3]).requiresGrad_();
  const probs = () => rand([4, 3], { dtype: 'float64' }).mul(0.8).add(0.1).requiresGrad_();
  const labels = tensor([0, 2, 1, 2], { dtype: 'int32' });
  const w = tensor([0.3, 1, 2], { dtype: 'float64' });
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`regression and binary losses (${reduction})`, () => {
      gradcheck((a, b) => F.mseLoss(a!, b!, { reduction }), [x(), y()]);
      gradcheck((a, b) => F.l1Loss(a!, b!, { reduction }), [x(), y()]);
      gradcheck((a, b) => F.huberLoss(a!, b!, { reduction, delta: 0.7 }), [x(), y()]);
      gradcheck((a, b) => F.smoothL1Loss(a!, b!, { reduction, beta: 0.7 }), [x(), y()]);
      gradcheck((a, b) => F.bceLoss(a!, b!, { reduction, weight: w }), [probs(), probs()]);
      gradcheck((a, b) => F.bceWithLogitsLoss(a!, b!, { reduction, posWeight: w }), [x(), probs()]);
    });
    it(`classification losses (${reduction})`, () => {
      gradcheck((a) => F.crossEntropyLoss(a!, labels, { reduction, weight: w, labelSmoothing: 0.1 }), [x()]);
      gradcheck(
        (a) => F.crossEntropyLoss(a!, tensor([0, -100, 1, 2], { dtype: 'int32' }), { reduction }),
        [x()],
      );
      gradcheck(
        (a, p) => F.crossEntropyLoss(a!, p!, { reduction, labelSmoothing: 0.2, weight: w }),
        [x(), probs()],
      );
      gradcheck((a) => F.nllLoss(a!.logSoftmax(1), labels, { reduction, weight: w }), [x()]);
    });
  }
});
