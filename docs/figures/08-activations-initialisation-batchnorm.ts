/**
 * Figures of guide 8: the activation functions with their derivatives (by autograd), and the
 * size of the activations through 30 layers for each initialisation.
 */
import { linspace, manualSeed, noGrad, randn, type Tensor } from '@tsgrad/core';
import { BatchNorm1d, functional as F, init, Linear } from '@tsgrad/nn';
import { linePlot, type Series } from '@tsgrad/plot';
import { grid } from './shared/grid.js';

const activations: [string, (x: Tensor) => Tensor][] = [
  ['sigmoid', (x) => x.sigmoid()],
  ['tanh', (x) => x.tanh()],
  ['ReLU', (x) => x.relu()],
  ['LeakyReLU(0.1)', (x) => F.leakyRelu(x, 0.1)],
  ['ELU', (x) => F.elu(x)],
  ['GELU', (x) => x.gelu()],
  ['SiLU', (x) => x.silu()],
  ['Softplus', (x) => F.softplus(x)],
];

/** One small chart per activation: the function (solid) and its derivative by autograd (dashed). */
function curves(): string {
  const charts = activations.map(([name, f]) => {
    const x = linspace(-3, 3, 121).requiresGrad_();
    const y = f(x);
    y.sum().backward();
    const xs = Array.from(x.toArraySync() as number[]);
    return linePlot(
      [
        { x: xs, y: Array.from(y.toArraySync() as number[]), color: '#0072b2' },
        { x: xs, y: Array.from(x.grad!.toArraySync() as number[]), color: '#d55e00', dashed: true },
      ],
      { title: name, width: 260, height: 200, yRange: [-1.2, 3] },
    );
  });
  return grid(charts, 4);
}

/** The std of the activations after each of `depth` 128-wide layers. */
function stdThroughDepth(layer: () => (h: Tensor) => Tensor, depth = 30): number[] {
  manualSeed(0);
  let h = randn([256, 128]);
  const stds: number[] = [];
  noGrad(() => {
    for (let i = 0; i < depth; i++) {
      h = layer()(h);
      stds.push(h.std().itemSync());
    }
  });
  return stds;
}

function linearWith(initialise: (w: Tensor) => void): Linear {
  const linear = new Linear(128, 128, { bias: false });
  initialise(linear.weight);
  return linear;
}

function depthSeries(): Series[] {
  const layers = Array.from({ length: 30 }, (_, i) => i + 1);
  const runs: [string, () => (h: Tensor) => Tensor][] = [
    [
      'tanh, N(0, 0.01²)',
      () => (h) =>
        linearWith((w) => init.normal_(w, 0, 0.01))
          .forward(h)
          .tanh(),
    ],
    [
      'tanh, N(0, 1)',
      () => (h) =>
        linearWith((w) => init.normal_(w, 0, 1))
          .forward(h)
          .tanh(),
    ],
    [
      'tanh, Xavier (gain 5/3)',
      () => (h) =>
        linearWith((w) => init.xavierNormal_(w, init.calculateGain('tanh')))
          .forward(h)
          .tanh(),
    ],
    [
      'ReLU, Linear default',
      () => (h) =>
        linearWith(() => {})
          .forward(h)
          .relu(),
    ],
    [
      'ReLU, Kaiming',
      () => (h) =>
        linearWith((w) => init.kaimingNormal_(w, { nonlinearity: 'relu' }))
          .forward(h)
          .relu(),
    ],
    [
      'ReLU, Linear default + BatchNorm',
      () => (h) => new BatchNorm1d(128).forward(linearWith(() => {}).forward(h)).relu(),
    ],
  ];
  return runs.map(([name, layer]) => ({ name, x: layers, y: stdThroughDepth(layer) }));
}

export function figures(): Record<string, string> {
  return {
    '08-activations.svg': curves(),
    '08-init-depth.svg': linePlot(depthSeries(), {
      title: 'Activation std through depth (128-wide layers)',
      xLabel: 'layer',
      yLabel: 'std of the activations',
      logY: true,
      yRange: [1e-4, 1e3], // room above the lines for the legend,
    }),
  };
}
