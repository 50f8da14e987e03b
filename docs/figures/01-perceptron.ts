/**
 * Figures of guide 1: the regions a perceptron trained with the perceptron trick holds after
 * learning AND, and the regions it holds on XOR once it has started to cycle.
 */
import { type Tensor, tensor, zeros } from '@tsgrad/core';
import { scatterPlot } from '@tsgrad/plot';

const inputs = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

interface Weights {
  w: Tensor;
  b: number;
}

/** The perceptron trick (η = 1) from zero weights; the weights at the start of each epoch, then the last. */
function perceptronTrick(ys: number[], epochs: number): Weights[] {
  let w: Tensor = zeros([2]);
  let b = 0;
  const starts: Weights[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    starts.push({ w, b });
    let mistakes = 0;
    inputs.forEach((xi, i) => {
      const x = tensor(xi);
      const err = ys[i]! - (w.dot(x).add(b).itemSync() > 0 ? 1 : 0);
      if (err !== 0) {
        w = w.add(x.mul(err));
        b += err;
        mistakes++;
      }
    });
    if (mistakes === 0) break;
  }
  starts.push({ w, b });
  return starts;
}

function regions(title: string, ys: number[], { w, b }: Weights): string {
  const points = inputs.map(([x, y], i) => ({ x: x!, y: y!, group: ys[i]! }));
  return scatterPlot(points, {
    title,
    xLabel: 'x₁',
    yLabel: 'x₂',
    groupNames: ['0', '1'],
    xRange: [-0.5, 1.5],
    yRange: [-0.5, 1.5],
    background: {
      predict: (ps) =>
        Array.from(
          tensor(ps.map(([a, c]) => [a, c]))
            .matmul(w)
            .add(b)
            .gt(0)
            .dataSync(),
          Number,
        ),
      resolution: 80,
    },
  });
}

export function figures(): Record<string, string> {
  const and = perceptronTrick([0, 0, 0, 1], 100);
  const xor = perceptronTrick([0, 1, 1, 0], 10);
  const last = and[and.length - 1]!;
  return {
    '01-perceptron-and.svg': regions(
      `AND: w = [${last.w.toArraySync()}], b = ${last.b}, no mistakes`,
      [0, 0, 0, 1],
      last,
    ),
    '01-perceptron-xor.svg': regions(
      `XOR, start of epoch 3: w = [${xor[2]!.w.toArraySync()}], b = ${xor[2]!.b}`,
      [0, 1, 1, 0],
      xor[2]!,
    ),
  };
}
