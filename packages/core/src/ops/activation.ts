/**
 * Activations and normalised exponentials, composed from primitives — they need no backward
 * rule of their own, since autograd differentiates the primitives they are built from.
 */
import { ValueError } from '../errors.js';
import { normDim } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { where } from './elementwise.js';
import { logsumexp } from './reduce.js';

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = 0.7978845608028654;

/** x·σ(x). */
export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/**
 * log(1 + eˣ), as PyTorch with threshold 20: x itself above 20, else −log σ(−x). The input of
 * the second branch is capped at 20 so that its (masked-out) gradient never becomes 0·∞, and
 * the gradient is σ(x) everywhere, 0.5 at 0 included.
 */
export function softplus(x: Tensor): Tensor {
  const capped = where(x.gt(20), 20, x);
  return where(x.gt(20), x, capped.neg().sigmoid().log().neg());
}

/** x·Φ(x) exactly (`'none'`), or with PyTorch's tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
    return x.mul(0.5).mul(inner.tanh().add(1));
  }
  if (approximate !== 'none')
    throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  return x.mul(0.5).mul(x.mul(SQRT1_2).erf().add(1));
}

/** x for x > 0, slope·x otherwise. */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(slope));
}

/** x for x > 0, α(eˣ − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(x.gt(0), x, x.exp().sub(1).mul(alpha));
}

/**
 * Limits x to [min, max]; the gradient passes where min ≤ x ≤ max (as in PyTorch).
 *
 * @example
 * ```ts
 * clamp(tensor([-2, 0.5, 3]), 0, 1); // [0, 0.5, 1]
 * ```
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined)
    throw new ValueError('clamp: at least one of min and max is required');
  let y = x;
  if (min !== undefined) y = where(x.lt(min), min, y);
  if (max !== undefined) y = where(x.gt(max), max, y);
  return y;
}

/** exp(x − logsumexp(x)) along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  return x.sub(logsumexp(x, normDim(dim, x.ndim, 'softmax'), true)).exp();
}

/** x − logsumexp(x) along `dim`. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return x.sub(logsumexp(x, normDim(dim, x.ndim, 'logSoftmax'), true));
}
