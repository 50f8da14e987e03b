/**
 * What every learning-rate scheduler shares: the optimizer it drives, the epoch counter, the
 * learning rates it last set, and a state dict holding its own fields (as PyTorch saves a
 * scheduler's `__dict__` minus the optimizer).
 */
import { ValueError } from '@tsgrad/core';
import { copyPlain } from '../copy-plain.js';
import type { Optimizer, OptimizerOptions, ParamGroup } from '../optimizer.js';

/** A scheduler's saved state: its fields, as plain values. */
export type SchedulerStateDict = Record<string, unknown>;

/**
 * Base of all schedulers.
 *
 * @example
 * ```ts
 * const sched: Scheduler = new StepLR(opt, 10);
 * sched.getLastLr(); // [lr of each param group]
 * ```
 */
export abstract class Scheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer<OptimizerOptions>;
  /** The scheduler's name, used in error messages and checked when loading a state dict. */
  readonly name: string;
  /** Index of the last epoch (or step) the scheduler was stepped to; -1 before the first. */
  lastEpoch: number;
  /** The learning rates the last step set, one per group. */
  protected lastLr: number[];

  protected constructor(name: string, optimizer: Optimizer<OptimizerOptions>, lastEpoch: number) {
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) {
      throw new ValueError(`${name}: invalid lastEpoch ${lastEpoch} (must be an integer >= -1)`);
    }
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new ValueError(`${name}: expected an Optimizer, got ${String(optimizer)}`);
    }
    this.name = name;
    this.optimizer = optimizer;
    this.lastEpoch = lastEpoch;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The optimizer's parameter groups. */
  protected get groups(): ParamGroup<OptimizerOptions>[] {
    return this.optimizer.paramGroups;
  }

  /**
   * The learning rate of each parameter group as of the last step.
   *
   * @example
   * ```ts
   * sched.step();
   * console.log(sched.getLastLr()[0]);
   * ```
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's state (every field except the optimizer and functions), deep-copied.
   *
   * @example
   * ```ts
   * const saved = sched.stateDict();
   * ```
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function') continue;
      if (Array.isArray(v) && v.some((x) => typeof x === 'function')) continue;
      out[k] = copyPlain(v);
    }
    return out;
  }

  /**
   * Restores a state from {@link Scheduler.stateDict} of a scheduler of the same kind.
   *
   * @example
   * ```ts
   * sched.loadStateDict(saved);
   * ```
   */
  loadStateDict(dict: SchedulerStateDict): void {
    if (dict.name !== this.name) {
      throw new ValueError(`${this.name}.loadStateDict: the state dict is from ${String(dict.name)}`);
    }
    for (const [k, v] of Object.entries(dict)) {
      if (k === 'optimizer' || k === 'name') continue;
      (this as Record<string, unknown>)[k] = copyPlain(v);
    }
  }
}
