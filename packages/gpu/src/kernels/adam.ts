/**
 * One Adam/AdamW update in a single pass (core's `fused.adamStep`): parameter, gradient and
 * moments are contiguous float32 of one size, each at its own offset. Every step rounds to f32
 * in the order of core's composite (`adamStepComposite_`), so the two agree to the rounding of
 * the GPU's division and square root.
 *
 * Parameter words: n, flags, offsets of param, grad, expAvg, expAvgSq, maxExpAvgSq, (unused),
 * then f32 bit patterns: shrink, decay, w, beta2, 1 − beta2, √(1 − beta2ᵗ), eps, step size.
 */
import type { AdamStepOptions } from '@tsgrad/core';
import { LINEAR_BUILTINS, linearIndex, p, paramDecl } from './strided-index.js';

/** Flag bits of word 1. */
const MAXIMIZE = 1;
const NEAR_START = 2;
const DECAY = 4;
const SHRINK = 8;

const WG = 256;

/** The cache key of the program (with or without AMSGrad's running maximum). */
export function adamKey(amsgrad: boolean): string {
  return amsgrad ? 'adam|ams' : 'adam';
}

/** The storage bindings of the program, read (`r`) or written (`w`), in order. */
export function adamBindings(amsgrad: boolean): string {
  return amsgrad ? 'wrwww' : 'wrww';
}

/** The WGSL program. */
export function adamSource(amsgrad: boolean): string {
  const f = (i: number) => `bitcast<f32>(${p(i)})`;
  const has = (bit: number) => `(${p(1)} & ${bit}u) != 0u`;
  return `${paramDecl(16)}
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
${amsgrad ? '@group(0) @binding(5) var<storage, read_write> vmax: array<f32>;' : ''}
@compute @workgroup_size(${WG})
fn main(${LINEAR_BUILTINS}) {
  let i = ${linearIndex(WG)};
  if (i >= ${p(0)}) { return; }
  let ip = ${p(2)} + i;
  let im = ${p(4)} + i;
  let iv = ${p(5)} + i;
  var pi = param[ip];
  var g = grad[${p(3)} + i];
  if (${has(MAXIMIZE)}) { g = -g; }
  if (${has(SHRINK)}) { pi = pi * ${f(8)}; }
  if (${has(DECAY)}) { g = g + pi * ${f(9)}; }
  let mi = m[im];
  let diff = g - mi;
  var mn: f32;
  if (${has(NEAR_START)}) { mn = mi + diff * ${f(10)}; } else { mn = g - diff * ${f(10)}; }
  m[im] = mn;
  let vn = v[iv] * ${f(11)} + (g * g) * ${f(12)};
  v[iv] = vn;
  ${
    amsgrad
      ? `let ix = ${p(6)} + i;
  let second = max(vmax[ix], vn);
  vmax[ix] = second;`
      : 'let second = vn;'
  }
  let denom = sqrt(second) / ${f(13)} + ${f(14)};
  param[ip] = pi - (mn / denom) * ${f(15)};
}
`;
}

/** The number of invocations per workgroup. */
export const ADAM_WG = WG;

/** Parameter words of one update over `n` elements at the given offsets. */
export function adamParams(n: number, offsets: readonly number[], o: AdamStepOptions): Uint32Array {
  const w = new Uint32Array(16);
  const f = new Float32Array(w.buffer);
  const w1 = 1 - o.beta1;
  const nearStart = Math.abs(w1) < 0.5;
  const decay = o.weightDecay !== 0 && !o.decoupledWeightDecay;
  const shrink = o.weightDecay !== 0 && o.decoupledWeightDecay;
  w[0] = n;
  w[1] =
    (o.maximize ? MAXIMIZE : 0) | (nearStart ? NEAR_START : 0) | (decay ? DECAY : 0) | (shrink ? SHRINK : 0);
  for (let j = 0; j < 5; j++) w[2 + j] = offsets[j] ?? 0;
  f[8] = 1 - o.lr * o.weightDecay;
  f[9] = o.weightDecay;
  f[10] = nearStart ? w1 : 1 - w1;
  f[11] = o.beta2;
  f[12] = 1 - o.beta2;
  f[13] = Math.sqrt(1 - o.beta2 ** o.step);
  f[14] = o.eps;
  f[15] = o.lr / (1 - o.beta1 ** o.step);
  return w;
}
