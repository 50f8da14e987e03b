/** ConstantLR, as `torch.optim.lr_scheduler.ConstantLR`. */
import { ValueError } from '@tsgrad/core';
import { checkInteger } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link ConstantLR}. */
export interface ConstantLROptions extends LRSchedulerOptions {
  /** Factor applied until `totalIters`, in [0, 1] (default 1/3). */
  factor?: number;
  /** Epochs the factor applies for (default 5). */
  totalIters?: number;
}

/**
 * Scales the learning rate by a constant `factor` for the first `totalIters` epochs, then
 * restores it: `lr = base · factor` for `epoch < totalIters`, `base` afterwards (a simple
 * warm-up).
 *
 * @example
 * ```ts
 * const warmup = new ConstantLR(opt, { factor: 0.5, totalIters: 4 });
 * ```
 */
export class ConstantLR extends LRScheduler {
  /** Factor applied until `totalIters`. */
  readonly factor: number;
  /** Epochs the factor applies for. */
  readonly totalIters: number;

  constructor(optimizer: Optimizer<OptimizerOptions>, options: ConstantLROptions = {}) {
    const { factor = 1 / 3, totalIters = 5, lastEpoch = -1 } = options;
    if (typeof factor !== 'number' || !(factor >= 0 && factor <= 1)) {
      throw new ValueError(`ConstantLR: invalid factor ${String(factor)} (must be in [0, 1])`);
    }
    checkInteger('ConstantLR', 'totalIters', totalIters, 0);
    super('ConstantLR', optimizer, lastEpoch);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    const t = this.lastEpoch;
    if (t === 0) return this.groups.map((g) => g.lr * this.factor);
    if (t !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const f = this.lastEpoch >= this.totalIters ? 1 : this.factor;
    return this.baseLrs.map((b) => b * f);
  }
}
