/**
 * Gradient clipping and weight penalties.
 */
import { noGrad, stack, type Tensor, tensor, ValueError } from '@tsgrad/core';

/** Options of {@link clipGradNorm_}. */
export interface ClipGradNormOptions {
  /** The p of the p-norm (2); `Infinity` for the max norm. */
  normType?: number;
  /** Throw if the total norm is NaN or infinite (false). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients together so their joint norm is at most `maxNorm` (coefficient
 * maxNorm / (norm + 1e-6), capped at 1, as PyTorch). Returns the total norm before clipping,
 * as a 0-d tensor.
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 * ```
 */
export function clipGradNorm_(
  params: Iterable<Tensor>,
  maxNorm: number,
  opts: ClipGradNormOptions = {},
): Tensor {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new ValueError(`clipGradNorm_: maxNorm must be a non-negative number, got ${String(maxNorm)}`);
  }
  const p = opts.normType ?? 2;
  if (!(p > 0)) throw new ValueError(`clipGradNorm_: normType must be positive, got ${p}`);
  const grads = [...params].map((x) => x.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    let total: Tensor;
    if (p === Infinity) {
      total = stack(grads.map((g) => g.abs().max().to(grads[0]!.dtype))).max();
    } else {
      // The p = 2 and single-tensor forms are shortcuts of the general ones (same values).
      // Stryker disable next-line ConditionalExpression: g·g equals |g|^2
      const parts = grads.map((g) => (p === 2 ? g.mul(g) : g.abs().pow(p)).sum().to(grads[0]!.dtype));
      // Stryker disable next-line ConditionalExpression: the sum of a stack of one is that one
      const s = parts.length === 1 ? parts[0]! : stack(parts).sum();
      // Stryker disable next-line ConditionalExpression: sqrt is the power 1/2
      total = p === 2 ? s.sqrt() : s.pow(1 / p);
    }
    if (opts.errorIfNonfinite && total.device === 'cpu') {
      const v = total.itemSync();
      if (!Number.isFinite(v)) {
        throw new ValueError(`clipGradNorm_: the total norm of order ${p} of the gradients is ${v}`);
      }
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(undefined, 1);
    for (const g of grads) g.mul_(coef.to(g.dtype));
    return total;
  });
}

/**
 * Clamps every gradient element to [−clipValue, clipValue] in place.
 *
 * @example
 * ```ts
 * clipGradValue_(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue_(params: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0))
    throw new ValueError(`clipGradValue_: clipValue must be non-negative, got ${clipValue}`);
  noGrad(() => {
    for (const x of params) x.grad?.clamp_(-clipValue, clipValue);
  });
}

/**
 * The L1 penalty λ·Σ|w| over the given parameters (differentiable; add it to the loss).
 *
 * @example
 * ```ts
 * const loss = crossEntropyLoss(logits, y).add(l1Penalty(model.parameters(), 1e-4));
 * ```
 */
export function l1Penalty(params: Iterable<Tensor>, lambda = 1): Tensor {
  let total: Tensor | null = null;
  for (const w of params) {
    const s = w.abs().sum();
    total = total === null ? s : total.add(s);
  }
  return total === null ? tensor(0) : total.mul(lambda);
}
