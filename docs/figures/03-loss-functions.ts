/** Figure of guide 3: MSE, MAE and Huber (δ = 1) as functions of the error d = ŷ − y. */
import { linspace, zeros } from '@tsgrad/core';
import { functional as F } from '@tsgrad/nn';
import { linePlot } from '@tsgrad/plot';

export function figures(): Record<string, string> {
  const d = linspace(-3, 3, 121);
  const y = zeros([121]);
  const x = Array.from(d.dataSync());
  const each = { reduction: 'none' } as const;
  const curve = (name: string, l: ReturnType<typeof F.mseLoss>) => ({ name, x, y: Array.from(l.dataSync()) });
  const svg = linePlot(
    [
      curve('MSE: d²', F.mseLoss(d, y, each)),
      curve('MAE: |d|', F.l1Loss(d, y, each)),
      curve('Huber, δ = 1', F.huberLoss(d, y, { ...each, delta: 1 })),
    ],
    { title: 'Regression losses', xLabel: 'error d = ŷ − y', yLabel: 'loss' },
  );
  return { '03-regression-losses.svg': svg };
}
