/** NAdam, as `torch.optim.NAdam`. */
import { type Tensor, zerosLike } from '@tsgrad/core';
import { lerp_ } from '@tsgrad/core/internal';
import { checkBetas, checkLr, checkNonNegative } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link NAdam}. */
export interface NAdamOptions extends OptimizerOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 penalty, or decoupled with `decoupledWeightDecay` (default 0). */
  weightDecay: number;
  /** ψ, how fast the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)) warms up (default 4e-3). */
  momentumDecay: number;
  /** Shrink the weights directly (`θ ← θ(1 − lr·λ)`, NAdamW) instead of adding λθ to the gradient (default false). */
  decoupledWeightDecay: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum and a warming-up momentum schedule
 * `μₜ = β₁(1 − ½·0.96^(tψ))`. With `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²` and
 * `d = √(v/(1−β₂ᵗ)) + ε`: `θ ← θ − lr(1−μₜ)/(1−∏ᵢ≤ₜμᵢ)·g/d − lr·μₜ₊₁/(1−∏ᵢ≤ₜ₊₁μᵢ)·m/d`.
 *
 * @example
 * ```ts
 * const opt = new NAdam(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super('NAdam', params, {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
      maximize: false,
      ...options,
    });
  }

  protected override checkOptions(o: NAdamOptions): void {
    checkLr('NAdam', o.lr);
    checkNonNegative('NAdam', 'eps', o.eps);
    checkBetas('NAdam', o.betas);
    checkNonNegative('NAdam', 'weightDecay', o.weightDecay);
    checkNonNegative('NAdam', 'momentumDecay', o.momentumDecay);
  }

  protected override updateGroup(group: ParamGroup<NAdamOptions>): void {
    const { lr, betas, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize } = group;
    const [beta1, beta2] = betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({
        step: 0,
        muProduct: 1,
        expAvg: zerosLike(p),
        expAvgSq: zerosLike(p),
      }));
      const step = (state.step as number) + 1;
      state.step = step;
      // Decoupled weight decay shrinks p itself (AdamW's way); coupled decay joins the gradient.
      // Stryker disable next-line ConditionalExpression: multiplying by 1 − lr·0 changes nothing
      if (decoupledWeightDecay && weightDecay !== 0) p.mul_(1 - lr * weightDecay);
      const g = this.gradient(p, maximize, decoupledWeightDecay ? 0 : weightDecay);
      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      const muProduct = (state.muProduct as number) * mu;
      state.muProduct = muProduct;
      const expAvg = state.expAvg as Tensor;
      const expAvgSq = state.expAvgSq as Tensor;
      lerp_(expAvg, g, 1 - beta1);
      expAvgSq.mul_(beta2).add_(g.mul(g).mul(1 - beta2));
      const denom = expAvgSq
        .div(1 - beta2 ** step)
        .sqrt()
        .add(eps);
      p.add_(g.div(denom).mul((-lr * (1 - mu)) / (1 - muProduct)));
      p.add_(expAvg.div(denom).mul((-lr * muNext) / (1 - muProduct * muNext)));
    }
  }
}
