/** Adam, as `torch.optim.Adam`. */
import { adamStep_, keep, type Tensor, zerosLike } from '@tsgrad/core';
import { checkBetas, checkLr, checkNonNegative } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions extends OptimizerOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 penalty in Adam, decoupled in AdamW (default 0, AdamW 1e-2). */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad) (default false). */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
  /** Shrink the weights directly (`θ ← θ(1 − lr·λ)`) instead of adding λθ to the gradient (default false; AdamW true). */
  decoupledWeightDecay: boolean;
}

/**
 * Adam: steps along bias-corrected running averages of the gradient and its square.
 * `m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − lr/(1−β₁ᵗ) · m/(√v/√(1−β₂ᵗ) + ε)`
 * (with AMSGrad, v is replaced by its running maximum).
 *
 * @example
 * ```ts
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    const full: AdamOptions = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      decoupledWeightDecay: false,
      ...options,
    };
    super(full.decoupledWeightDecay ? 'AdamW' : 'Adam', params, full);
  }

  protected override checkOptions(o: AdamOptions): void {
    checkLr(this.name, o.lr);
    checkNonNegative(this.name, 'eps', o.eps);
    checkBetas(this.name, o.betas);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
  }

  protected override updateGroup(group: ParamGroup<AdamOptions>): void {
    const { lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay } = group;
    const [beta1, beta2] = betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({ step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) }));
      const step = (state.step as number) + 1;
      state.step = step;
      // Made on the first amsgrad step (amsgrad may be turned on after the state was made).
      let max = state.maxExpAvgSq as Tensor | undefined;
      if (amsgrad && max === undefined) {
        max = keep(zerosLike(p));
        state.maxExpAvgSq = max;
      }
      adamStep_(p, p.grad, state.expAvg as Tensor, state.expAvgSq as Tensor, amsgrad ? max! : null, {
        lr,
        beta1,
        beta2,
        eps,
        weightDecay,
        decoupledWeightDecay,
        maximize,
        step,
      });
    }
  }
}
