/**
 * Fewer dimensions for the same walk: size-1 dims are dropped and neighbouring dims merged
 * wherever every operand steps through them as through one. Kernels are compiled per rank,
 * so a contiguous tensor of any shape runs the rank-1 kernel, and a transposed matrix the
 * rank-2 one.
 */

/** A shape and the strides of several operands over it, after collapsing. */
export interface Collapsed {
  shape: number[];
  strides: number[][];
}

/** Collapses `shape` walked by each of `strides` (all of the same rank). Always rank ≥ 1. */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * size);
    if (mergeable) {
      outShape[last]! *= size;
      strides.forEach((s, k) => {
        outStrides[k]![last] = s[d]!;
      });
    } else {
      outShape.push(size);
      strides.forEach((s, k) => {
        outStrides[k]!.push(s[d]!);
      });
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  return { shape: outShape, strides: outStrides };
}

/** Whether strides walk `shape` row-major without gaps. */
export function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== acc) return false;
    acc *= shape[d]!;
  }
  return true;
}
