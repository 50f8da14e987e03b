/**
 * `pnpm example cnn [--epochs 1] [--batch-size 64] [--lr 0.003] [--device cpu|webgpu] [--seed 0]`
 *
 * Trains a LeNet-style convolutional digit classifier on the real MNIST files with a progress
 * bar (batch, loss, samples/s, ETA), prints the time per epoch and ends with the line
 * `test accuracy: 0.xxxx`.
 */
import { runDigitsCli } from '../mnist/cli.js';
import { cnnDefaults, trainCnn } from './train.js';

await runDigitsCli(
  {
    name: 'cnn',
    model: 'LeNet-style CNN (conv 16, 32 5×5 + max pool, FC 800-120-84-10)',
    defaults: cnnDefaults,
    train: trainCnn,
  },
  process.argv.slice(2),
);
