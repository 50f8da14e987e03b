/**
 * Convolution, pooling and upsampling modules over the functions of `conv.ts`, with PyTorch's
 * constructor forms, parameter names (`weight`, `bias`) and default initialisation.
 */
import { type Tensor, ValueError, zeros } from '@tsgrad/core';
import {
  adaptiveAvgPool2d,
  avgPool2d,
  type ConvPadding,
  conv1d,
  conv2d,
  convTranspose2d,
  type InterpolateOptions,
  interpolate,
  maxPool1d,
  maxPool2d,
  type PaddingMode,
} from '../conv.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of {@link Conv1d} and {@link Conv2d}, as `torch.nn.Conv2d` names them. */
export interface ConvModuleOptions {
  /** Step between windows (1). */
  stride?: number | readonly number[];
  /** Padding on both sides, `'same'` or `'valid'` (0). */
  padding?: ConvPadding;
  /** Spacing between kernel taps (1). */
  dilation?: number | readonly number[];
  /** Channel groups (1). */
  groups?: number;
  /** Learn an additive bias (true). */
  bias?: boolean;
  /** How the border is filled: `'zeros'` (default), `'reflect'`, `'replicate'` or `'circular'`. */
  paddingMode?: PaddingMode;
}

/** Options of {@link ConvTranspose2d}, as `torch.nn.ConvTranspose2d` names them. */
export interface ConvTransposeModuleOptions {
  /** Step of the matching convolution (1). */
  stride?: number | readonly number[];
  /** Padding of the matching convolution (0). */
  padding?: number | readonly number[];
  /** Extra size on one side of the output (0). */
  outputPadding?: number | readonly number[];
  /** Spacing between kernel taps (1). */
  dilation?: number | readonly number[];
  /** Channel groups (1). */
  groups?: number;
  /** Learn an additive bias (true). */
  bias?: boolean;
}

function sizes(v: number | readonly number[], n: number): number[] {
  return typeof v === 'number' ? Array<number>(n).fill(v) : [...v];
}

function checkChannels(op: string, inC: number, outC: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1 || inC % groups !== 0 || outC % groups !== 0) {
    throw new ValueError(
      `${op}: inChannels (${inC}) and outChannels (${outC}) must both be divisible by groups (${groups})`,
    );
  }
}

/** PyTorch's default: kaiming uniform with a = √5 and the bias uniform in ±1/√fanIn. */
function resetConv(weight: Parameter, bias: Parameter | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}

abstract class ConvBase extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number | readonly number[];
  readonly padding: ConvPadding;
  readonly dilation: number | readonly number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    op: string,
    spatial: number,
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    opts: ConvModuleOptions,
  ) {
    super();
    this.groups = opts.groups ?? 1;
    checkChannels(op, inChannels, outChannels, this.groups);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = sizes(kernelSize, spatial);
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.paddingMode = opts.paddingMode ?? 'zeros';
    this.weight = new Parameter(zeros([outChannels, inChannels / this.groups, ...this.kernelSize]));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outChannels])) : null;
    this.resetParameters();
  }

  /** PyTorch's default: kaiming uniform with a = √5 (bound 1/√fanIn) and the bias in ±1/√fanIn. */
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }

  protected get convOptions() {
    return {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      paddingMode: this.paddingMode,
    };
  }

  override extraRepr(): string {
    const pad = typeof this.padding === 'string' ? `'${this.padding}'` : JSON.stringify(this.padding);
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${pad}, groups=${this.groups}, bias=${this.bias !== null}${this.paddingMode === 'zeros' ? '' : `, paddingMode='${this.paddingMode}'`}`;
  }
}

/**
 * A 2-D convolution layer: weight [out, in/groups, kH, kW] and bias [out].
 *
 * @example
 * ```ts
 * const conv = new Conv2d(1, 32, 3, { padding: 1 });
 * conv.forward(randn([8, 1, 28, 28])).shape; // [8, 32, 28, 28]
 * ```
 */
export class Conv2d extends ConvBase {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    opts: ConvModuleOptions = {},
  ) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, opts);
  }

  /**
   * @param x - [N, C_in, H, W], or [C_in, H, W] for one image
   * @returns [N, C_out, H_out, W_out] (or [C_out, H_out, W_out]), where
   *   H_out = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1 and W_out likewise
   *   (`padding: 'same'` keeps H and W)
   */
  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.convOptions);
  }
}

/**
 * A 1-D convolution layer: weight [out, in/groups, k] and bias [out].
 *
 * @example
 * ```ts
 * new Conv1d(3, 8, 5, { padding: 'same' }).forward(randn([2, 3, 50])).shape; // [2, 8, 50]
 * ```
 */
export class Conv1d extends ConvBase {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    opts: ConvModuleOptions = {},
  ) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, opts);
  }

  /**
   * @param x - [N, C_in, L], or [C_in, L] for one sequence
   * @returns [N, C_out, L_out] (or [C_out, L_out]), where
   *   L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1 (`padding: 'same'` keeps L)
   */
  override forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.convOptions);
  }
}

/**
 * A 2-D transposed convolution layer: weight [in, out/groups, kH, kW] and bias [out].
 *
 * @example
 * ```ts
 * const up = new ConvTranspose2d(16, 8, 2, { stride: 2 });
 * up.forward(randn([1, 16, 7, 7])).shape; // [1, 8, 14, 14]
 * ```
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly options: ConvTransposeModuleOptions;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    opts: ConvTransposeModuleOptions = {},
  ) {
    super();
    const groups = opts.groups ?? 1;
    checkChannels('ConvTranspose2d', inChannels, outChannels, groups);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = sizes(kernelSize, 2);
    this.options = { ...opts, groups };
    this.weight = new Parameter(zeros([inChannels, outChannels / groups, ...this.kernelSize]));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outChannels])) : null;
    this.resetParameters();
  }

  /** PyTorch's default: kaiming uniform with a = √5 and the bias in ±1/√fanIn (fanIn from weight dim 1). */
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }

  /**
   * @param x - [N, C_in, H, W], or [C_in, H, W] for one image
   * @returns [N, C_out, H_out, W_out] (or [C_out, H_out, W_out]), where
   *   H_out = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1 and W_out
   *   likewise
   */
  override forward(x: Tensor): Tensor {
    const { bias: _, ...opts } = this.options;
    return convTranspose2d(x, this.weight, this.bias, opts);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.options.stride ?? 1)}, padding=${JSON.stringify(this.options.padding ?? 0)}, bias=${this.bias !== null}`;
  }
}

/** Options of {@link MaxPool1d} and {@link MaxPool2d}. */
export interface MaxPoolModuleOptions {
  /** Step between windows (the kernel size). */
  stride?: number | readonly number[] | null;
  /** Implicit −∞ padding (0). */
  padding?: number | readonly number[];
  /** Spacing between window taps (1). */
  dilation?: number | readonly number[];
  /** Round the output size up (false). */
  ceilMode?: boolean;
}

/**
 * 2-D max pooling.
 *
 * @example
 * ```ts
 * new MaxPool2d(2).forward(randn([8, 16, 28, 28])).shape; // [8, 16, 14, 14]
 * ```
 */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number | readonly number[],
    readonly options: MaxPoolModuleOptions = {},
  ) {
    super();
  }
  /**
   * @param x - [N, C, H, W], or [C, H, W]
   * @returns [N, C, H_out, W_out] (or [C, H_out, W_out]), where
   *   H_out = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1 (⌈…⌉ with `ceilMode`)
   *   and W_out likewise; `stride` defaults to the kernel size
   */
  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.options.stride ?? this.kernelSize)}, padding=${JSON.stringify(this.options.padding ?? 0)}`;
  }
}

/**
 * 1-D max pooling.
 *
 * @example
 * ```ts
 * new MaxPool1d(2).forward(randn([2, 3, 10])).shape; // [2, 3, 5]
 * ```
 */
export class MaxPool1d extends Module {
  constructor(
    readonly kernelSize: number | readonly number[],
    readonly options: MaxPoolModuleOptions = {},
  ) {
    super();
  }
  /**
   * @param x - [N, C, L], or [C, L]
   * @returns [N, C, L_out] (or [C, L_out]), where
   *   L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1 (⌈…⌉ with `ceilMode`);
   *   `stride` defaults to the kernel size
   */
  override forward(x: Tensor): Tensor {
    return maxPool1d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.options.stride ?? this.kernelSize)}, padding=${JSON.stringify(this.options.padding ?? 0)}`;
  }
}

/** Options of {@link AvgPool2d}. */
export interface AvgPoolModuleOptions {
  /** Step between windows (the kernel size). */
  stride?: number | readonly number[] | null;
  /** Implicit zero padding (0). */
  padding?: number | readonly number[];
  /** Round the output size up (false). */
  ceilMode?: boolean;
  /** Count padding zeros in the divisor (true). */
  countIncludePad?: boolean;
  /** Divide every window by this number instead. */
  divisorOverride?: number;
}

/**
 * 2-D average pooling.
 *
 * @example
 * ```ts
 * new AvgPool2d(2).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 * ```
 */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: number | readonly number[],
    readonly options: AvgPoolModuleOptions = {},
  ) {
    super();
  }
  /**
   * @param x - [N, C, H, W], or [C, H, W]
   * @returns [N, C, H_out, W_out] (or [C, H_out, W_out]), where
   *   H_out = ⌊(H + 2·padding − kH) / stride⌋ + 1 (⌈…⌉ with `ceilMode`) and W_out likewise;
   *   `stride` defaults to the kernel size
   */
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.options.stride ?? this.kernelSize)}, padding=${JSON.stringify(this.options.padding ?? 0)}`;
  }
}

/**
 * 2-D adaptive average pooling to a fixed output size.
 *
 * @example
 * ```ts
 * new AdaptiveAvgPool2d([1, 1]).forward(randn([2, 64, 7, 7])).shape; // [2, 64, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
  }
  /**
   * @param x - [N, C, H, W], or [C, H, W]
   * @returns [N, C, oH, oW] (or [C, oH, oW]), [oH, oW] being `outputSize` (one number: both; `null` keeps
   *   that input size); whatever H and W are
   */
  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

/**
 * Upsampling by nearest neighbour or (bi)linear interpolation ({@link interpolate} as a module).
 *
 * @example
 * ```ts
 * new Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(randn([1, 3, 4, 4])).shape; // [1, 3, 8, 8]
 * ```
 */
export class Upsample extends Module {
  constructor(readonly options: InterpolateOptions) {
    super();
  }
  /**
   * @param x - [N, C, L] (modes `'nearest'`, `'linear'`) or [N, C, H, W] (`'nearest'`,
   *   `'bilinear'`)
   * @returns [N, C, L_out] or [N, C, H_out, W_out]: `size`, or ⌊L·scaleFactor⌋ (H_out =
   *   ⌊H·scaleFactor⌋, W_out = ⌊W·scaleFactor⌋)
   */
  override forward(x: Tensor): Tensor {
    return interpolate(x, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return o.size !== undefined
      ? `size=${JSON.stringify(o.size)}, mode='${o.mode ?? 'nearest'}'`
      : `scaleFactor=${JSON.stringify(o.scaleFactor)}, mode='${o.mode ?? 'nearest'}'`;
  }
}
