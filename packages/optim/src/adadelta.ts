/** Adadelta, as `torch.optim.Adadelta`. */
import { type Tensor, zerosLike } from '@tsgrad/core';
import { checkLr, checkNonNegative, checkUnit } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link Adadelta}. */
export interface AdadeltaOptions extends OptimizerOptions {
  /** Scale applied to the update (default 1.0). */
  lr: number;
  /** Decay of the running averages (default 0.9). */
  rho: number;
  /** Added inside the square roots for stability (default 1e-6). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * Adadelta: steps scaled by the ratio of running RMS of past updates and of gradients.
 * `v ← ρv + (1−ρ)g²; Δ = √(u+ε)/√(v+ε)·g; u ← ρu + (1−ρ)Δ²; θ ← θ − lr·Δ`.
 *
 * @example
 * ```ts
 * const opt = new Adadelta(model.parameters());
 * ```
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', params, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...options });
  }

  protected override checkOptions(o: AdadeltaOptions): void {
    checkLr('Adadelta', o.lr);
    checkUnit('Adadelta', 'rho', o.rho, true);
    checkNonNegative('Adadelta', 'eps', o.eps);
    checkNonNegative('Adadelta', 'weightDecay', o.weightDecay);
  }

  protected override updateGroup(group: ParamGroup<AdadeltaOptions>): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({ step: 0, squareAvg: zerosLike(p), accDelta: zerosLike(p) }));
      state.step = (state.step as number) + 1;
      const g = this.gradient(p, maximize, weightDecay);
      const squareAvg = state.squareAvg as Tensor;
      const accDelta = state.accDelta as Tensor;
      squareAvg.mul_(rho).add_(g.mul(g).mul(1 - rho));
      const std = squareAvg.add(eps).sqrt();
      const delta = accDelta.add(eps).sqrt().div(std).mul(g);
      accDelta.mul_(rho).add_(delta.mul(delta).mul(1 - rho));
      p.sub_(delta.mul(lr));
    }
  }
}
