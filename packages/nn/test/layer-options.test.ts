/**
 * Layer options that the reference cases do not reach, each checked against the formula it
 * stands for: batch norm without running statistics and with the cumulative average
 * (momentum null), affine-free norms, instance norm's running statistics, the recurrent cells
 * and layers on unbatched input and with ReLU, pre-norm transformer layers, activations given
 * by name or function, final norms, positional encodings of odd width, multi-head attention
 * masks of every form, and the init helpers.
 */
import { manualSeed, ones, randn, type Tensor, tensor, zeros } from '@tsgrad/core';
import {
  BatchNorm1d,
  Embedding,
  functional as F,
  GRUCell,
  GroupNorm,
  init,
  LayerNorm,
  LSTMCell,
  MLP,
  MultiheadAttention,
  PositionalEncoding,
  RMSNorm,
  RNN,
  RNNCell,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

const values = (t: Tensor) => Array.from(t.dataSync());

function expectClose(a: Tensor, b: Tensor, digits = 5): void {
  expect(a.shape).toEqual(b.shape);
  const bv = values(b);
  values(a).forEach((v, i) => {
    expect(v, `element ${i}`).toBeCloseTo(bv[i]!, digits);
  });
}

describe('batch norm modules', () => {
  const b1 = tensor([
    [1, 4],
    [3, 8],
  ]);
  const b2 = tensor([
    [5, 0],
    [7, 2],
  ]);

  test('momentum null keeps the cumulative average of the batch statistics', () => {
    const bn = new BatchNorm1d(2, { momentum: null });
    bn.forward(b1);
    bn.forward(b2);
    // Means per batch: [2, 6] then [6, 1]; the running mean is their average.
    expect(values(bn.runningMean!)).toEqual([4, 3.5]);
    // Unbiased variances per batch: [2, 8] then [2, 2].
    expect(values(bn.runningVar!)).toEqual([2, 5]);
    expect(values(bn.num_batches_tracked!)).toEqual([2]);
  });

  test('without running statistics it normalises by the batch even in eval, and has no buffers', () => {
    const bn = new BatchNorm1d(2, { trackRunningStats: false, affine: false });
    expect([bn.runningMean, bn.runningVar, bn.num_batches_tracked]).toEqual([null, null, null]);
    expect(bn.parameters()).toHaveLength(0);
    expect(bn.buffers()).toHaveLength(0);
    bn.eval();
    expectClose(bn.forward(b1), F.batchNorm(b1, null, null, { training: true }));
  });

  test('in eval the running statistics are used and not updated', () => {
    const bn = new BatchNorm1d(2);
    bn.forward(b1);
    const mean = values(bn.runningMean!);
    bn.eval();
    const y = bn.forward(b2);
    expect(values(bn.runningMean!)).toEqual(mean);
    expectClose(y, F.batchNorm(b2, bn.runningMean, bn.runningVar, { weight: bn.weight, bias: bn.bias }));
  });
});

test('norms without affine parameters normalise only', () => {
  const x = randn([2, 4, 3]);
  const gn = new GroupNorm(2, 4, { affine: false });
  const ln = new LayerNorm(3, { elementwiseAffine: false });
  const rn = new RMSNorm([4, 3], { elementwiseAffine: false });
  for (const m of [gn, ln, rn]) expect(m.parameters()).toHaveLength(0);
  expectClose(gn.forward(x), F.groupNorm(x, 2));
  expectClose(ln.forward(x), F.layerNorm(x, [3]));
  expectClose(rn.forward(x), F.rmsNorm(x, [4, 3]));
  expect(new LayerNorm([3], { bias: false }).bias).toBeNull();
});

test('instanceNorm: running statistics from the per-instance ones, and normalising by them', () => {
  const x = tensor(
    [
      [
        [1, 3],
        [0, 4],
      ],
      [
        [5, 7],
        [2, 2],
      ],
    ],
    { dtype: 'float64' },
  );
  const rm = zeros([2], { dtype: 'float64' });
  const rv = ones([2], { dtype: 'float64' });
  F.instanceNorm(x, { runningMean: rm, runningVar: rv, momentum: 0.5 });
  // Per-instance means [[2, 2], [6, 2]], unbiased variances [[2, 8], [2, 0]], averaged over N.
  expect(values(rm)).toEqual([0.5 * 4, 0.5 * 2]);
  expect(values(rv)).toEqual([0.5 + 0.5 * 2, 0.5 + 0.5 * 4]);
  const y = F.instanceNorm(x, { runningMean: rm, runningVar: rv, useInputStats: false, eps: 0 });
  expectClose(y, x.sub(rm.reshape([1, 2, 1])).div(rv.reshape([1, 2, 1]).sqrt()), 12);
});

describe('recurrent layers', () => {
  test('cells take unbatched input and state, returning unbatched state', () => {
    manualSeed(0);
    const x = randn([3]);
    const h = randn([4]);
    const c = randn([4]);
    const rnn = new RNNCell(3, 4);
    expectClose(rnn.forward(x, h), rnn.forward(x.unsqueeze(0), h.unsqueeze(0)).squeeze(0), 6);
    expect(rnn.forward(x).shape).toEqual([4]);
    const lstm = new LSTMCell(3, 4);
    const [h1, c1] = lstm.forward(x, [h, c]);
    const [hb, cb] = lstm.forward(x.unsqueeze(0), [h.unsqueeze(0), c.unsqueeze(0)]);
    expectClose(h1, hb.squeeze(0), 6);
    expectClose(c1, cb.squeeze(0), 6);
    expect(lstm.forward(x)[1].shape).toEqual([4]);
    const gru = new GRUCell(3, 4, { bias: false });
    expect(gru.parameters()).toHaveLength(2);
    expectClose(gru.forward(x, h), gru.forward(x.unsqueeze(0), h.unsqueeze(0)).squeeze(0), 6);
  });

  test('RNNCell with ReLU: relu(W_ih x + b_ih + W_hh h + b_hh)', () => {
    manualSeed(1);
    const cell = new RNNCell(2, 3, { nonlinearity: 'relu' });
    const x = randn([5, 2]);
    const h = randn([5, 3]);
    const want = F.linear(x, cell.weight_ih, cell.bias_ih)
      .add(F.linear(h, cell.weight_hh, cell.bias_hh))
      .relu();
    expectClose(cell.forward(x, h), want, 6);
  });

  test('an unbatched RNN takes an unbatched h0 [layers, H] and steps like its cell', () => {
    manualSeed(2);
    const rnn = new RNN(2, 3, { nonlinearity: 'relu' });
    const x = randn([4, 2]);
    const h0 = randn([1, 3]);
    const [out, hN] = rnn.forward(x, h0);
    expect([out.shape, hN.shape]).toEqual([
      [4, 3],
      [1, 3],
    ]);
    const p = Object.fromEntries(rnn.namedParameters());
    let h = h0.squeeze(0);
    for (let t = 0; t < 4; t++) {
      const xt = x.narrow(0, t, 1).squeeze(0);
      h = F.linear(xt, p.weight_ih_l0!, p.bias_ih_l0)
        .add(F.linear(h, p.weight_hh_l0!, p.bias_hh_l0))
        .relu();
      expectClose(out.narrow(0, t, 1).squeeze(0), h, 6);
    }
    expect(() => rnn.forward(x, randn([1, 2, 3]))).toThrow(/h0 must have shape \[1,3\]/);
  });
});

describe('transformer layers', () => {
  test('a pre-norm decoder layer adds each block to the residual: x + f(norm(x))', () => {
    manualSeed(3);
    const layer = new TransformerDecoderLayer(4, 2, { dimFeedforward: 8, dropout: 0, normFirst: true });
    const tgt = randn([3, 1, 4]);
    const mem = randn([5, 1, 4]);
    let x = tgt;
    const n1 = layer.norm1.forward(x);
    x = x.add(layer.self_attn.forward(n1, n1, n1, { needWeights: false })[0]);
    const n2 = layer.norm2.forward(x);
    x = x.add(layer.multihead_attn.forward(n2, mem, mem, { needWeights: false })[0]);
    const n3 = layer.norm3.forward(x);
    x = x.add(layer.linear2.forward(layer.linear1.forward(n3).relu()));
    expectClose(layer.forward(tgt, mem), x, 5);
  });

  test('activations by name or function, and final norms of the stacks', () => {
    manualSeed(4);
    const src = randn([3, 2, 4]);
    const gelu = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0, activation: 'gelu' });
    const fn = new TransformerEncoderLayer(4, 2, {
      dimFeedforward: 8,
      dropout: 0,
      activation: (t) => t.gelu(),
    });
    fn.loadStateDict(gelu.stateDict());
    expectClose(fn.forward(src), gelu.forward(src), 6);
    const relu = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    relu.loadStateDict(gelu.stateDict());
    expect(values(relu.forward(src))).not.toEqual(values(gelu.forward(src)));

    const norm = new LayerNorm(4);
    init.constant_(norm.weight!, 2);
    const enc = new TransformerEncoder(relu, 2, { norm });
    const bare = new TransformerEncoder(relu, 2);
    bare.loadStateDict(enc.stateDict(), { strict: false });
    expectClose(enc.forward(src), norm.forward(bare.forward(src)), 5);
    const dlayer = new TransformerDecoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    const dec = new TransformerDecoder(dlayer, 1, { norm: new LayerNorm(4) });
    const plain = new TransformerDecoder(dlayer, 1);
    plain.loadStateDict(dec.stateDict(), { strict: false });
    expectClose(dec.forward(src, src), dec.norm!.forward(plain.forward(src, src)), 5);
  });

  test('positional encodings: sin on even, cos on odd features, batch first or not, odd widths', () => {
    const pe = new PositionalEncoding(5, { maxLen: 4, dropout: 0, batchFirst: true });
    const row = (pos: number) =>
      [0, 1, 2, 3, 4].map((i) => {
        const angle = pos * Math.exp((-(i - (i % 2)) * Math.log(10000)) / 5);
        return i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      });
    const y = pe.forward(zeros([2, 3, 5]));
    expectClose(y.narrow(0, 1, 1).squeeze(0), tensor([row(0), row(1), row(2)]), 6);
    const seqFirst = new PositionalEncoding(5, { maxLen: 4, dropout: 0 });
    expectClose(
      seqFirst
        .forward(zeros([3, 2, 5]))
        .narrow(1, 0, 1)
        .squeeze(1),
      tensor([row(0), row(1), row(2)]),
      6,
    );
  });
});

describe('multi-head attention masks', () => {
  manualSeed(5);
  const mha = new MultiheadAttention(4, 2);
  const x = randn([3, 2, 4]); // [L, N, E]

  test('a 3-D mask [N·heads, L, S] equal for every head acts as the 2-D mask', () => {
    const m2 = tensor([
      [0, -1, 0],
      [0, 0, -2],
      [1, 0, 0],
    ]);
    const [a] = mha.forward(x, x, x, { attnMask: m2 });
    const [b] = mha.forward(x, x, x, { attnMask: m2.unsqueeze(0).expand([4, 3, 3]) });
    expectClose(a, b, 6);
    const [c, w] = mha.forward(x, x, x, {
      attnMask: m2.unsqueeze(0).expand([4, 3, 3]).contiguous(),
      averageAttnWeights: false,
    });
    expectClose(c, a, 6);
    expect(w!.shape).toEqual([2, 2, 3, 3]);
  });

  test('a float key padding mask is added to the scores; −∞ equals a bool mask', () => {
    const boolMask = tensor([
      [0, 0, 1],
      [0, 1, 1],
    ]).to('bool');
    const floatMask = tensor([
      [0, 0, Number.NEGATIVE_INFINITY],
      [0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ]);
    const [a, wa] = mha.forward(x, x, x, { keyPaddingMask: boolMask });
    const [b] = mha.forward(x, x, x, { keyPaddingMask: floatMask });
    expectClose(a, b, 6);
    expect(values(wa!.narrow(0, 1, 1)).filter((_v, i) => i % 3 !== 0)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('unbatched input with a 1-D key padding mask, without weights, and without biases', () => {
    const one = x.narrow(1, 0, 1).squeeze(1); // [L, E]
    const kpm = tensor([0, 1, 0]).to('bool');
    const [y, w] = mha.forward(one, one, one, { keyPaddingMask: kpm });
    const [yb, wb] = mha.forward(one.unsqueeze(1), one.unsqueeze(1), one.unsqueeze(1), {
      keyPaddingMask: kpm.unsqueeze(0),
    });
    expectClose(y, yb.squeeze(1), 6);
    expect(w!.shape).toEqual([3, 3]);
    expectClose(w!, wb!.squeeze(0), 6);
    expect(mha.forward(one, one, one, { needWeights: false })[1]).toBeNull();
    const nb = new MultiheadAttention(4, 2, { bias: false, kdim: 3, vdim: 3 });
    expect(nb.in_proj_bias).toBeNull();
    expect(nb.out_proj.bias).toBeNull();
    expect(nb.forward(one, randn([5, 3]), randn([5, 3]))[0].shape).toEqual([3, 4]);
  });
});

test('MLP activations by name and by factory', () => {
  const names = ['sigmoid', 'silu', 'elu', 'leakyRelu', 'tanh', 'gelu'] as const;
  const x = randn([2, 3]);
  for (const name of names) {
    const mlp = new MLP([3, 4, 2], { activation: name });
    expect(mlp.at(1).constructor.name.toLowerCase()).toBe(
      { sigmoid: 'sigmoid', silu: 'silu', elu: 'elu', leakyRelu: 'leakyrelu', tanh: 'tanh', gelu: 'gelu' }[
        name
      ],
    );
    const h = mlp.at(1).forward((mlp.at(0) as never as { forward(t: Tensor): Tensor }).forward(x));
    expectClose(mlp.forward(x), mlp.at(2).forward(h), 6);
  }
  const custom = new MLP([3, 4, 2], { activation: () => new MLP([4, 4]) });
  expect(custom.at(1)).toBeInstanceOf(MLP);
});

test('Embedding with a negative paddingIdx pads the row counted from the end', () => {
  const e = new Embedding(4, 2, { paddingIdx: -1 });
  expect(e.paddingIdx).toBe(3);
  expect(values(e.weight.narrow(0, 3, 1))).toEqual([0, 0]);
  expect(e.toString()).toBe('Embedding(4, 2, paddingIdx=3)');
});

test('init: zeros_, ones_, and orthogonal_ of wide and tall matrices', () => {
  const t = randn([2, 3]);
  expect(values(init.zeros_(t))).toEqual([0, 0, 0, 0, 0, 0]);
  expect(values(init.ones_(t))).toEqual([1, 1, 1, 1, 1, 1]);
  for (const shape of [
    [3, 5],
    [5, 3],
    [4, 2, 2],
  ]) {
    const q = init.orthogonal_(zeros(shape, { dtype: 'float64' }), 2);
    const m = q.reshape([shape[0]!, -1]);
    const small = m.shape[0]! <= m.shape[1]! ? m.matmul(m.T) : m.T.matmul(m);
    const n = small.shape[0]!;
    const eye = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 4 : 0)));
    expectClose(small, tensor(eye, { dtype: 'float64' }), 10);
  }
});
