/**
 * The newer containers, norms and losses as modules: ParameterList, ParameterDict, Unflatten,
 * RMSNorm, GroupNorm, BatchNorm2d, the four losses (against their formulas) and errors.
 */
import { manualSeed, ones, randn, ShapeError, type Tensor, tensor, ValueError, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  CosineEmbeddingLoss,
  cosineEmbeddingLoss,
  functional as F,
  GaussianNLLLoss,
  GroupNorm,
  KLDivLoss,
  MarginRankingLoss,
  Module,
  MultiheadAttention,
  ParameterDict,
  ParameterList,
  RMSNorm,
  Unflatten,
} from '../src/index.js';

const vals = (t: Tensor) => Array.from(t.dataSync());
function near(a: number[], b: number[], tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i]! - b[i]!), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol);
  }
}

describe('ParameterList and ParameterDict', () => {
  it('register their parameters under PyTorch-style keys', () => {
    class M extends Module {
      ws = new ParameterList([ones([2]), zeros([3])]);
      ps = new ParameterDict({ scale: ones([4]) });
    }
    const m = new M();
    m.ps.set('shift', zeros([4]));
    m.ws.append(ones([1]));
    expect(Object.keys(m.stateDict())).toEqual(['ws.0', 'ws.1', 'ws.2', 'ps.scale', 'ps.shift']);
    expect(m.ws.length).toBe(3);
    expect(m.ws.at(-1).shape).toEqual([1]);
    expect([...m.ws].map((p) => p.numel)).toEqual([2, 3, 1]);
    expect(m.ps.keys()).toEqual(['scale', 'shift']);
    expect(m.ps.get('scale').requiresGrad).toBe(true);
    expect(() => m.ps.get('nope')).toThrow(ValueError);
    expect(() => m.ws.at(5)).toThrow(ValueError);
  });
});

describe('Unflatten', () => {
  it('splits one dim, with −1 inferred', () => {
    expect(new Unflatten(1, [1, 28, 28]).forward(zeros([8, 784])).shape).toEqual([8, 1, 28, 28]);
    expect(new Unflatten(-1, [2, -1]).forward(zeros([4, 6])).shape).toEqual([4, 2, 3]);
    expect(() => new Unflatten(1, [5, 5]).forward(zeros([2, 24]))).toThrow(ShapeError);
  });
});

describe('norm modules', () => {
  it('RMSNorm uses the dtype machine epsilon by default and a learned scale', () => {
    const x = tensor([[3, 4]], { dtype: 'float64' });
    const y = new RMSNorm(2).to('float64').forward(x);
    const r = Math.sqrt(12.5 + Number.EPSILON);
    near(vals(y), [3 / r, 4 / r]);
    near(vals(F.rmsNorm(x, [2], { eps: 0.5 })), [3 / Math.sqrt(13), 4 / Math.sqrt(13)]);
  });
  it('GroupNorm and BatchNorm2d check their input', () => {
    expect(() => new GroupNorm(4, 6)).toThrow(ValueError);
    expect(() => new GroupNorm(3, 6).forward(randn([2, 4, 5]))).toThrow(ShapeError);
    expect(() => new BatchNorm2d(3).forward(randn([2, 3, 4]))).toThrow(/BatchNorm2d/);
  });
  it('BatchNorm2d updates its running statistics per channel', () => {
    manualSeed(0);
    const bn = new BatchNorm2d(2).to('float64');
    const x = randn([3, 2, 2, 2], { dtype: 'float64' });
    bn.forward(x);
    const mean = x.mean([0, 2, 3]);
    near(vals(bn.running_mean!), vals(mean.mul(0.1)));
  });
  it('instanceNorm moves running statistics towards the batch average of instance statistics', () => {
    const x = tensor([1, 2, 3, 5, 0, 4, 4, 8], { shape: [2, 1, 4], dtype: 'float64' });
    const rm = zeros([1], { dtype: 'float64' });
    const rv = ones([1], { dtype: 'float64' });
    F.instanceNorm(x, { runningMean: rm, runningVar: rv, momentum: 0.5 });
    // Instance means 2.75 and 4; unbiased variances 8.75/3 and 32/3.
    near(vals(rm), [(0.5 * (2.75 + 4)) / 2]);
    near(vals(rv), [0.5 + (0.5 * (8.75 / 3 + 32 / 3)) / 2]);
  });
});

describe('losses as modules', () => {
  it('KLDivLoss: mean over elements, batchmean over rows, log targets', () => {
    const inp = tensor(
      [
        [-1, -2],
        [-0.5, -3],
      ],
      { dtype: 'float64' },
    );
    const tgt = tensor(
      [
        [0.25, 0.75],
        [0, 1],
      ],
      { dtype: 'float64' },
    );
    const terms = [0.25 * (Math.log(0.25) + 1), 0.75 * (Math.log(0.75) + 2), 0, 1 * (0 + 3)];
    const sum = terms.reduce((a, b) => a + b);
    near(vals(new KLDivLoss().forward(inp, tgt)), [sum / 4]);
    near(vals(new KLDivLoss({ reduction: 'batchmean' }).forward(inp, tgt)), [sum / 2]);
    near(vals(new KLDivLoss({ reduction: 'none' }).forward(inp, tgt)), terms);
    const logT = tgt.clamp(1e-3).log();
    const l = F.klDivLoss(inp, logT, { logTarget: true, reduction: 'sum' });
    near(vals(l), [vals(F.klDivLoss(inp, logT.exp(), { reduction: 'sum' }))[0]!], 1e-12);
  });
  it('MarginRankingLoss and GaussianNLLLoss follow their formulas', () => {
    const a = tensor([1, 2], { dtype: 'float64' });
    const b = tensor([1.5, 0], { dtype: 'float64' });
    const y = tensor([1, 1], { dtype: 'float64' });
    near(vals(new MarginRankingLoss({ margin: 0.1, reduction: 'none' }).forward(a, b, y)), [0.6, 0]);
    const v = tensor([0.5, 2], { dtype: 'float64' });
    const expected = [0.5 * (Math.log(0.5) + 0.25 / 0.5), 0.5 * (Math.log(2) + 4 / 2)];
    near(vals(new GaussianNLLLoss({ reduction: 'none' }).forward(a, b, v)), expected);
    near(vals(new GaussianNLLLoss({ full: true }).forward(a, b, v)), [
      (expected[0]! + expected[1]!) / 2 + 0.5 * Math.log(2 * Math.PI),
    ]);
    // One variance per row: [N] for [N, 1] input.
    const n = F.gaussianNllLoss(a.reshape([2, 1]), b.reshape([2, 1]), v, { reduction: 'none' });
    near(vals(n), expected);
    expect(() => F.gaussianNllLoss(a, b, tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => F.gaussianNllLoss(a, b, tensor([-1, 1], { dtype: 'float64' }))).toThrow(/negative/);
  });
  it('CosineEmbeddingLoss: 1 − cos for similar pairs, max(0, cos − margin) for dissimilar ones', () => {
    const a = tensor(
      [
        [1, 0],
        [1, 1],
        [0, 2],
      ],
      { dtype: 'float64' },
    );
    const b = tensor(
      [
        [1, 1],
        [1, 1],
        [3, 3],
      ],
      { dtype: 'float64' },
    );
    const y = tensor([1, -1, -1], { dtype: 'int32' });
    const c = Math.SQRT1_2;
    near(
      vals(new CosineEmbeddingLoss({ margin: 0.5, reduction: 'none' }).forward(a, b, y)),
      [1 - c, 0.5, c - 0.5],
      1e-9,
    );
    near(vals(cosineEmbeddingLoss(a, b, y, { margin: 0.5 })), [(1 - c + 0.5 + c - 0.5) / 3], 1e-9);
  });
});

describe('MultiheadAttention with kdim and vdim', () => {
  it("uses separate projections named as PyTorch's and checks key and value widths", () => {
    const mha = new MultiheadAttention(8, 2, { kdim: 5, vdim: 3, batchFirst: true });
    expect([...mha.namedParameters()].map(([n]) => n)).toEqual([
      'q_proj_weight',
      'k_proj_weight',
      'v_proj_weight',
      'in_proj_bias',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    const [y, w] = mha.forward(randn([2, 3, 8]), randn([2, 4, 5]), randn([2, 4, 3]));
    expect(y.shape).toEqual([2, 3, 8]);
    expect(w!.shape).toEqual([2, 3, 4]);
    expect(() => mha.forward(randn([2, 3, 8]), randn([2, 4, 8]), randn([2, 4, 3]))).toThrow(/kdim 5/);
  });
});

describe('crossEntropyLoss with ignoreIndex', () => {
  it('averages over the targets not ignored, with label smoothing and class weights too', () => {
    manualSeed(2);
    const x = randn([5, 4], { dtype: 'float64' });
    const t = tensor([1, 3, 3, 0, 2], { dtype: 'int32' });
    const w = tensor([0.5, 1, 2, 1.5], { dtype: 'float64' });
    for (const labelSmoothing of [0, 0.2]) {
      const none = F.crossEntropyLoss(x, t, { ignoreIndex: 3, labelSmoothing, reduction: 'none' });
      near([vals(none)[1]!, vals(none)[2]!], [0, 0]);
      const mean = F.crossEntropyLoss(x, t, { ignoreIndex: 3, labelSmoothing });
      near(vals(mean), [vals(none.sum())[0]! / 3]);
      // With class weights the mean divides by the targets' weights: 1 + 0.5 + 2.
      const noneW = F.crossEntropyLoss(x, t, {
        ignoreIndex: 3,
        labelSmoothing,
        weight: w,
        reduction: 'none',
      });
      const meanW = F.crossEntropyLoss(x, t, { ignoreIndex: 3, labelSmoothing, weight: w });
      near(vals(meanW), [vals(noneW.sum())[0]! / 3.5]);
    }
    // [N, C, d] input: the class dim is 1.
    const x3 = randn([2, 4, 3], { dtype: 'float64' });
    const t3 = tensor([0, 1, 2, 3, 0, 1], { shape: [2, 3], dtype: 'int32' });
    const flat = F.crossEntropyLoss(x3.permute([0, 2, 1]).reshape([6, 4]), t3.reshape([6]), {
      ignoreIndex: 1,
    });
    near(vals(F.crossEntropyLoss(x3, t3, { ignoreIndex: 1 })), vals(flat));
    near(vals(F.nllLoss(x3.logSoftmax(1), t3, { ignoreIndex: 1 })), vals(flat));
  });
});
