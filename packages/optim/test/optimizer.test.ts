import {
  AutogradError,
  isKept,
  manualSeed,
  memory,
  noGrad,
  randn,
  ShapeError,
  Tensor,
  tensor,
  tidy,
  ValueError,
} from '@tsgrad/core';
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  ASGD,
  NAdam,
  type Optimizer,
  type OptimizerStateDict,
  type Params,
  RAdam,
  RMSprop,
  Rprop,
  SGD,
} from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';

const configs: Array<[string, (p: Params<any>) => Optimizer]> = [
  ['SGD nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ['RMSprop centered', (p) => new RMSprop(p, { momentum: 0.5, centered: true })],
  ['Adadelta', (p) => new Adadelta(p, { weightDecay: 0.1 })],
  ['Adam amsgrad', (p) => new Adam(p, { lr: 0.01, amsgrad: true })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.01 })],
  ['NAdam', (p) => new NAdam(p, { lr: 0.01, weightDecay: 0.01 })],
  ['NAdamW', (p) => new NAdam(p, { lr: 0.01, weightDecay: 0.01, decoupledWeightDecay: true })],
  ['RAdam', (p) => new RAdam(p, { lr: 0.01, betas: [0.5, 0.6] })],
  ['RAdamW', (p) => new RAdam(p, { lr: 0.01, weightDecay: 0.01, decoupledWeightDecay: true })],
  ['Adamax', (p) => new Adamax(p, { lr: 0.01 })],
  ['ASGD', (p) => new ASGD(p, { lr: 0.01, t0: 2 })],
  ['Rprop', (p) => new Rprop(p, { lr: 0.01 })],
];

/** Each optimizer's state keys, as PyTorch's `state_dict()` names them. */
const stateKeys: Record<string, string[]> = {
  'SGD nesterov': ['momentum_buffer'],
  Adagrad: ['step', 'sum'],
  'RMSprop centered': ['step', 'square_avg', 'momentum_buffer', 'grad_avg'],
  Adadelta: ['step', 'square_avg', 'acc_delta'],
  'Adam amsgrad': ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  AdamW: ['step', 'exp_avg', 'exp_avg_sq'],
  NAdam: ['step', 'mu_product', 'exp_avg', 'exp_avg_sq'],
  NAdamW: ['step', 'mu_product', 'exp_avg', 'exp_avg_sq'],
  RAdam: ['step', 'exp_avg', 'exp_avg_sq'],
  RAdamW: ['step', 'exp_avg', 'exp_avg_sq'],
  Adamax: ['step', 'exp_avg', 'exp_inf'],
  ASGD: ['step', 'eta', 'mu', 'ax'],
  Rprop: ['step', 'prev', 'step_size'],
};

/** Two parameters in two groups (the second with its own weight decay). */
function setup(make: (p: Params<any>) => Optimizer, init?: Tensor[]) {
  const w = (
    init?.[0] ??
    tensor([
      [0.5, -1],
      [2, 0.25],
    ])
  )
    .detach()
    .clone()
    .requiresGrad_();
  const b = (init?.[1] ?? tensor([0.1, -0.2, 0.3])).detach().clone().requiresGrad_();
  const opt = make([{ params: [w] }, { params: [b], weightDecay: 0.05 }]);
  return { w, b, opt };
}

function grads(step: number): [Tensor, Tensor] {
  const s = step + 1;
  return [
    tensor([
      [Math.sin(s), Math.cos(2 * s)],
      [0.3 * s - 1, -0.5],
    ]),
    tensor([Math.cos(s), 0.1 * s, -Math.sin(3 * s)]),
  ];
}

function run(ps: Tensor[], opt: Optimizer, from: number, steps: number): number[][] {
  const out: number[][] = [];
  for (let i = from; i < from + steps; i++) {
    const g = grads(i);
    ps.forEach((p, j) => {
      p.grad = g[j]!;
    });
    opt.step();
    out.push(ps.flatMap((p) => Array.from(p.dataSync())));
  }
  return out;
}

describe.each(configs)('%s', (name, make) => {
  test('stateDict → loadStateDict resumes identically', () => {
    const a = setup(make);
    run([a.w, a.b], a.opt, 0, 3);
    const saved = a.opt.stateDict();
    const snapshot = [a.w.detach().clone(), a.b.detach().clone()];
    const expected = run([a.w, a.b], a.opt, 3, 4);

    const b = setup(make, snapshot);
    b.opt.loadStateDict(saved);
    expect(run([b.w, b.b], b.opt, 3, 4)).toEqual(expected);
  });

  test('a state dict is a snapshot in PyTorch layout', () => {
    const a = setup(make);
    run([a.w, a.b], a.opt, 0, 2);
    const saved = a.opt.stateDict();
    expect(Object.keys(saved)).toEqual(['state', 'param_groups']);
    expect(Object.keys(saved.state)).toEqual(['0', '1']);
    expect(Object.keys(saved.state[0]!).sort()).toEqual([...stateKeys[name]!].sort());
    expect(saved.param_groups).toHaveLength(2);
    expect(saved.param_groups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(saved.param_groups[1]!.weight_decay).toBe(0.05);
    expect(saved.param_groups[0]!.lr).toBe(a.opt.paramGroups[0]!.lr);
    for (const g of saved.param_groups) {
      for (const k of Object.keys(g)) expect(k, 'a snake_case key').toMatch(/^[a-z0-9_]+$/);
    }
    const tensors = Object.values(saved.state[0]!).filter((v): v is Tensor => v instanceof Tensor);
    expect(tensors.length).toBeGreaterThan(0);
    const before = tensors.map((t) => Array.from(t.dataSync()));
    run([a.w, a.b], a.opt, 2, 2);
    expect(tensors.map((t) => Array.from(t.dataSync()))).toEqual(before);
  });

  test('updates build no graph and state survives tidy', () => {
    const a = setup(make);
    tidy(() => run([a.w, a.b], a.opt, 0, 2));
    expect(a.w.isLeaf && a.b.isLeaf).toBe(true);
    expect(a.w.requiresGrad).toBe(true);
    for (const s of a.opt.state.values()) {
      for (const v of Object.values(s)) {
        if (v instanceof Tensor) {
          expect(v.isDisposed).toBe(false);
          expect(v.requiresGrad).toBe(false);
        }
      }
    }
    run([a.w, a.b], a.opt, 2, 1);
  });

  test('a training loop does not grow memory', () => {
    const a = setup(make);
    const target = tensor([1, 2, 3]);
    const loop = () => {
      tidy(() => {
        const loss = a.w.sum().mul(a.b).sub(target).square().sum();
        loss.backward();
      });
      a.opt.step();
      a.opt.zeroGrad();
    };
    loop();
    loop();
    const live = memory().cpu!.tensors;
    for (let i = 0; i < 5; i++) loop();
    expect(memory().cpu!.tensors).toBe(live);
  });

  test('a parameter without a gradient is skipped: unchanged and given no state', () => {
    const a = setup(make);
    const before = Array.from(a.b.dataSync());
    a.w.grad = grads(0)[0]!;
    a.opt.step();
    expect(Array.from(a.b.dataSync())).toEqual(before);
    expect(a.opt.state.has(a.b)).toBe(false);
    expect(a.opt.state.has(a.w)).toBe(true);
    expect(Array.from(a.w.dataSync())).not.toEqual([0.5, -1, 2, 0.25]);
  });

  test('float32 parameters stay float32, and state loads across dtypes', () => {
    const a = setup(make, [
      tensor(
        [
          [0.5, -1],
          [2, 0.25],
        ],
        { dtype: 'float64' },
      ),
      tensor([0.1, -0.2, 0.3], { dtype: 'float64' }),
    ]);
    const g = grads(0);
    a.w.grad = g[0]!.to('float64');
    a.b.grad = g[1]!.to('float64');
    a.opt.step();
    const b = setup(make);
    b.opt.loadStateDict(a.opt.stateDict());
    for (const s of b.opt.state.values()) {
      for (const v of Object.values(s)) if (v instanceof Tensor) expect(v.dtype).toBe('float32');
    }
    run([b.w, b.b], b.opt, 1, 1);
    expect(b.w.dtype).toBe('float32');
  });
});

describe('param groups', () => {
  test('each group uses its own options; unset ones come from the defaults', () => {
    const p = tensor([1, 1], { requiresGrad: true });
    const q = tensor([1, 1], { requiresGrad: true });
    const opt = new SGD([{ params: [p] }, { params: q, lr: 0.5, weightDecay: 1 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.weightDecay])).toEqual([
      [0.1, 0],
      [0.5, 1],
    ]);
    p.grad = tensor([1, 2]);
    q.grad = tensor([1, 2]);
    opt.step();
    expect(Array.from(p.dataSync())).toEqual([Math.fround(0.9), Math.fround(0.8)]);
    expect(Array.from(q.dataSync())).toEqual([0, Math.fround(-0.5)]);
  });

  test('addParamGroup, and the checks on what can be optimized', () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new Adam([p]);
    const q = tensor([2], { requiresGrad: true });
    opt.addParamGroup({ params: [q], lr: 0.5 });
    expect(opt.paramGroups[1]!.lr).toBe(0.5);
    expect(opt.paramGroups[1]!.betas).toEqual([0.9, 0.999]);
    expect(opt.paramGroups[1]!.betas).not.toBe(opt.paramGroups[0]!.betas);
    expect(() => opt.addParamGroup({ params: [p] })).toThrow(/more than one parameter group/);
    expect(() => opt.addParamGroup({ params: [tensor([1]), tensor([2])], lr: -1 })).toThrow(ValueError);
    const nonLeaf = tensor([1], { requiresGrad: true }).mul(2);
    expect(() => new SGD([nonLeaf])).toThrow(/non-leaf/);
    expect(() => new SGD([])).toThrow(/empty parameter list/);
    const r = tensor([1], { requiresGrad: true });
    expect(() => new SGD([r, r])).toThrow(/same tensor twice/);
    expect(() => new SGD([r, { params: [q] }] as never)).toThrow(
      /all tensors or all parameter groups, not a mix/,
    );
    expect(() => new SGD([{ params: [r, 3 as never] }])).toThrow(/SGD: params\[1\] is not a Tensor/);
  });

  test('parameters without a gradient are left alone', () => {
    const p = tensor([1], { requiresGrad: true });
    const q = tensor([1], { requiresGrad: true });
    const opt = new Adam([p, q], { lr: 0.1 });
    p.grad = tensor([1]);
    opt.step();
    expect(q.itemSync()).toBe(1);
    expect(opt.state.has(q)).toBe(false);
    expect(p.itemSync()).toBeCloseTo(0.9, 6);
  });
});

describe('options turned on after the state was made', () => {
  const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });

  test('Adam amsgrad: the running maximum of v starts from zero', () => {
    const [g1, g2] = [f64([0.5, -2]), f64([1, 0.25])];
    const p = f64([1, -1]).requiresGrad_();
    const q = f64([1, -1]).requiresGrad_();
    const toggled = new Adam([p], { lr: 0.1 });
    const plain = new Adam([q], { lr: 0.1 });
    for (const [i, g] of [g1, g2].entries()) {
      if (i === 1) toggled.paramGroups[0]!.amsgrad = true;
      p.grad = g;
      q.grad = g;
      toggled.step();
      plain.step();
    }
    // max(0, v₂) = v₂: the first amsgrad step is the plain one.
    expect(Array.from(p.dataSync())).toEqual(Array.from(q.dataSync()));
    const s = toggled.state.get(p)!;
    expect(Array.from((s.maxExpAvgSq as Tensor).dataSync())).toEqual(
      Array.from((s.expAvgSq as Tensor).dataSync()),
    );
    expect(plain.state.get(q)!.maxExpAvgSq).toBeUndefined();
  });

  test('RMSprop momentum and centered: their buffers start from zero', () => {
    const [lr, alpha, eps, momentum] = [0.01, 0.9, 1e-8, 0.5];
    const g1 = [0.5, -2];
    const g2 = [1, 0.25];
    const p = f64([1, -1]).requiresGrad_();
    const opt = new RMSprop([p], { lr, alpha, eps });
    p.grad = f64(g1);
    opt.step();
    Object.assign(opt.paramGroups[0]!, { momentum, centered: true });
    p.grad = f64(g2);
    opt.step();
    const expected = [1, -1].map((p0, i) => {
      const v1 = (1 - alpha) * g1[i]! ** 2;
      const p1 = p0 - (lr * g1[i]!) / (Math.sqrt(v1) + eps);
      const v2 = alpha * v1 + (1 - alpha) * g2[i]! ** 2;
      const gAvg = (1 - alpha) * g2[i]!;
      const buf = g2[i]! / (Math.sqrt(v2 - gAvg ** 2) + eps);
      return p1 - lr * buf;
    });
    Array.from(p.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 14);
    });
    const s = opt.state.get(p)!;
    expect(Array.from((s.gradAvg as Tensor).dataSync())).toEqual(g2.map((g) => (1 - alpha) * g));
  });
});

describe('zeroGrad', () => {
  test('setToNone (default) clears and frees gradients autograd made', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1 });
    p.mul(3).sum().backward();
    const g = p.grad!;
    expect(isKept(g)).toBe(true);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
    // A gradient the user assigned is the user's: cleared, not freed.
    const mine = tensor([1, 1]);
    p.grad = mine;
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(mine.isDisposed).toBe(false);
  });

  test('setToNone: false fills the same tensor with zeros; backward accumulates again', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1 });
    p.mul(3).sum().backward();
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
    p.mul(2).sum().backward();
    expect(Array.from(p.grad!.dataSync())).toEqual([2, 2]);
  });

  test('a gradient built with createGraph is detached before zeroing', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1 });
    p.square().sum().backward(undefined, { createGraph: true });
    expect(p.grad!.gradFn).not.toBeNull();
    opt.zeroGrad({ setToNone: false });
    expect(p.grad!.gradFn).toBeNull();
    expect(Array.from(p.grad!.dataSync())).toEqual([0, 0]);
  });
});

describe('loadStateDict checks', () => {
  const fresh = () => new Adam([tensor([1, 2], { requiresGrad: true }), tensor([3], { requiresGrad: true })]);
  const trained = () => {
    const o = fresh();
    for (const g of o.paramGroups[0]!.params) g.grad = g.detach().mul(0.5);
    o.step();
    return o.stateDict();
  };
  test('group count and sizes must match', () => {
    const d = trained();
    const one = new Adam([tensor([1, 2], { requiresGrad: true })]);
    expect(() => one.loadStateDict(d)).toThrow(/1 parameters in the optimizer|has 2 parameters/);
    const two = new Adam([
      { params: [tensor([1, 2], { requiresGrad: true })] },
      { params: [tensor([3], { requiresGrad: true })] },
    ]);
    expect(() => two.loadStateDict(d)).toThrow(/1 parameter groups|2 parameter groups/);
  });
  test('state shapes must match the parameters', () => {
    const d = trained();
    const o = new Adam([tensor([1, 2, 3], { requiresGrad: true }), tensor([3], { requiresGrad: true })]);
    expect(() => o.loadStateDict(d)).toThrow(ShapeError);
  });
  test('a dict without param_groups, or with state for an unlisted parameter, is refused', () => {
    const o = fresh();
    expect(() => o.loadStateDict({ state: {} } as never)).toThrow(/has no parameter groups/);
    const d = trained();
    d.state[7] = d.state[0]!;
    expect(() => o.loadStateDict(d)).toThrow(/state for parameter 7, which no parameter group lists/);
  });
  test('loading replaces the state: the old tensors are freed; a failed load changes nothing', () => {
    const o = fresh();
    const [a, b] = o.paramGroups[0]!.params as [Tensor, Tensor];
    a.grad = tensor([1, 1]);
    b.grad = tensor([1]);
    o.step();
    const old = o.state.get(a)!.expAvg as Tensor;
    const bad = trained();
    bad.state[1]!.exp_avg = tensor([1, 2, 3]);
    expect(() => o.loadStateDict(bad)).toThrow(ShapeError);
    expect(o.state.get(a)!.expAvg).toBe(old);
    expect(old.isDisposed).toBe(false);
    o.loadStateDict(trained());
    expect(old.isDisposed).toBe(true);
    o.loadStateDict({ param_groups: trained().param_groups } as OptimizerStateDict);
    expect(o.state.size).toBe(0);
  });
  test('group options are restored', () => {
    const d: OptimizerStateDict = trained();
    d.param_groups[0]!.lr = 0.123;
    const o = fresh();
    o.loadStateDict(d);
    expect(o.paramGroups[0]!.lr).toBe(0.123);
    expect(o.paramGroups[0]!.params).toHaveLength(2);
    expect(o.state.get(o.paramGroups[0]!.params[0]!)!.step).toBe(1);
  });
});

describe('invalid options throw ValueError', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  test.each<[string, () => unknown, RegExp]>([
    ['SGD negative lr', () => new SGD(p(), { lr: -0.1 }), /SGD: invalid learning rate -0.1/],
    ['SGD NaN lr', () => new SGD(p(), { lr: Number.NaN }), /learning rate/],
    ['SGD negative momentum', () => new SGD(p(), { momentum: -1 }), /momentum/],
    ['SGD nesterov without momentum', () => new SGD(p(), { nesterov: true }), /nesterov/],
    [
      'SGD nesterov with dampening',
      () => new SGD(p(), { nesterov: true, momentum: 0.9, dampening: 0.1 }),
      /dampening/,
    ],
    ['SGD negative weight decay', () => new SGD(p(), { weightDecay: -1 }), /weightDecay/],
    ['Adam beta1 = 1', () => new Adam(p(), { betas: [1, 0.999] }), /betas\[0\] 1 \(must be in \[0, 1\)\)/],
    ['Adam beta2 < 0', () => new Adam(p(), { betas: [0.9, -0.1] }), /betas\[1\]/],
    ['NAdam beta1 = 1', () => new NAdam(p(), { betas: [1, 0.999] }), /NAdam: invalid betas\[0\] 1/],
    ['NAdam negative momentumDecay', () => new NAdam(p(), { momentumDecay: -1 }), /momentumDecay/],
    ['RAdam negative eps', () => new RAdam(p(), { eps: -1 }), /RAdam: invalid eps/],
    [
      'Adamax negative weight decay',
      () => new Adamax(p(), { weightDecay: -1 }),
      /Adamax: invalid weightDecay/,
    ],
    ['ASGD negative lambd', () => new ASGD(p(), { lambd: -1 }), /ASGD: invalid lambd/],
    ['Rprop etaminus > 1', () => new Rprop(p(), { etas: [1.5, 1.2] }), /Rprop: invalid etas/],
    ['Rprop min step > max step', () => new Rprop(p(), { stepSizes: [1, 0.5] }), /Rprop: invalid stepSizes/],
    ['Adam eps < 0', () => new Adam(p(), { eps: -1e-8 }), /eps/],
    ['Adam betas not a pair', () => new Adam(p(), { betas: [0.9] as unknown as [number, number] }), /pair/],
    [
      'AdamW negative weight decay',
      () => new AdamW(p(), { weightDecay: -0.01 }),
      /AdamW: invalid weightDecay/,
    ],
    ['Adagrad lrDecay', () => new Adagrad(p(), { lrDecay: -1 }), /lrDecay/],
    [
      'Adagrad accumulator',
      () => new Adagrad(p(), { initialAccumulatorValue: -1 }),
      /initialAccumulatorValue/,
    ],
    ['Adagrad eps', () => new Adagrad(p(), { eps: -1 }), /eps/],
    ['RMSprop alpha', () => new RMSprop(p(), { alpha: -0.1 }), /alpha/],
    ['RMSprop momentum', () => new RMSprop(p(), { momentum: -0.1 }), /momentum/],
    ['Adadelta rho', () => new Adadelta(p(), { rho: 1.5 }), /rho 1.5 \(must be in \[0, 1\]\)/],
    ['Adadelta lr', () => new Adadelta(p(), { lr: -1 }), /learning rate/],
    ['group override', () => new SGD([{ params: p(), lr: -1 }], { lr: 0.1 }), /learning rate -1/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(ValueError);
    expect(make).toThrow(message);
  });
});

test('defaults follow PyTorch', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  expect(new SGD(p()).defaults).toMatchObject({ lr: 1e-3, momentum: 0, dampening: 0, nesterov: false });
  expect(new Adagrad(p()).defaults).toMatchObject({
    lr: 1e-2,
    lrDecay: 0,
    initialAccumulatorValue: 0,
    eps: 1e-10,
  });
  expect(new RMSprop(p()).defaults).toMatchObject({
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    momentum: 0,
    centered: false,
  });
  expect(new Adadelta(p()).defaults).toMatchObject({ lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 });
  expect(new Adam(p()).defaults).toMatchObject({
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
  });
  expect(new AdamW(p()).defaults).toMatchObject({ weightDecay: 1e-2, decoupledWeightDecay: true });
});

test('maximize climbs the objective', () => {
  for (const make of [
    (q: Tensor[]) => new SGD(q, { lr: 0.1, maximize: true }),
    (q: Tensor[]) => new Adam(q, { lr: 0.1, maximize: true }),
    (q: Tensor[]) => new Adagrad(q, { lr: 0.1, maximize: true }),
    (q: Tensor[]) => new RMSprop(q, { lr: 0.1, maximize: true }),
    (q: Tensor[]) => new Adadelta(q, { lr: 1, maximize: true }),
  ]) {
    const p = tensor([1], { requiresGrad: true });
    const opt = make([p]);
    p.grad = tensor([2]);
    opt.step();
    expect(p.itemSync()).toBeGreaterThan(1);
  }
});

test('step(closure) re-evaluates the loss with grad on and returns it', () => {
  const p = tensor([3], { requiresGrad: true });
  const opt = new SGD([p], { lr: 0.25 });
  const loss = noGrad(() =>
    opt.step(() => {
      opt.zeroGrad();
      const l = p.square().sum();
      l.backward();
      return l.itemSync();
    }),
  );
  expect(loss).toBe(9);
  expect(p.itemSync()).toBe(1.5); // 3 − 0.25 · 6
});

test('in-place updates outside the optimizer on a parameter still throw (the optimizer uses noGrad)', () => {
  const p = tensor([1], { requiresGrad: true });
  expect(() => p.sub_(1)).toThrow(AutogradError);
});

describe('optimizers fit a tiny linear regression', () => {
  test.each<[string, (p: Tensor[]) => Optimizer, number]>([
    ['SGD momentum', (p) => new SGD(p, { lr: 0.05, momentum: 0.9 }), 150],
    ['Adam', (p) => new Adam(p, { lr: 0.1 }), 200],
    ['AdamW', (p) => new AdamW(p, { lr: 0.1, weightDecay: 1e-4 }), 200],
    ['RMSprop centered momentum', (p) => new RMSprop(p, { lr: 0.002, momentum: 0.9, centered: true }), 300],
    ['Adagrad', (p) => new Adagrad(p, { lr: 0.5 }), 300],
  ])('%s recovers y = 3x₁ − 2x₂ + 0.5', (_name, make, steps) => {
    manualSeed(0);
    const x = randn([64, 2]);
    const y = x.matmul(tensor([[3], [-2]])).add(0.5);
    const w = randn([2, 1]).mul(0.1).requiresGrad_();
    const b = tensor([0], { requiresGrad: true });
    const opt = make([w, b]);
    let loss = Number.POSITIVE_INFINITY;
    for (let i = 0; i < steps; i++) {
      loss = tidy(() => {
        const l = x.matmul(w).add(b).sub(y).square().mean();
        l.backward();
        return l.itemSync();
      });
      opt.step();
      opt.zeroGrad();
    }
    expect(loss).toBeLessThan(1e-4);
    const [w1, w2] = Array.from(w.dataSync());
    expect(w1).toBeCloseTo(3, 2);
    expect(w2).toBeCloseTo(-2, 2);
    expect(b.itemSync()).toBeCloseTo(0.5, 2);
  });
});

describe('state dicts in PyTorch layout', () => {
  test('a dict as PyTorch writes it loads: 0-d step tensors, extra options, snake_case names', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1 });
    opt.loadStateDict({
      state: {
        0: { step: tensor(3), exp_avg: tensor([0.1, 0.2]), exp_avg_sq: tensor([0.01, 0.04]) },
      },
      param_groups: [
        {
          lr: 0.05,
          betas: [0.8, 0.99],
          eps: 1e-8,
          weight_decay: 0.01,
          amsgrad: false,
          maximize: false,
          foreach: null,
          capturable: false,
          differentiable: false,
          fused: null,
          initial_lr: 0.1,
          params: [0],
        },
      ],
    });
    const g = opt.paramGroups[0]!;
    expect([g.lr, g.betas, g.weightDecay, g.initialLr, g.decoupledWeightDecay]).toEqual([
      0.05,
      [0.8, 0.99],
      0.01,
      0.1,
      false,
    ]);
    const s = opt.state.get(p)!;
    expect(s.step).toBe(3);
    expect(Array.from((s.expAvg as Tensor).dataSync())).toEqual([0.1, 0.2].map(Math.fround));
    p.grad = tensor([1, 1]);
    opt.step();
    expect(opt.stateDict().state[0]!.step).toBe(4);
  });

  test('the dict survives JSON-like copying and a second optimizer continues identically', () => {
    const make = (p: Tensor) => new RAdam([p], { lr: 0.1 });
    const p = tensor([1, -2, 3], { requiresGrad: true });
    const a = make(p);
    for (let i = 0; i < 7; i++) {
      p.grad = p.detach().mul(0.5).add(i);
      a.step();
    }
    const q = p.detach().clone().requiresGrad_();
    const b = make(q);
    b.loadStateDict(a.stateDict());
    for (let i = 0; i < 3; i++) {
      p.grad = p.detach().sin();
      q.grad = q.detach().sin();
      a.step();
      b.step();
    }
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
  });
});
