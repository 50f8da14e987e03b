/**
 * The counter-based generator of core's `random.ts`, in WGSL: element i of a draw is a pure
 * function of (key, counter + i), with u32 arithmetic that wraps as `Math.imul` and `>>> 0`
 * do in JavaScript, so uniform draws match the CPU bit for bit and normal draws up to the
 * rounding of f32 log and cos.
 *
 * Parameter words: n, key, counter.
 */
import { LINEAR_BUILTINS, linearIndex, p, paramDecl } from './strided-index.js';

/** Which distribution. */
export type RandomDist = 'uniform' | 'normal';

/** The cache key of a random program. */
export function randomKey(kind: RandomDist): string {
  return `rand|${kind}`;
}

/** The WGSL program. */
export function randomSource(kind: RandomDist): string {
  const value =
    kind === 'uniform'
      ? 'uniform_at(key, c)'
      : // cos(2πu) = -cos(2πu - π): the argument stays in [-π, π), where cos is most accurate.
        'sqrt(-2.0 * log(1.0 - uniform_at(key, c))) * -cos(6.283185307179586 * uniform_at(key ^ 0x5bd1e995u, c) - 3.141592653589793)';
  return `${paramDecl(3)}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
fn hash32(v: u32) -> u32 {
  var x = v;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  return x;
}
fn uniform_at(key: u32, c: u32) -> f32 {
  return f32(hash32(hash32(c) ^ key) >> 8u) * 5.960464477539063e-8;
}
@compute @workgroup_size(256)
fn main(${LINEAR_BUILTINS}) {
  let i = ${linearIndex(256)};
  if (i >= ${p(0)}) { return; }
  let key = ${p(1)};
  let c = ${p(2)} + i;
  out[i] = ${value};
}
`;
}
