/**
 * scatterAdd along `dim`, written as a gather so that no two invocations write one element
 * and no float atomics are needed: each output element (base's shape) walks the index entries
 * that share its other coordinates and adds the `src` values whose index names its own
 * coordinate along dim, in index order (so the sums are deterministic).
 *
 * Parameter words: n, base's size along dim, dim, shape[rank] (base's), base offset+strides,
 * index shape[rank], index offset+strides, src offset+strides.
 */
import type { DType } from '@tsgrad/core';
import { withHelpers } from './elementwise.js';
import { statusDecl } from './index-status.js';
import { LINEAR_BUILTINS, linearIndex, p, paramDecl } from './strided-index.js';
import { convert, wgslType } from './wgsl-types.js';

/** The cache key of a scatterAdd program. */
export function scatterAddKey(dtype: DType, rank: number, dim: number): string {
  return `scatter|${dtype}|${rank}|${dim}`;
}

/** The WGSL program. */
export function scatterAddSource(dtype: DType, rank: number, dim: number): string {
  const r = rank;
  const shapeBase = 3;
  const baseB = 3 + r;
  const idxShape = baseB + 1 + r;
  const idxB = idxShape + r;
  const srcB = idxB + 1 + r;
  const words = srcB + 1 + r;
  const T = wgslType(dtype);
  const domain: DType = dtype === 'float32' ? 'float32' : 'int32';
  const lines: string[] = ['var r_ = i;'];
  for (let d = r - 1; d >= 0; d--) {
    if (d > 0) lines.push(`let c${d} = r_ % ${p(shapeBase + d)}; r_ = r_ / ${p(shapeBase + d)};`);
    else lines.push('let c0 = r_;');
  }
  const others = [...Array(r).keys()].filter((d) => d !== dim);
  const inRange = others.length === 0 ? 'true' : others.map((d) => `c${d} < ${p(idxShape + d)}`).join(' && ');
  const sum = (base: number, coords: readonly number[]) =>
    [p(base), ...coords.map((d) => `c${d} * ${p(base + 1 + d)}`)].join(' + ');
  return withHelpers(`${paramDecl(words)}
@group(0) @binding(1) var<storage, read> base: array<${T}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<${T}>;
@group(0) @binding(4) var<storage, read_write> out: array<${T}>;
${statusDecl(5)}
@compute @workgroup_size(256)
fn main(${LINEAR_BUILTINS}) {
  let i = ${linearIndex(256)};
  if (i >= ${p(0)}) { return; }
  ${lines.join('\n  ')}
  var acc = ${convert(`base[${sum(baseB, [...Array(r).keys()])}]`, dtype, domain)};
  if (${inRange}) {
    let io = ${sum(idxB, others)};
    let so = ${sum(srcB, others)};
    let size = ${p(1)};
    for (var j = 0u; j < ${p(idxShape + dim)}; j = j + 1u) {
      let k = index[io + j * ${p(idxB + 1 + dim)}];
      if (k < 0i || u32(k) >= size) {
        report_bad_index(2u, k, size, ${dim}u);
        continue;
      }
      if (u32(k) == c${dim}) {
        acc = acc + ${convert(`src[so + j * ${p(srcB + 1 + dim)}]`, dtype, domain)};
      }
    }
  }
  out[i] = ${convert('acc', domain, dtype)};
}
`);
}

type Strided = { offset: number; strides: readonly number[] };

/** Parameter words (see the file header). */
export function scatterAddParams(
  n: number,
  dim: number,
  base: Strided & { shape: readonly number[] },
  index: Strided & { shape: readonly number[] },
  src: Strided,
): Uint32Array {
  const w: number[] = [n, base.shape[dim]!, dim, ...base.shape];
  w.push(
    base.offset,
    ...base.strides,
    ...index.shape,
    index.offset,
    ...index.strides,
    src.offset,
    ...src.strides,
  );
  return new Uint32Array(w);
}
