/** LinearLR, as `torch.optim.lr_scheduler.LinearLR`. */
import { ValueError } from '@tsgrad/core';
import { checkInteger } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link LinearLR}. */
export interface LinearLROptions extends LRSchedulerOptions {
  /** Factor at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor from `totalIters` on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves (default 5). */
  totalIters?: number;
}

/**
 * Scales the base learning rate by a factor moving linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs (a warm-up when `startFactor < endFactor`):
 * `lr = base · (start + (end − start)·min(epoch, totalIters)/totalIters)`.
 *
 * @example
 * ```ts
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 10 });
 * ```
 */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  readonly startFactor: number;
  /** Factor from `totalIters` on. */
  readonly endFactor: number;
  /** Epochs over which the factor moves. */
  readonly totalIters: number;

  constructor(optimizer: Optimizer<OptimizerOptions>, options: LinearLROptions = {}) {
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5, lastEpoch = -1 } = options;
    if (typeof startFactor !== 'number' || !(startFactor > 0 && startFactor <= 1)) {
      throw new ValueError(`LinearLR: invalid startFactor ${String(startFactor)} (must be in (0, 1])`);
    }
    if (typeof endFactor !== 'number' || !(endFactor >= 0 && endFactor <= 1)) {
      throw new ValueError(`LinearLR: invalid endFactor ${String(endFactor)} (must be in [0, 1])`);
    }
    checkInteger('LinearLR', 'totalIters', totalIters, 1);
    super('LinearLR', optimizer, lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    if (t === 0) return this.groups.map((g) => g.lr * s);
    if (t > n) return this.groups.map((g) => g.lr);
    const factor = 1 + (e - s) / (n * s + (t - 1) * (e - s));
    return this.groups.map((g) => g.lr * factor);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(n, t)) / n));
  }
}
