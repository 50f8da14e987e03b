/**
 * Every optimizer option check, message by message, just outside and at the edges of the
 * allowed range; the optimizer's name in its messages; the step count in each state.
 */
import { type Tensor, tensor } from '@tsgrad/core';
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  ASGD,
  LBFGS,
  NAdam,
  type Optimizer,
  RAdam,
  RMSprop,
  Rprop,
  SGD,
} from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';

type Make = (p: Tensor[], o: Record<string, unknown>) => Optimizer;
const p = () => [tensor([1, 2], { requiresGrad: true })];

const optimizers: Record<
  string,
  [Make, { nonNegative: string[]; unit?: string[]; betas?: boolean; integers?: string[] }]
> = {
  SGD: [(ps, o) => new SGD(ps, o), { nonNegative: ['momentum', 'dampening', 'weightDecay'] }],
  Adagrad: [
    (ps, o) => new Adagrad(ps, o),
    { nonNegative: ['lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] },
  ],
  RMSprop: [(ps, o) => new RMSprop(ps, o), { nonNegative: ['alpha', 'eps', 'weightDecay', 'momentum'] }],
  Adadelta: [(ps, o) => new Adadelta(ps, o), { nonNegative: ['eps', 'weightDecay'], unit: ['rho'] }],
  Adamax: [(ps, o) => new Adamax(ps, o), { nonNegative: ['eps', 'weightDecay'], betas: true }],
  ASGD: [(ps, o) => new ASGD(ps, o), { nonNegative: ['lambd', 'alpha', 't0', 'weightDecay'] }],
  NAdam: [(ps, o) => new NAdam(ps, o), { nonNegative: ['eps', 'weightDecay', 'momentumDecay'], betas: true }],
  RAdam: [(ps, o) => new RAdam(ps, o), { nonNegative: ['eps', 'weightDecay'], betas: true }],
  Adam: [(ps, o) => new Adam(ps, o), { nonNegative: ['eps', 'weightDecay'], betas: true }],
  AdamW: [(ps, o) => new AdamW(ps, o), { nonNegative: ['eps', 'weightDecay'], betas: true }],
  Rprop: [(ps, o) => new Rprop(ps, o), { nonNegative: [] }],
  LBFGS: [
    (ps, o) => new LBFGS(ps, o),
    { nonNegative: ['toleranceGrad', 'toleranceChange'], integers: ['maxIter', 'maxEval', 'historySize'] },
  ],
};

describe.each(Object.entries(optimizers))('%s', (name, [make, spec]) => {
  const refused = (o: Record<string, unknown>, message: string) => {
    expect(() => make(p(), o), JSON.stringify(o)).toThrow(`${name}: ${message}`);
  };
  const accepted = (o: Record<string, unknown>) => {
    expect(() => make(p(), o), JSON.stringify(o)).not.toThrow();
  };

  test('names itself in its messages', () => {
    expect(() => make([], {})).toThrow(`${name}: got an empty parameter list`);
  });

  test('the learning rate: finite and >= 0', () => {
    for (const lr of [-1, Number.POSITIVE_INFINITY, Number.NaN, '0.1']) {
      refused({ lr }, `invalid learning rate ${String(lr)} (must be a finite number >= 0)`);
    }
    accepted({ lr: 0 });
  });

  test('options that must be >= 0', () => {
    for (const k of spec.nonNegative) {
      for (const v of [-0.5, Number.NaN, 'x'])
        refused({ [k]: v }, `invalid ${k} ${String(v)} (must be a number >= 0)`);
      accepted({ [k]: 0 });
    }
  });

  test('options in [0, 1]', () => {
    for (const k of spec.unit ?? []) {
      for (const v of [-0.1, 1.1, Number.NaN])
        refused({ [k]: v }, `invalid ${k} ${String(v)} (must be in [0, 1])`);
      accepted({ [k]: 0 });
      accepted({ [k]: 1 });
    }
  });

  test('betas: a pair in [0, 1)', () => {
    if (!spec.betas) return;
    refused({ betas: [0.9] }, 'betas must be a pair [beta1, beta2], got [0.9]');
    refused({ betas: 0.9 }, 'betas must be a pair [beta1, beta2], got 0.9');
    refused({ betas: [1, 0.9] }, 'invalid betas[0] 1 (must be in [0, 1))');
    refused({ betas: [0.9, -0.1] }, 'invalid betas[1] -0.1 (must be in [0, 1))');
    accepted({ betas: [0, 0] });
    accepted({ betas: [0.999999, 0.999999] });
  });

  test('whole-number options', () => {
    for (const k of spec.integers ?? []) {
      for (const v of [0, 1.5, '2'])
        refused({ [k]: v }, `invalid ${k} ${String(v)} (must be an integer >= 1)`);
      accepted({ [k]: 1 });
    }
  });
});

test("LBFGS's line search is null or 'strong_wolfe'", () => {
  expect(() => new LBFGS(p(), { lineSearchFn: 'armijo' as never })).toThrow(
    `LBFGS: invalid lineSearchFn "armijo" (must be one of 'strong_wolfe')`,
  );
  expect(() => new LBFGS(p(), { lineSearchFn: null })).not.toThrow();
});

test('Rprop: 0 < etaminus < 1 < etaplus, 0 <= min step <= max step', () => {
  const etas = (v: unknown) =>
    `Rprop: invalid etas ${JSON.stringify(v)} (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)`;
  for (const v of [[0, 1.2], [1, 1.2], [0.5, 1], [0.5], 0.5, ['0.5', 1.2], [0.5, '1.2']]) {
    expect(() => new Rprop(p(), { etas: v as never }), JSON.stringify(v)).toThrow(etas(v));
  }
  expect(() => new Rprop(p(), { etas: [0.001, 1.001] })).not.toThrow();
  const sizes = (v: unknown) =>
    `Rprop: invalid stepSizes ${JSON.stringify(v)} (must be [min, max] with 0 <= min <= max)`;
  for (const v of [[-1, 1], [2, 1], [1], 1, ['0', 1], [0, '1']]) {
    expect(() => new Rprop(p(), { stepSizes: v as never }), JSON.stringify(v)).toThrow(sizes(v));
  }
  expect(() => new Rprop(p(), { stepSizes: [0, 0] })).not.toThrow();
  expect(() => new Rprop(p(), { stepSizes: [1, 1] })).not.toThrow();
});

test('each optimizer counts its steps in its state', () => {
  for (const [name, [make]] of Object.entries(optimizers)) {
    if (name === 'SGD' || name === 'LBFGS') continue; // no step count in their state
    const ps = p();
    const opt = make(ps, {});
    for (let i = 0; i < 3; i++) {
      ps[0]!.grad = tensor([0.5, -1]);
      opt.step();
    }
    expect(opt.state.get(ps[0]!)!.step, name).toBe(3);
  }
});
