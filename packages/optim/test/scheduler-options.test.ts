/**
 * The schedulers' argument checks, message by message and at the edges of each allowed range,
 * and the options the trajectory tests do not reach: resuming CyclicLR and OneCycleLR at a
 * lastEpoch, CyclicLR cycling Adam's beta1, warm restarts jumping to fractional epochs with
 * growing periods, and SequentialLR's hand-over.
 */
import { tensor } from '@tsgrad/core';
import {
  Adam,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  StepLR,
} from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';

const sgd = (lr = 0.1, extra = {}) => new SGD([tensor([1, 2], { requiresGrad: true })], { lr, ...extra });
const off = { cycleMomentum: false };

describe('argument checks name the scheduler, the argument and the range', () => {
  test.each<[string, () => unknown]>([
    ['ConstantLR: invalid factor -0.1 (must be in [0, 1])', () => new ConstantLR(sgd(), { factor: -0.1 })],
    ['ConstantLR: invalid factor 1.5 (must be in [0, 1])', () => new ConstantLR(sgd(), { factor: 1.5 })],
    [
      'ConstantLR: invalid factor x (must be in [0, 1])',
      () => new ConstantLR(sgd(), { factor: 'x' as never }),
    ],
    [
      'ConstantLR: invalid totalIters -1 (must be an integer >= 0)',
      () => new ConstantLR(sgd(), { totalIters: -1 }),
    ],
    ['CosineAnnealingLR: invalid tMax 0 (must be an integer >= 1)', () => new CosineAnnealingLR(sgd(), 0)],
    [
      'CosineAnnealingLR: invalid etaMin Infinity (must be a finite number)',
      () => new CosineAnnealingLR(sgd(), 3, { etaMin: Infinity }),
    ],
    [
      'CosineAnnealingWarmRestarts: invalid t0 0 (must be an integer >= 1)',
      () => new CosineAnnealingWarmRestarts(sgd(), 0),
    ],
    [
      'CosineAnnealingWarmRestarts: invalid tMult 0 (must be an integer >= 1)',
      () => new CosineAnnealingWarmRestarts(sgd(), 2, { tMult: 0 }),
    ],
    [
      'CosineAnnealingWarmRestarts: invalid etaMin -Infinity (must be a finite number)',
      () => new CosineAnnealingWarmRestarts(sgd(), 2, { etaMin: -Infinity }),
    ],
    [
      'CyclicLR: invalid stepSizeUp -1 (must be a finite number > 0)',
      () => new CyclicLR(sgd(), 0.1, 1, { ...off, stepSizeUp: -1 }),
    ],
    [
      'CyclicLR: invalid stepSizeDown 0 (must be a finite number > 0)',
      () => new CyclicLR(sgd(), 0.1, 1, { ...off, stepSizeDown: 0 }),
    ],
    [
      "CyclicLR: invalid mode \"cosine\" (must be one of 'triangular', 'triangular2', 'exp_range')",
      () => new CyclicLR(sgd(), 0.1, 1, { ...off, mode: 'cosine' as never }),
    ],
    [
      "CyclicLR: invalid scaleMode \"epoch\" (must be one of 'cycle', 'iterations')",
      () => new CyclicLR(sgd(), 0.1, 1, { ...off, scaleFn: () => 1, scaleMode: 'epoch' as never }),
    ],
    [
      'CyclicLR: baseLr must be a number or a list of 1 numbers (one per param group)',
      () => new CyclicLR(sgd(), [0.1, 0.2], 1, off),
    ],
    [
      'CyclicLR: maxLr must be a number or a list of 1 numbers (one per param group)',
      () => new CyclicLR(sgd(), 0.1, Number.NaN, off),
    ],
    [
      'CyclicLR: baseMomentum must be a number or a list of 1 numbers',
      () => new CyclicLR(sgd(0.1, { momentum: 0.9 }), 0.1, 1, { baseMomentum: [] }),
    ],
    [
      'CyclicLR: maxMomentum must be a number or a list of 1 numbers',
      () => new CyclicLR(sgd(0.1, { momentum: 0.9 }), 0.1, 1, { maxMomentum: 'a' as never }),
    ],
    ['ExponentialLR: invalid gamma -0.5 (must be a number >= 0)', () => new ExponentialLR(sgd(), -0.5)],
    [
      'LambdaLR: lrLambda must be a function or a list of functions',
      () => new LambdaLR(twoGroups(), [() => 1, 2] as never),
    ],
    ['LinearLR: invalid startFactor 0 (must be in (0, 1])', () => new LinearLR(sgd(), { startFactor: 0 })],
    [
      'LinearLR: invalid startFactor 1.01 (must be in (0, 1])',
      () => new LinearLR(sgd(), { startFactor: 1.01 }),
    ],
    [
      'LinearLR: invalid endFactor -0.01 (must be in [0, 1])',
      () => new LinearLR(sgd(), { endFactor: -0.01 }),
    ],
    [
      'LinearLR: invalid endFactor x (must be in [0, 1])',
      () => new LinearLR(sgd(), { endFactor: 'x' as never }),
    ],
    [
      'LinearLR: invalid totalIters 0 (must be an integer >= 1)',
      () => new LinearLR(sgd(), { totalIters: 0 }),
    ],
    [
      'MultiStepLR: milestones must be a list of integers >= 0, got [2,-1]',
      () => new MultiStepLR(sgd(), [2, -1]),
    ],
    [
      'MultiStepLR: milestones must be a list of integers >= 0, got 3',
      () => new MultiStepLR(sgd(), 3 as never),
    ],
    [
      'MultiStepLR: invalid gamma -1 (must be a number >= 0)',
      () => new MultiStepLR(sgd(), [1], { gamma: -1 }),
    ],
    [
      'OneCycleLR: give totalSteps, or both epochs and stepsPerEpoch',
      () => new OneCycleLR(sgd(), 1, { epochs: 3 }),
    ],
    [
      'OneCycleLR: give totalSteps, or both epochs and stepsPerEpoch',
      () => new OneCycleLR(sgd(), 1, { stepsPerEpoch: 3 }),
    ],
    [
      'OneCycleLR: invalid totalSteps 0 (must be an integer >= 1)',
      () => new OneCycleLR(sgd(), 1, { totalSteps: 0 }),
    ],
    [
      'OneCycleLR: invalid epochs 0 (must be an integer >= 1)',
      () => new OneCycleLR(sgd(), 1, { epochs: 0, stepsPerEpoch: 2 }),
    ],
    [
      'OneCycleLR: invalid stepsPerEpoch 1.5 (must be an integer >= 1)',
      () => new OneCycleLR(sgd(), 1, { epochs: 2, stepsPerEpoch: 1.5 }),
    ],
    [
      'OneCycleLR: invalid pctStart 1.5 (must be in [0, 1])',
      () => new OneCycleLR(sgd(), 1, { totalSteps: 5, pctStart: 1.5 }),
    ],
    [
      "OneCycleLR: invalid annealStrategy \"exp\" (must be one of 'cos', 'linear')",
      () => new OneCycleLR(sgd(), 1, { totalSteps: 5, annealStrategy: 'exp' as never }),
    ],
    [
      'OneCycleLR: invalid divFactor Infinity (must be a finite number > 0)',
      () => new OneCycleLR(sgd(), 1, { totalSteps: 5, divFactor: Infinity }),
    ],
    [
      'OneCycleLR: maxLr must be a number or a list of 1 numbers (one per param group)',
      () => new OneCycleLR(sgd(), [1, 2], { totalSteps: 5 }),
    ],
    [
      'OneCycleLR: maxMomentum must be a number or a list of 1 numbers',
      () => new OneCycleLR(sgd(0.1, { momentum: 0.9 }), 1, { totalSteps: 5, maxMomentum: Number.NaN }),
    ],
    [
      'OneCycleLR: cycleMomentum needs an optimizer with momentum or betas',
      () => new OneCycleLR(new LambdaOpt(), 1, { totalSteps: 5 }),
    ],
    [
      'PolynomialLR: invalid totalIters 0 (must be an integer >= 1)',
      () => new PolynomialLR(sgd(), { totalIters: 0 }),
    ],
    ['PolynomialLR: invalid power -1 (must be a number >= 0)', () => new PolynomialLR(sgd(), { power: -1 })],
    [
      "ReduceLROnPlateau: invalid mode \"lowest\" (must be one of 'min', 'max')",
      () => new ReduceLROnPlateau(sgd(), { mode: 'lowest' as never }),
    ],
    [
      'ReduceLROnPlateau: invalid factor 1 (must be in [0, 1))',
      () => new ReduceLROnPlateau(sgd(), { factor: 1 }),
    ],
    [
      'ReduceLROnPlateau: invalid cooldown -1 (must be an integer >= 0)',
      () => new ReduceLROnPlateau(sgd(), { cooldown: -1 }),
    ],
    [
      'ReduceLROnPlateau: invalid threshold -0.1 (must be a number >= 0)',
      () => new ReduceLROnPlateau(sgd(), { threshold: -0.1 }),
    ],
    [
      'ReduceLROnPlateau: invalid eps NaN (must be a number >= 0)',
      () => new ReduceLROnPlateau(sgd(), { eps: Number.NaN }),
    ],
    [
      'ReduceLROnPlateau: invalid minLr[0] -1 (must be a number >= 0)',
      () => new ReduceLROnPlateau(sgd(), { minLr: -1 }),
    ],
    [
      'ReduceLROnPlateau: expected 1 minLr values (one per param group), got 2',
      () => new ReduceLROnPlateau(sgd(), { minLr: [0, 0] }),
    ],
    ['StepLR: invalid stepSize 1.5 (must be an integer >= 1)', () => new StepLR(sgd(), 1.5)],
    ['StepLR: invalid gamma x (must be a number >= 0)', () => new StepLR(sgd(), 2, { gamma: 'x' as never })],
    [
      'StepLR: invalid lastEpoch 0.5 (must be an integer >= -1)',
      () => new StepLR(sgd(), 2, { lastEpoch: 0.5 }),
    ],
    ['SequentialLR: expects at least one scheduler', () => new SequentialLR(sgd(), [], [])],
    ['SequentialLR: expected 1 milestones for 2 schedulers, got 2', () => twoSchedulers([1, 2])],
    [
      'SequentialLR: expected 1 milestones for 2 schedulers, got undefined',
      () => twoSchedulers(undefined as never),
    ],
    ['SequentialLR: milestones must be increasing integers >= 1, got [0]', () => twoSchedulers([0])],
  ])('%s', (message, make) => {
    expect(make).toThrow(message);
  });

  test('the edges of each range are allowed', () => {
    expect(() => new ConstantLR(sgd(), { factor: 0, totalIters: 0 })).not.toThrow();
    expect(new ConstantLR(sgd(1), { factor: 1 }).getLastLr()).toEqual([1]);
    expect(new LinearLR(sgd(1), { startFactor: 1, endFactor: 0, totalIters: 1 }).getLastLr()).toEqual([1]);
    expect(new MultiStepLR(sgd(1), [0], { gamma: 0 }).getLastLr()).toEqual([0]);
    expect(new ExponentialLR(sgd(1), 0).getLastLr()).toEqual([1]);
    // pctStart 0: no rise; step 0 is already a fifth of the way down from maxLr.
    const final = 1 / 25 / 1e4;
    expect(new OneCycleLR(sgd(), 1, { totalSteps: 5, pctStart: 0 }).getLastLr()[0]).toBeCloseTo(
      final + ((1 - final) / 2) * (1 + Math.cos(Math.PI * 0.2)),
      12,
    );
    // pctStart·totalSteps = 1: the rise has no length (PyTorch divides by zero there).
    expect(() => new OneCycleLR(sgd(), 1, { totalSteps: 5, pctStart: 0.2 })).toThrow(
      'OneCycleLR: phase 1 of the cycle is empty at step 0 (totalSteps 5)',
    );
    expect(new StepLR(sgd(0), 1).getLastLr()).toEqual([0]);
    expect(
      () => new ReduceLROnPlateau(sgd(), { factor: 0, patience: 0, cooldown: 0, threshold: 0 }),
    ).not.toThrow();
    expect(() => twoSchedulers([1])).not.toThrow();
  });
});

/** An optimizer with neither momentum nor betas. */
class LambdaOpt extends SGD {
  constructor() {
    super([tensor([1], { requiresGrad: true })], { lr: 0.1 });
    delete (this.defaults as unknown as Record<string, unknown>).momentum;
  }
}

function twoSchedulers(milestones: number[]): SequentialLR {
  const o = sgd();
  return new SequentialLR(o, [new StepLR(o, 2), new ExponentialLR(o, 0.5)], milestones);
}

describe('resuming at lastEpoch', () => {
  test('CyclicLR: a resumed scheduler leaves the learning rate and momentum to the state it resumes', () => {
    const a = sgd(0.1, { momentum: 0.9 });
    const first = new CyclicLR(a, 0.1, 1, { stepSizeUp: 4 });
    for (let i = 0; i < 3; i++) first.step();
    const lr = a.paramGroups[0]!.lr;
    const momentum = a.paramGroups[0]!.momentum;
    const resumed = new CyclicLR(a, 0.1, 1, { stepSizeUp: 4, lastEpoch: 3 });
    // The first step of the resumed scheduler is epoch 4: the top of the triangle.
    expect(resumed.getLastLr()[0]).toBeCloseTo(1, 12);
    expect(lr).toBeCloseTo(0.1 + 0.9 * 0.75, 12);
    expect(momentum).toBeCloseTo(0.9 - 0.1 * 0.75, 12);
    expect(a.paramGroups[0]!.momentum).toBeCloseTo(0.8, 12);
    expect(a.paramGroups[0]!.baseMomentum).toBe(0.8);
  });

  test('CyclicLR cycles beta1 of Adam between maxMomentum and baseMomentum, leaving beta2', () => {
    const opt = new Adam([tensor([1], { requiresGrad: true })], { lr: 0.1, betas: [0.5, 0.77] });
    const s = new CyclicLR(opt, 0.1, 1, { stepSizeUp: 2, baseMomentum: 0.6, maxMomentum: 0.9 });
    const betas: number[][] = [];
    for (let i = 0; i < 4; i++) {
      betas.push([...(opt.paramGroups[0]!.betas as number[])]);
      s.step();
    }
    expect(betas.map((b) => b[1])).toEqual([0.77, 0.77, 0.77, 0.77]);
    [0.9, 0.75, 0.6, 0.75].forEach((b, i) => {
      expect(betas[i]![0]).toBeCloseTo(b, 12);
    });
  });

  test('CyclicLR: triangular2 over iterations with a custom scale, and the top of a cycle', () => {
    const s = new CyclicLR(sgd(), 0, 1, {
      ...off,
      stepSizeUp: 2,
      stepSizeDown: 2,
      scaleFn: (x) => 1 / (1 + x),
      scaleMode: 'iterations',
    });
    const lrs = [s.getLastLr()[0]];
    for (let i = 0; i < 5; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]);
    }
    // Triangle 0, ½, 1, ½, 0, ½ scaled by 1/(1 + iteration).
    [0, 0.5 / 2, 1 / 3, 0.5 / 4, 0, 0.5 / 6].forEach((v, i) => {
      expect(lrs[i]).toBeCloseTo(v, 12);
    });
  });
});

describe('CosineAnnealingWarmRestarts', () => {
  const eta = (tCur: number, tI: number) => 0.5 * 0.1 * (1 + Math.cos((Math.PI * tCur) / tI));

  test('step(epoch) with tMult 2 finds the period the epoch falls in', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(), 2, { tMult: 2 });
    // Periods 2, 4, 8 start at epochs 0, 2, 6.
    for (const [epoch, tCur, tI] of [
      [1.5, 1.5, 2],
      [2, 0, 4],
      [5, 3, 4],
      [6.5, 0.5, 8],
      [0.5, 0.5, 2],
    ] as const) {
      s.step(epoch);
      expect(s.getLastLr()[0], `epoch ${epoch}`).toBeCloseTo(eta(tCur, tI), 12);
      expect([s.tCur, s.tI]).toEqual([tCur, tI]);
    }
  });

  test('plain steps count epochs and restart with tMult 1', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(), 3);
    const lrs = [s.getLastLr()[0]];
    for (let i = 0; i < 4; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]);
    }
    [0, 1, 2, 0, 1].forEach((tCur, i) => {
      expect(lrs[i]).toBeCloseTo(eta(tCur, 3), 12);
    });
    expect(s.lastEpoch).toBe(4);
  });
});

describe('SequentialLR', () => {
  test('hands over at each milestone, restarting the next scheduler at its epoch 0', () => {
    const o = sgd(1);
    const a = new ConstantLR(o, { factor: 0.5, totalIters: 10 });
    const b = new ExponentialLR(o, 0.5);
    const s = new SequentialLR(o, [a, b], [2]);
    const lrs = [s.getLastLr()[0]];
    for (let i = 0; i < 4; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]);
    }
    expect(lrs).toEqual([0.5, 0.5, 1, 0.5, 0.25]);
    const sd = s.stateDict();
    expect((sd.schedulers as unknown[]).length).toBe(2);
  });
});

function twoGroups(): SGD {
  return new SGD(
    [{ params: [tensor([1], { requiresGrad: true })] }, { params: [tensor([2], { requiresGrad: true })] }],
    {
      lr: 0.1,
    },
  );
}
