/**
 * Optimizer updates as tensor operations, so every backend runs them, with an optional
 * fused kernel per backend for speed. The composite here is the reference each fused kernel
 * is tested against.
 */

import { noGrad } from '../autograd/grad-mode.js';
import type { AdamStepOptions } from '../backend/backend.js';
import { isContiguous, sameShape } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { backendOf } from './make.js';

export type { AdamStepOptions };

/**
 * `a ← a + w·(b − a)`, computed from the nearer end as `torch.lerp` does, so running
 * averages round as PyTorch's do.
 *
 * @example
 * ```ts
 * lerp_(avg, grad, 0.1); // avg = 0.9·avg + 0.1·grad
 * ```
 */
export function lerp_(a: Tensor, b: Tensor, w: number): Tensor {
  return noGrad(() => {
    const diff = b.sub(a);
    if (Math.abs(w) < 0.5) return a.add_(diff.mul(w));
    return a.copy_(b.sub(diff.mul(1 - w)));
  });
}

function fusable(ts: readonly (Tensor | null)[]): boolean {
  const first = ts[0]!;
  return ts.every(
    (t) =>
      t === null ||
      (t._ref.backend === first._ref.backend &&
        t.dtype === first.dtype &&
        isContiguous(t.layout) &&
        sameShape(t.shape, first.shape)),
  );
}

/**
 * One Adam (or AdamW) update of `param` in place, following `torch.optim.Adam`'s algorithm:
 * m ← lerp(m, g, 1−β₁); v ← β₂v + (1−β₂)g²; [v̂ ← max(v̂, v)];
 * θ ← θ − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε). Uses the backend's fused kernel when it has
 * one and the tensors are contiguous; otherwise tensor ops.
 *
 * @example
 * ```ts
 * adamStep_(w, w.grad!, m, v, null, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8,
 *   weightDecay: 0, decoupledWeightDecay: false, maximize: false, step: 1 });
 * ```
 */
export function adamStep_(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | null,
  o: AdamStepOptions,
): void {
  const kernels = backendOf(param).fused;
  if (kernels?.adamStep !== undefined && fusable([param, grad, expAvg, expAvgSq, maxExpAvgSq])) {
    kernels.adamStep(
      param._view('adamStep_'),
      grad._view('adamStep_'),
      expAvg._view('adamStep_'),
      expAvgSq._view('adamStep_'),
      maxExpAvgSq === null ? null : maxExpAvgSq._view('adamStep_'),
      o,
    );
    for (const t of [param, expAvg, expAvgSq, maxExpAvgSq]) if (t !== null) t._ref.version++;
    return;
  }
  adamStepComposite_(param, grad, expAvg, expAvgSq, maxExpAvgSq, o);
}

/** {@link adamStep_} with tensor ops only: the reference for fused kernels. */
export function adamStepComposite_(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | null,
  o: AdamStepOptions,
): void {
  noGrad(() => {
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) {
      if (o.decoupledWeightDecay) param.mul_(1 - o.lr * o.weightDecay);
      else g = g.add(param.mul(o.weightDecay));
    }
    lerp_(expAvg, g, 1 - o.beta1);
    expAvgSq.mul_(o.beta2).add_(g.mul(g).mul(1 - o.beta2));
    const stepSize = o.lr / (1 - o.beta1 ** o.step);
    const bias2Sqrt = Math.sqrt(1 - o.beta2 ** o.step);
    let second = expAvgSq;
    if (maxExpAvgSq !== null) {
      maxExpAvgSq.copy_(maxExpAvgSq.maximum(expAvgSq));
      second = maxExpAvgSq;
    }
    const denom = second.sqrt().div(bias2Sqrt).add(o.eps);
    param.sub_(expAvg.div(denom).mul(stepSize));
  });
}
