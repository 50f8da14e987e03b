/** MultiStepLR, as `torch.optim.lr_scheduler.MultiStepLR`. */
import { ValueError } from '@tsgrad/core';
import { checkNonNegative } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions extends LRSchedulerOptions {
  /** Factor applied at each milestone (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies the learning rate by `gamma` at each milestone epoch (twice for a milestone
 * listed twice): `lr = base · gamma^(milestones ≤ epoch)`.
 *
 * @example
 * ```ts
 * const sched = new MultiStepLR(opt, [30, 80], { gamma: 0.1 });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** Milestone epochs, sorted. */
  readonly milestones: number[];
  /** Decay factor. */
  readonly gamma: number;

  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    milestones: readonly number[],
    options: MultiStepLROptions = {},
  ) {
    const { gamma = 0.1, lastEpoch = -1 } = options;
    if (!Array.isArray(milestones) || milestones.some((m) => !Number.isInteger(m) || m < 0)) {
      throw new ValueError(
        `MultiStepLR: milestones must be a list of integers >= 0, got ${JSON.stringify(milestones)}`,
      );
    }
    checkNonNegative('MultiStepLR', 'gamma', gamma);
    super('MultiStepLR', optimizer, lastEpoch);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.groups.map((g) => (hits === 0 ? g.lr : g.lr * this.gamma ** hits));
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}
