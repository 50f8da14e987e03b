/** In-place linear interpolation, the way PyTorch's CPU kernel rounds it. */
import type { Tensor } from '@tsgrad/core';

/**
 * `a ← a + w·(b − a)`, computed from the nearer end (as `torch.lerp` does) so that the
 * rounding matches PyTorch's running averages.
 */
export function lerp_(a: Tensor, b: Tensor, w: number): Tensor {
  const diff = b.sub(a);
  if (Math.abs(w) < 0.5) return a.add_(diff.mul(w));
  return a.copy_(b.sub(diff.mul(1 - w)));
}
