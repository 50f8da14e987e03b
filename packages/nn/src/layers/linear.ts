/**
 * `Linear`: y = x·Wᵀ + b, one matmul and one broadcast add.
 */
import { type Tensor, zeros } from '@tsgrad/core';
import { checkSize } from '../checks.js';
import { linear } from '../functional.js';
import { kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Learn an additive bias (true). */
  bias?: boolean;
}

/**
 * A fully connected layer with weight [out, in] and bias [out], initialised as PyTorch does:
 * both uniform in ±1/√inFeatures.
 *
 * @example
 * ```ts
 * const fc = new Linear(784, 10);
 * fc.forward(randn([32, 784])).shape; // [32, 10]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([outFeatures, inFeatures]));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outFeatures])) : null;
    this.resetParameters();
  }

  /** PyTorch's default: kaiming uniform with a = √5 (bound 1/√in) and bias in ±1/√in. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /**
   * @param x - [*, inFeatures] — any number of leading dimensions (usually [N, inFeatures])
   * @returns [*, outFeatures]
   */
  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, 'Linear');
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
