/** CosineAnnealingWarmRestarts, as `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`. */
import { ValueError } from '@tsgrad/core';
import { checkInteger } from '../checks.js';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link CosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions extends LRSchedulerOptions {
  /** Each restart's period is the previous one times this (an integer >= 1; default 1). */
  tMult?: number;
  /** The lowest learning rate (default 0). */
  etaMin?: number;
}

/**
 * SGDR (Loshchilov & Hutter, 2017): cosine annealing from the base learning rate down to
 * `etaMin`, restarted at the base every period; the first period is `t0` epochs and each
 * next is `tMult` times longer. `lr = etaMin + (base − etaMin)(1 + cos(π·tCur/tI))/2`, with
 * `tCur` the epochs since the last restart and `tI` the current period.
 *
 * `step(epoch)` takes fractional epochs, so it can be stepped after every batch:
 * `sched.step(epoch + i / iters)`.
 *
 * @example
 * ```ts
 * const sched = new CosineAnnealingWarmRestarts(opt, 10, { tMult: 2 }); // periods 10, 20, 40 …
 * ```
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Length of the first period. */
  readonly t0: number;
  /** Growth factor of the period at each restart. */
  readonly tMult: number;
  /** The lowest learning rate. */
  readonly etaMin: number;
  /** The current period. */
  tI: number;
  /** Epochs since the last restart (fractional after `step(epoch)` with a fraction). */
  tCur: number;

  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    t0: number,
    options: CosineAnnealingWarmRestartsOptions = {},
  ) {
    const { tMult = 1, etaMin = 0, lastEpoch = -1 } = options;
    checkInteger('CosineAnnealingWarmRestarts', 't0', t0, 1);
    checkInteger('CosineAnnealingWarmRestarts', 'tMult', tMult, 1);
    if (typeof etaMin !== 'number' || !Number.isFinite(etaMin)) {
      throw new ValueError(
        `CosineAnnealingWarmRestarts: invalid etaMin ${String(etaMin)} (must be a finite number)`,
      );
    }
    super('CosineAnnealingWarmRestarts', optimizer, lastEpoch);
    this.t0 = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tI = t0;
    this.tCur = lastEpoch;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    const c = (1 + Math.cos((Math.PI * this.tCur) / this.tI)) / 2;
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * c);
  }

  /**
   * Advances one epoch, or jumps to `epoch` (which may be fractional) and sets each group's
   * `lr`.
   *
   * @example
   * ```ts
   * for (let epoch = 0; epoch < 30; epoch++) {
   *   for (let i = 0; i < iters; i++) {
   *     trainBatch(i);
   *     sched.step(epoch + i / iters);
   *   }
   * }
   * ```
   */
  override step(epoch?: number): void {
    this.stepCount++;
    let e: number;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      e = this.lastEpoch + 1;
      this.tCur++;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (typeof epoch !== 'number' || !(epoch >= 0) || !Number.isFinite(epoch)) {
        throw new ValueError(`${this.name}.step: invalid epoch ${epoch} (must be a finite number >= 0)`);
      }
      e = epoch;
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(e);
    const lrs = this.computeLr();
    this.groups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }
}
