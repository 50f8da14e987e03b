/** RAdam, as `torch.optim.RAdam`. */
import { type Tensor, zerosLike } from '@tsgrad/core';
import { lerp_ } from '@tsgrad/core/internal';
import { checkBetas, checkLr, checkNonNegative } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link RAdam}. */
export interface RAdamOptions extends OptimizerOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 penalty, or decoupled with `decoupledWeightDecay` (default 0). */
  weightDecay: number;
  /** Shrink the weights directly (`θ ← θ(1 − lr·λ)`, RAdamW) instead of adding λθ to the gradient (default false). */
  decoupledWeightDecay: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * RAdam (Liu et al., 2019): Adam whose adaptive step is switched on only once the variance of
 * the adaptive learning rate is tractable, and then rectified. With `ρ∞ = 2/(1−β₂) − 1` and
 * `ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)`: if `ρₜ > 5`,
 * `θ ← θ − lr·m̂·rₜ·√(1−β₂ᵗ)/(√v + ε)` with `rₜ = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ))`;
 * otherwise `θ ← θ − lr·m̂` (m̂ = m/(1−β₁ᵗ), plain momentum SGD).
 *
 * @example
 * ```ts
 * const opt = new RAdam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: Params<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super('RAdam', params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
      ...options,
    });
  }

  protected override checkOptions(o: RAdamOptions): void {
    checkLr('RAdam', o.lr);
    checkNonNegative('RAdam', 'eps', o.eps);
    checkBetas('RAdam', o.betas);
    checkNonNegative('RAdam', 'weightDecay', o.weightDecay);
  }

  protected override updateGroup(group: ParamGroup<RAdamOptions>): void {
    const { lr, betas, eps, weightDecay, decoupledWeightDecay, maximize } = group;
    const [beta1, beta2] = betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({ step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) }));
      const step = (state.step as number) + 1;
      state.step = step;
      // Decoupled weight decay shrinks p itself (AdamW's way); coupled decay joins the gradient.
      // Stryker disable next-line ConditionalExpression: multiplying by 1 − lr·0 changes nothing
      if (decoupledWeightDecay && weightDecay !== 0) p.mul_(1 - lr * weightDecay);
      const g = this.gradient(p, maximize, decoupledWeightDecay ? 0 : weightDecay);
      const expAvg = state.expAvg as Tensor;
      const expAvgSq = state.expAvgSq as Tensor;
      lerp_(expAvg, g, 1 - beta1);
      expAvgSq.mul_(beta2).add_(g.mul(g).mul(1 - beta2));
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      const corrected = expAvg.div(bc1);
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const adaptive = expAvgSq.sqrt().add(eps).reciprocal().mul(Math.sqrt(bc2));
        p.sub_(corrected.mul(lr).mul(adaptive).mul(rect));
      } else {
        p.sub_(corrected.mul(lr));
      }
    }
  }
}
