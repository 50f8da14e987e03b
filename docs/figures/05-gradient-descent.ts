/**
 * Figures of guide 5: the loss (w − 3)² per step for four learning rates, and the loss of a line
 * fitted with batch sizes 64, 16 and 1 against epochs.
 */
import { manualSeed, randn, tensor } from '@tsgrad/core';
import { DataLoader, functional as F, Linear, TensorDataset } from '@tsgrad/nn';
import { SGD } from '@tsgrad/optim';
import { linePlot, type Series } from '@tsgrad/plot';

function learningRates(): string {
  const series: Series[] = [0.01, 0.1, 0.9, 1.1].map((lr) => {
    const w = tensor(0, { requiresGrad: true });
    const opt = new SGD([w], { lr });
    const losses: number[] = [];
    for (let i = 0; i <= 20; i++) {
      opt.zeroGrad();
      const loss = w.sub(3).square();
      losses.push(loss.itemSync());
      loss.backward();
      opt.step();
    }
    // η = 0.9 has the same losses as 0.1 (the factor per step is −0.8 instead of 0.8): dashed.
    return { name: `η = ${lr}`, y: losses, dashed: lr === 0.9 };
  });
  return linePlot(series, {
    title: 'Gradient descent on (w − 3)² from w = 0',
    xLabel: 'step',
    yLabel: 'loss',
    logY: true,
  });
}

async function batchSizes(): Promise<string> {
  manualSeed(0);
  const x = randn([64, 1]);
  const y = x
    .mul(2)
    .add(1)
    .add(randn([64, 1]).mul(0.1));
  const series: Series[] = [];
  for (const [name, batchSize] of [
    ['batch (64)', 64],
    ['mini-batch (16)', 16],
    ['stochastic (1)', 1],
  ] as const) {
    manualSeed(1);
    const model = new Linear(1, 1);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize, shuffle: true, seed: 0 });
    const epochs: number[] = [0];
    const losses = [F.mseLoss(model.forward(x), y).itemSync()];
    for (let epoch = 0; epoch < 5; epoch++) {
      let seen = 0;
      for await (const [xb, yb] of loader) {
        opt.zeroGrad();
        F.mseLoss(model.forward(xb!), yb!).backward();
        opt.step();
        seen += xb!.shape[0]!;
        epochs.push(epoch + seen / 64);
        losses.push(F.mseLoss(model.forward(x), y).itemSync());
      }
    }
    series.push({ name, x: epochs, y: losses });
  }
  return linePlot(series, {
    title: 'Fitting y = 2x + 1 to 64 noisy points, η = 0.1',
    xLabel: 'epoch',
    yLabel: 'loss on all 64 points',
    logY: true,
  });
}

export async function figures(): Promise<Record<string, string>> {
  return {
    '05-learning-rates.svg': learningRates(),
    '05-batch-sizes.svg': await batchSizes(),
  };
}
