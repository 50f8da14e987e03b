/** ReduceLROnPlateau, as `torch.optim.lr_scheduler.ReduceLROnPlateau`. */
import { ValueError } from '@tsgrad/core';
import { checkChoice, checkInteger, checkNonNegative } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { Scheduler, type SchedulerStateDict } from './scheduler.js';

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): the metric should fall (a loss); `'max'`: it should rise (an accuracy). */
  mode?: 'min' | 'max';
  /** Factor applied to the learning rate on a plateau, below 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better the metric must get to count as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default): better by a fraction `threshold` of the best; `'abs'`: by `threshold`. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lowest learning rate, for all groups or per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the learning rate by `factor` when a metric (usually the validation loss) has not
 * improved for more than `patience` epochs.
 *
 * @example
 * ```ts
 * const sched = new ReduceLROnPlateau(opt, { patience: 3 });
 * for (let epoch = 0; epoch < 50; epoch++) {
 *   train();
 *   sched.step(await validationLoss());
 * }
 * ```
 */
export class ReduceLROnPlateau extends Scheduler {
  /** Whether the metric should fall or rise. */
  readonly mode: 'min' | 'max';
  /** Reduction factor. */
  readonly factor: number;
  /** Bad epochs tolerated. */
  readonly patience: number;
  /** Improvement threshold. */
  readonly threshold: number;
  /** Whether the threshold is relative or absolute. */
  readonly thresholdMode: 'rel' | 'abs';
  /** Cooldown epochs after a reduction. */
  readonly cooldown: number;
  /** Lowest learning rate of each group. */
  readonly minLrs: number[];
  /** Smallest reduction applied. */
  readonly eps: number;
  /** The best metric seen. */
  best: number;
  /** Epochs since the best metric. */
  numBadEpochs = 0;
  /** Cooldown epochs left. */
  cooldownCounter = 0;

  constructor(optimizer: Optimizer<OptimizerOptions>, options: ReduceLROnPlateauOptions = {}) {
    const op = 'ReduceLROnPlateau';
    const {
      mode = 'min',
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = 'rel',
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    checkChoice(op, 'mode', mode, ['min', 'max']);
    checkChoice(op, 'thresholdMode', thresholdMode, ['rel', 'abs']);
    if (typeof factor !== 'number' || !(factor >= 0 && factor < 1)) {
      throw new ValueError(`${op}: invalid factor ${String(factor)} (must be in [0, 1))`);
    }
    checkInteger(op, 'patience', patience, 0);
    checkInteger(op, 'cooldown', cooldown, 0);
    checkNonNegative(op, 'threshold', threshold);
    checkNonNegative(op, 'eps', eps);
    const n = optimizer.paramGroups.length;
    const minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: n }, () => minLr);
    if (minLrs.length !== n) {
      throw new ValueError(`${op}: expected ${n} minLr values (one per param group), got ${minLrs.length}`);
    }
    for (const [i, m] of minLrs.entries()) checkNonNegative(op, `minLr[${i}]`, m);
    super(op, optimizer, 0);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = minLrs;
    this.eps = eps;
    this.best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** Restores a state dict; a `best` of null (±Infinity after a JSON round trip) means no metric yet. */
  override loadStateDict(dict: SchedulerStateDict): void {
    super.loadStateDict(dict);
    if (this.best === null)
      this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** Whether the scheduler is cooling down after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether `metric` improves on `best` by more than the threshold. */
  isBetter(metric: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min')
      return this.thresholdMode === 'rel' ? metric < best * (1 - t) : metric < best - t;
    return this.thresholdMode === 'rel' ? metric > best * (1 + t) : metric > best + t;
  }

  /**
   * Records this epoch's metric, reducing the learning rates if it has not improved for more
   * than `patience` epochs.
   *
   * @example
   * ```ts
   * sched.step(valLoss);
   * ```
   */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new ValueError(`ReduceLROnPlateau.step: the metric must be a number, got ${typeof metric}`);
    }
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.groups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.groups.map((g) => g.lr);
  }
}
