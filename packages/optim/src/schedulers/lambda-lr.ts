/** LambdaLR, as `torch.optim.lr_scheduler.LambdaLR`. */
import { ValueError } from '@tsgrad/core';
import type { Optimizer, OptimizerOptions } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** A function from the epoch to a factor of the base learning rate. */
export type LrLambda = (epoch: number) => number;

/**
 * Sets the learning rate to the base learning rate times `lrLambda(epoch)`; pass one
 * function per parameter group to treat groups differently. The functions are not part of
 * the state dict.
 *
 * @example
 * ```ts
 * const sched = new LambdaLR(opt, (epoch) => 0.95 ** epoch);
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** One factor function per parameter group. */
  readonly lrLambdas: LrLambda[];

  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    lrLambda: LrLambda | LrLambda[],
    options: LRSchedulerOptions = {},
  ) {
    const n = optimizer.paramGroups.length;
    const lambdas = Array.isArray(lrLambda) ? [...lrLambda] : Array.from({ length: n }, () => lrLambda);
    if (lambdas.length !== n) {
      throw new ValueError(`LambdaLR: expected ${n} lrLambdas (one per param group), got ${lambdas.length}`);
    }
    if (lambdas.some((f) => typeof f !== 'function')) {
      throw new ValueError('LambdaLR: lrLambda must be a function or a list of functions');
    }
    super('LambdaLR', optimizer, options.lastEpoch ?? -1);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected override computeLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const f = this.lrLambdas[i]!(this.lastEpoch);
      if (typeof f !== 'number' || Number.isNaN(f)) {
        throw new ValueError(
          `LambdaLR: lrLambda[${i}](${this.lastEpoch}) returned ${String(f)}, not a number`,
        );
      }
      return b * f;
    });
  }
}
