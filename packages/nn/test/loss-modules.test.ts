/**
 * The loss modules: each equals its functional form under every option it takes (reductions,
 * deltas, weights, ignore indices, label smoothing, margins, …), keeps class weights as
 * buffers, and reports its options in its repr.
 */
import { manualSeed, rand, randn, type Tensor, tensor, ValueError } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import {
  BCELoss,
  BCEWithLogitsLoss,
  bceLoss,
  bceWithLogitsLoss,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  cosineEmbeddingLoss,
  crossEntropyLoss,
  GaussianNLLLoss,
  gaussianNllLoss,
  HuberLoss,
  huberLoss,
  KLDivLoss,
  klDivLoss,
  L1Loss,
  l1Loss,
  MarginRankingLoss,
  MSELoss,
  marginRankingLoss,
  mseLoss,
  NLLLoss,
  nllLoss,
  SmoothL1Loss,
  smoothL1Loss,
} from '../src/index.js';

const vals = (t: Tensor) => Array.from(t.dataSync());
const reductions = ['mean', 'sum', 'none'] as const;

/** Asserts equal shapes and values equal to 12 significant digits (both run in float64). */
function same(a: Tensor, b: Tensor): void {
  expect(a.shape).toEqual(b.shape);
  const x = vals(a);
  const y = vals(b);
  for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(y[i]!, 12);
}

/** Asserts two results differ somewhere (an option that must change the value did). */
function differs(a: Tensor, b: Tensor): void {
  const x = vals(a);
  const y = vals(b);
  expect(x.length !== y.length || x.some((v, i) => Math.abs(v - y[i]!) > 1e-9)).toBe(true);
}

describe('loss modules equal their functional forms', () => {
  manualSeed(3);
  const pred = randn([4, 5], { dtype: 'float64' }).mul(2);
  const target = randn([4, 5], { dtype: 'float64' });
  const probs = rand([4, 5], { dtype: 'float64' }).mul(0.9).add(0.05);
  const bits = rand([4, 5], { dtype: 'float64' }).gt(0.5).to('float64');
  const logits = randn([6, 3], { dtype: 'float64' }).mul(2);
  const labels = tensor([0, 2, 1, 2, 0, 1], { dtype: 'int32' });

  it('MSELoss and L1Loss', () => {
    for (const reduction of reductions) {
      same(new MSELoss({ reduction }).forward(pred, target), mseLoss(pred, target, { reduction }));
      same(new L1Loss({ reduction }).forward(pred, target), l1Loss(pred, target, { reduction }));
    }
    same(new MSELoss().forward(pred, target), mseLoss(pred, target));
    expect(new MSELoss().forward(pred, target).shape).toEqual([]);
    expect(new L1Loss({ reduction: 'none' }).forward(pred, target).shape).toEqual([4, 5]);
  });

  it('HuberLoss and SmoothL1Loss with their thresholds', () => {
    for (const reduction of reductions) {
      for (const delta of [0.3, 1, 2.5]) {
        same(
          new HuberLoss({ reduction, delta }).forward(pred, target),
          huberLoss(pred, target, { reduction, delta }),
        );
        same(
          new SmoothL1Loss({ reduction, beta: delta }).forward(pred, target),
          smoothL1Loss(pred, target, { reduction, beta: delta }),
        );
      }
    }
    same(new HuberLoss().forward(pred, target), huberLoss(pred, target));
    same(new SmoothL1Loss().forward(pred, target), smoothL1Loss(pred, target));
    differs(new HuberLoss({ delta: 0.3 }).forward(pred, target), new HuberLoss().forward(pred, target));
    differs(new SmoothL1Loss({ beta: 0.3 }).forward(pred, target), new SmoothL1Loss().forward(pred, target));
    expect(new HuberLoss({ delta: 0.3 }).delta).toBe(0.3);
    expect(new SmoothL1Loss({ beta: 0.3 }).beta).toBe(0.3);
  });

  it('BCELoss and BCEWithLogitsLoss with weight and posWeight (buffers)', () => {
    const weight = rand([5], { dtype: 'float64' }).add(0.5);
    const posWeight = tensor([0.5, 1, 2, 3, 4], { dtype: 'float64' });
    for (const reduction of reductions) {
      same(new BCELoss({ reduction }).forward(probs, bits), bceLoss(probs, bits, { reduction }));
      same(
        new BCELoss({ reduction, weight }).forward(probs, bits),
        bceLoss(probs, bits, { reduction, weight }),
      );
      same(
        new BCEWithLogitsLoss({ reduction, weight, posWeight }).forward(pred, bits),
        bceWithLogitsLoss(pred, bits, { reduction, weight, posWeight }),
      );
      same(
        new BCEWithLogitsLoss({ reduction, posWeight }).forward(pred, bits),
        bceWithLogitsLoss(pred, bits, { reduction, posWeight }),
      );
    }
    differs(new BCELoss({ weight }).forward(probs, bits), new BCELoss().forward(probs, bits));
    differs(
      new BCEWithLogitsLoss({ posWeight }).forward(pred, bits),
      new BCEWithLogitsLoss().forward(pred, bits),
    );
    const m = new BCEWithLogitsLoss({ weight, posWeight });
    expect(Object.keys(m.stateDict()).sort()).toEqual(['pos_weight', 'weight']);
    expect(m.parameters()).toEqual([]);
    expect(Object.keys(new BCELoss().stateDict())).toEqual([]);
  });

  it('NLLLoss and CrossEntropyLoss with weight, ignoreIndex and labelSmoothing', () => {
    const weight = tensor([0.2, 1, 3], { dtype: 'float64' });
    const logp = logits.logSoftmax(1);
    const withIgnored = tensor([0, 2, -100, 2, 1, 1], { dtype: 'int32' });
    const withOne = tensor([0, 2, 1, 2, 1, 1], { dtype: 'int32' });
    for (const reduction of reductions) {
      same(new NLLLoss({ reduction }).forward(logp, labels), nllLoss(logp, labels, { reduction }));
      same(
        new NLLLoss({ reduction, weight }).forward(logp, withIgnored),
        nllLoss(logp, withIgnored, { reduction, weight }),
      );
      same(
        new NLLLoss({ reduction, ignoreIndex: 1 }).forward(logp, withOne),
        nllLoss(logp, withOne, { reduction, ignoreIndex: 1 }),
      );
      for (const labelSmoothing of [0, 0.1, 0.4]) {
        same(
          new CrossEntropyLoss({ reduction, weight, labelSmoothing }).forward(logits, labels),
          crossEntropyLoss(logits, labels, { reduction, weight, labelSmoothing }),
        );
        same(
          new CrossEntropyLoss({ reduction, ignoreIndex: 1, labelSmoothing }).forward(logits, withOne),
          crossEntropyLoss(logits, withOne, { reduction, ignoreIndex: 1, labelSmoothing }),
        );
      }
    }
    // The module is the functional form of the log-softmax.
    same(new CrossEntropyLoss().forward(logits, labels), new NLLLoss().forward(logp, labels));
    differs(new NLLLoss({ weight }).forward(logp, labels), new NLLLoss().forward(logp, labels));
    differs(new NLLLoss({ ignoreIndex: 1 }).forward(logp, withOne), new NLLLoss().forward(logp, withOne));
    differs(
      new CrossEntropyLoss({ labelSmoothing: 0.4 }).forward(logits, labels),
      new CrossEntropyLoss().forward(logits, labels),
    );
    expect(Object.keys(new CrossEntropyLoss({ weight }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new NLLLoss({ weight }).stateDict())).toEqual(['weight']);
    const ce = new CrossEntropyLoss({ ignoreIndex: 3, labelSmoothing: 0.2 });
    expect([ce.ignoreIndex, ce.labelSmoothing]).toEqual([3, 0.2]);
    expect([new CrossEntropyLoss().ignoreIndex, new CrossEntropyLoss().labelSmoothing]).toEqual([-100, 0]);
  });

  it('KLDivLoss with batchmean and logTarget', () => {
    const input = logits.logSoftmax(1);
    const q = randn([6, 3], { dtype: 'float64' }).softmax(1);
    for (const reduction of [...reductions, 'batchmean'] as const) {
      same(new KLDivLoss({ reduction }).forward(input, q), klDivLoss(input, q, { reduction }));
      same(
        new KLDivLoss({ reduction, logTarget: true }).forward(input, q.log()),
        klDivLoss(input, q.log(), { reduction, logTarget: true }),
      );
    }
    // logTarget reads its target as log-probabilities: the same divergence.
    same(new KLDivLoss({ logTarget: true }).forward(input, q.log()), new KLDivLoss().forward(input, q));
    expect(new KLDivLoss({ reduction: 'batchmean', logTarget: true }).extraRepr()).toBe(
      "reduction='batchmean', logTarget=true",
    );
  });

  it('MarginRankingLoss, GaussianNLLLoss and CosineEmbeddingLoss with their third input', () => {
    const a = randn([6], { dtype: 'float64' });
    const b = randn([6], { dtype: 'float64' });
    const y = tensor([1, -1, 1, 1, -1, -1], { dtype: 'float64' });
    const variance = rand([4, 5], { dtype: 'float64' }).add(0.1);
    const u = randn([6, 4], { dtype: 'float64' });
    const v = randn([6, 4], { dtype: 'float64' });
    for (const reduction of reductions) {
      for (const margin of [0, 0.3]) {
        same(
          new MarginRankingLoss({ reduction, margin }).forward(a, b, y),
          marginRankingLoss(a, b, y, { reduction, margin }),
        );
        same(
          new CosineEmbeddingLoss({ reduction, margin }).forward(u, v, y),
          cosineEmbeddingLoss(u, v, y, { reduction, margin }),
        );
      }
      for (const full of [false, true]) {
        same(
          new GaussianNLLLoss({ reduction, full, eps: 0.2 }).forward(pred, target, variance),
          gaussianNllLoss(pred, target, variance, { reduction, full, eps: 0.2 }),
        );
      }
    }
    differs(
      new MarginRankingLoss({ margin: 0.3 }).forward(a, b, y),
      new MarginRankingLoss().forward(a, b, y),
    );
    differs(
      new CosineEmbeddingLoss({ margin: 0.3 }).forward(u, v, y),
      new CosineEmbeddingLoss().forward(u, v, y),
    );
    differs(
      new GaussianNLLLoss({ full: true }).forward(pred, target, variance),
      new GaussianNLLLoss().forward(pred, target, variance),
    );
    differs(
      new GaussianNLLLoss({ eps: 0.5 }).forward(pred, target, variance),
      new GaussianNLLLoss().forward(pred, target, variance),
    );
    expect(() => new MarginRankingLoss().forward(a, b)).toThrow(ValueError);
    expect(() => new GaussianNLLLoss().forward(pred, target)).toThrow(/GaussianNLLLoss/);
    expect(() => new CosineEmbeddingLoss().forward(u, v)).toThrow(ValueError);
  });

  it('repr shows a non-default reduction only', () => {
    expect(new MSELoss().extraRepr()).toBe('');
    expect(new MSELoss({ reduction: 'sum' }).extraRepr()).toBe("reduction='sum'");
    expect(new L1Loss({ reduction: 'none' }).reduction).toBe('none');
  });

  it('modules are differentiable through call()', () => {
    const x = pred.detach().requiresGrad_();
    new MSELoss().call(x, target).backward();
    same(
      x.grad!,
      x
        .detach()
        .sub(target)
        .mul(2 / 20),
    );
  });
});
