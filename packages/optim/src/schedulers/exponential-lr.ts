/** ExponentialLR, as `torch.optim.lr_scheduler.ExponentialLR`. */
import { checkNonNegative } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/**
 * Multiplies the learning rate by `gamma` every epoch: `lr = base · gamma^epoch`.
 *
 * @example
 * ```ts
 * const sched = new ExponentialLR(opt, 0.95);
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** Decay factor per epoch. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<OptimizerOptions>, gamma: number, options: LRSchedulerOptions = {}) {
    checkNonNegative('ExponentialLR', 'gamma', gamma);
    super('ExponentialLR', optimizer, options.lastEpoch ?? -1);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    return this.groups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}
