/**
 * Fills a buffer with one 32-bit pattern (a float, int or bool already converted to bits).
 * Parameter words: n, bits.
 */
import { LINEAR_BUILTINS, linearIndex, p, paramDecl } from './strided-index.js';

/** The cache key of the fill program. */
export const FILL_KEY = 'fill';

/** The WGSL program. */
export function fillSource(): string {
  return `${paramDecl(2)}
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(256)
fn main(${LINEAR_BUILTINS}) {
  let i = ${linearIndex(256)};
  if (i >= ${p(0)}) { return; }
  out[i] = ${p(1)};
}
`;
}
