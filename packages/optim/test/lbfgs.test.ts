import { memory, type Tensor, tensor } from '@tsgrad/core';
import { LBFGS, type LBFGSOptions } from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';

/** Rosenbrock's function: (1 − x)² + 100(y − x²)², minimum 0 at (1, 1). */
function rosenbrock(p: Tensor): Tensor {
  const x = p.narrow(0, 0, 1);
  const y = p.narrow(0, 1, 1);
  return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
}

function minimise(
  f: (p: Tensor) => Tensor,
  start: number[],
  options: Partial<LBFGSOptions>,
  steps: number,
): { p: Tensor; opt: LBFGS; losses: number[] } {
  const p = tensor(start, { dtype: 'float64', requiresGrad: true });
  const opt = new LBFGS([p], options);
  const losses: number[] = [];
  const closure = () => {
    opt.zeroGrad();
    const loss = f(p);
    loss.backward();
    return loss;
  };
  for (let i = 0; i < steps; i++) losses.push(opt.step(closure)!.itemSync());
  return { p, opt, losses };
}

describe('LBFGS', () => {
  test.each([
    ['fixed steps', { lr: 1 } as Partial<LBFGSOptions>, 100],
    ['strong Wolfe line search', { lineSearchFn: 'strong_wolfe' } as Partial<LBFGSOptions>, 5],
  ])('minimises Rosenbrock from (-1.5, 2) with %s', (_name, options, steps) => {
    const { p } = minimise(rosenbrock, [-1.5, 2], options, steps);
    const [x, y] = Array.from(p.dataSync());
    expect(Math.abs(x! - 1)).toBeLessThan(1e-4);
    expect(Math.abs(y! - 1)).toBeLessThan(1e-4);
  });

  test('with the line search it solves a convex quadratic in one step', () => {
    // f(x) = ½xᵀAx − bᵀx with A symmetric positive definite: the minimum solves Ax = b (the
    // loss-change test is off, as near the minimum the loss moves by less than its default).
    const A = tensor(
      [
        [4, 1, 0, 0],
        [1, 3, 0.5, 0],
        [0, 0.5, 2, 0.25],
        [0, 0, 0.25, 1],
      ],
      { dtype: 'float64' },
    );
    const b = tensor([1, -2, 0.5, 3], { dtype: 'float64' });
    const f = (x: Tensor) => x.matmul(A).mul(x).sum().mul(0.5).sub(b.mul(x).sum());
    const { p, opt } = minimise(
      f,
      [0, 0, 0, 0],
      { lineSearchFn: 'strong_wolfe', toleranceGrad: 1e-9, toleranceChange: 0 },
      1,
    );
    expect(opt.state.get(p)!.nIter as number).toBeLessThan(20);
    for (const r of A.matmul(p.detach()).sub(b).dataSync()) expect(Math.abs(r)).toBeLessThan(1e-8);
  });

  test('on an isotropic quadratic the second iteration is the exact Newton step', () => {
    // f = 1.5‖x − c‖²: after one step the curvature estimate ys/yᵀy is exactly 1/3, so the
    // second direction −g/3 with step 1 lands on c.
    const c = tensor([1, -2, 0.5], { dtype: 'float64' });
    const f = (x: Tensor) => x.sub(c).square().sum().mul(1.5);
    const { p, opt } = minimise(f, [3, 3, 3], { lineSearchFn: 'strong_wolfe' }, 1);
    expect(opt.state.get(p)!.nIter).toBe(2);
    expect(opt.state.get(p)!.hDiag).toBeCloseTo(1 / 3, 12);
    Array.from(p.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo([1, -2, 0.5][i]!, 12);
    });
  });

  test('the first iteration steps along −g with length min(1, 1/‖g‖₁)·lr', () => {
    const f = (x: Tensor) => x.square().sum(); // gradient 2x
    const { p } = minimise(f, [0.25, -0.5], { maxIter: 1 }, 1);
    // g = [0.5, -1], ‖g‖₁ = 1.5, t = 1/1.5; x − t·g.
    const expected = [0.25 - 0.5 / 1.5, -0.5 + 1 / 1.5];
    Array.from(p.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 14);
    });
  });

  test('stops at once where the gradient is below toleranceGrad', () => {
    const { opt, p } = minimise((x) => x.square().sum(), [0, 0], {}, 1);
    expect(opt.state.get(p)!.funcEvals).toBe(1);
    expect(opt.state.get(p)!.nIter).toBe(0);
  });

  test('maxEval bounds the evaluations per step', () => {
    const { opt, p } = minimise(rosenbrock, [-1.5, 2], { maxIter: 10, maxEval: 4 }, 1);
    expect(opt.state.get(p)!.funcEvals).toBe(4);
    expect(opt.paramGroups[0]!.maxEval).toBe(4);
    expect(new LBFGS([tensor([1], { requiresGrad: true })]).paramGroups[0]!.maxEval).toBe(25);
  });

  test('state dict round trip continues identically, and steps do not grow memory', () => {
    const a = minimise(rosenbrock, [-1.5, 2], { maxIter: 3, historySize: 2 }, 2);
    const saved = a.opt.stateDict();
    expect(Object.keys(saved.state[0]!).sort()).toEqual(
      [
        'func_evals',
        'n_iter',
        'd',
        't',
        'old_dirs',
        'old_stps',
        'ro',
        'H_diag',
        'prev_flat_grad',
        'prev_loss',
      ].sort(),
    );
    const q = a.p.detach().clone().requiresGrad_();
    const b = new LBFGS([q], { maxIter: 3, historySize: 2 });
    b.loadStateDict(saved);
    const closure = (opt: LBFGS, x: Tensor) => () => {
      opt.zeroGrad();
      const l = rosenbrock(x);
      l.backward();
      return l;
    };
    a.opt.step(closure(a.opt, a.p));
    const live = memory().cpu!.tensors;
    a.opt.step(closure(a.opt, a.p));
    a.opt.step(closure(a.opt, a.p));
    expect(memory().cpu!.tensors).toBeLessThanOrEqual(live + 3); // the three returned losses
    for (let i = 0; i < 3; i++) b.step(closure(b, q));
    expect(Array.from(q.dataSync())).toEqual(Array.from(a.p.dataSync()));
  });

  test('checks its options and needs a closure', () => {
    const p = () => [tensor([1], { requiresGrad: true })];
    expect(() => new LBFGS(p(), { lineSearchFn: 'armijo' as 'strong_wolfe' })).toThrow(/lineSearchFn/);
    expect(() => new LBFGS(p(), { historySize: 0 })).toThrow(/historySize/);
    expect(() => new LBFGS([{ params: p() }, { params: p() }])).toThrow(/parameter groups/);
    expect(() => new LBFGS(p()).step()).toThrow(/closure/);
  });
});

describe('LBFGS strong-Wolfe line search', () => {
  const wolfe = { lineSearchFn: 'strong_wolfe', maxIter: 1 } as const;

  test('a first step that overshoots is cut back by zooming, onto the minimum of a quadratic', () => {
    // f = 1.5x² from 0.1: g = 0.3, so the first trial t = 1 along −g lands at −0.2, where the
    // loss went up; the cubic through both ends finds the exact minimum, t = 1/3.
    const { p, opt } = minimise((x) => x.square().sum().mul(1.5), [0.1], wolfe, 1);
    const s = opt.state.get(p)!;
    expect(s.t).toBeCloseTo(1 / 3, 14);
    expect(p.itemSync()).toBeCloseTo(0, 14);
    expect(s.funcEvals).toBe(3);
  });

  test('a first step that falls short is extended, at most tenfold per try', () => {
    // f = 0.001x² from 1: g = 0.002, and each trial t = 1, 10 leaves |g·d| above 0.9 of its
    // start; the minimum (t = 500) lies beyond, so each try goes ten times further: t = 100,
    // where x = 0.8 and the slope has fallen to 0.8 of its start.
    const { p, opt } = minimise((x) => x.square().sum().mul(0.001), [1], wolfe, 1);
    const s = opt.state.get(p)!;
    expect(s.t).toBeCloseTo(100, 10);
    expect(p.itemSync()).toBeCloseTo(0.8, 12);
    expect(s.funcEvals).toBe(4);
  });

  const coshBowl = (k: number) => (x: Tensor) => x.mul(k).cosh().sum();
  const wavy = (x: Tensor) => x.sin().add(x.square().mul(0.05)).sum();
  test.each<[string, number[], number, (x: Tensor) => Tensor]>([
    ['Rosenbrock', [-1.5, 2], 1, rosenbrock],
    ['Rosenbrock', [0.3, -0.9], 4, rosenbrock],
    ['cosh 3x', [0.3], 4, coshBowl(3)],
    ['cosh 3x', [-0.8], 4, coshBowl(3)],
    ['cosh 10x', [1.3, -0.4], 4, coshBowl(10)],
    ['sin x + x²/20', [2], 4, wavy],
    ['sin x + x²/20', [1.3, -0.4], 4, wavy],
  ])('every step on %s from %j (lr %d) meets the strong Wolfe conditions', (_name, x0, lr, f) => {
    const p = tensor(x0, { dtype: 'float64', requiresGrad: true });
    const opt = new LBFGS([p], { ...wolfe, lr });
    const at = (v: number[]) => {
      const q = tensor(v, { dtype: 'float64', requiresGrad: true });
      const y = f(q);
      y.backward();
      return { f: y.itemSync(), g: Array.from(q.grad!.dataSync()) };
    };
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const closure = () => {
      opt.zeroGrad();
      const loss = f(p);
      loss.backward();
      return loss;
    };
    let checked = 0;
    for (let i = 0; i < 12; i++) {
      const before = Array.from(p.dataSync());
      const { f: f0, g: g0 } = at(before);
      // Near the minimum a step may stop at once (toleranceGrad) without a line search.
      if (Math.max(...g0.map(Math.abs)) < 1e-5) break;
      const evals = (opt.state.get(p)?.funcEvals as number | undefined) ?? 0;
      opt.step(closure);
      const s = opt.state.get(p)!;
      const d = Array.from((s.d as Tensor).dataSync());
      const t = s.t as number;
      const after = Array.from(p.dataSync());
      // A direction along which the loss barely falls (g·d > −toleranceChange) stops the step.
      if (after.every((v, j) => v === before[j])) break;
      after.forEach((v, j) => {
        expect(v).toBeCloseTo(before[j]! + t * d[j]!, 12);
      });
      const { f: f1, g: g1 } = at(after);
      const gtd = dot(g0, d);
      expect(gtd, 'a descent direction').toBeLessThan(0);
      if ((s.funcEvals as number) - evals >= 26) continue; // the search ran out of evaluations
      expect(f1, 'sufficient decrease').toBeLessThanOrEqual(f0 + 1e-4 * t * gtd);
      expect(Math.abs(dot(g1, d)), 'curvature').toBeLessThanOrEqual(0.9 * Math.abs(gtd));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
