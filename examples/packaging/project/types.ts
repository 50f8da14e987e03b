// Type-checked against the installed packages' declarations (`tsc --noEmit`, NodeNext).
import { type Tensor, tensor } from '@tsgrad/core';
import { initWebGPU } from '@tsgrad/gpu';
import { MLP } from '@tsgrad/nn';
import { SGD } from '@tsgrad/optim';

const model = new MLP([2, 4, 1]);
const out: Tensor = model.forward(tensor([[1, 2]]));
const opt = new SGD(model.parameters(), { lr: 0.1 });
opt.step();
export const init: () => Promise<unknown> = initWebGPU;
export const shape: readonly number[] = out.shape;
