/**
 * A device-wide status word that index kernels set when they meet an index out of range.
 * A kernel cannot throw, so gather and scatterAdd record the first bad index here (and read
 * 0 / skip the element), and the next read from the device reports it as a ShapeError.
 *
 * Words: [code (0 none, 1 gather, 2 scatterAdd), bad index, dimension size, dimension].
 */

/** The binding declaration and the function that records a bad index. */
export function statusDecl(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> status: array<atomic<u32>, 4>;
fn report_bad_index(code: u32, index: i32, size: u32, dim: u32) {
  if (atomicCompareExchangeWeak(&status[0], 0u, code).exchanged) {
    atomicStore(&status[1], bitcast<u32>(index));
    atomicStore(&status[2], size);
    atomicStore(&status[3], dim);
  }
}`;
}

/** Op names by status code. */
export const STATUS_OPS = ['', 'gather', 'scatterAdd'] as const;
