/**
 * Epoch-based schedulers: each step computes the next learning rates from the current ones
 * (PyTorch's chainable form), so several schedulers can act on one optimizer.
 */
import { ValueError } from '@tsgrad/core';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { Scheduler } from './scheduler.js';

/** Option every epoch-based scheduler takes. */
export interface LRSchedulerOptions {
  /**
   * The epoch to resume after (default -1: start fresh). Resuming needs `initialLr` in every
   * parameter group, which a fresh scheduler stores there.
   */
  lastEpoch?: number;
}

/**
 * Base of the epoch-based schedulers. Construction stores each group's starting `lr` as
 * `initialLr` (the base learning rate) and performs the first step, to epoch 0.
 *
 * @example
 * ```ts
 * class Halving extends LRScheduler {
 *   constructor(opt: Optimizer) { super('Halving', opt, -1); this.initialStep(); }
 *   protected computeLr() { return this.groups.map((g) => g.lr / 2); }
 * }
 * ```
 */
export abstract class LRScheduler extends Scheduler {
  /** Each group's base learning rate (its `initialLr`). */
  baseLrs: number[];
  /** How many times `step()` ran. */
  protected stepCount = 0;

  protected constructor(name: string, optimizer: Optimizer<OptimizerOptions>, lastEpoch = -1) {
    super(name, optimizer, lastEpoch);
    this.groups.forEach((g, i) => {
      if (lastEpoch === -1) {
        if (g.initialLr === undefined) g.initialLr = g.lr;
      } else if (typeof g.initialLr !== 'number') {
        throw new ValueError(
          `${name}: param group ${i} has no initialLr, which resuming at lastEpoch ${lastEpoch} needs`,
        );
      }
    });
    this.baseLrs = this.groups.map((g) => g.initialLr as number);
  }

  /** The learning rates of the next epoch, computed from the current ones. */
  protected abstract computeLr(): number[];

  /** The learning rates at `lastEpoch` computed directly, where the schedule has a closed form. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /** Performs the first step (subclasses call it last in their constructor). */
  protected initialStep(): void {
    this._initialStep();
  }

  /** @internal Reset the step count and step once (SequentialLR calls it on its children). */
  _initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /**
   * Advances one epoch and sets each group's `lr`. Passing `epoch` jumps there, using the
   * closed form where the schedule has one (as PyTorch's deprecated `step(epoch)` does).
   *
   * @example
   * ```ts
   * for (let epoch = 0; epoch < 100; epoch++) {
   *   train(); // opt.step() inside
   *   sched.step();
   * }
   * ```
   */
  step(epoch?: number): void {
    this.stepCount++;
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      lrs = this.computeLr();
    } else {
      if (!Number.isInteger(epoch) || epoch < 0) {
        throw new ValueError(`${this.name}.step: invalid epoch ${epoch} (must be an integer >= 0)`);
      }
      this.lastEpoch = epoch;
      lrs = this.closedFormLr() ?? this.computeLr();
    }
    this.groups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }
}
