/** RMSprop, as `torch.optim.RMSprop`. */
import { keep, type Tensor, zerosLike } from '@tsgrad/core';
import { lerp_ } from '@tsgrad/core/internal';
import { checkLr, checkNonNegative } from './checks.js';
import {
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamState,
  type Params,
} from './optimizer.js';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions extends OptimizerOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalise by the estimated variance of the gradient instead of its second moment (default false). */
  centered: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * RMSprop: divides the gradient by a running root mean square of recent gradients.
 * `v ← αv + (1−α)g²`; centred: `m ← αm + (1−α)g`, `v̂ = v − m²`; then with momentum μ
 * `b ← μb + g/(√v̂ + ε); θ ← θ − lr·b`, without `θ ← θ − lr·g/(√v̂ + ε)`.
 *
 * @example
 * ```ts
 * const opt = new RMSprop(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...options,
    });
  }

  protected override checkOptions(o: RMSpropOptions): void {
    checkLr('RMSprop', o.lr);
    checkNonNegative('RMSprop', 'alpha', o.alpha);
    checkNonNegative('RMSprop', 'eps', o.eps);
    checkNonNegative('RMSprop', 'weightDecay', o.weightDecay);
    checkNonNegative('RMSprop', 'momentum', o.momentum);
  }

  protected override updateGroup(group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({ step: 0, squareAvg: zerosLike(p) }));
      state.step = (state.step as number) + 1;
      const g = this.gradient(p, maximize, weightDecay);
      const squareAvg = state.squareAvg as Tensor;
      squareAvg.mul_(alpha).add_(g.mul(g).mul(1 - alpha));
      let avg: Tensor;
      if (centered) {
        const gradAvg = this.lazyState(p, state, 'gradAvg');
        lerp_(gradAvg, g, 1 - alpha);
        avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
      } else {
        avg = squareAvg.sqrt();
      }
      avg = avg.add(eps);
      if (momentum > 0) {
        const buf = this.lazyState(p, state, 'momentumBuffer');
        buf.mul_(momentum).add_(g.div(avg));
        p.sub_(buf.mul(lr));
      } else {
        p.sub_(g.div(avg).mul(lr));
      }
    }
  }

  /** The zero-initialised buffer `key` of an option (momentum, centered), made on its first use. */
  private lazyState(p: Tensor, state: ParamState, key: string): Tensor {
    let t = state[key] as Tensor | undefined;
    if (t === undefined) {
      t = keep(zerosLike(p));
      state[key] = t;
    }
    return t;
  }
}
