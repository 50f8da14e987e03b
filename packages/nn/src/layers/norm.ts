/**
 * Normalisation layers: `BatchNorm1d` and `LayerNorm`.
 */
import { formatShape, ones, ShapeError, type Tensor, tensor, zeros } from '@tsgrad/core';
import { batchNorm, layerNorm } from '../functional.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of {@link BatchNorm1d}. */
export interface BatchNormModuleOptions {
  /** Added to the variance (1e-5). */
  eps?: number;
  /** Weight of each new batch in the running averages (0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn a scale and shift (true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (true). */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over [N, C] or [N, C, L] input. Training normalises with batch
 * statistics and updates `running_mean` and `running_var` (unbiased) with `momentum`; eval
 * mode uses the running statistics. Buffers are named as in PyTorch, `num_batches_tracked`
 * included.
 *
 * @example
 * ```ts
 * const bn = new BatchNorm1d(64);
 * bn.forward(randn([32, 64]));
 * ```
 */
export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNormModuleOptions = {}) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures])) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int32' }));
    } else {
      this.running_mean = null;
      this.running_var = null;
      this.num_batches_tracked = null;
    }
  }

  /** Alias of `running_mean`. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** Alias of `running_var`. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }

  override forward(x: Tensor): Tensor {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        `BatchNorm1d: expected input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${formatShape(x.shape)}`,
      );
    }
    const useBatch = this.training || this.running_mean === null;
    let momentum = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked !== null) {
      this.num_batches_tracked.add_(1);
      if (this.momentum === null) momentum = 1 / this.num_batches_tracked.itemSync();
    }
    return batchNorm(x, this.running_mean, this.running_var, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Options of {@link LayerNorm}. */
export interface LayerNormModuleOptions {
  /** Added to the variance (1e-5). */
  eps?: number;
  /** Learn a per-element scale and shift (true). */
  elementwiseAffine?: boolean;
  /** Learn the shift (true; only with elementwiseAffine). */
  bias?: boolean;
}

/**
 * Layer normalisation over the last dims (`normalizedShape`), with a learned scale (ones)
 * and shift (zeros).
 *
 * @example
 * ```ts
 * new LayerNorm([16]).forward(randn([4, 16]));
 * ```
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: readonly number[] | number, opts: LayerNormModuleOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias =
      this.elementwiseAffine && (opts.bias ?? true) ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
