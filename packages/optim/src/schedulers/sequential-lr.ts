/** SequentialLR, as `torch.optim.lr_scheduler.SequentialLR`. */
import { ValueError } from '@tsgrad/core';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';
import type { SchedulerStateDict } from './scheduler.js';

/**
 * Runs schedulers one after another: the first until `milestones[0]`, the second from there
 * (restarted at its epoch 0) until `milestones[1]`, and so on. The usual use is a warm-up
 * followed by a decay.
 *
 * @example
 * ```ts
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(opt, 95);
 * const sched = new SequentialLR(opt, [warmup, decay], [5]);
 * ```
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers, in the order they run. */
  readonly schedulers: LRScheduler[];
  /** Epochs at which the next scheduler takes over. */
  readonly milestones: number[];

  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    schedulers: LRScheduler[],
    milestones: readonly number[],
    options: LRSchedulerOptions = {},
  ) {
    const op = 'SequentialLR';
    if (!Array.isArray(schedulers) || schedulers.length < 1) {
      throw new ValueError(`${op}: expects at least one scheduler`);
    }
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) {
        throw new ValueError(
          `${op}: schedulers[${i}] is not an epoch-based scheduler (ReduceLROnPlateau cannot be chained)`,
        );
      }
      if (s.optimizer !== optimizer) {
        throw new ValueError(`${op}: schedulers[${i}] drives a different optimizer than the one given`);
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new ValueError(
        `${op}: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`,
      );
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 1 || (i > 0 && m <= milestones[i - 1]!)) {
        throw new ValueError(
          `${op}: milestones must be increasing integers >= 1, got ${JSON.stringify(milestones)}`,
        );
      }
    });
    const lastEpoch = options.lastEpoch ?? -1;
    super(op, optimizer, lastEpoch);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    // Undo what constructing the children did, then start the first one afresh.
    for (const g of this.groups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!._initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  protected override computeLr(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /**
   * Advances one epoch, handing over to the next scheduler at a milestone.
   *
   * @example
   * ```ts
   * sched.step();
   * ```
   */
  override step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    const { schedulers: _children, ...own } = super.stateDict();
    return { ...own, schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(dict: SchedulerStateDict): void {
    const { schedulers: children, ...own } = dict;
    if (!Array.isArray(children) || children.length !== this.schedulers.length) {
      throw new ValueError(
        `SequentialLR.loadStateDict: expected states of ${this.schedulers.length} schedulers`,
      );
    }
    super.loadStateDict(own);
    for (const [i, s] of this.schedulers.entries()) s.loadStateDict(children[i] as SchedulerStateDict);
  }
}
