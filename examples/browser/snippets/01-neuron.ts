// One neuron: a weighted sum, a squashing function, and the gradients autograd finds
import { tensor } from '@tsgrad/core';
import { device } from './playground.js';

// Inputs: 5 hours of study → 0.5, 60 % attendance → 0.6. The weights and bias are learned.
const x = tensor([0.5, 0.6], { device });
const w = tensor([0.85, -0.2], { device, requiresGrad: true });
const b = tensor(0.1, { device, requiresGrad: true });

const z = x.mul(w).sum().add(b); // z = w·x + b
const p = z.sigmoid(); // the probability of passing
console.log(`z = ${(await z.item()).toFixed(4)}, p = ${(await p.item()).toFixed(4)}`);

// How should w and b move to raise p? backward() fills in ∂p/∂w and ∂p/∂b.
p.backward();
const dw = (await w.grad!.toArray()) as number[];
console.log(`∂p/∂w = [${dw.map((v) => v.toFixed(4)).join(', ')}]`); // p·(1 − p)·x
console.log(`∂p/∂b = ${(await b.grad!.item()).toFixed(4)}`); // p·(1 − p)
console.log(`computed on ${p.device}`);
