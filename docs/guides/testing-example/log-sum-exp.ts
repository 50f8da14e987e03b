/**
 * The example function of guide 16, "Testing your gradients": a hand-written log-sum-exp over
 * the last dimension, kept from overflowing by subtracting the largest element first.
 */
import type { Tensor } from '@tsgrad/core';

/**
 * `log Σ exp(x)` over the last dimension. The maximum `m` is subtracted before `exp` and added
 * back after `log`; it cancels, so its gradient would be zero anyway and it is detached.
 * `logSumExp(tensor([1000, 1000]))` is 1000.6931, where `exp(1000)` alone overflows.
 */
export function logSumExp(x: Tensor): Tensor {
  const m = x.amax(-1, true).detach();
  return x.sub(m).exp().sum(-1).log().add(m.squeeze(-1));
}
