/**
 * Operands in awkward layouts: kernels read through strides and offsets, so every op is run
 * on views as well as on contiguous tensors.
 */
import { noGrad, stack, type Tensor, zerosLike } from '@tsgrad/core';

/** Whether a call argument is a tensor. */
export const isTensor = (v: unknown): v is Tensor => typeof v === 'object' && v !== null && 'layout' in v;

/** The same values as `x`, on its device, in a non-contiguous layout with a nonzero offset. */
export function strided(x: Tensor): Tensor {
  return noGrad(() => {
    // Reverse the dims, interleave with zeros along a new last dim ([..., 2], keep slot 1:
    // stride 2, offset 1), then reverse back: a permuted, gapped layout at an offset.
    const dims = [...x.shape.keys()].reverse();
    const q = x.detach().permute(dims);
    const gapped = stack([zerosLike(q), q], -1)
      .narrow(-1, 1, 1)
      .squeeze(-1);
    return gapped.permute(dims);
  });
}
