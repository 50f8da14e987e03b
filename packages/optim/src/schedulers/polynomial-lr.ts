/** PolynomialLR, as `torch.optim.lr_scheduler.PolynomialLR`. */
import { checkInteger, checkNonNegative } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link PolynomialLR}. */
export interface PolynomialLROptions extends LRSchedulerOptions {
  /** Epochs over which the learning rate decays to 0 (default 5). */
  totalIters?: number;
  /** Power of the polynomial (default 1: linear decay). */
  power?: number;
}

/**
 * Decays the learning rate to 0 along a polynomial over `totalIters` epochs:
 * `lr = base · (1 − min(epoch, totalIters)/totalIters)^power`.
 *
 * @example
 * ```ts
 * const sched = new PolynomialLR(opt, { totalIters: 100, power: 2 });
 * ```
 */
export class PolynomialLR extends LRScheduler {
  /** Epochs over which the learning rate decays. */
  readonly totalIters: number;
  /** Power of the polynomial. */
  readonly power: number;

  constructor(optimizer: Optimizer<OptimizerOptions>, options: PolynomialLROptions = {}) {
    const { totalIters = 5, power = 1, lastEpoch = -1 } = options;
    checkInteger('PolynomialLR', 'totalIters', totalIters, 1);
    checkNonNegative('PolynomialLR', 'power', power);
    super('PolynomialLR', optimizer, lastEpoch);
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    const { lastEpoch: t, totalIters: n, power } = this;
    if (t === 0 || t > n) return this.groups.map((g) => g.lr);
    const decay = ((1 - t / n) / (1 - (t - 1) / n)) ** power;
    return this.groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, totalIters: n, power } = this;
    return this.baseLrs.map((b) => b * (1 - Math.min(n, t) / n) ** power);
  }
}
