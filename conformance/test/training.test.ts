/**
 * Training tests that fail if learning is broken: XOR from random init, an MLP fitting a
 * smooth function, an LSTM that must remember the first element of a sequence, and
 * BatchNorm/Dropout behaving differently in eval mode.
 */
import { manualSeed, noGrad, rand, randn, type Tensor, tensor, where } from '@tsgrad/core';
import {
  BatchNorm1d,
  bceWithLogitsLoss,
  crossEntropyLoss,
  Dropout,
  Linear,
  LSTM,
  MLP,
  Module,
  mseLoss,
  ReLU,
  Sequential,
} from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { describe, expect, it } from 'vitest';

function fit(model: Module, steps: number, lr: number, loss: () => Tensor): number {
  const opt = new Adam(model.parameters(), { lr });
  let last = Number.NaN;
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    opt.step();
    last = l.itemSync();
  }
  return last;
}

describe('training', () => {
  it('learns XOR from random init', () => {
    manualSeed(0);
    const x = tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = tensor([[0], [1], [1], [0]]);
    const model = new MLP([2, 8, 1], { activation: 'tanh' });
    const before = bceWithLogitsLoss(model.forward(x), y).itemSync();
    const after = fit(model, 300, 0.05, () => bceWithLogitsLoss(model.forward(x), y));
    expect(before).toBeGreaterThan(0.6);
    expect(after).toBeLessThan(0.05);
    const pred = Array.from(model.forward(x).gt(0).dataSync());
    expect(pred).toEqual([0, 1, 1, 0]);
  });

  it('a small MLP fits y = sin(2·x₀) + x₁² and classifies held-out points', () => {
    manualSeed(1);
    const x = rand([256, 2]).mul(2).sub(1);
    const target = (t: Tensor) =>
      t
        .narrow(1, 0, 1)
        .mul(2)
        .sin()
        .add(t.narrow(1, 1, 1).square());
    const model = new MLP([2, 32, 32, 1]);
    const start = mseLoss(model.forward(x), target(x)).itemSync();
    fit(model, 400, 0.01, () => mseLoss(model.forward(x), target(x)));
    const xt = rand([128, 2]).mul(2).sub(1);
    const test = noGrad(() => mseLoss(model.forward(xt), target(xt)).itemSync());
    expect(test).toBeLessThan(start / 50);
    expect(test).toBeLessThan(0.01);
  });

  it('an LSTM learns to recall the first element of a sequence', () => {
    manualSeed(2);
    class Recall extends Module {
      lstm = new LSTM(1, 12, { batchFirst: true });
      head = new Linear(12, 2);
      override forward(x: Tensor): Tensor {
        const [, [h]] = this.lstm.forward(x);
        return this.head.forward(h.squeeze(0));
      }
    }
    const model = new Recall();
    const batch = () => {
      const bits = where(rand([64, 6, 1]).lt(0.5), 1, 0).to('float32');
      const labels = bits.narrow(1, 0, 1).reshape([64]).to('int32');
      return { x: bits.mul(2).sub(1), labels };
    };
    const opt = new Adam(model.parameters(), { lr: 0.03 });
    for (let i = 0; i < 150; i++) {
      const { x, labels } = batch();
      opt.zeroGrad();
      crossEntropyLoss(model.forward(x), labels).backward();
      opt.step();
    }
    const { x, labels } = batch();
    const acc = noGrad(() => model.forward(x).argmax(1).eq(labels).to('float32').mean().itemSync());
    expect(acc).toBeGreaterThan(0.95);
  });

  it('BatchNorm and Dropout differ between train and eval', () => {
    manualSeed(3);
    const model = new Sequential(
      new Linear(4, 8),
      new BatchNorm1d(8),
      new ReLU(),
      new Dropout(0.5),
      new Linear(8, 2),
    );
    const x = randn([16, 4]).mul(3).add(2);
    const a = model.forward(x).dataSync();
    const b = model.forward(x).dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(b)); // new dropout masks
    const bn = model.at(1) as BatchNorm1d;
    expect(Array.from(bn.running_mean!.dataSync()).some((v) => v !== 0)).toBe(true);
    const rm = Array.from(bn.running_mean!.dataSync());
    model.eval();
    const e1 = model.forward(x).dataSync();
    const e2 = model.forward(x).dataSync();
    expect(Array.from(e1)).toEqual(Array.from(e2));
    expect(Array.from(bn.running_mean!.dataSync())).toEqual(rm); // eval leaves stats alone
    // In eval, one sample's output does not depend on the rest of the batch.
    const single = model.forward(x.narrow(0, 0, 1)).dataSync();
    // (equal up to float32 rounding: the matmul kernel may sum in another order for 1 row)
    Array.from(single).forEach((v, i) => {
      expect(v).toBeCloseTo(e1[i]!, 5);
    });
    model.train();
    const t1 = model
      .forward(x.narrow(0, 0, 2))
      .narrow(0, 0, 1)
      .dataSync();
    expect(Array.from(t1)).not.toEqual(Array.from(single));
  });
});
