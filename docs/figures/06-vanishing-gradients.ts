/**
 * Figure of guide 6: the gradient norm of each layer's weights in a 10-layer, 64-wide network
 * after one backward pass, for sigmoid and ReLU, each with Linear's default initialisation and
 * with the one designed for it (Glorot for the sigmoid, He for ReLU).
 */
import { manualSeed, randn, type Tensor } from '@tsgrad/core';
import { functional as F, init, MLP } from '@tsgrad/nn';
import { linePlot } from '@tsgrad/plot';

function gradientNorms(activation: 'sigmoid' | 'relu', initWeight?: (w: Tensor) => void): number[] {
  manualSeed(0);
  const model = new MLP([64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 1], { activation });
  const weights = model.parameters().filter((p) => p.ndim === 2);
  if (initWeight) weights.forEach(initWeight);
  F.mseLoss(model.forward(randn([64, 64])), randn([64, 1])).backward();
  return weights.map((w) => w.grad!.norm().itemSync());
}

export function figures(): Record<string, string> {
  const layers = Array.from({ length: 10 }, (_, i) => i + 1);
  const svg = linePlot(
    [
      {
        name: 'ReLU, He init',
        x: layers,
        y: gradientNorms('relu', (w) => init.kaimingNormal_(w, { nonlinearity: 'relu' })),
      },
      { name: 'ReLU, default init', x: layers, y: gradientNorms('relu'), dashed: true },
      { name: 'sigmoid, Glorot init', x: layers, y: gradientNorms('sigmoid', (w) => init.xavierUniform_(w)) },
      { name: 'sigmoid, default init', x: layers, y: gradientNorms('sigmoid'), dashed: true },
    ],
    {
      title: 'Gradient norm per layer, 10 layers of 64',
      xLabel: 'layer (1 = next to the input)',
      yLabel: '‖∂L/∂W‖',
      logY: true,
      yRange: [1e-8, 1e4], // room above the lines for the legend
    },
  );
  return { '06-gradient-norms.svg': svg };
}
