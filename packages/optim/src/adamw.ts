/** AdamW, as `torch.optim.AdamW`. */
import { Adam, type AdamOptions } from './adam.js';
import type { Params } from './optimizer.js';

/**
 * Adam with decoupled weight decay: the weights shrink by `lr·weightDecay` each step
 * (`θ ← θ(1 − lr·λ)`) instead of the decay entering the gradient. `weightDecay` defaults to 1e-2.
 *
 * @example
 * ```ts
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * ```
 */
export class AdamW extends Adam {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, decoupledWeightDecay: true, ...options });
  }
}
