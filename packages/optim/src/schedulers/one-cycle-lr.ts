/** OneCycleLR, as `torch.optim.lr_scheduler.OneCycleLR`. */
import { ValueError } from '@tsgrad/core';
import { checkChoice, checkInteger, checkUnit } from '../checks.js';
import type { Optimizer, OptimizerOptions, ParamGroup } from '../optimizer.js';
import { LRScheduler, type LRSchedulerOptions } from './lr-scheduler.js';

/** Options of {@link OneCycleLR}; give `totalSteps`, or `epochs` and `stepsPerEpoch`. */
export interface OneCycleLROptions extends LRSchedulerOptions {
  /** Steps in the cycle. */
  totalSteps?: number;
  /** Epochs to train (with `stepsPerEpoch`, gives `totalSteps`). */
  epochs?: number;
  /** Steps per epoch (with `epochs`, gives `totalSteps`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the learning rate (default 0.3). */
  pctStart?: number;
  /** Shape of each phase: `'cos'` (default) or `'linear'`. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's beta1) inversely to the learning rate (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum, per group or for all (default 0.85). */
  baseMomentum?: number | number[];
  /** Highest momentum, per group or for all (default 0.95). */
  maxMomentum?: number | number[];
  /** The starting learning rate is `maxLr / divFactor` (default 25). */
  divFactor?: number;
  /** The final learning rate is the starting one divided by this (default 1e4). */
  finalDivFactor?: number;
  /** Add a third phase: back to the start, then down to the final rate (fast.ai's style) (default false). */
  threePhase?: boolean;
}

/** One phase of the cycle: where it ends and which group fields it moves between. */
interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

function perGroup(name: string, v: number | number[], n: number): number[] {
  const list = Array.isArray(v) ? [...v] : Array.from({ length: n }, () => v);
  if (list.length !== n || list.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new ValueError(
      `OneCycleLR: ${name} must be a number or a list of ${n} numbers (one per param group)`,
    );
  }
  return list;
}

/**
 * The 1cycle policy (Smith & Topor, 2017): the learning rate rises from `maxLr/divFactor` to
 * `maxLr` over the first `pctStart` of the steps, then falls to
 * `maxLr/(divFactor·finalDivFactor)`; momentum moves the opposite way. Step it after every
 * batch, not every epoch.
 *
 * @example
 * ```ts
 * const sched = new OneCycleLR(opt, 0.1, { epochs: 10, stepsPerEpoch: loader.length });
 * // after each opt.step(): sched.step();
 * ```
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  readonly totalSteps: number;
  /** The phases, by the group fields they move between. */
  private readonly phases: Phase[];
  /** How each phase moves: `'cos'` or `'linear'`. */
  readonly annealStrategy: 'cos' | 'linear';
  /** Whether momentum (or beta1) cycles. */
  readonly cycleMomentum: boolean;
  /** Whether the momentum that cycles is Adam's `betas[0]`. */
  private readonly useBeta1: boolean;

  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    maxLr: number | number[],
    options: OneCycleLROptions = {},
  ) {
    const {
      totalSteps,
      epochs,
      stepsPerEpoch,
      pctStart = 0.3,
      annealStrategy = 'cos',
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
      lastEpoch = -1,
    } = options;
    const op = 'OneCycleLR';
    let total: number;
    if (totalSteps !== undefined) {
      checkInteger(op, 'totalSteps', totalSteps, 1);
      total = totalSteps;
    } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
      checkInteger(op, 'epochs', epochs, 1);
      checkInteger(op, 'stepsPerEpoch', stepsPerEpoch, 1);
      total = epochs * stepsPerEpoch;
    } else {
      throw new ValueError('OneCycleLR: give totalSteps, or both epochs and stepsPerEpoch');
    }
    checkUnit(op, 'pctStart', pctStart, true);
    checkChoice(op, 'annealStrategy', annealStrategy, ['cos', 'linear']);
    for (const [name, v] of [
      ['divFactor', divFactor],
      ['finalDivFactor', finalDivFactor],
    ] as const) {
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
        throw new ValueError(`OneCycleLR: invalid ${name} ${String(v)} (must be a finite number > 0)`);
      }
    }
    const phases: Phase[] = threePhase
      ? [
          {
            endStep: pctStart * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pctStart * total - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pctStart * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    const groups = optimizer.paramGroups;
    const maxLrs = perGroup('maxLr', maxLr, groups.length);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    let useBeta1 = false;
    if (cycleMomentum) {
      const d = optimizer.defaults as unknown as Record<string, unknown>;
      if (!('momentum' in d) && !('betas' in d)) {
        throw new ValueError('OneCycleLR: cycleMomentum needs an optimizer with momentum or betas');
      }
      useBeta1 = 'betas' in d;
      const maxM = perGroup('maxMomentum', maxMomentum, groups.length);
      const baseM = perGroup('baseMomentum', baseMomentum, groups.length);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          OneCycleLR.setMomentum(g, useBeta1, maxM[i]!);
          g.maxMomentum = maxM[i]!;
          g.baseMomentum = baseM[i]!;
        });
      }
    }
    super(op, optimizer, lastEpoch);
    this.totalSteps = total;
    this.phases = phases;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
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

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected override computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new ValueError(
        `OneCycleLR: stepped ${t} times but the cycle has ${this.totalSteps} steps (totalSteps)`,
      );
    }
    const found = this.phases.findIndex((p) => t <= p.endStep);
    const i = found === -1 ? this.phases.length - 1 : found;
    const phase = this.phases[i]!;
    const start = i === 0 ? 0 : this.phases[i - 1]!.endStep;
    const pct = (t - start) / (phase.endStep - start);
    if (!Number.isFinite(pct)) {
      // A phase of no length (pctStart·totalSteps = 1, say): PyTorch would compute 0/0.
      throw new ValueError(
        `OneCycleLR: phase ${i + 1} of the cycle is empty at step ${t} (totalSteps ${this.totalSteps}); use more steps or another pctStart`,
      );
    }
    return this.groups.map((g) => {
      const field = (k: string) => g[k] as number;
      if (this.cycleMomentum) {
        OneCycleLR.setMomentum(
          g,
          this.useBeta1,
          this.anneal(field(phase.startMomentum), field(phase.endMomentum), pct),
        );
      }
      return this.anneal(field(phase.startLr), field(phase.endLr), pct);
    });
  }
}
