/**
 * LBFGS against PyTorch's algorithm (torch/optim/lbfgs.py: the two-loop recursion, the
 * first step's length, the stopping tests and the strong-Wolfe line search with its cubic
 * interpolation), written out here in plain numbers: the parameters after each step and the
 * counts of iterations and evaluations must agree, with and without the line search, with a
 * short history and with tight evaluation budgets.
 */
import { type Tensor, tensor } from '@tsgrad/core';
import { LBFGS } from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';

type Fn = (x: number[]) => { f: number; g: number[] };

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const absMax = (a: number[]) => Math.max(...a.map(Math.abs));
const axpy = (x: number[], t: number, d: number[]) => x.map((v, i) => v + t * d[i]!);

function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2sq);
  const m =
    x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(m, lo), hi);
}

function strongWolfe(
  obj: (t: number) => { f: number; g: number[] },
  d: number[],
  t0: number,
  f: number,
  g: number[],
  gtd: number,
  tolChange: number,
): { f: number; g: number[]; t: number; evals: number } {
  const [c1, c2, maxLs] = [1e-4, 0.9, 25];
  const dNorm = absMax(d);
  let t = t0;
  let { f: fNew, g: gNew } = obj(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false;
  let it = 0;
  let br: number[] = [];
  let brF: number[] = [];
  let brG: number[][] = [];
  let brGtd: number[] = [];
  while (it < maxLs) {
    if (fNew > f + c1 * t * gtd || (it > 1 && fNew >= fPrev)) {
      [br, brF, brG, brGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [br, brF, brG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [br, brF, brG, brGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    const next = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [t + 0.01 * (t - tPrev), t * 10]);
    [tPrev, fPrev, gPrev, gtdPrev] = [t, fNew, gNew, gtdNew];
    t = next;
    ({ f: fNew, g: gNew } = obj(t));
    evals++;
    gtdNew = dot(gNew, d);
    it++;
  }
  if (it === maxLs)
    [br, brF, brG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];
  let insufficient = false;
  let [low, high] = brF[0]! <= brF[brF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && it < maxLs) {
    if (Math.abs(br[1]! - br[0]!) * dNorm < tolChange) break;
    t = cubicInterpolate(br[0]!, brF[0]!, brGtd[0]!, br[1]!, brF[1]!, brGtd[1]!);
    const hi = Math.max(...br);
    const lo = Math.min(...br);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufficient || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufficient = false;
      } else insufficient = true;
    } else insufficient = false;
    ({ f: fNew, g: gNew } = obj(t));
    evals++;
    gtdNew = dot(gNew, d);
    it++;
    if (fNew > f + c1 * t * gtd || fNew >= brF[low]!) {
      [br[high], brF[high], brG[high], brGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = brF[0]! <= brF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (br[high]! - br[low]!) >= 0) {
        [br[high], brF[high], brG[high], brGtd[high]] = [br[low]!, brF[low]!, brG[low]!, brGtd[low]!];
      }
      [br[low], brF[low], brG[low], brGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { f: brF[low]!, g: brG[low]!, t: br[low]!, evals };
}

interface Opts {
  lr: number;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}

/** PyTorch's LBFGS state between steps. */
interface State {
  funcEvals: number;
  nIter: number;
  d?: number[];
  t?: number;
  oldDirs: number[][];
  oldStps: number[][];
  ro: number[];
  hDiag: number;
  prevFlatGrad?: number[];
}

function lbfgsStep(x: number[], fn: Fn, o: Opts, s: State): number[] {
  let { f: loss, g: flat } = fn(x);
  let currentEvals = 1;
  s.funcEvals++;
  if (absMax(flat) <= o.toleranceGrad) return x;
  let nIter = 0;
  let d = s.d ?? [];
  let t = s.t ?? 0;
  while (nIter < o.maxIter) {
    nIter++;
    s.nIter++;
    if (s.nIter === 1) {
      d = flat.map((v) => -v);
      s.oldDirs = [];
      s.oldStps = [];
      s.ro = [];
      s.hDiag = 1;
    } else {
      const y = flat.map((v, i) => v - s.prevFlatGrad![i]!);
      const st = d.map((v) => v * t);
      const ys = dot(y, st);
      if (ys > 1e-10) {
        if (s.oldDirs.length === o.historySize) {
          s.oldDirs.shift();
          s.oldStps.shift();
          s.ro.shift();
        }
        s.oldDirs.push(y);
        s.oldStps.push(st);
        s.ro.push(1 / ys);
        s.hDiag = ys / dot(y, y);
      }
      const n = s.oldDirs.length;
      const al: number[] = [];
      let q = flat.map((v) => -v);
      for (let i = n - 1; i >= 0; i--) {
        al[i] = dot(s.oldStps[i]!, q) * s.ro[i]!;
        q = axpy(q, -al[i]!, s.oldDirs[i]!);
      }
      let r = q.map((v) => v * s.hDiag);
      for (let i = 0; i < n; i++) {
        const be = dot(s.oldDirs[i]!, r) * s.ro[i]!;
        r = axpy(r, al[i]! - be, s.oldStps[i]!);
      }
      d = r;
    }
    s.prevFlatGrad = [...flat];
    const prevLoss = loss;
    t = s.nIter === 1 ? Math.min(1, 1 / flat.reduce((a, v) => a + Math.abs(v), 0)) * o.lr : o.lr;
    const gtd = dot(flat, d);
    if (gtd > -o.toleranceChange) break;
    let lsEvals = 0;
    let optCond = false;
    if (o.lineSearchFn === 'strong_wolfe') {
      const x0 = x;
      const r = strongWolfe((step) => fn(axpy(x0, step, d)), d, t, loss, flat, gtd, o.toleranceChange);
      ({ f: loss, g: flat, t, evals: lsEvals } = r);
      x = axpy(x0, t, d);
      optCond = absMax(flat) <= o.toleranceGrad;
    } else {
      x = axpy(x, t, d);
      if (nIter !== o.maxIter) {
        ({ f: loss, g: flat } = fn(x));
        optCond = absMax(flat) <= o.toleranceGrad;
        lsEvals = 1;
      }
    }
    currentEvals += lsEvals;
    s.funcEvals += lsEvals;
    if (nIter === o.maxIter || currentEvals >= o.maxEval || optCond) break;
    if (absMax(d.map((v) => v * t)) <= o.toleranceChange) break;
    if (Math.abs(loss - prevLoss) < o.toleranceChange) break;
  }
  s.d = d;
  s.t = t;
  return x;
}

/** Rosenbrock's function and its gradient. */
const rosenbrock: Fn = ([a, b]) => ({
  f: (1 - a!) ** 2 + 100 * (b! - a! ** 2) ** 2,
  g: [-2 * (1 - a!) - 400 * a! * (b! - a! ** 2), 200 * (b! - a! ** 2)],
});
/** A coupled quartic in three variables. */
const quartic: Fn = ([a, b, c]) => ({
  f: a! ** 4 + 0.5 * (b! - a!) ** 2 + (c! + 0.5 * b!) ** 2 + 0.1 * c! ** 4,
  g: [4 * a! ** 3 - (b! - a!), b! - a! + (c! + 0.5 * b!), 2 * (c! + 0.5 * b!) + 0.4 * c! ** 3],
});
const asTensor: Record<string, (x: Tensor) => Tensor> = {
  rosenbrock: (x) => {
    const a = x.narrow(0, 0, 1);
    const b = x.narrow(0, 1, 1);
    return a.neg().add(1).square().add(b.sub(a.square()).square().mul(100)).sum();
  },
  quartic: (x) => {
    const [a, b, c] = [0, 1, 2].map((i) => x.narrow(0, i, 1)) as [Tensor, Tensor, Tensor];
    return a
      .pow(4)
      .add(b.sub(a).square().mul(0.5))
      .add(c.add(b.mul(0.5)).square())
      .add(c.pow(4).mul(0.1))
      .sum();
  },
};
/** Steep bowls whose line searches overshoot and zoom: Σ cosh(k·x), and Σ sin x + x²/20. */
const cosh10: Fn = (x) => ({
  f: x.reduce((a, v) => a + Math.cosh(10 * v), 0),
  g: x.map((v) => 10 * Math.sinh(10 * v)),
});
const cosh3: Fn = (x) => ({
  f: x.reduce((a, v) => a + Math.cosh(3 * v), 0),
  g: x.map((v) => 3 * Math.sinh(3 * v)),
});
const wavy: Fn = (x) => ({
  f: x.reduce((a, v) => a + Math.sin(v) + (v * v) / 20, 0),
  g: x.map((v) => Math.cos(v) + v / 10),
});
const fns: Record<string, Fn> = { rosenbrock, quartic, cosh10, cosh3, wavy };
asTensor.cosh10 = (x) => x.mul(10).cosh().sum();
asTensor.cosh3 = (x) => x.mul(3).cosh().sum();
asTensor.wavy = (x) => x.sin().add(x.square().div(20)).sum();

const defaults: Opts = {
  lr: 1,
  maxIter: 20,
  maxEval: 25,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
};

describe.each<[string, number[], Partial<Opts>, number]>([
  ['rosenbrock', [-1.5, 2], { lineSearchFn: 'strong_wolfe', maxIter: 4 }, 6],
  ['rosenbrock', [0.3, -0.9], { lineSearchFn: 'strong_wolfe', maxIter: 2, historySize: 2, lr: 3 }, 8],
  ['rosenbrock', [-1.2, 1], { lr: 0.1, maxIter: 5, historySize: 3 }, 6],
  ['rosenbrock', [-1.2, 1], { lr: 0.5, maxIter: 10, maxEval: 4 }, 4],
  ['quartic', [2, -1, 1.5], { lineSearchFn: 'strong_wolfe', maxIter: 3, historySize: 1 }, 5],
  ['quartic', [2, -1, 1.5], { lineSearchFn: 'strong_wolfe', lr: 4, maxIter: 1 }, 8],
  ['quartic', [-1, 2, 0.5], { maxIter: 6, lr: 0.3, toleranceChange: 1e-3 }, 5],
  ['quartic', [0.5, 0.5, 0.5], { maxIter: 4, toleranceGrad: 0.05 }, 4],
  ['cosh10', [1.3, -0.4], { lineSearchFn: 'strong_wolfe', lr: 4, maxIter: 1 }, 4],
  ['cosh10', [0.3], { lineSearchFn: 'strong_wolfe', lr: 4, maxIter: 1 }, 4],
  ['cosh3', [-0.8], { lineSearchFn: 'strong_wolfe', lr: 4, maxIter: 1 }, 4],
  ['cosh3', [0.3, 1.1], { lineSearchFn: 'strong_wolfe', lr: 8, maxIter: 2 }, 3],
  ['wavy', [2], { lineSearchFn: 'strong_wolfe', lr: 4, maxIter: 1 }, 4],
  ['wavy', [1.3, -0.4], { lineSearchFn: 'strong_wolfe', lr: 4, maxIter: 1 }, 4],
  ['wavy', [4, -3, 0.2], { lineSearchFn: 'strong_wolfe', lr: 10, maxIter: 3 }, 3],
])('%s from %j with %j', (name, start, given, steps) => {
  test(`${steps} steps match PyTorch's algorithm`, () => {
    const o: Opts = { ...defaults, maxEval: Math.floor(((given.maxIter ?? 20) * 5) / 4), ...given };
    const p = tensor(start, { dtype: 'float64', requiresGrad: true });
    const opt = new LBFGS([p], given);
    const closure = () => {
      opt.zeroGrad();
      const loss = asTensor[name]!(p);
      loss.backward();
      return loss;
    };
    let x = [...start];
    const s: State = { funcEvals: 0, nIter: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1 };
    for (let k = 0; k < steps; k++) {
      x = lbfgsStep(x, fns[name]!, o, s);
      opt.step(closure);
      const st = opt.state.get(p)!;
      expect([st.funcEvals, st.nIter], `step ${k + 1}: evaluations and iterations`).toEqual([
        s.funcEvals,
        s.nIter,
      ]);
      Array.from(p.dataSync()).forEach((v, i) => {
        expect(Math.abs(v - x[i]!), `step ${k + 1}, x[${i}]: ${v} vs ${x[i]}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(x[i]!)),
        );
      });
    }
  });
});
