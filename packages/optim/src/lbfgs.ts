/**
 * L-BFGS, as `torch.optim.LBFGS` (itself a port of minFunc): quasi-Newton steps from a short
 * history of gradient differences, with an optional strong-Wolfe line search.
 */
import { cat, dispose, enableGrad, keep, noGrad, Tensor, tidy, ValueError } from '@tsgrad/core';
import { checkChoice, checkInteger, checkLr, checkNonNegative } from './checks.js';
import {
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamState,
  type Params,
} from './optimizer.js';

/** Options of {@link LBFGS}. */
export interface LBFGSOptions extends OptimizerOptions {
  /** Learning rate: the initial step length of each iteration (default 1). */
  lr: number;
  /** Iterations per `step()` (default 20). */
  maxIter: number;
  /** Function evaluations per `step()` (default `maxIter · 1.25`). */
  maxEval: number;
  /** Stop when the largest gradient element is at most this (default 1e-7). */
  toleranceGrad: number;
  /** Stop when the loss or the step changes by less than this (default 1e-9). */
  toleranceChange: number;
  /** How many past updates approximate the inverse Hessian (default 100). */
  historySize: number;
  /** `'strong_wolfe'` for a line search satisfying the strong Wolfe conditions, or null for fixed steps of `lr` (default null). */
  lineSearchFn: 'strong_wolfe' | null;
}

/** Evaluates the loss and flat gradient at `x + t·d`, leaving the parameters at `x`. */
type Objective = (t: number, d: Tensor) => [number, Tensor];

function dot(a: Tensor, b: Tensor): number {
  return a.mul(b).sum().itemSync();
}

function absMax(a: Tensor): number {
  return a.abs().max().itemSync();
}

/**
 * The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
 * `bounds` (by default the interval between x1 and x2); the interval's middle if the cubic
 * has no minimum.
 */
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
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

/**
 * A line search along `d` from step `t` for a point meeting the strong Wolfe conditions
 * (sufficient decrease c1, curvature c2): bracket such a point, then zoom in on it by cubic
 * interpolation. Returns the loss, flat gradient and step there, and the evaluations used.
 */
function strongWolfe(
  obj: Objective,
  t: number,
  d: Tensor,
  f: number,
  g: Tensor,
  gtd: number,
  toleranceChange: number,
  c1 = 1e-4,
  c2 = 0.9,
  maxLs = 25,
): [number, Tensor, number, number] {
  const dNorm = absMax(d);
  let [fNew, gNew] = obj(t, d);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    // Extrapolate: the minimum lies beyond t.
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = obj(t, d);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) {
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];
  }

  // Zoom: shrink the bracket until a point in it meets the conditions.
  let insufficientProgress = false;
  let [low, high] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(
      bracket[0]!,
      bracketF[0]!,
      bracketGtd[0]!,
      bracket[1]!,
      bracketF[1]!,
      bracketGtd[1]!,
    );
    // A trial point too close to an end of the bracket makes little progress; after two
    // such points in a row (or one at an end), move it a tenth of the bracket inside.
    const hi = Math.max(...bracket);
    const lo = Math.min(...bracket);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufficientProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    [fNew, gNew] = obj(t, d);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]!) {
      // Not enough decrease: t becomes the high end.
      bracket[high] = t;
      bracketF[high] = fNew;
      bracketG[high] = gNew;
      bracketGtd[high] = gtdNew;
      [low, high] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[high]! - bracket[low]!) >= 0) {
        // The old low end becomes the high end.
        bracket[high] = bracket[low]!;
        bracketF[high] = bracketF[low]!;
        bracketG[high] = bracketG[low]!;
        bracketGtd[high] = bracketGtd[low]!;
      }
      bracket[low] = t;
      bracketF[low] = fNew;
      bracketG[low] = gNew;
      bracketGtd[low] = gtdNew;
    }
  }
  return [bracketF[low]!, bracketG[low]!, bracket[low]!, evals];
}

/** The loss a closure returned, as a number. */
function lossValue(loss: unknown): number {
  if (loss instanceof Tensor) return loss.itemSync();
  if (typeof loss === 'number') return loss;
  throw new ValueError(
    `LBFGS.step: the closure must return the loss (a tensor or a number), got ${String(loss)}`,
  );
}

/**
 * L-BFGS. Each {@link LBFGS.step} runs up to `maxIter` iterations, each a quasi-Newton
 * direction from the last `historySize` steps and gradient changes (the two-loop recursion),
 * moved along by `lr` or by a strong-Wolfe line search. It re-evaluates the loss several
 * times per step, so `step` needs a closure that clears the gradients, computes the loss,
 * calls `backward()` and returns the loss.
 *
 * As in PyTorch, it takes a single parameter group, and its state (the history) is stored
 * under the first parameter. It reads scalars synchronously, so it runs where tensors can be
 * read synchronously (the CPU).
 *
 * @example
 * ```ts
 * const opt = new LBFGS([x], { lineSearchFn: 'strong_wolfe' });
 * opt.step(() => {
 *   opt.zeroGrad();
 *   const loss = rosenbrock(x);
 *   loss.backward();
 *   return loss;
 * });
 * ```
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  constructor(params: Params<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    const maxIter = options.maxIter ?? 20;
    super('LBFGS', params, {
      lr: 1,
      maxIter,
      maxEval: options.maxEval ?? Math.floor((maxIter * 5) / 4),
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...options,
    });
    if (this.paramGroups.length !== 1) {
      throw new ValueError("LBFGS: doesn't support per-parameter options (parameter groups)");
    }
  }

  protected override checkOptions(o: LBFGSOptions): void {
    checkLr('LBFGS', o.lr);
    checkInteger('LBFGS', 'maxIter', o.maxIter, 1);
    checkInteger('LBFGS', 'maxEval', o.maxEval, 1);
    checkNonNegative('LBFGS', 'toleranceGrad', o.toleranceGrad);
    checkNonNegative('LBFGS', 'toleranceChange', o.toleranceChange);
    checkInteger('LBFGS', 'historySize', o.historySize, 1);
    if (o.lineSearchFn !== null) checkChoice('LBFGS', 'lineSearchFn', o.lineSearchFn, ['strong_wolfe']);
  }

  /** Unused: {@link LBFGS.step} drives the whole update. */
  protected override updateGroup(_group: ParamGroup<LBFGSOptions>): void {}

  /** The history vectors are flat over all parameters, not shaped like the first one. */
  protected override stateFits(_p: Tensor, _key: string, t: Tensor): boolean {
    return t.ndim === 1 && t.shape[0] === this.numel();
  }

  private numel(): number {
    return this.paramGroups[0]!.params.reduce((n, p) => n + p.numel, 0);
  }

  /** Every parameter's gradient, flattened and concatenated (zeros for a missing one). */
  private flatGrad(): Tensor {
    return cat(this.paramGroups[0]!.params.map((p) => (p.grad ?? p.mul(0)).reshape([-1])));
  }

  /** `θ ← θ + t·d`, with d flat over all parameters. */
  private addDirection(t: number, d: Tensor): void {
    let offset = 0;
    for (const p of this.paramGroups[0]!.params) {
      p.add_(
        d
          .narrow(0, offset, p.numel)
          .reshape([...p.shape])
          .mul(t),
      );
      offset += p.numel;
    }
  }

  /**
   * Runs up to `maxIter` L-BFGS iterations. `closure` must clear the gradients, compute the
   * loss, call `backward()` and return the loss; the loss of its first call is returned.
   *
   * @example
   * ```ts
   * const loss = opt.step(() => {
   *   opt.zeroGrad();
   *   const l = lossFn(model.forward(x), y);
   *   l.backward();
   *   return l;
   * });
   * ```
   */
  override step<L = undefined>(closure?: () => L): L | undefined {
    if (closure === undefined) {
      throw new ValueError('LBFGS.step: needs a closure that re-evaluates the loss and its gradients');
    }
    this.checkGroupLrs();
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = group;
    const first = group.params[0]!;
    const state: ParamState = this.state.get(first) ?? {};
    this.state.set(first, state);
    state.funcEvals = (state.funcEvals as number | undefined) ?? 0;
    state.nIter = (state.nIter as number | undefined) ?? 0;

    const origLoss = enableGrad(closure);
    let loss = lossValue(origLoss);
    const evaluate = (): number => tidy(() => lossValue(enableGrad(closure)));

    noGrad(() =>
      tidy(() => {
        let currentEvals = 1;
        state.funcEvals = (state.funcEvals as number) + 1;
        let flatGrad = this.flatGrad();
        let optCond = absMax(flatGrad) <= toleranceGrad;
        if (optCond) return;

        const stale: Tensor[] = [];
        let d = state.d as Tensor | undefined;
        let t = state.t as number | undefined;
        let oldDirs = (state.oldDirs as Tensor[] | undefined) ?? [];
        let oldStps = (state.oldStps as Tensor[] | undefined) ?? [];
        let ro = (state.ro as number[] | undefined) ?? [];
        let hDiag = (state.hDiag as number | undefined) ?? 1;
        let prevFlatGrad = state.prevFlatGrad as Tensor | undefined;
        let prevLoss = state.prevLoss as number | undefined;

        let nIter = 0;
        while (nIter < maxIter) {
          nIter++;
          state.nIter = (state.nIter as number) + 1;

          // The descent direction.
          if (d !== undefined) stale.push(d);
          if (state.nIter === 1) {
            d = flatGrad.neg();
            stale.push(...oldDirs, ...oldStps);
            oldDirs = [];
            oldStps = [];
            ro = [];
            hDiag = 1;
          } else {
            const y = flatGrad.sub(prevFlatGrad!);
            const s = d!.mul(t!);
            const ys = dot(y, s);
            if (ys > 1e-10) {
              if (oldDirs.length === historySize) {
                stale.push(oldDirs.shift()!, oldStps.shift()!);
                ro.shift();
              }
              oldDirs.push(y);
              oldStps.push(s);
              ro.push(1 / ys);
              hDiag = ys / dot(y, y);
            }
            // Two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate.
            const al = new Array<number>(oldDirs.length).fill(0);
            let q = flatGrad.neg();
            for (let i = oldDirs.length - 1; i >= 0; i--) {
              al[i] = dot(oldStps[i]!, q) * ro[i]!;
              q = q.sub(oldDirs[i]!.mul(al[i]!));
            }
            let r = q.mul(hDiag);
            for (let i = 0; i < oldDirs.length; i++) {
              const be = dot(oldDirs[i]!, r) * ro[i]!;
              r = r.add(oldStps[i]!.mul(al[i]! - be));
            }
            d = r;
          }
          if (prevFlatGrad === undefined) prevFlatGrad = keep(flatGrad.clone());
          else prevFlatGrad.copy_(flatGrad);
          prevLoss = loss;

          // The step length.
          t = state.nIter === 1 ? Math.min(1, 1 / flatGrad.abs().sum().itemSync()) * lr : lr;
          const gtd = dot(flatGrad, d);
          if (gtd > -toleranceChange) break;

          let lsEvals = 0;
          if (lineSearchFn === 'strong_wolfe') {
            const x = group.params.map((p) => p.clone());
            const obj: Objective = (step, dir) => {
              this.addDirection(step, dir);
              const f = evaluate();
              const g = this.flatGrad();
              for (const [i, p] of group.params.entries()) p.copy_(x[i]!);
              return [f, g];
            };
            [loss, flatGrad, t, lsEvals] = strongWolfe(obj, t, d, loss, flatGrad, gtd, toleranceChange);
            this.addDirection(t, d);
            optCond = absMax(flatGrad) <= toleranceGrad;
          } else {
            this.addDirection(t, d);
            if (nIter !== maxIter) {
              // Re-evaluate, except after the last iteration (with noisy losses it is wasted).
              loss = evaluate();
              flatGrad = this.flatGrad();
              optCond = absMax(flatGrad) <= toleranceGrad;
              lsEvals = 1;
            }
          }
          currentEvals += lsEvals;
          state.funcEvals = (state.funcEvals as number) + lsEvals;

          if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
          if (absMax(d.mul(t)) <= toleranceChange) break;
          if (Math.abs(loss - prevLoss) < toleranceChange) break;
        }

        // Keep what the next step needs; free what it replaced.
        const next = new Set<Tensor>([d!, prevFlatGrad!, ...oldDirs, ...oldStps]);
        for (const v of next) keep(v);
        dispose(stale.filter((v) => !next.has(v)));
        Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
      }),
    );
    return origLoss;
  }
}
