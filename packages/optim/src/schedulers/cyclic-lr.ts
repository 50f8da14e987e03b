/** CyclicLR, as `torch.optim.lr_scheduler.CyclicLR`. */
import { ValueError } from '@tsgrad/core';
import { checkChoice } from '../checks.js';
import type { Optimizer, OptimizerOptions, ParamGroup } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link CyclicLR}. */
export interface CyclicLROptions extends LRSchedulerOptions {
  /** Steps in the rising half of a cycle (default 2000). */
  stepSizeUp?: number;
  /** Steps in the falling half (default `stepSizeUp`). */
  stepSizeDown?: number;
  /**
   * The amplitude's policy: `'triangular'` (constant), `'triangular2'` (halved every cycle)
   * or `'exp_range'` (times `gamma^iteration`) (default `'triangular'`). Ignored when
   * `scaleFn` is given.
   */
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** Base of `'exp_range'`'s scaling (default 1). */
  gamma?: number;
  /** A custom amplitude scale, of the cycle number or of the iteration (see `scaleMode`). */
  scaleFn?: (x: number) => number;
  /** What `scaleFn` takes: `'cycle'` (default) or `'iterations'`. */
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle momentum (or Adam's beta1) inversely to the learning rate (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum, per group or for all (default 0.8). */
  baseMomentum?: number | number[];
  /** Highest momentum, per group or for all (default 0.9). */
  maxMomentum?: number | number[];
}

function perGroup(name: string, v: number | number[], n: number): number[] {
  const list = Array.isArray(v) ? [...v] : Array.from({ length: n }, () => v);
  if (list.length !== n || list.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new ValueError(
      `CyclicLR: ${name} must be a number or a list of ${n} numbers (one per param group)`,
    );
  }
  return list;
}

/**
 * The cyclical learning-rate policy (Smith, 2017): the learning rate goes from `baseLr` up to
 * `maxLr` over `stepSizeUp` steps and back down over `stepSizeDown`, again and again, with
 * the amplitude scaled by the mode; momentum moves the opposite way between `maxMomentum`
 * and `baseMomentum`. Step it after every batch. With `cycle = ⌊1 + t/T⌋`,
 * `x = 1 + t/T − cycle` and `s = x/r` while `x ≤ r`, else `(x−1)/(r−1)` (T the cycle length,
 * r its rising fraction): `lr = baseLr + (maxLr − baseLr)·s·scale`.
 *
 * `cycleMomentum` (on by default) needs an optimizer with `momentum` or `betas`; with
 * another (Adagrad, say) the constructor throws, as PyTorch's does.
 *
 * @example
 * ```ts
 * const sched = new CyclicLR(opt, 1e-3, 1e-2, { stepSizeUp: 500, mode: 'triangular2' });
 * // after each opt.step(): sched.step();
 * ```
 */
export class CyclicLR extends LRScheduler {
  /** Each group's upper learning rate. */
  readonly maxLrs: number[];
  /** Steps in a whole cycle. */
  readonly totalSize: number;
  /** Fraction of the cycle spent rising. */
  readonly stepRatio: number;
  /** The amplitude's policy. */
  readonly mode: 'triangular' | 'triangular2' | 'exp_range';
  /** Base of `'exp_range'`'s scaling. */
  readonly gamma: number;
  /** What the scale function takes. */
  readonly scaleMode: 'cycle' | 'iterations';
  /** Whether momentum (or beta1) cycles. */
  readonly cycleMomentum: boolean;
  /** Each group's lowest momentum, when momentum cycles. */
  readonly baseMomentums: number[];
  /** Each group's highest momentum, when momentum cycles. */
  readonly maxMomentums: number[];
  /** Whether the momentum that cycles is Adam's `betas[0]`. */
  private readonly useBeta1: boolean;
  /** A custom scale function. */
  private readonly scaleFn: ((x: number) => number) | undefined;

  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    baseLr: number | number[],
    maxLr: number | number[],
    options: CyclicLROptions = {},
  ) {
    const {
      stepSizeUp = 2000,
      stepSizeDown,
      mode = 'triangular',
      gamma = 1,
      scaleFn,
      scaleMode = 'cycle',
      cycleMomentum = true,
      baseMomentum = 0.8,
      maxMomentum = 0.9,
      lastEpoch = -1,
    } = options;
    const op = 'CyclicLR';
    const groups = optimizer.paramGroups;
    const baseLrs = perGroup('baseLr', baseLr, groups.length);
    const maxLrs = perGroup('maxLr', maxLr, groups.length);
    for (const [name, v] of [
      ['stepSizeUp', stepSizeUp],
      ['stepSizeDown', stepSizeDown ?? stepSizeUp],
    ] as const) {
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
        throw new ValueError(`CyclicLR: invalid ${name} ${String(v)} (must be a finite number > 0)`);
      }
    }
    if (scaleFn === undefined) checkChoice(op, 'mode', mode, ['triangular', 'triangular2', 'exp_range']);
    else checkChoice(op, 'scaleMode', scaleMode, ['cycle', 'iterations']);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.lr = baseLrs[i]!;
      });
    }
    let useBeta1 = false;
    let baseMs: number[] = [];
    let maxMs: number[] = [];
    if (cycleMomentum) {
      const d = optimizer.defaults as unknown as Record<string, unknown>;
      if (!('momentum' in d) && !('betas' in d)) {
        throw new ValueError(
          'CyclicLR: cycleMomentum needs an optimizer with momentum or betas (pass cycleMomentum: false)',
        );
      }
      useBeta1 = 'betas' in d;
      baseMs = perGroup('baseMomentum', baseMomentum, groups.length);
      maxMs = perGroup('maxMomentum', maxMomentum, groups.length);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          CyclicLR.setMomentum(g, useBeta1, maxMs[i]!);
          g.maxMomentum = maxMs[i]!;
          g.baseMomentum = baseMs[i]!;
        });
      }
    }
    super(op, optimizer, lastEpoch);
    const down = stepSizeDown ?? stepSizeUp;
    this.maxLrs = maxLrs;
    this.totalSize = stepSizeUp + down;
    this.stepRatio = stepSizeUp / this.totalSize;
    this.mode = mode;
    this.gamma = gamma;
    this.scaleFn = scaleFn;
    this.scaleMode = scaleFn === undefined ? (mode === 'exp_range' ? 'iterations' : 'cycle') : scaleMode;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.baseMomentums = baseMs;
    this.maxMomentums = maxMs;
    this.baseLrs = baseLrs;
    this.initialStep();
  }

  private static setMomentum(g: ParamGroup<OptimizerOptions>, useBeta1: boolean, m: number): void {
    if (useBeta1) {
      const betas = g.betas as [number, number];
      g.betas = [m, betas[1]];
    } else {
      g.momentum = m;
    }
  }

  /** The amplitude's scale at cycle number or iteration `x`. */
  private scale(x: number): number {
    if (this.scaleFn !== undefined) return this.scaleFn(x);
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    if (this.mode === 'exp_range') return this.gamma ** x;
    return 1;
  }

  protected override computeLr(): number[] {
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1 + t / this.totalSize - cycle;
    const s = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scale(this.scaleMode === 'cycle' ? cycle : t);
    if (this.cycleMomentum) {
      this.groups.forEach((g, i) => {
        const m = this.maxMomentums[i]! - (this.maxMomentums[i]! - this.baseMomentums[i]!) * s * scale;
        CyclicLR.setMomentum(g, this.useBeta1, m);
      });
    }
    return this.baseLrs.map((b, i) => b + (this.maxLrs[i]! - b) * s * scale);
  }
}
