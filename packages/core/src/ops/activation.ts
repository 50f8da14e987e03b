/**
 * Activations and normalised exponentials, composed from primitives — they need no backward
 * rule of their own, since autograd differentiates the primitives they are built from. The
 * exception is softmax over the last dim, which runs a backend's fused kernel where it has one
 * (one pass per row, forward and backward), with the composite as its reference.
 */
import { isGradEnabled, isTracing } from '../autograd/grad-mode.js';
import { record } from '../autograd/node.js';
import type { Storage, View } from '../backend/backend.js';
import { isFloating } from '../dtype.js';
import { ValueError } from '../errors.js';
import { normDim } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { where } from './elementwise.js';
import { backendOf, fromStorage } from './make.js';
import { shiftByMax, sum } from './reduce.js';

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

/**
 * A fused kernel over the last dim's rows and its recorded node: `backward` (the gradient
 * from the output y and the gradient g arriving), or `formula` in tensor ops where a pass
 * builds a graph or the backend has no backward kernel.
 */
function fusedRows(
  x: Tensor,
  op: 'softmax' | 'logSoftmax',
  forward: (x: View) => Storage,
  backward: ((y: View, g: View) => Storage) | null,
  formula: (g: Tensor, y: Tensor) => Tensor,
): Tensor {
  const xc = x.contiguous();
  const y = fromStorage(backendOf(x), forward(xc._view(op)), x.shape, x.dtype);
  if (xc !== x) xc.dispose();
  return record(y, op, [x], [y], (g) => {
    if (isGradEnabled() || backward === null) return [formula(g, y)];
    const gc = g.contiguous();
    const gx = fromStorage(backendOf(x), backward(y._view(op), gc._view(op)), x.shape, x.dtype);
    if (gc !== g) gc.dispose();
    return [gx];
  });
}

/** Whether a fused last-dim kernel applies: present, over the last dim, float, not traced. */
function fusable(x: Tensor, d: number, kernel: unknown): boolean {
  // A traced graph (ONNX export) records the composite, whose every node it knows.
  return kernel !== undefined && d === x.ndim - 1 && isFloating(x.dtype) && !isTracing();
}

/**
 * exp(z) / Σ exp(z) along `dim`, z = x − max(x): computed from z, not as exp(x − logsumexp(x)),
 * whose sum max + log Σ would round the log away when the maximum is large.
 */
export function softmax(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim, 'softmax');
  const k = backendOf(x).fused;
  if (!fusable(x, d, k?.softmax)) {
    const e = shiftByMax(floating(x), d).exp();
    return e.div(sum(e, d, true));
  }
  return fusedRows(
    x,
    'softmax',
    (v) => k!.softmax!(v),
    k!.softmaxBackward ? (y, g) => k!.softmaxBackward!(y, g) : null,
    (g, y) => y.mul(g.sub(g.mul(y).sum(-1, true))),
  );
}

/** z − log Σ exp(z) along `dim`, z = x − max(x) (see {@link softmax}). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim, 'logSoftmax');
  const k = backendOf(x).fused;
  if (!fusable(x, d, k?.logSoftmax)) {
    const z = shiftByMax(floating(x), d);
    return z.sub(sum(z.exp(), d, true).log());
  }
  return fusedRows(
    x,
    'logSoftmax',
    (v) => k!.logSoftmax!(v),
    k!.logSoftmaxBackward ? (y, g) => k!.logSoftmaxBackward!(y, g) : null,
    (g, y) => g.sub(y.exp().mul(g.sum(-1, true))),
  );
}

/** `x` as a floating tensor (integers and bools become float32). */
function floating(x: Tensor): Tensor {
  return isFloating(x.dtype) ? x : castTo(x, 'float32');
}

/** −|x| and log(1 + e^−|x|), with the sign test, built with `where` so no branch overflows. */
function logOnePlusExpNegAbs(x: Tensor): { neg: Tensor; l: Tensor } {
  const neg = x.lt(0);
  return { neg, l: where(neg, x, x.neg()).exp().log1p() };
}

/**
 * log σ(x), computed stably: x − log(1 + eˣ) for x < 0, −log(1 + e⁻ˣ) otherwise.
 *
 * @example
 * ```ts
 * logSigmoid(tensor([0, -100])); // [-0.6931, -100]
 * ```
 */
export function logSigmoid(x: Tensor): Tensor {
  const { neg, l } = logOnePlusExpNegAbs(x);
  return where(neg, x.sub(l), l.neg());
}

/** SELU's α (PyTorch's constant). */
export const SELU_ALPHA = 1.6732632423543772;
/** SELU's scale (PyTorch's constant). */
export const SELU_SCALE = 1.0507009873554805;

/**
 * scale·x for x > 0, scale·α·(eˣ − 1) otherwise, with PyTorch's constants
 * α ≈ 1.6733 and scale ≈ 1.0507.
 *
 * @example
 * ```ts
 * selu(tensor([1, -1])); // [1.0507, -1.1113]
 * ```
 */
export function selu(x: Tensor): Tensor {
  const pos = x.gt(0);
  // The negative branch sees min(x, 0) so that it never overflows where it is masked out.
  const neg = where(pos, 0, x).expm1().mul(SELU_ALPHA);
  return where(pos, x, neg).mul(SELU_SCALE);
}

/**
 * x clamped to [minVal, maxVal]; the gradient is 1 strictly inside and 0 at and beyond the
 * limits (as PyTorch's hardtanh).
 *
 * @example
 * ```ts
 * hardtanh(tensor([-2, 0.5, 2])); // [-1, 0.5, 1]
 * ```
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  if (!(minVal <= maxVal))
    throw new ValueError(`hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  return where(x.le(minVal), minVal, where(x.ge(maxVal), maxVal, x));
}

/**
 * min(max(x, 0), 6): hardtanh(x, 0, 6).
 *
 * @example
 * ```ts
 * relu6(tensor([-1, 3, 7])); // [0, 3, 6]
 * ```
 */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/**
 * 0 for x ≤ −3, 1 for x ≥ 3, x/6 + 1/2 between.
 *
 * @example
 * ```ts
 * hardsigmoid(tensor([-4, 0, 4])); // [0, 0.5, 1]
 * ```
 */
export function hardsigmoid(x: Tensor): Tensor {
  return where(x.le(-3), 0, where(x.ge(3), 1, x.div(6).add(0.5)));
}

/**
 * x·hardsigmoid(x): 0 for x < −3, x for x > 3, x·(x + 3)/6 between (the limits take the
 * middle piece, so the gradient there is PyTorch's: −0.5 at −3, 1.5 at 3).
 *
 * @example
 * ```ts
 * hardswish(tensor([-4, 1, 4])); // [0, 0.6667, 4]
 * ```
 */
export function hardswish(x: Tensor): Tensor {
  return where(x.lt(-3), 0, where(x.gt(3), x, x.mul(x.add(3)).div(6)));
}

/**
 * x·tanh(softplus(x)), with softplus computed as max(x, 0) + log(1 + e^−|x|).
 *
 * @example
 * ```ts
 * mish(tensor([0, 1])); // [0, 0.8651]
 * ```
 */
export function mish(x: Tensor): Tensor {
  const { neg, l } = logOnePlusExpNegAbs(x);
  return x.mul(where(neg, l, x.add(l)).tanh());
}

/**
 * x / (1 + |x|).
 *
 * @example
 * ```ts
 * softsign(tensor([-1, 3])); // [-0.5, 0.75]
 * ```
 */
export function softsign(x: Tensor): Tensor {
  return x.div(x.abs().add(1));
}
