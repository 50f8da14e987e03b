/**
 * Figures of guide 7, on its problem (40 samples of tanh(2x₁ − x₂) plus noise, 10 inputs, a
 * 10-32-32-1 network): training and validation loss without regularisation, and the validation
 * loss with weight decay, L1 and dropout, over 300 steps.
 */
import { manualSeed, noGrad, randn, type Tensor } from '@tsgrad/core';
import { functional as F, l1Penalty, MLP } from '@tsgrad/nn';
import { AdamW } from '@tsgrad/optim';
import { linePlot } from '@tsgrad/plot';

const STEPS = 300;
const EVERY = 5;

interface Curves {
  steps: number[];
  train: number[];
  val: number[];
}

function run(opts: { weightDecay?: number; l1?: number; dropout?: number }): Curves {
  manualSeed(0);
  const target = (x: Tensor) =>
    x
      .narrow(1, 0, 1)
      .mul(2)
      .sub(x.narrow(1, 1, 1))
      .tanh();
  const xTrain = randn([40, 10]);
  const yTrain = target(xTrain).add(randn([40, 1]).mul(0.3));
  const xVal = randn([500, 10]);
  const yVal = target(xVal).add(randn([500, 1]).mul(0.3));
  manualSeed(1);
  const model = new MLP([10, 32, 32, 1], { dropout: opts.dropout ?? 0 });
  const opt = new AdamW(model.parameters(), { lr: 0.003, weightDecay: opts.weightDecay ?? 0 });
  const curves: Curves = { steps: [], train: [], val: [] };
  for (let step = 0; step <= STEPS; step++) {
    if (step % EVERY === 0) {
      model.eval();
      noGrad(() => {
        curves.steps.push(step);
        curves.train.push(F.mseLoss(model.forward(xTrain), yTrain).itemSync());
        curves.val.push(F.mseLoss(model.forward(xVal), yVal).itemSync());
      });
      model.train();
    }
    opt.zeroGrad();
    let loss = F.mseLoss(model.forward(xTrain), yTrain);
    if (opts.l1) loss = loss.add(l1Penalty(model.parameters(), opts.l1));
    loss.backward();
    opt.step();
  }
  return curves;
}

export function figures(): Record<string, string> {
  const none = run({});
  const overfitting = linePlot(
    [
      { name: 'training loss', x: none.steps, y: none.train },
      { name: 'validation loss', x: none.steps, y: none.val },
      { name: 'noise level 0.3² = 0.09', x: [0, STEPS], y: [0.09, 0.09], dashed: true, color: '#888' },
    ],
    {
      title: 'No regularisation: 40 samples, 1,441 parameters',
      xLabel: 'step',
      yLabel: 'MSE',
      yRange: [0, 1],
    },
  );
  const variants = [
    ['none', none],
    ['weight decay 3', run({ weightDecay: 3 })],
    ['L1, λ = 0.01', run({ l1: 0.01 })],
    ['dropout 0.2', run({ dropout: 0.2 })],
  ] as const;
  const regularisation = linePlot(
    variants.map(([name, c]) => ({ name, x: c.steps, y: c.val })),
    { title: 'Validation loss with and without regularisation', xLabel: 'step', yLabel: 'validation MSE' },
  );
  return { '07-overfitting.svg': overfitting, '07-regularisation.svg': regularisation };
}
