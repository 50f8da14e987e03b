// XOR: a 2-8-1 network learns it from random weights; the loss falls, the regions form
import { manualSeed, tensor, tidy } from '@tsgrad/core';
import { bceWithLogitsLoss, Linear, Sequential, Tanh } from '@tsgrad/nn';
import { SGD } from '@tsgrad/optim';
import { linePlot, scatterPlot } from '@tsgrad/plot';
import { device, show } from './playground.js';

manualSeed(0);
const points = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const x = tensor(points, { device });
const y = tensor([[0], [1], [1], [0]], { device });
const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1)).to(device);
const opt = new SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });

const losses: number[] = [];
for (let step = 0; step <= 200; step++) {
  const loss = tidy(() => {
    opt.zeroGrad();
    const l = bceWithLogitsLoss(model.forward(x), y);
    l.backward();
    opt.step();
    return l;
  });
  losses.push(await loss.item());
  loss.dispose();
  if (step % 50 === 0) console.log(`step ${step}: loss ${losses.at(-1)!.toFixed(4)}`);
}
const probs = await model.forward(x).sigmoid().toArray();
console.log('predictions:', (probs as number[][]).map(([p]) => p!.toFixed(3)).join(' '));

show(linePlot({ name: 'loss', y: losses }, { title: 'Training loss', xLabel: 'step', yLabel: 'loss' }));

// The decision regions: the trained network moves to the CPU, whose reads are synchronous, and
// shades the square by its answer at each point; the four training points on top.
model.to('cpu');
show(
  scatterPlot(
    points.map(([a, b], k) => ({ x: a!, y: b!, group: [0, 1, 1, 0][k]! })),
    {
      title: 'XOR: decision regions',
      groupNames: ['0', '1'],
      background: {
        predict: (ps) =>
          Array.from(
            model
              .forward(tensor(ps.map((p) => [...p])))
              .sigmoid()
              .dataSync(),
          ),
      },
    },
  ),
);
