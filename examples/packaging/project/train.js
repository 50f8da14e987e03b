// Trains XOR with the published packages; shared by the Node script and the page.
import { manualSeed, tensor, tidy } from '@tsgrad/core';
import { functional as F, MLP } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';

/**
 * Trains a 2-8-1 MLP on XOR on `device` and returns the loss every 20 steps.
 * @param {string} device
 * @returns {Promise<number[]>}
 */
export async function train(device, steps = 200) {
  manualSeed(0);
  const x = tensor(
    [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ],
    { device },
  );
  const y = tensor([[0], [1], [1], [0]], { device });
  const model = new MLP([2, 8, 1], { activation: 'tanh' }).to(device);
  const opt = new Adam(model.parameters(), { lr: 0.05 });
  const losses = [];
  for (let step = 0; step <= steps; step++) {
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = F.bceWithLogitsLoss(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    if (step % 20 === 0) losses.push(await loss.item());
    loss.dispose();
  }
  return losses;
}
