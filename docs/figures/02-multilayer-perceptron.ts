/** Figure of guide 2: the regions of a 2-8-1 tanh network trained on XOR, as in the guide. */
import { manualSeed, noGrad, tensor } from '@tsgrad/core';
import { functional as F, MLP } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { scatterPlot } from '@tsgrad/plot';

export function figures(): Record<string, string> {
  manualSeed(0);
  const xs = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const ys = [0, 1, 1, 0];
  const x = tensor(xs);
  const y = tensor(ys.map((v) => [v]));
  const model = new MLP([2, 8, 1], { activation: 'tanh' });
  const opt = new Adam(model.parameters(), { lr: 0.05 });
  for (let step = 0; step < 300; step++) {
    opt.zeroGrad();
    F.bceWithLogitsLoss(model.forward(x), y).backward();
    opt.step();
  }
  const points = xs.map(([a, b], i) => ({ x: a!, y: b!, group: ys[i]! }));
  const svg = scatterPlot(points, {
    title: 'XOR learned by a 2-8-1 MLP (tanh)',
    xLabel: 'x₁',
    yLabel: 'x₂',
    groupNames: ['0', '1'],
    xRange: [-0.5, 1.5],
    yRange: [-0.5, 1.5],
    background: {
      predict: (ps) =>
        noGrad(() =>
          Array.from(
            model
              .forward(tensor(ps.map(([a, b]) => [a, b])))
              .sigmoid()
              .dataSync(),
          ),
        ),
      resolution: 80,
    },
  });
  return { '02-mlp-xor.svg': svg };
}
