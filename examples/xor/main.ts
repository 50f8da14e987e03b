/**
 * `pnpm example xor [--seed 0 --steps 500 --lr 0.5 --momentum 0.9]`: a 2-2-1 network learns
 * XOR; prints the loss, the learned weights and the truth table it computes.
 */
import { parseFlags } from '../shared/flags.js';
import { trainXor, xorDefaults } from './xor.js';

const usage = 'usage: pnpm example xor [--seed 0] [--steps 500] [--lr 0.5] [--momentum 0.9]';
const opts = parseFlags(process.argv.slice(2), { ...xorDefaults }, usage);
const r = trainXor(opts);
/** "a·x1 − b·x2 + c" with the signs folded in. */
function affine(weights: number[], names: string[], bias: number): string {
  let out = `${weights[0]!.toFixed(4)}·${names[0]}`;
  for (let i = 1; i < weights.length; i++) {
    out += ` ${weights[i]! < 0 ? '−' : '+'} ${Math.abs(weights[i]!).toFixed(4)}·${names[i]}`;
  }
  return `${out} ${bias < 0 ? '−' : '+'} ${Math.abs(bias).toFixed(4)}`;
}

console.log(`XOR with a 2-2-1 network (tanh hidden, sigmoid output), seed ${opts.seed}`);
console.log(`SGD lr ${opts.lr}, momentum ${opts.momentum}, ${opts.steps} full-batch steps`);
console.log(`loss (binary cross-entropy): ${r.initialLoss.toFixed(4)} → ${r.finalLoss.toFixed(4)}`);
console.log();
console.log('learned weights:');
for (let j = 0; j < 2; j++) {
  console.log(`  h${j + 1} = tanh(${affine(r.weights.hidden[j]!, ['x1', 'x2'], r.weights.hiddenBias[j]!)})`);
}
console.log(`  p  = sigmoid(${affine(r.weights.output, ['h1', 'h2'], r.weights.outputBias)})`);
console.log();
console.log('x1 x2 | target | p(1)   | prediction');
r.inputs.forEach(([a, b], i) => {
  const p = r.predictions[i]!;
  const ok = p > 0.5 === (r.targets[i] === 1) ? 'ok' : 'WRONG';
  console.log(` ${a}  ${b} |   ${r.targets[i]}    | ${p.toFixed(4)} | ${p > 0.5 ? 1 : 0} ${ok}`);
});
console.log();
console.log(
  r.solved ? 'XOR learned.' : 'Not learned from this seed: a 2-2-1 net can stall; try another --seed.',
);
if (!r.solved) process.exitCode = 1;
