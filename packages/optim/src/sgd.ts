/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum, weight decay and
 * maximisation, as `torch.optim.SGD`.
 */
import { type Tensor, ValueError } from '@tsgrad/core';
import { checkLr, checkNonNegative } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link SGD}. */
export interface SGDOptions extends OptimizerOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Dampening of the momentum (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (default false). */
  nesterov: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * Stochastic gradient descent. With momentum μ, dampening τ and weight decay λ:
 * `g ← ∇ + λθ; b ← μb + (1−τ)g` (`b ← g` on the first step); `g ← g + μb` if Nesterov,
 * else `g ← b`; `θ ← θ − lr·g`.
 *
 * @example
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...options,
    });
  }

  protected override checkOptions(o: SGDOptions): void {
    checkLr('SGD', o.lr);
    checkNonNegative('SGD', 'momentum', o.momentum);
    checkNonNegative('SGD', 'dampening', o.dampening);
    checkNonNegative('SGD', 'weightDecay', o.weightDecay);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ValueError(
        `SGD: nesterov momentum requires momentum > 0 and dampening 0 (got momentum ${o.momentum}, dampening ${o.dampening})`,
      );
    }
  }

  protected override updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g = this.gradient(p, maximize, weightDecay);
      if (momentum !== 0) {
        const state = this.state.get(p);
        let buf = state?.momentumBuffer as Tensor | undefined;
        if (buf === undefined) {
          buf = this.stateOf(p, () => ({ momentumBuffer: g.clone() })).momentumBuffer as Tensor;
        } else {
          buf.mul_(momentum).add_(g.mul(1 - dampening));
        }
        g = nesterov ? g.add(buf.mul(momentum)) : buf;
      }
      p.sub_(g.mul(lr));
    }
  }
}
