/**
 * One MNIST epoch of `pnpm example mnist` (MLP 784-256-128-10, batch 128, Adam), then its
 * evaluation on the test set, in a process of its own; prints the process's peak resident
 * set size and the epoch's seconds as one JSON line. Run by the `memory` suite.
 */
import { initCpuKernels } from '@tsgrad/core';
import { trainMnist } from '../../examples/mnist/train.js';

await initCpuKernels();
const { epochs, testAccuracy } = await trainMnist({ epochs: 1 });
console.log(
  JSON.stringify({
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    seconds: epochs[0]!.seconds,
    testAccuracy,
  }),
);
process.exit(0);
