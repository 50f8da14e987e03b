/**
 * Normalisation layers: `BatchNorm1d`, `BatchNorm2d`, `GroupNorm`, `RMSNorm` and `LayerNorm`.
 */
import { formatShape, ones, ShapeError, type Tensor, tensor, ValueError, zeros } from '@tsgrad/core';
import { batchNorm, layerNorm } from '../functional.js';
import { Module } from '../module.js';
import { groupNorm, rmsNorm } from '../normalization.js';
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
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share (PyTorch's `_BatchNorm`): training
 * normalises each channel (dim 1) with batch statistics and updates `running_mean` and
 * `running_var` (unbiased) with `momentum`; eval mode uses the running statistics. Buffers
 * are named as in PyTorch, `num_batches_tracked` included.
 *
 * @example
 * ```ts
 * const bn: BatchNormBase = new BatchNorm2d(16);
 * bn.eval();
 * ```
 */
export abstract class BatchNormBase extends Module {
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

  /** Throws when `x` is not an input this layer takes. */
  protected abstract checkInput(x: Tensor): void;

  /**
   * Normalises `x` per channel (dim 1); the output has the input's shape.
   *
   * @param x - [N, C] or [N, C, L] for {@link BatchNorm1d}, [N, C, H, W] for
   *   {@link BatchNorm2d}; C = numFeatures
   * @returns x's shape: [N, C], [N, C, L] or [N, C, H, W]
   * @example
   * ```ts
   * new BatchNorm2d(3).forward(randn([2, 3, 4, 4])).shape; // [2, 3, 4, 4]
   * ```
   */
  override forward(x: Tensor): Tensor {
    this.checkInput(x);
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

/**
 * Batch normalisation over [N, C] or [N, C, L] input (see {@link BatchNormBase}).
 *
 * @example
 * ```ts
 * const bn = new BatchNorm1d(64);
 * bn.forward(randn([32, 64])); // [32, 64]
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  protected override checkInput(x: Tensor): void {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        `BatchNorm1d: expected input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${formatShape(x.shape)}`,
      );
    }
  }
}

/**
 * Batch normalisation over [N, C, H, W] input, per channel (see {@link BatchNormBase}).
 * `forward(x [N, C, H, W])` returns [N, C, H, W].
 *
 * @example
 * ```ts
 * const bn = new BatchNorm2d(16);
 * bn.forward(randn([8, 16, 28, 28])).shape; // [8, 16, 28, 28]
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  protected override checkInput(x: Tensor): void {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        `BatchNorm2d: expected input [N, ${this.numFeatures}, H, W], got ${formatShape(x.shape)}`,
      );
    }
  }
}

/** Options of {@link GroupNorm}. */
export interface GroupNormModuleOptions {
  /** Added to the variance (1e-5). */
  eps?: number;
  /** Learn a per-channel scale (ones) and shift (zeros) (true). */
  affine?: boolean;
}

/**
 * Group normalisation: the channels of [N, C, *] input in `numGroups` groups, each normalised
 * over its channels and positions, then a learned per-channel scale and shift
 * (see {@link groupNorm}). `forward(x [N, C, *])` returns the input's shape.
 *
 * @example
 * ```ts
 * new GroupNorm(3, 6).forward(randn([2, 6, 5])).shape; // [2, 6, 5]
 * ```
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormModuleOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new ValueError(
        `GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`,
      );
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? new Parameter(ones([numChannels])) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels])) : null;
  }

  /**
   * Normalises [N, C, *] input; the output has its shape.
   *
   * @param x - [N, C, *], C = numChannels
   * @returns [N, C, *], x's shape
   * @example
   * ```ts
   * gn.forward(randn([2, 6, 5]));
   * ```
   */
  override forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(
        `GroupNorm: expected input [N, ${this.numChannels}, *], got ${formatShape(x.shape)}`,
      );
    }
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}

/** Options of {@link RMSNorm}. */
export interface RMSNormModuleOptions {
  /** Added to the mean square; null (the default) uses the input dtype's machine epsilon. */
  eps?: number | null;
  /** Learn a per-element scale (ones) (true). */
  elementwiseAffine?: boolean;
}

/**
 * Root-mean-square normalisation over the last dims (`normalizedShape`) with a learned
 * scale (see {@link rmsNorm}). `forward(x [..., *normalizedShape])` returns the input's shape.
 *
 * @example
 * ```ts
 * new RMSNorm([16], { eps: 1e-6 }).forward(randn([4, 16])).shape; // [4, 16]
 * ```
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: readonly number[] | number, opts: RMSNormModuleOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? null;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
  }

  /**
   * Normalises over the last dims; the output has the input's shape.
   *
   * @param x - [*, ...normalizedShape]
   * @returns [*, ...normalizedShape], x's shape
   * @example
   * ```ts
   * norm.forward(randn([4, 16]));
   * ```
   */
  override forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, { weight: this.weight, eps: this.eps });
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
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

  /**
   * @param x - [*, ...normalizedShape] (e.g. [N, T, D] with normalizedShape [D])
   * @returns [*, ...normalizedShape], x's shape, each slice over the last dims with mean 0 and
   *   variance 1 before the scale and shift
   */
  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
