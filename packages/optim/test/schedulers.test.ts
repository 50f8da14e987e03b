import { tensor } from '@tsgrad/core';
import {
  Adagrad,
  Adam,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  type LRScheduler,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  StepLR,
} from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';

const param = () => tensor([1, 2], { requiresGrad: true });
const sgd = (lr = 0.1, extra = {}) => new SGD([param()], { lr, ...extra });

/** The learning rate after construction (epoch 0) and after each of `steps` steps. */
function trace(s: LRScheduler, steps: number, group = 0): number[] {
  const out = [s.getLastLr()[group]!];
  for (let i = 0; i < steps; i++) {
    s.step();
    out.push(s.getLastLr()[group]!);
  }
  return out;
}

function expectClose(actual: number[], expected: number[], rel = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(
      rel * Math.max(Math.abs(e), 1e-300),
    );
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('StepLR', () => {
  test('lr = base · gamma^floor(epoch / stepSize)', () => {
    const opt = sgd(0.1);
    const s = new StepLR(opt, 3, { gamma: 0.5 });
    expectClose(
      trace(s, 11),
      range(12).map((e) => 0.1 * 0.5 ** Math.floor(e / 3)),
    );
    expect(opt.paramGroups[0]!.lr).toBe(s.getLastLr()[0]);
  });
  test('defaults to gamma 0.1 and jumps with step(epoch) by the closed form', () => {
    const s = new StepLR(sgd(1), 2);
    s.step(7);
    expectClose(s.getLastLr(), [1e-3]);
    expect(s.lastEpoch).toBe(7);
  });
});

test('MultiStepLR counts repeated milestones', () => {
  const milestones = [2, 5, 5, 9];
  const s = new MultiStepLR(sgd(1), [9, 5, 2, 5], { gamma: 0.1 });
  expectClose(
    trace(s, 11),
    range(12).map((e) => 0.1 ** milestones.filter((m) => m <= e).length),
  );
});

test('ExponentialLR: lr = base · gamma^epoch', () => {
  const s = new ExponentialLR(sgd(0.2), 0.9);
  expectClose(
    trace(s, 20),
    range(21).map((e) => 0.2 * 0.9 ** e),
  );
});

describe('CosineAnnealingLR', () => {
  test('the recurrence follows the closed form over several periods', () => {
    const [base, etaMin, tMax] = [0.1, 0.001, 10];
    const s = new CosineAnnealingLR(sgd(base), tMax, { etaMin });
    expectClose(
      trace(s, 35),
      range(36).map((e) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2),
      1e-10,
    );
  });
  test('reaches etaMin at tMax and defaults etaMin to 0', () => {
    const s = new CosineAnnealingLR(sgd(1), 4);
    const lrs = trace(s, 4);
    expect(lrs[0]).toBe(1);
    expect(lrs[2]).toBeCloseTo(0.5, 14);
    expect(lrs[4]).toBeCloseTo(0, 14);
  });
  test('follows a learning rate changed by someone else between steps (chainable)', () => {
    const opt = sgd(1);
    const s = new CosineAnnealingLR(opt, 10);
    s.step();
    opt.paramGroups[0]!.lr *= 0.5;
    const before = opt.paramGroups[0]!.lr;
    s.step();
    const ratio = (1 + Math.cos((2 * Math.PI) / 10)) / (1 + Math.cos(Math.PI / 10));
    expect(s.getLastLr()[0]).toBeCloseTo(before * ratio, 14);
  });
});

describe('LinearLR', () => {
  test('warm-up: base · (start + (end − start)·min(epoch, total)/total)', () => {
    const [s0, e0, n] = [0.25, 1, 4];
    const s = new LinearLR(sgd(0.4), { startFactor: s0, endFactor: e0, totalIters: n });
    expectClose(
      trace(s, 8),
      range(9).map((e) => 0.4 * (s0 + ((e0 - s0) * Math.min(e, n)) / n)),
    );
  });
  test('defaults: startFactor 1/3 over 5 epochs; decay when endFactor < startFactor', () => {
    expectClose(
      trace(new LinearLR(sgd(0.3)), 7),
      range(8).map((e) => 0.3 * (1 / 3 + ((2 / 3) * Math.min(e, 5)) / 5)),
    );
    expectClose(
      trace(new LinearLR(sgd(1), { startFactor: 1, endFactor: 0.1, totalIters: 3 }), 5),
      range(6).map((e) => 1 + (-0.9 * Math.min(e, 3)) / 3),
    );
  });
});

test('LambdaLR: one function per group, scaling each base lr', () => {
  const opt = new SGD([
    { params: [param()], lr: 0.1 },
    { params: [param()], lr: 0.01 },
  ]);
  const s = new LambdaLR(opt, [(e) => 1 / (e + 1), (e) => 0.5 ** e]);
  expectClose(
    trace(s, 6, 0),
    range(7).map((e) => 0.1 / (e + 1)),
  );
  expectClose(s.getLastLr(), [0.1 / 7, 0.01 * 0.5 ** 6]);
});

describe('OneCycleLR', () => {
  /** The documented schedule, evaluated directly at each step. */
  function oneCycle(
    t: number,
    total: number,
    maxLr: number,
    o: { pct?: number; div?: number; finalDiv?: number; linear?: boolean } = {},
  ): { lr: number; m: number } {
    const { pct = 0.3, div = 25, finalDiv = 1e4, linear = false } = o;
    const initial = maxLr / div;
    const min = initial / finalDiv;
    const anneal = (a: number, b: number, p: number) =>
      linear ? a + (b - a) * p : b + ((a - b) * (1 + Math.cos(Math.PI * p))) / 2;
    const up = pct * total - 1;
    if (t <= up) return { lr: anneal(initial, maxLr, t / up), m: anneal(0.95, 0.85, t / up) };
    const p = (t - up) / (total - 1 - up);
    return { lr: anneal(maxLr, min, p), m: anneal(0.85, 0.95, p) };
  }

  test('cos annealing with momentum cycling (SGD)', () => {
    const opt = sgd(0.5, { momentum: 0.9 });
    const s = new OneCycleLR(opt, 0.1, { totalSteps: 20 });
    const lrs = [s.getLastLr()[0]!];
    const ms = [opt.paramGroups[0]!.momentum];
    for (let i = 1; i < 20; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
      ms.push(opt.paramGroups[0]!.momentum);
    }
    expectClose(
      lrs,
      range(20).map((t) => oneCycle(t, 20, 0.1).lr),
      1e-12,
    );
    expectClose(
      ms,
      range(20).map((t) => oneCycle(t, 20, 0.1).m),
      1e-12,
    );
    expect(lrs[0]).toBeCloseTo(0.1 / 25, 15);
    expect(lrs[5]).toBeCloseTo(0.1, 15); // the peak at pctStart·total − 1
    expect(lrs[19]).toBeCloseTo(0.1 / 25 / 1e4, 15);
  });

  test('linear annealing, epochs × stepsPerEpoch, and beta1 cycling for Adam', () => {
    const opt = new Adam([param()], { betas: [0.9, 0.98] });
    const s = new OneCycleLR(opt, 0.01, {
      epochs: 4,
      stepsPerEpoch: 5,
      annealStrategy: 'linear',
      pctStart: 0.25,
    });
    const o = { pct: 0.25, linear: true };
    const lrs = [s.getLastLr()[0]!];
    const b1 = [opt.paramGroups[0]!.betas[0]];
    for (let i = 1; i < 20; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
      b1.push(opt.paramGroups[0]!.betas[0]);
    }
    expectClose(
      lrs,
      range(20).map((t) => oneCycle(t, 20, 0.01, o).lr),
      1e-12,
    );
    expectClose(
      b1,
      range(20).map((t) => oneCycle(t, 20, 0.01, o).m),
      1e-12,
    );
    expect(opt.paramGroups[0]!.betas[1]).toBe(0.98);
  });

  test('three phases: up, back down to the start, then to the final rate', () => {
    const s = new OneCycleLR(sgd(), 1, { totalSteps: 20, threePhase: true, cycleMomentum: false });
    const lrs = trace(s, 19);
    // Phase ends at pct·total − 1 = 5, 2·pct·total − 2 = 10, total − 1 = 19.
    const cos = (a: number, b: number, p: number) => b + ((a - b) * (1 + Math.cos(Math.PI * p))) / 2;
    const expected = range(20).map((t) =>
      t <= 5 ? cos(0.04, 1, t / 5) : t <= 10 ? cos(1, 0.04, (t - 5) / 5) : cos(0.04, 4e-6, (t - 10) / 9),
    );
    expectClose(lrs, expected, 1e-12);
  });

  test('stepping past totalSteps throws', () => {
    const s = new OneCycleLR(sgd(), 0.1, { totalSteps: 10 });
    for (let i = 0; i < 10; i++) s.step();
    expect(() => s.step()).toThrow(/stepped 11 times but the cycle has 10 steps/);
  });

  test('invalid setups throw', () => {
    expect(() => new OneCycleLR(sgd(), 0.1)).toThrow(/totalSteps/);
    expect(() => new OneCycleLR(sgd(), 0.1, { totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => new OneCycleLR(sgd(), 0.1, { totalSteps: 10, pctStart: 1.5 })).toThrow(/pctStart/);
    expect(() => new OneCycleLR(sgd(), 0.1, { totalSteps: 10, annealStrategy: 'step' as 'cos' })).toThrow(
      /annealStrategy/,
    );
    expect(() => new OneCycleLR(new Adagrad([param()]), 0.1, { totalSteps: 10 })).toThrow(
      /momentum or betas/,
    );
    expect(() => new OneCycleLR(sgd(), [0.1, 0.2], { totalSteps: 10 })).toThrow(/one per param group/);
    expect(() => new OneCycleLR(sgd(), 0.1, { totalSteps: 10, pctStart: 0.1 })).toThrow(/empty/);
  });
});

describe('ReduceLROnPlateau', () => {
  test('patience, threshold and cooldown (min mode, relative threshold)', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1 });
    const metrics = [10, 9.5, 9.2, 9.1, 8, 8, 8, 8, 8, 8, 8, 8];
    const lrs = metrics.map((m) => {
      s.step(m);
      return s.getLastLr()[0];
    });
    // 9.5, 9.2, 9.1 are not below 10·(1 − 0.1): three bad epochs > patience 2 → halve;
    // 8 is an improvement (and uses up the cooldown); then every 8 is bad, and each
    // reduction's cooldown swallows one bad epoch.
    expect(lrs).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125]);
    expect(s.lastEpoch).toBe(12);
    expect(s.best).toBe(8);
  });
  test('max mode with an absolute threshold, minLr floor and defaults', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, {
      mode: 'max',
      thresholdMode: 'abs',
      threshold: 0.5,
      patience: 0,
      minLr: 0.3,
      factor: 0.5,
    });
    const lrs = [1, 1.4, 2, 2.4, 2.4].map((m) => {
      s.step(m);
      return s.getLastLr()[0];
    });
    expect(lrs).toEqual([1, 0.5, 0.5, 0.3, 0.3]);
    const d = new ReduceLROnPlateau(sgd(1));
    for (let i = 0; i < 11; i++) d.step(1);
    expect(d.getLastLr()[0]).toBe(1); // patience 10: ten bad epochs after the first are tolerated
    d.step(1);
    expect(d.getLastLr()[0]).toBeCloseTo(0.1, 15);
  });
  test('invalid options throw', () => {
    expect(() => new ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow(/factor/);
    expect(() => new ReduceLROnPlateau(sgd(), { mode: 'lowest' as 'min' })).toThrow(/mode/);
    expect(() => new ReduceLROnPlateau(sgd(), { thresholdMode: 'x' as 'rel' })).toThrow(/thresholdMode/);
    expect(() => new ReduceLROnPlateau(sgd(), { patience: -1 })).toThrow(/patience/);
    expect(() => new ReduceLROnPlateau(sgd(), { minLr: [0, 0] })).toThrow(/one per param group/);
  });
});

describe('SequentialLR', () => {
  test('warm-up then decay, the second scheduler restarting at the milestone', () => {
    const opt = sgd(1);
    const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
    const decay = new ExponentialLR(opt, 0.5);
    const s = new SequentialLR(opt, [warm, decay], [3]);
    const expected = range(9).map((e) => (e < 3 ? 0.1 + (0.9 * e) / 3 : 0.5 ** (e - 3)));
    expectClose(trace(s, 8), expected);
  });
  test('three schedulers, cosine after a constant-rate StepLR', () => {
    const opt = sgd(0.2);
    const a = new StepLR(opt, 100);
    const b = new CosineAnnealingLR(opt, 4);
    const c = new ExponentialLR(opt, 0.9);
    const s = new SequentialLR(opt, [a, b, c], [2, 6]);
    const expected = range(10).map((e) =>
      e < 2 ? 0.2 : e < 6 ? 0.1 * (1 + Math.cos((Math.PI * (e - 2)) / 4)) : 0.2 * 0.9 ** (e - 6),
    );
    expectClose(trace(s, 9), expected, 1e-12);
  });
  test('invalid setups throw', () => {
    const opt = sgd();
    const a = new StepLR(opt, 2);
    expect(() => new SequentialLR(opt, [a, new StepLR(opt, 3)], [])).toThrow(/milestones/);
    expect(() => new SequentialLR(opt, [a, new StepLR(sgd(), 3)], [2])).toThrow(/different optimizer/);
    expect(() => new SequentialLR(opt, [], [])).toThrow(/at least one/);
  });
});

describe('scheduler state dicts', () => {
  const makers: Array<[string, (o: SGD) => LRScheduler]> = [
    ['StepLR', (o) => new StepLR(o, 2, { gamma: 0.7 })],
    ['MultiStepLR', (o) => new MultiStepLR(o, [1, 4, 6])],
    ['ExponentialLR', (o) => new ExponentialLR(o, 0.8)],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, 5, { etaMin: 0.01 })],
    ['LinearLR', (o) => new LinearLR(o)],
    ['OneCycleLR', (o) => new OneCycleLR(o, 0.5, { totalSteps: 12 })],
    ['LambdaLR', (o) => new LambdaLR(o, (e) => 1 / (1 + e))],
    ['SequentialLR', (o) => new SequentialLR(o, [new LinearLR(o), new CosineAnnealingLR(o, 4)], [3])],
  ];
  test.each(makers)('%s resumes identically from its state dict', (_name, make) => {
    const optA = sgd(0.3, { momentum: 0.9 });
    const a = make(optA);
    for (let i = 0; i < 4; i++) a.step();
    const saved = a.stateDict();
    const savedOpt = optA.stateDict();
    const rest = trace(a, 6).slice(1);

    const optB = sgd(0.3, { momentum: 0.9 });
    const b = make(optB);
    optB.loadStateDict(savedOpt);
    b.loadStateDict(saved);
    expect(trace(b, 6).slice(1)).toEqual(rest);
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
  });
  test('ReduceLROnPlateau resumes identically', () => {
    const metrics = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3];
    const a = new ReduceLROnPlateau(sgd(1), { patience: 1 });
    metrics.slice(0, 4).forEach((m) => {
      a.step(m);
    });
    const saved = a.stateDict();
    // The scheduler's dict holds its counters; the learning rate itself lives in the optimizer.
    const b = new ReduceLROnPlateau(sgd(a.optimizer.paramGroups[0]!.lr), { patience: 1 });
    b.loadStateDict(saved);
    for (const m of metrics.slice(4)) {
      a.step(m);
      b.step(m);
      expect(b.getLastLr()).toEqual(a.getLastLr());
    }
    expect(b.getLastLr()[0]).toBeLessThan(0.01);
  });
  test('ReduceLROnPlateau survives a JSON round trip before its first metric', () => {
    const a = new ReduceLROnPlateau(sgd(1), { mode: 'max', patience: 0 });
    const b = new ReduceLROnPlateau(sgd(1), { mode: 'max', patience: 0 });
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    expect(b.best).toBe(Number.NEGATIVE_INFINITY);
    b.step(-5);
    expect(b.best).toBe(-5);
    expect(b.getLastLr()).toEqual([1]);
  });
  test('loading another kind of scheduler throws', () => {
    expect(() => new StepLR(sgd(), 2).loadStateDict(new ExponentialLR(sgd(), 0.5).stateDict())).toThrow(
      /from ExponentialLR/,
    );
  });
});

test('resuming with lastEpoch needs initialLr in the groups', () => {
  expect(() => new StepLR(sgd(), 2, { lastEpoch: 3 })).toThrow(/initialLr/);
  const opt = sgd(1);
  new StepLR(opt, 2);
  const s = new StepLR(opt, 2, { gamma: 0.5, lastEpoch: 3 });
  expect(s.lastEpoch).toBe(4);
  expect(s.getLastLr()[0]).toBe(0.5); // the chainable form halves at epoch 4
});

test('invalid scheduler options throw ValueError', () => {
  expect(() => new StepLR(sgd(), 0)).toThrow(/stepSize/);
  expect(() => new StepLR(sgd(), 2, { gamma: -1 })).toThrow(/gamma/);
  expect(() => new MultiStepLR(sgd(), [1.5])).toThrow(/milestones/);
  expect(() => new CosineAnnealingLR(sgd(), 0)).toThrow(/tMax/);
  expect(() => new LinearLR(sgd(), { startFactor: 0 })).toThrow(/startFactor/);
  expect(() => new LinearLR(sgd(), { endFactor: 1.5 })).toThrow(/endFactor/);
  expect(() => new LambdaLR(sgd(), [(e) => e, (e) => e])).toThrow(/one per param group/);
  expect(() => new ExponentialLR(sgd(), 0.5, { lastEpoch: -2 })).toThrow(/lastEpoch/);
});

test('the optimizer uses the scheduled learning rate', () => {
  const p = tensor([1], { requiresGrad: true });
  const opt = new SGD([p], { lr: 1 });
  const s = new StepLR(opt, 1, { gamma: 0.5 });
  for (let i = 0; i < 3; i++) {
    p.grad = tensor([1]);
    opt.step();
    s.step();
  }
  expect(p.itemSync()).toBeCloseTo(1 - 1 - 0.5 - 0.25, 6);
});

test('OneCycleLR with a first phase shorter than a step skips it, as PyTorch does', () => {
  // totalSteps 3, pctStart 0.3: the rise ends at step 0.3·3 − 1 = −0.1, so step 0 is already
  // in the fall from maxLr, at (0 + 0.1)/(2 + 0.1) of the way.
  const s = new OneCycleLR(sgd(), 1, { totalSteps: 3, cycleMomentum: false });
  const fall = (t: number) => 1e-4 * 0.04 + ((1 - 0.04e-4) / 2) * (1 + Math.cos((Math.PI * (t + 0.1)) / 2.1));
  expectClose(trace(s, 2), [0, 1, 2].map(fall), 1e-12);
});

describe('ConstantLR', () => {
  test('lr = base · factor before totalIters, base from then on (defaults 1/3 and 5)', () => {
    expectClose(
      trace(new ConstantLR(sgd(0.3)), 8),
      range(9).map((e) => 0.3 * (e < 5 ? 1 / 3 : 1)),
    );
    const s = new ConstantLR(sgd(1), { factor: 0.5, totalIters: 2 });
    expectClose(trace(s, 3), [0.5, 0.5, 1, 1]);
    s.step(1);
    expectClose(s.getLastLr(), [0.5]);
  });
  test('factor must be in [0, 1]', () => {
    expect(() => new ConstantLR(sgd(), { factor: 1.5 })).toThrow(/ConstantLR: invalid factor 1.5/);
  });
});

describe('PolynomialLR', () => {
  test.each([
    [1, 5],
    [2, 4],
    [0.5, 3],
  ])('lr = base · (1 − min(epoch, n)/n)^power (power %s, n %s)', (power, n) => {
    const s = new PolynomialLR(sgd(0.2), { power, totalIters: n });
    expectClose(
      trace(s, n + 3),
      range(n + 4).map((e) => 0.2 * (1 - Math.min(e, n) / n) ** power),
    );
  });
  test('defaults: 5 iterations, power 1; step(epoch) jumps by the closed form', () => {
    const s = new PolynomialLR(sgd(1));
    expectClose(trace(s, 2), [1, 0.8, 0.6]);
    s.step(4);
    expectClose(s.getLastLr(), [0.2]);
  });
});

describe('CosineAnnealingWarmRestarts', () => {
  const cosine = (base: number, etaMin: number, tCur: number, tI: number) =>
    etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;

  test('restarts every t0 epochs with tMult 1', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(0.1), 4, { etaMin: 0.01 });
    expectClose(
      trace(s, 13),
      range(14).map((e) => cosine(0.1, 0.01, e % 4, 4)),
    );
  });

  test('periods grow by tMult: 3, 6, 12 …', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(1), 3, { tMult: 2 });
    const expected = range(25).map((e) => {
      let start = 0;
      let period = 3;
      while (e >= start + period) {
        start += period;
        period *= 2;
      }
      return cosine(1, 0, e - start, period);
    });
    expectClose(trace(s, 24), expected);
  });

  test('step(epoch) takes fractional epochs', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(1), 2, { tMult: 2 });
    // Periods [0, 2), [2, 6), [6, 14): epoch 4.5 is 2.5 into the second period of 4.
    for (const [epoch, tCur, tI] of [
      [0.5, 0.5, 2],
      [4.5, 2.5, 4],
      [7.25, 1.25, 8],
      [1.75, 1.75, 2],
    ] as const) {
      s.step(epoch);
      expectClose(s.getLastLr(), [cosine(1, 0, tCur, tI)]);
      expect(s.lastEpoch).toBe(Math.floor(epoch));
    }
    const flat = new CosineAnnealingWarmRestarts(sgd(1), 3);
    flat.step(7.5);
    expectClose(flat.getLastLr(), [cosine(1, 0, 1.5, 3)]);
  });

  test('checks t0 and tMult', () => {
    expect(() => new CosineAnnealingWarmRestarts(sgd(), 0)).toThrow(/t0/);
    expect(() => new CosineAnnealingWarmRestarts(sgd(), 2, { tMult: 1.5 })).toThrow(/tMult/);
  });
});

describe('CyclicLR', () => {
  /** The triangle wave: 0 → 1 over `up` steps, back to 0 over `down`. */
  const wave = (t: number, up: number, down: number) => {
    const p = t % (up + down);
    return p <= up ? p / up : (up + down - p) / down;
  };

  test('triangular: a constant triangle between baseLr and maxLr; momentum moves the other way', () => {
    const opt = sgd(0.5, { momentum: 0.5 });
    const s = new CyclicLR(opt, 0.1, 1, { stepSizeUp: 4, stepSizeDown: 2 });
    const momenta = [opt.paramGroups[0]!.momentum];
    const lrs = [s.getLastLr()[0]!];
    for (let i = 0; i < 14; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
      momenta.push(opt.paramGroups[0]!.momentum);
    }
    expectClose(
      lrs,
      range(15).map((t) => 0.1 + 0.9 * wave(t, 4, 2)),
    );
    expectClose(
      momenta,
      range(15).map((t) => 0.9 - 0.1 * wave(t, 4, 2)),
    );
  });

  test('triangular2 halves the amplitude every cycle', () => {
    const s = new CyclicLR(sgd(), 0, 1, { stepSizeUp: 2, mode: 'triangular2', cycleMomentum: false });
    expectClose(
      trace(s, 12),
      range(13).map((t) => wave(t, 2, 2) / 2 ** Math.floor(t / 4)),
    );
  });

  test("exp_range scales the amplitude by gamma^iteration, and Adam's beta1 cycles", () => {
    const opt = new Adam([param()], { betas: [0.95, 0.99] });
    const s = new CyclicLR(opt, 0.1, 0.5, { stepSizeUp: 3, mode: 'exp_range', gamma: 0.9 });
    const b1 = [opt.paramGroups[0]!.betas[0]];
    const lrs = [s.getLastLr()[0]!];
    for (let i = 0; i < 10; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
      b1.push(opt.paramGroups[0]!.betas[0]);
    }
    expectClose(
      lrs,
      range(11).map((t) => 0.1 + 0.4 * wave(t, 3, 3) * 0.9 ** t),
    );
    expectClose(
      b1,
      range(11).map((t) => 0.9 - 0.1 * wave(t, 3, 3) * 0.9 ** t),
    );
    expect(opt.paramGroups[0]!.betas[1]).toBe(0.99);
  });

  test('a custom scale function of the cycle number', () => {
    const s = new CyclicLR(sgd(), 0, 1, { stepSizeUp: 1, scaleFn: (c) => 1 / c, cycleMomentum: false });
    expectClose(
      trace(s, 5),
      range(6).map((t) => wave(t, 1, 1) / Math.floor(1 + t / 2)),
    );
  });

  test('cycleMomentum needs momentum or betas, as in PyTorch', () => {
    const ada = () => new Adagrad([param()]);
    expect(() => new CyclicLR(ada(), 0.1, 1)).toThrow(
      /cycleMomentum needs an optimizer with momentum or betas/,
    );
    expect(() => new CyclicLR(ada(), 0.1, 1, { cycleMomentum: false })).not.toThrow();
    expect(() => new CyclicLR(sgd(), 0.1, 1, { mode: 'sawtooth' as 'triangular' })).toThrow(/mode/);
  });
});

describe('step(epoch) jumps by the closed form', () => {
  test('LinearLR: base · (start + (end − start)·min(epoch, total)/total)', () => {
    const s = new LinearLR(sgd(2), { startFactor: 0.25, endFactor: 0.75, totalIters: 4 });
    for (const e of [3, 1, 9, 0]) {
      s.step(e);
      expectClose(s.getLastLr(), [2 * (0.25 + (0.5 * Math.min(e, 4)) / 4)]);
    }
  });
  test('MultiStepLR: gamma to the number of milestones passed, repeated ones counting twice', () => {
    const s = new MultiStepLR(sgd(1), [3, 1, 3], { gamma: 0.5 });
    const at = (e: number) => {
      s.step(e);
      return s.getLastLr()[0];
    };
    expect([at(0), at(2), at(3), at(9), at(1)]).toEqual([1, 0.5, 0.125, 0.125, 0.5]);
    // The chainable form agrees: a repeated milestone multiplies by gamma twice at once.
    expect(trace(new MultiStepLR(sgd(1), [3, 1, 3], { gamma: 0.5 }), 4)).toEqual([1, 0.5, 0.5, 0.125, 0.125]);
  });
  test('ConstantLR: the factor before totalIters, 1 from then on', () => {
    const s = new ConstantLR(sgd(1), { factor: 0.5, totalIters: 3 });
    s.step(2);
    expect(s.getLastLr()).toEqual([0.5]);
    s.step(3);
    expect(s.getLastLr()).toEqual([1]);
  });
  test('a schedule without a closed form takes one chainable step from the new epoch', () => {
    const s = new LambdaLR(sgd(2), (e) => 1 / (e + 1));
    s.step(3);
    expect(s.lastEpoch).toBe(3);
    expect(s.getLastLr()).toEqual([0.5]);
  });
  test('the epoch must be a whole number >= 0', () => {
    const s = new StepLR(sgd(), 2);
    expect(() => s.step(-1)).toThrow(/StepLR.step: invalid epoch -1/);
    expect(() => s.step(1.5)).toThrow(/invalid epoch 1.5/);
    const w = new CosineAnnealingWarmRestarts(sgd(), 3);
    expect(() => w.step(-0.5)).toThrow(/invalid epoch -0.5/);
    expect(() => w.step(Number.NaN)).toThrow(/invalid epoch NaN/);
    expect(() => w.step(Number.POSITIVE_INFINITY)).toThrow(/invalid epoch Infinity/);
  });
});

test('CosineAnnealingLR resumed at lastEpoch starts from the closed form', () => {
  const opt = sgd(1);
  new CosineAnnealingLR(opt, 10);
  const s = new CosineAnnealingLR(opt, 10, { etaMin: 0.1, lastEpoch: 3 });
  const closed = (e: number) => 0.1 + 0.45 * (1 + Math.cos((Math.PI * e) / 10));
  expectClose(trace(s, 2), [4, 5, 6].map(closed));
});

test('ReduceLROnPlateau in min mode: absolute threshold, and a JSON round trip before the first metric', () => {
  const s = new ReduceLROnPlateau(sgd(1), { thresholdMode: 'abs', threshold: 0.5, patience: 0 });
  expect(s.isBetter(1.4, 2)).toBe(true);
  expect(s.isBetter(1.5, 2)).toBe(false);
  const b = new ReduceLROnPlateau(sgd(1));
  b.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
  expect(b.best).toBe(Number.POSITIVE_INFINITY);
  s.step(2);
  s.step(1.6); // not better by 0.5: patience 0 reduces at once
  expect(s.getLastLr()[0]).toBeCloseTo(0.1, 15);
  expect(() => s.step('1' as never)).toThrow(/the metric must be a number, got string/);
});

test('invalid scheduler arguments throw ValueError naming them', () => {
  expect(() => new StepLR({} as never, 2)).toThrow(/StepLR: expected an Optimizer/);
  expect(() => new CosineAnnealingLR(sgd(), 5, { etaMin: Number.NaN })).toThrow(/invalid etaMin NaN/);
  expect(() => new CosineAnnealingWarmRestarts(sgd(), 5, { etaMin: '0' as never })).toThrow(
    /invalid etaMin 0/,
  );
  expect(() => new LambdaLR(sgd(), 0.5 as never)).toThrow(/lrLambda must be a function/);
  expect(() => new LambdaLR(sgd(), () => Number.NaN)).toThrow(
    /lrLambda\[0\]\(0\) returned NaN, not a number/,
  );
  const opt = new SGD([{ params: [param()] }, { params: [param()] }], { lr: 0.1 });
  const off = { cycleMomentum: false };
  expect(() => new CyclicLR(opt, 0.01, [0.1], off)).toThrow(/maxLr must be a number or a list of 2 numbers/);
  expect(() => new CyclicLR(sgd(), Number.NaN, 0.1, off)).toThrow(/baseLr must be a number/);
  expect(() => new CyclicLR(sgd(), 0.01, 0.1, { ...off, stepSizeUp: 0 })).toThrow(/invalid stepSizeUp 0/);
  expect(() => new CyclicLR(sgd(), 0.01, 0.1, { ...off, stepSizeDown: Number.POSITIVE_INFINITY })).toThrow(
    /invalid stepSizeDown Infinity/,
  );
  expect(() => new OneCycleLR(sgd(), 1, { totalSteps: 10, divFactor: 0 })).toThrow(/invalid divFactor 0/);
  expect(() => new OneCycleLR(sgd(), 1, { totalSteps: 10, finalDivFactor: -1 })).toThrow(
    /invalid finalDivFactor -1/,
  );
  const o = sgd();
  const a = new StepLR(o, 2);
  expect(() => new SequentialLR(o, [a, new ReduceLROnPlateau(o) as never], [2])).toThrow(
    /schedulers\[1\] is not an epoch-based scheduler/,
  );
  for (const m of [[0], [1.5], [3, 3]]) {
    const b = [a, new StepLR(o, 3), new StepLR(o, 4)].slice(0, m.length + 1);
    expect(() => new SequentialLR(o, b, m), JSON.stringify(m)).toThrow(/increasing integers >= 1/);
  }
  const seq = new SequentialLR(o, [a, new StepLR(o, 3)], [2]);
  expect(() => seq.loadStateDict({ ...seq.stateDict(), schedulers: [a.stateDict()] })).toThrow(
    /expected states of 2 schedulers/,
  );
});
