/**
 * Every optimizer and option against PyTorch's documented algorithm (the pseudo-code of each
 * `torch.optim` class), written out here element by element in plain numbers: eight steps
 * from fixed gradients whose signs change, in float64, with PyTorch's defaults and with each
 * option set away from its default. The PyTorch trajectories in reference.test.ts pin the
 * common settings; these pin the rest (weight decay, maximize, momentum variants, …).
 */
import { type Tensor, tensor } from '@tsgrad/core';
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  ASGD,
  NAdam,
  type Optimizer,
  type Params,
  RAdam,
  RMSprop,
  Rprop,
  SGD,
} from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';

type Opts = Record<string, any>;
/** One optimizer step on plain numbers: updates `p` and `s` (its state) in place. */
type Rule = (p: number[], g: number[], s: Record<string, any>, o: Opts, t: number) => void;

const P0 = [0.5, -1.2, 2];
const STEPS = 8;
/** The gradient at step t (1-based): signs change from step to step and element to element. */
const gradAt = (t: number) => P0.map((_, i) => Math.sin(1.7 * t + 2 * i) + 0.3 * (i - 1));

const vec = (n: number, v = 0) => Array<number>(n).fill(v);

/** Decoupled weight decay: p ← p·(1 − lr·weightDecay). */
function decay(p: number[], o: Opts): void {
  p.forEach((_, i) => {
    p[i]! *= 1 - o.lr * o.weightDecay;
  });
}

/** The gradient after `maximize` and (coupled) weight decay, as every algorithm starts. */
function grad(p: number[], g: number[], o: Opts): number[] {
  return g.map((gi, i) => (o.maximize ? -gi : gi) + (o.weightDecay ?? 0) * p[i]!);
}

const rules: Record<string, [Opts, Rule]> = {
  SGD: [
    { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    (p, g0, s, o) => {
      let g = grad(p, g0, o);
      if (o.momentum !== 0) {
        s.b =
          s.b === undefined
            ? [...g]
            : s.b.map((b: number, i: number) => o.momentum * b + (1 - o.dampening) * g[i]!);
        g = o.nesterov ? g.map((gi, i) => gi + o.momentum * s.b[i]) : [...s.b];
      }
      p.forEach((_, i) => {
        p[i]! -= o.lr * g[i]!;
      });
    },
  ],
  Adagrad: [
    { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
    (p, g0, s, o, t) => {
      const g = grad(p, g0, o);
      s.sum ??= vec(p.length, o.initialAccumulatorValue);
      const clr = o.lr / (1 + (t - 1) * o.lrDecay);
      p.forEach((_, i) => {
        s.sum[i] += g[i]! * g[i]!;
        p[i]! -= (clr * g[i]!) / (Math.sqrt(s.sum[i]) + o.eps);
      });
    },
  ],
  RMSprop: [
    { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
    (p, g0, s, o) => {
      const g = grad(p, g0, o);
      s.v ??= vec(p.length);
      s.gAvg ??= vec(p.length);
      s.b ??= vec(p.length);
      p.forEach((_, i) => {
        s.v[i] = o.alpha * s.v[i] + (1 - o.alpha) * g[i]! ** 2;
        let avg: number;
        if (o.centered) {
          s.gAvg[i] = o.alpha * s.gAvg[i] + (1 - o.alpha) * g[i]!;
          avg = Math.sqrt(s.v[i] - s.gAvg[i] ** 2) + o.eps;
        } else avg = Math.sqrt(s.v[i]) + o.eps;
        if (o.momentum > 0) {
          s.b[i] = o.momentum * s.b[i] + g[i]! / avg;
          p[i]! -= o.lr * s.b[i];
        } else p[i]! -= (o.lr * g[i]!) / avg;
      });
    },
  ],
  Adadelta: [
    { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 },
    (p, g0, s, o) => {
      const g = grad(p, g0, o);
      s.v ??= vec(p.length);
      s.u ??= vec(p.length);
      p.forEach((_, i) => {
        s.v[i] = o.rho * s.v[i] + (1 - o.rho) * g[i]! ** 2;
        const delta = (Math.sqrt(s.u[i] + o.eps) / Math.sqrt(s.v[i] + o.eps)) * g[i]!;
        s.u[i] = o.rho * s.u[i] + (1 - o.rho) * delta ** 2;
        p[i]! -= o.lr * delta;
      });
    },
  ],
  Adamax: [
    { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
    (p, g0, s, o, t) => {
      const g = grad(p, g0, o);
      const [b1, b2] = o.betas;
      s.m ??= vec(p.length);
      s.u ??= vec(p.length);
      p.forEach((_, i) => {
        s.m[i] = b1 * s.m[i] + (1 - b1) * g[i]!;
        s.u[i] = Math.max(b2 * s.u[i], Math.abs(g[i]!) + o.eps);
        p[i]! -= (o.lr / (1 - b1 ** t)) * (s.m[i] / s.u[i]);
      });
    },
  ],
  ASGD: [
    { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0 },
    (p, g0, s, o, t) => {
      const g = grad(p, g0, o);
      s.eta ??= o.lr;
      s.mu ??= 1;
      s.ax ??= vec(p.length);
      p.forEach((_, i) => {
        p[i] = p[i]! * (1 - o.lambd * s.eta) - s.eta * g[i]!;
        s.ax[i] = s.mu !== 1 ? s.ax[i] + (p[i]! - s.ax[i]) * s.mu : p[i];
      });
      s.eta = o.lr / (1 + o.lambd * o.lr * t) ** o.alpha;
      s.mu = 1 / Math.max(1, t - o.t0);
    },
  ],
  NAdam: [
    {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
    },
    (p, g0, s, o, t) => {
      const [b1, b2] = o.betas;
      if (o.decoupledWeightDecay) decay(p, o);
      const g = grad(p, g0, { ...o, weightDecay: o.decoupledWeightDecay ? 0 : o.weightDecay });
      const mu = b1 * (1 - 0.5 * 0.96 ** (t * o.momentumDecay));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * o.momentumDecay));
      s.muProd = (s.muProd ?? 1) * mu;
      s.m ??= vec(p.length);
      s.v ??= vec(p.length);
      p.forEach((_, i) => {
        s.m[i] = b1 * s.m[i] + (1 - b1) * g[i]!;
        s.v[i] = b2 * s.v[i] + (1 - b2) * g[i]! ** 2;
        const denom = Math.sqrt(s.v[i] / (1 - b2 ** t)) + o.eps;
        p[i]! -= ((o.lr * (1 - mu)) / (1 - s.muProd)) * (g[i]! / denom);
        p[i]! -= ((o.lr * muNext) / (1 - s.muProd * muNext)) * (s.m[i] / denom);
      });
    },
  ],
  RAdam: [
    { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false },
    (p, g0, s, o, t) => {
      const [b1, b2] = o.betas;
      if (o.decoupledWeightDecay) decay(p, o);
      const g = grad(p, g0, { ...o, weightDecay: o.decoupledWeightDecay ? 0 : o.weightDecay });
      s.m ??= vec(p.length);
      s.v ??= vec(p.length);
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
      p.forEach((_, i) => {
        s.m[i] = b1 * s.m[i] + (1 - b1) * g[i]!;
        s.v[i] = b2 * s.v[i] + (1 - b2) * g[i]! ** 2;
        const corrected = s.m[i] / bc1;
        if (rhoT > 5) {
          const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
          p[i]! -= o.lr * corrected * rect * (Math.sqrt(bc2) / (Math.sqrt(s.v[i]) + o.eps));
        } else p[i]! -= o.lr * corrected;
      });
    },
  ],
  Rprop: [
    { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50] },
    (p, g0, s, o) => {
      const g = grad(p, g0, { ...o, weightDecay: 0 });
      s.prev ??= vec(p.length);
      s.step ??= vec(p.length, o.lr);
      p.forEach((_, i) => {
        const agree = g[i]! * s.prev[i];
        const factor = agree > 0 ? o.etas[1] : agree < 0 ? o.etas[0] : 1;
        s.step[i] = Math.min(Math.max(s.step[i] * factor, o.stepSizes[0]), o.stepSizes[1]);
        const gi = agree < 0 ? 0 : g[i]!;
        p[i]! -= Math.sign(gi) * s.step[i];
        s.prev[i] = gi;
      });
    },
  ],
  Adam: [
    { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, decoupledWeightDecay: false },
    (p, g0, s, o, t) => {
      const [b1, b2] = o.betas;
      if (o.decoupledWeightDecay) decay(p, o);
      const g = grad(p, g0, { ...o, weightDecay: o.decoupledWeightDecay ? 0 : o.weightDecay });
      s.m ??= vec(p.length);
      s.v ??= vec(p.length);
      s.vMax ??= vec(p.length);
      p.forEach((_, i) => {
        s.m[i] = b1 * s.m[i] + (1 - b1) * g[i]!;
        s.v[i] = b2 * s.v[i] + (1 - b2) * g[i]! ** 2;
        s.vMax[i] = Math.max(s.vMax[i], s.v[i]);
        const v = o.amsgrad ? s.vMax[i] : s.v[i];
        const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + o.eps;
        p[i]! -= (o.lr / (1 - b1 ** t)) * (s.m[i] / denom);
      });
    },
  ],
};
rules.AdamW = [{ ...rules.Adam![0], weightDecay: 1e-2, decoupledWeightDecay: true }, rules.Adam![1]];

const makers: Record<string, (p: Params<any>, o: Opts) => Optimizer> = {
  SGD: (p, o) => new SGD(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
  Adadelta: (p, o) => new Adadelta(p, o),
  Adamax: (p, o) => new Adamax(p, o),
  ASGD: (p, o) => new ASGD(p, o),
  NAdam: (p, o) => new NAdam(p, o),
  RAdam: (p, o) => new RAdam(p, o),
  Rprop: (p, o) => new Rprop(p, o),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
};

/** [optimizer, options given (besides the defaults)] */
const cases: Array<[string, Opts]> = [
  ['SGD', {}],
  ['SGD', { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.05 }],
  ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }],
  ['Adagrad', {}],
  ['Adagrad', { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.2, eps: 1e-3 }],
  ['Adagrad', { lr: 0.1, maximize: true }],
  ['RMSprop', {}],
  ['RMSprop', { lr: 0.01, alpha: 0.9, eps: 1e-3, weightDecay: 0.1, momentum: 0.5, centered: true }],
  ['RMSprop', { centered: true, maximize: true }],
  ['RMSprop', { momentum: 0.3 }],
  ['Adadelta', {}],
  ['Adadelta', { lr: 0.5, rho: 0.8, eps: 1e-3, weightDecay: 0.1 }],
  ['Adadelta', { maximize: true }],
  ['Adamax', {}],
  ['Adamax', { lr: 0.02, betas: [0.8, 0.95], eps: 1e-3, weightDecay: 0.05, maximize: true }],
  ['ASGD', {}],
  ['ASGD', { lr: 0.05, lambd: 0.01, alpha: 0.6, t0: 3, weightDecay: 0.1 }],
  ['ASGD', { lr: 0.05, t0: 0, maximize: true }],
  ['NAdam', {}],
  ['NAdam', { lr: 0.02, betas: [0.8, 0.9], eps: 1e-3, weightDecay: 0.1, momentumDecay: 0.01 }],
  ['NAdam', { lr: 0.02, weightDecay: 0.1, decoupledWeightDecay: true, maximize: true }],
  ['RAdam', {}],
  // With beta2 = 0.9 the variance becomes tractable (rho_t > 5) at step 6: both branches run.
  ['RAdam', { lr: 0.02, betas: [0.8, 0.9], eps: 1e-3, weightDecay: 0.1 }],
  ['RAdam', { lr: 0.02, betas: [0.7, 0.9], weightDecay: 0.1, decoupledWeightDecay: true, maximize: true }],
  ['Rprop', {}],
  ['Rprop', { lr: 0.01, etas: [0.4, 1.3], stepSizes: [1e-3, 0.02], maximize: true }],
  ['Adam', {}],
  ['Adam', { lr: 0.01, betas: [0.8, 0.9], eps: 1e-3, weightDecay: 0.1, amsgrad: true }],
  ['Adam', { lr: 0.01, amsgrad: true, maximize: true }],
  ['AdamW', {}],
  ['AdamW', { lr: 0.01, weightDecay: 0.2, amsgrad: true }],
];

describe.each(cases)('%s %j', (name, given) => {
  test(`${STEPS} steps follow the documented update`, () => {
    const [defaults, rule] = rules[name]!;
    const o = { maximize: false, ...defaults, ...given };
    const want = [...P0];
    const state = {};
    const p = tensor(P0, { dtype: 'float64', requiresGrad: true });
    const opt = makers[name]!([p], given);
    for (let t = 1; t <= STEPS; t++) {
      const g = gradAt(t);
      rule(want, g, state, o, t);
      p.grad = tensor(g, { dtype: 'float64' });
      opt.step();
      const close = (got: number[], exp: number[], what: string) =>
        got.forEach((v, i) => {
          expect(Math.abs(v - exp[i]!), `step ${t}, ${what} ${i}: ${v} vs ${exp[i]}`).toBeLessThanOrEqual(
            1e-12 * Math.max(1, Math.abs(exp[i]!)),
          );
        });
      close(Array.from(p.dataSync()), want, 'element');
      // ASGD's average and step sizes do not feed back into p: compare them directly.
      if (name === 'ASGD') {
        const st = opt.state.get(p)!;
        const ref = state as { ax: number[]; eta: number; mu: number };
        close(Array.from((st.ax as Tensor).dataSync()), ref.ax, 'ax');
        close([st.eta as number, st.mu as number], [ref.eta, ref.mu], 'eta, mu');
      }
    }
  });
});
