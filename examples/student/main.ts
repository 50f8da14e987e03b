/**
 * `pnpm example student`: the pass/fail network of "Large Language Models from scratch,
 * part 1", one forward pass and one training step, every number computed by tsgrad.
 */
import { studentNetwork } from './network.js';

for (const line of studentNetwork().lines) console.log(line);
