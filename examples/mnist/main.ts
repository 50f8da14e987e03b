/**
 * `pnpm example mnist [--epochs 1] [--batch-size 128] [--lr 0.005] [--device cpu|webgpu] [--seed 0]`
 *
 * Trains the 784-256-128-10 digit classifier on the real MNIST files with a progress bar
 * (batch, loss, samples/s, ETA) and ends with the line `test accuracy: 0.xxxx`.
 */
import { runDigitsCli } from './cli.js';
import { mnistDefaults, trainMnist } from './train.js';

await runDigitsCli(
  { name: 'mnist', model: 'MLP 784-256-128-10', defaults: mnistDefaults, train: trainMnist },
  process.argv.slice(2),
);
