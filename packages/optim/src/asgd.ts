/** ASGD, as `torch.optim.ASGD`. */
import { type Tensor, zerosLike } from '@tsgrad/core';
import { checkLr, checkNonNegative } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link ASGD}. */
export interface ASGDOptions extends OptimizerOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Decay term λ (default 1e-4). */
  lambd: number;
  /** Power of the step-size decay (default 0.75). */
  alpha: number;
  /** The step from which parameters are averaged (default 1e6). */
  t0: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * Averaged SGD (Polyak & Juditsky, 1992): SGD with a decaying step size whose iterates are
 * averaged from step `t0` on. Each step: `θ ← θ(1 − λη) − ηg`; the average
 * `ax ← ax + μ(θ − ax)` (`ax ← θ` while μ = 1); then `η ← lr/(1 + λ·lr·t)^α` and
 * `μ ← 1/max(1, t − t0)`. The averaged parameters are in the state as `ax`.
 *
 * @example
 * ```ts
 * const opt = new ASGD(model.parameters(), { lr: 1e-2, t0: 100 });
 * ```
 */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: Params<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super('ASGD', params, {
      lr: 1e-2,
      lambd: 1e-4,
      alpha: 0.75,
      t0: 1e6,
      weightDecay: 0,
      maximize: false,
      ...options,
    });
  }

  protected override checkOptions(o: ASGDOptions): void {
    checkLr('ASGD', o.lr);
    checkNonNegative('ASGD', 'lambd', o.lambd);
    checkNonNegative('ASGD', 'alpha', o.alpha);
    checkNonNegative('ASGD', 't0', o.t0);
    checkNonNegative('ASGD', 'weightDecay', o.weightDecay);
  }

  protected override updateGroup(group: ParamGroup<ASGDOptions>): void {
    const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({ step: 0, eta: lr, mu: 1, ax: zerosLike(p) }));
      const step = (state.step as number) + 1;
      state.step = step;
      const g = this.gradient(p, maximize, weightDecay);
      const eta = state.eta as number;
      const mu = state.mu as number;
      p.mul_(1 - lambd * eta);
      p.sub_(g.mul(eta));
      const ax = state.ax as Tensor;
      // Stryker disable next-line ConditionalExpression: with mu = 1 the average is p itself
      if (mu !== 1) ax.add_(p.sub(ax).mul(mu));
      else ax.copy_(p);
      state.eta = lr / (1 + lambd * lr * step) ** alpha;
      state.mu = 1 / Math.max(1, step - t0);
    }
  }
}
