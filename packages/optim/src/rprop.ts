/** Rprop, as `torch.optim.Rprop`. */
import { fullLike, onesLike, type Tensor, ValueError, where, zerosLike } from '@tsgrad/core';
import { checkLr } from './checks.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';

/** Options of {@link Rprop}. */
export interface RpropOptions extends OptimizerOptions {
  /** Initial step size of every element (default 1e-2). */
  lr: number;
  /** Factors [η−, η+] that shrink and grow a step size, 0 < η− < 1 < η+ (default [0.5, 1.2]). */
  etas: [number, number];
  /** Smallest and largest step size (default [1e-6, 50]). */
  stepSizes: [number, number];
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/**
 * Resilient backpropagation: every element has its own step size, which grows by η+ while
 * its gradient keeps its sign and shrinks by η− when the sign flips; the update uses only
 * the gradient's sign. `s ← clamp(s·η, min, max)`; where the sign flipped `g ← 0`;
 * `θ ← θ − sign(g)·s`. Meant for full-batch training.
 *
 * @example
 * ```ts
 * const opt = new Rprop(model.parameters(), { lr: 1e-2 });
 * ```
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: Params<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super('Rprop', params, {
      lr: 1e-2,
      etas: [0.5, 1.2],
      stepSizes: [1e-6, 50],
      maximize: false,
      ...options,
    });
  }

  protected override checkOptions(o: RpropOptions): void {
    checkLr('Rprop', o.lr);
    const [minus, plus] = Array.isArray(o.etas) ? o.etas : [];
    if (!(typeof minus === 'number' && typeof plus === 'number' && 0 < minus && minus < 1 && 1 < plus)) {
      throw new ValueError(
        `Rprop: invalid etas ${JSON.stringify(o.etas)} (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)`,
      );
    }
    const [lo, hi] = Array.isArray(o.stepSizes) ? o.stepSizes : [];
    if (!(typeof lo === 'number' && typeof hi === 'number' && 0 <= lo && lo <= hi)) {
      throw new ValueError(
        `Rprop: invalid stepSizes ${JSON.stringify(o.stepSizes)} (must be [min, max] with 0 <= min <= max)`,
      );
    }
  }

  protected override updateGroup(group: ParamGroup<RpropOptions>): void {
    const { lr, etas, stepSizes, maximize } = group;
    const [etaminus, etaplus] = etas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p, () => ({ step: 0, prev: zerosLike(p), stepSize: fullLike(p, lr) }));
      state.step = (state.step as number) + 1;
      let g = this.gradient(p, maximize);
      const prev = state.prev as Tensor;
      const stepSize = state.stepSize as Tensor;
      const agree = g.mul(prev);
      const flipped = agree.lt(0);
      // Scalars against a tensor of p's dtype, so the factors keep p's precision.
      const factor = where(agree.gt(0), etaplus, where(flipped, etaminus, onesLike(p)));
      stepSize.copy_(stepSize.mul(factor).clamp(stepSizes[0], stepSizes[1]));
      g = where(flipped, 0, g);
      p.sub_(g.sign().mul(stepSize));
      prev.copy_(g);
    }
  }
}
