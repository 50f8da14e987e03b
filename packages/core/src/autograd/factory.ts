/**
 * The few tensors the engine makes itself rather than receives from a backward rule: seeds,
 * buffers that slice gradients are added into, and padded slice gradients. Making a tensor is
 * the op layer's business, so the op layer supplies these at start-up and autograd/ imports
 * no op.
 */
import type { DType } from '../dtype.js';
import { AutogradError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { SliceGrad } from './node.js';

/** What the engine needs from the op layer to make tensors. */
export interface GradFactory {
  /** A new tensor of `shape` full of `value`, with `like`'s device and dtype; not recorded. */
  full(like: Tensor, shape: readonly number[], value: number): Tensor;
  /** `t` converted to `dtype` (recorded when both are floating, as a cast is). */
  cast(t: Tensor, dtype: DType): Tensor;
  /** The slice gradient as one tensor of its input's shape, zero around the slice; recorded. */
  pad(s: SliceGrad): Tensor;
}

let factory: GradFactory | null = null;

/** @internal Called once by the op layer when it loads. */
export function provideGradFactory(f: GradFactory): void {
  factory = f;
}

/** @internal The factory the op layer supplied. */
export function gradFactory(): GradFactory {
  if (factory === null) throw new AutogradError('backward: the op layer has not been loaded');
  return factory;
}
