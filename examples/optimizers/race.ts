/**
 * Optimizers raced on two problems: the Rosenbrock function from a fixed start (a curved
 * valley, steep across and nearly flat along, with its minimum 0 at (1, 1)) and a small MLP
 * fitting a sine from the same seeded initialisation. Each optimizer gets a learning rate
 * that suits it on each problem; everything else is PyTorch's defaults.
 */
import { manualSeed, noGrad, rand, type Tensor, tensor } from '@tsgrad/core';
import { MLP, mseLoss } from '@tsgrad/nn';
import { Adadelta, Adagrad, Adam, AdamW, type Optimizer, RMSprop, SGD } from '@tsgrad/optim';

/** One contestant: its name and how to build it on each problem. */
export interface Contestant {
  name: string;
  /** The learning rates used on the Rosenbrock function and on the MLP. */
  lr: { rosenbrock: number; mlp: number };
  make: (params: Tensor[], lr: number) => Optimizer;
}

/**
 * The optimizers raced. Each learning rate was picked from a coarse grid on its problem: the
 * fastest that stays clear of the edge of stability (plain SGD on the Rosenbrock function
 * diverges above about 2/λmax ≈ 2e-3, λmax ≈ 1000 at the minimum and more on the way there),
 * or PyTorch's default (Adadelta's 1 on the MLP) where the grid made little difference. AdamW
 * keeps PyTorch's default weight decay of 0.01, which pulls its end point off the minimum.
 */
export const contestants: readonly Contestant[] = [
  { name: 'SGD', lr: { rosenbrock: 1e-3, mlp: 0.1 }, make: (p, lr) => new SGD(p, { lr }) },
  {
    name: 'SGD momentum',
    lr: { rosenbrock: 1e-3, mlp: 0.05 },
    make: (p, lr) => new SGD(p, { lr, momentum: 0.9 }),
  },
  {
    name: 'Nesterov',
    lr: { rosenbrock: 1e-3, mlp: 0.05 },
    make: (p, lr) => new SGD(p, { lr, momentum: 0.9, nesterov: true }),
  },
  { name: 'RMSprop', lr: { rosenbrock: 2e-3, mlp: 1e-3 }, make: (p, lr) => new RMSprop(p, { lr }) },
  { name: 'Adadelta', lr: { rosenbrock: 0.2, mlp: 1 }, make: (p, lr) => new Adadelta(p, { lr }) },
  { name: 'Adagrad', lr: { rosenbrock: 1, mlp: 0.1 }, make: (p, lr) => new Adagrad(p, { lr }) },
  { name: 'Adam', lr: { rosenbrock: 0.05, mlp: 0.01 }, make: (p, lr) => new Adam(p, { lr }) },
  {
    name: 'AdamW',
    lr: { rosenbrock: 0.05, mlp: 0.01 },
    make: (p, lr) => new AdamW(p, { lr, weightDecay: 0.01 }),
  },
];

/** The Rosenbrock function (1 − x)² + 100·(y − x²)² of a point `[x, y]`. */
export function rosenbrock(p: Tensor): Tensor {
  const x = p.select(0, 0);
  const y = p.select(0, 1);
  return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
}

/** One optimizer's run: the loss before each step and after the last, and where it went. */
export interface Run {
  name: string;
  lr: number;
  /** `steps + 1` losses: before each step, then after the last. */
  losses: number[];
  /** Rosenbrock only: the point before each step and after the last. */
  path?: [number, number][];
}

/** Options of the races. */
export interface RaceOptions {
  steps: number;
  seed: number;
}

/** The first step at which the loss is below `threshold`, or undefined if it never is. */
export function stepsTo(losses: readonly number[], threshold: number): number | undefined {
  const i = losses.findIndex((l) => l < threshold);
  return i < 0 ? undefined : i;
}

/**
 * Runs each contestant on the Rosenbrock function from `start` for `steps` steps.
 *
 * @example
 * ```ts
 * const runs = raceRosenbrock({ steps: 2000, seed: 0 });
 * ```
 */
export function raceRosenbrock(
  options: RaceOptions,
  start: [number, number] = [-1.5, 2],
  onStep?: (contestant: number, step: number) => void,
): Run[] {
  return contestants.map((c, k) => {
    const p = tensor(start, { requiresGrad: true });
    const opt = c.make([p], c.lr.rosenbrock);
    const losses: number[] = [];
    const path: [number, number][] = [];
    for (let step = 0; step <= options.steps; step++) {
      const [x, y] = p.dataSync();
      path.push([x!, y!]);
      const loss = rosenbrock(p);
      losses.push(loss.itemSync());
      if (step === options.steps) break;
      opt.zeroGrad();
      loss.backward();
      opt.step();
      onStep?.(k, step + 1);
    }
    return { name: c.name, lr: c.lr.rosenbrock, losses, path };
  });
}

/**
 * Runs each contestant on a 1-32-32-1 tanh MLP fitting sin(3x) on 64 points of [−1, 1],
 * full batch, every run from the same seeded initialisation.
 *
 * @example
 * ```ts
 * const runs = raceRegression({ steps: 300, seed: 0 });
 * ```
 */
export function raceRegression(
  options: RaceOptions,
  onStep?: (contestant: number, step: number) => void,
): Run[] {
  manualSeed(options.seed);
  const x = rand([64, 1]).mul(2).sub(1);
  const y = x.mul(3).sin();
  return contestants.map((c, k) => {
    manualSeed(options.seed + 1);
    const model = new MLP([1, 32, 32, 1], { activation: 'tanh' });
    const opt = c.make(model.parameters(), c.lr.mlp);
    const losses: number[] = [];
    for (let step = 0; step < options.steps; step++) {
      opt.zeroGrad();
      const loss = mseLoss(model.call(x), y);
      losses.push(loss.itemSync());
      loss.backward();
      opt.step();
      onStep?.(k, step + 1);
    }
    losses.push(noGrad(() => mseLoss(model.call(x), y).itemSync()));
    return { name: c.name, lr: c.lr.mlp, losses };
  });
}
