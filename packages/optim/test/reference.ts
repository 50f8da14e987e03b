/** PyTorch's optimizer trajectories (reference/optim.json) and a constructor per optimizer name. */
import { readFileSync } from 'node:fs';
import type { Tensor } from '@tsgrad/core';
import { Adadelta, Adagrad, Adam, AdamW, type Optimizer, RMSprop, SGD } from '@tsgrad/optim';

export interface RefTensor {
  shape: number[];
  dtype: string;
  data: number[];
}

export interface RefCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  param0: RefTensor;
  grads: RefTensor[];
  params: RefTensor[];
}

export const ref = JSON.parse(
  readFileSync(new URL('../../../reference/optim.json', import.meta.url), 'utf8'),
) as {
  cases: RefCase[];
};

export const makers: Record<string, (p: Tensor[], o: Record<string, unknown>) => Optimizer> = {
  SGD: (p, o) => new SGD(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
  Adadelta: (p, o) => new Adadelta(p, o),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
};
