/** Adamax, as `torch.optim.Adamax`. */
import { type Tensor, zerosLike } from '@tsgrad/core';
import { lerp_ } from '@tsgrad/core/internal';
import { checkBetas, checkLr, checkNonNegative } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link Adamax}. */
export interface AdamaxOptions extends OptimizerOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Decay rates of the first moment and of the infinity norm (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to |g| for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * Adamax: Adam with the infinity norm in place of the second moment.
 * `m ← β₁m + (1−β₁)g; u ← max(β₂u, |g| + ε); θ ← θ − lr/(1−β₁ᵗ) · m/u`.
 *
 * @example
 * ```ts
 * const opt = new Adamax(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', params, {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
      ...options,
    });
  }

  protected override checkOptions(o: AdamaxOptions): void {
    checkLr('Adamax', o.lr);
    checkNonNegative('Adamax', 'eps', o.eps);
    checkBetas('Adamax', o.betas);
    checkNonNegative('Adamax', 'weightDecay', o.weightDecay);
  }

  protected override updateGroup(group: ParamGroup<AdamaxOptions>): void {
    const { lr, betas, eps, weightDecay, maximize } = group;
    const [beta1, beta2] = betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({ step: 0, expAvg: zerosLike(p), expInf: zerosLike(p) }));
      const step = (state.step as number) + 1;
      state.step = step;
      const g = this.gradient(p, maximize, weightDecay);
      const expAvg = state.expAvg as Tensor;
      const expInf = state.expInf as Tensor;
      lerp_(expAvg, g, 1 - beta1);
      expInf.copy_(expInf.mul(beta2).maximum(g.abs().add(eps)));
      p.sub_(expAvg.div(expInf).mul(lr / (1 - beta1 ** step)));
    }
  }
}
