/**
 * Figures of guide 9: the optimizers' paths along Rosenbrock's valley (dashed: its floor y = x²;
 * 500 steps from (−1.5, 2)), and their loss curves
 * fitting sin(3x) with a small MLP.
 */
import { linspace, manualSeed, type Tensor, tensor } from '@tsgrad/core';
import { functional as F, MLP } from '@tsgrad/nn';
import { Adadelta, Adagrad, Adam, type Optimizer, RMSprop, SGD } from '@tsgrad/optim';
import { linePlot, type Series } from '@tsgrad/plot';
import { grid } from './shared/grid.js';

type Make = (params: Tensor[]) => Optimizer;

function rosenbrock(p: Tensor): Tensor {
  const [x, y] = p.unbind();
  return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
}

/** The points visited in 500 steps from (−1.5, 2), at learning rates that keep the paths readable. */
function paths(): string {
  const runs: [string, Make][] = [
    ['SGD, lr 0.001', (ps) => new SGD(ps, { lr: 1e-3 })],
    ['momentum, lr 0.001', (ps) => new SGD(ps, { lr: 1e-3, momentum: 0.9 })],
    ['RMSprop, lr 0.03', (ps) => new RMSprop(ps, { lr: 0.03 })],
    ['Adam, lr 0.1', (ps) => new Adam(ps, { lr: 0.1 })],
  ];
  const valley = Array.from({ length: 65 }, (_, i) => -1.6 + i * 0.05);
  const floor: Series = { x: valley, y: valley.map((v) => v * v), color: '#999', dashed: true };
  const charts = runs.map(([name, make]) => {
    const p = tensor([-1.5, 2], { requiresGrad: true });
    const opt = make([p]);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i <= 500; i++) {
      const [x, y] = p.toArraySync() as number[];
      xs.push(x!);
      ys.push(y!);
      opt.zeroGrad();
      rosenbrock(p).backward();
      opt.step();
    }
    const end = `(${xs.at(-1)!.toFixed(2)}, ${ys.at(-1)!.toFixed(2)})`;
    return linePlot([floor, { x: xs, y: ys, color: '#d55e00' }], {
      title: `${name} → ${end}`,
      yRange: [-0.3, 2.8],
      width: 400,
      height: 280,
    });
  });
  return grid(charts, 2);
}

/** Training loss per step of a small MLP fitting sin(3x), per optimizer. */
function race(): string {
  const x = linspace(-2, 2, 64).reshape([64, 1]);
  const y = x.mul(3).sin();
  // The best learning rate of a grid from 1e-3 to 3 for each.
  const runs: [string, Make][] = [
    ['SGD, lr 0.1', (ps) => new SGD(ps, { lr: 0.1 })],
    ['momentum 0.9, lr 0.1', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['Nesterov, lr 0.03', (ps) => new SGD(ps, { lr: 0.03, momentum: 0.9, nesterov: true })],
    ['Adagrad, lr 0.1', (ps) => new Adagrad(ps, { lr: 0.1 })],
    ['RMSprop, lr 0.003', (ps) => new RMSprop(ps, { lr: 3e-3 })],
    ['Adadelta, lr 3', (ps) => new Adadelta(ps, { lr: 3 })],
    ['Adam, lr 0.01', (ps) => new Adam(ps, { lr: 0.01 })],
  ];
  const series = runs.map(([name, make]): Series => {
    manualSeed(0);
    const model = new MLP([1, 32, 32, 1], { activation: 'tanh' });
    const opt = make(model.parameters());
    const losses: number[] = [];
    for (let step = 0; step < 300; step++) {
      opt.zeroGrad();
      const loss = F.mseLoss(model.forward(x), y);
      losses.push(loss.itemSync());
      loss.backward();
      opt.step();
    }
    return { name, y: losses };
  });
  return linePlot(series, {
    title: 'Fitting sin(3x) with MLP([1, 32, 32, 1])',
    xLabel: 'step',
    yLabel: 'mean squared error',
    logY: true,
    width: 720,
    height: 440,
  });
}

export function figures(): Record<string, string> {
  return { '09-rosenbrock-paths.svg': paths(), '09-optimizer-race.svg': race() };
}
