/**
 * gather along `dim`: out has index's shape, out[…, i, …] = x[…, index[…, i, …], …].
 * Parameter words: n, x's size along dim, dim, shape[rank], index offset+strides[rank],
 * x offset+strides[rank] (0 along dim), x's stride along dim.
 */
import type { DType } from '@tsgrad/core';
import { withHelpers } from './elementwise.js';
import { statusDecl } from './index-status.js';
import { LINEAR_BUILTINS, linearIndex, offsetsCode, p, paramDecl } from './strided-index.js';
import { wgslType, zeroOf } from './wgsl-types.js';

/** The cache key of a gather program. */
export function gatherKey(dtype: DType, rank: number): string {
  return `gather|${dtype}|${rank}`;
}

/** The WGSL program. */
export function gatherSource(dtype: DType, rank: number): string {
  const r = rank;
  const idxBase = 3 + r;
  const xBase = idxBase + 1 + r;
  const dimStride = xBase + 1 + r;
  const words = dimStride + 1;
  // x's stride along dim is zeroed in its stride words and kept in one word after them, to be
  // multiplied by the index value.
  return withHelpers(`${paramDecl(words)}
@group(0) @binding(1) var<storage, read> x: array<${wgslType(dtype)}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${wgslType(dtype)}>;
${statusDecl(4)}
@compute @workgroup_size(256)
fn main(${LINEAR_BUILTINS}) {
  let i = ${linearIndex(256)};
  if (i >= ${p(0)}) { return; }
  ${offsetsCode('i', r, 3, [
    { name: 'io', base: idxBase, contig: false },
    { name: 'xo', base: xBase, contig: false },
  ])}
  let j = index[io];
  let size = ${p(1)};
  if (j < 0i || u32(j) >= size) {
    report_bad_index(1u, j, size, ${p(2)});
    out[i] = ${zeroOf(dtype)};
    return;
  }
  out[i] = x[xo + u32(j) * ${p(dimStride)}];
}
`);
}

/** Parameter words; `xDimStride` is x's stride along dim. */
export function gatherParams(
  n: number,
  dim: number,
  shape: readonly number[],
  index: { offset: number; strides: readonly number[] },
  x: { offset: number; shape: readonly number[]; strides: readonly number[] },
): Uint32Array {
  const r = shape.length;
  const w = new Uint32Array(3 + r + 2 * (1 + r) + 1);
  w[0] = n;
  w[1] = x.shape[dim]!;
  w[2] = dim;
  for (let d = 0; d < r; d++) w[3 + d] = shape[d]!;
  const ib = 3 + r;
  w[ib] = index.offset;
  for (let d = 0; d < r; d++) w[ib + 1 + d] = index.strides[d]!;
  const xb = ib + 1 + r;
  w[xb] = x.offset;
  for (let d = 0; d < r; d++) w[xb + 1 + d] = d === dim ? 0 : x.strides[d]!;
  // One extra word after the x block holds x's real stride along dim.
  w[xb + 1 + r] = x.strides[dim]!;
  return w;
}
