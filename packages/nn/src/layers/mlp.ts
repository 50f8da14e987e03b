/**
 * `MLP`: a stack of Linear layers with an activation (and optional dropout) between them.
 */
import { type Tensor, ValueError } from '@tsgrad/core';
import { Sequential } from '../containers.js';
import type { Module } from '../module.js';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from './activations.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';

/** Activation names {@link MLP} understands. */
export type ActivationName = 'relu' | 'gelu' | 'tanh' | 'sigmoid' | 'silu' | 'elu' | 'leakyRelu';

/** Options of {@link MLP}. */
export interface MLPOptions {
  /** Between layers: a name or a factory of modules ('relu'). */
  activation?: ActivationName | (() => Module);
  /** Dropout probability after each hidden activation (0: none). */
  dropout?: number;
  /** Biases in the Linear layers (true). */
  bias?: boolean;
}

const ACTIVATIONS: Record<ActivationName, () => Module> = {
  relu: () => new ReLU(),
  gelu: () => new GELU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  silu: () => new SiLU(),
  elu: () => new ELU(),
  leakyRelu: () => new LeakyReLU(),
};

/**
 * Linear(sizes[0], sizes[1]), activation, [Dropout], …, Linear(sizes[n−2], sizes[n−1]);
 * no activation after the last layer. A `Sequential`, so names are `0.weight`, `2.weight` ….
 *
 * @example
 * ```ts
 * const net = new MLP([784, 256, 128, 10]); // 235,146 parameters
 * ```
 */
export class MLP extends Sequential {
  constructor(sizes: readonly number[], opts: MLPOptions = {}) {
    if (sizes.length < 2) throw new ValueError(`MLP: need at least 2 sizes, got [${sizes.join(', ')}]`);
    const act = opts.activation ?? 'relu';
    const make = typeof act === 'function' ? act : ACTIVATIONS[act];
    if (make === undefined) throw new ValueError(`MLP: unknown activation '${String(act)}'`);
    const p = opts.dropout ?? 0;
    const layers: Module[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(new Linear(sizes[i]!, sizes[i + 1]!, { bias: opts.bias ?? true }));
      if (i + 2 < sizes.length) {
        layers.push(make());
        if (p > 0) layers.push(new Dropout(p));
      }
    }
    super(...layers);
  }

  /**
   * @param x - [*, sizes[0]]: any number of leading dimensions (usually [N, sizes[0]])
   * @returns [*, sizes[n−1]]
   */
  override forward(x: Tensor): Tensor {
    return super.forward(x);
  }
}
