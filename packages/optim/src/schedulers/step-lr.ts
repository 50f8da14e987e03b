/** StepLR, as `torch.optim.lr_scheduler.StepLR`. */
import { checkInteger, checkNonNegative } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link StepLR}. */
export interface StepLROptions extends LRSchedulerOptions {
  /** Factor applied every `stepSize` epochs (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies the learning rate by `gamma` every `stepSize` epochs:
 * `lr = base · gamma^⌊epoch / stepSize⌋`.
 *
 * @example
 * ```ts
 * const sched = new StepLR(opt, 30, { gamma: 0.1 }); // 0.1 for 30 epochs, then 0.01, …
 * ```
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Decay factor. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<OptimizerOptions>, stepSize: number, options: StepLROptions = {}) {
    const { gamma = 0.1, lastEpoch = -1 } = options;
    checkInteger('StepLR', 'stepSize', stepSize, 1);
    checkNonNegative('StepLR', 'gamma', gamma);
    super('StepLR', optimizer, lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    const decay = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.groups.map((g) => (decay ? g.lr * this.gamma : g.lr));
  }

  protected override closedFormLr(): number[] {
    const k = Math.floor(this.lastEpoch / this.stepSize);
    return this.baseLrs.map((b) => b * this.gamma ** k);
  }
}
