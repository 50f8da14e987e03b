/** CosineAnnealingLR, as `torch.optim.lr_scheduler.CosineAnnealingLR`. */
import { ValueError } from '@tsgrad/core';
import { checkInteger } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions extends LRSchedulerOptions {
  /** The lowest learning rate (default 0). */
  etaMin?: number;
}

/**
 * Anneals the learning rate along half a cosine from its base value down to `etaMin` over
 * `tMax` epochs (and back up over the next `tMax`, as PyTorch's does without restarts):
 * `lr = etaMin + (base − etaMin)(1 + cos(π·epoch/tMax))/2`. Like PyTorch it steps by a
 * recurrence that yields exactly this when stepped one epoch at a time, and follows
 * learning-rate changes made by others in between.
 *
 * @example
 * ```ts
 * const sched = new CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs from the base learning rate down to `etaMin`. */
  readonly tMax: number;
  /** The lowest learning rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer<OptimizerOptions>, tMax: number, options: CosineAnnealingLROptions = {}) {
    const { etaMin = 0, lastEpoch = -1 } = options;
    checkInteger('CosineAnnealingLR', 'tMax', tMax, 1);
    if (typeof etaMin !== 'number' || !Number.isFinite(etaMin)) {
      throw new ValueError(`CosineAnnealingLR: invalid etaMin ${String(etaMin)} (must be a finite number)`);
    }
    super('CosineAnnealingLR', optimizer, lastEpoch);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) return this.closedFormLr();
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      // Just past the bottom the ratio below divides by zero; step up by the first increment.
      return this.groups.map(
        (g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return this.groups.map((g) => ratio * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const c = (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax)) / 2;
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * c);
  }
}
