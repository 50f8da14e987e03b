/**
 * Fused optimizer kernels for the CPU: one pass over the parameter instead of a dozen
 * elementwise ops. Each mirrors the composite in `ops/optimizers.ts` operation for operation.
 */
import type { TypedArray } from '../../dtype.js';
import type { AdamStepOptions, View } from '../backend.js';
import { adamWasm } from './kernels/wasm/elementwise-wasm.js';

export function adamStep(
  param: View,
  grad: View,
  expAvg: View,
  expAvgSq: View,
  maxExpAvgSq: View | null,
  o: AdamStepOptions,
): void {
  const p = param.storage as TypedArray;
  const g = grad.storage as TypedArray;
  const m = expAvg.storage as TypedArray;
  const v = expAvgSq.storage as TypedArray;
  const vmax = maxExpAvgSq === null ? null : (maxExpAvgSq.storage as TypedArray);
  const po = param.layout.offset;
  const go = grad.layout.offset;
  const mo = expAvg.layout.offset;
  const vo = expAvgSq.layout.offset;
  const xo = maxExpAvgSq === null ? 0 : maxExpAvgSq.layout.offset;
  const n = param.layout.shape.reduce((a, b) => a * b, 1);
  // New moments are rounded to the storage type right away (Math.fround for float32), so the
  // update reads the same values the composite would read back from memory.
  const f32 = p instanceof Float32Array;
  const w1 = 1 - o.beta1;
  const nearStart = Math.abs(w1) < 0.5;
  const beta2 = o.beta2;
  const w2 = 1 - beta2;
  const eps = o.eps;
  const stepSize = o.lr / (1 - o.beta1 ** o.step);
  const invBias2Sqrt = 1 / Math.sqrt(1 - beta2 ** o.step);
  const decay = o.weightDecay !== 0 && !o.decoupledWeightDecay ? o.weightDecay : 0;
  const shrink = o.weightDecay !== 0 && o.decoupledWeightDecay ? 1 - o.lr * o.weightDecay : 1;
  const sign = o.maximize ? -1 : 1;
  if (f32 && nearStart && shrink === 1 && decay === 0 && vmax === null && sign === 1) {
    plainAdamF32(
      (p as Float32Array).subarray(po, po + n),
      (g as Float32Array).subarray(go, go + n),
      (m as Float32Array).subarray(mo, mo + n),
      (v as Float32Array).subarray(vo, vo + n),
      w1,
      beta2,
      w2,
      eps,
      stepSize,
      invBias2Sqrt,
    );
    return;
  }
  for (let i = 0; i < n; i++) {
    let pi = p[po + i]!;
    if (shrink !== 1) pi = f32 ? Math.fround(pi * shrink) : pi * shrink;
    let gi = sign * g[go + i]!;
    if (decay !== 0) gi += pi * decay;
    const mi = m[mo + i]!;
    const diff = gi - mi;
    const mRaw = nearStart ? mi + diff * w1 : gi - diff * (1 - w1);
    const vRaw = v[vo + i]! * beta2 + gi * gi * w2;
    const mNew = f32 ? Math.fround(mRaw) : mRaw;
    let second = f32 ? Math.fround(vRaw) : vRaw;
    m[mo + i] = mNew;
    v[vo + i] = second;
    if (vmax !== null) {
      second = Math.max(vmax[xo + i]!, second);
      vmax[xo + i] = second;
    }
    p[po + i] = pi - (mNew / (Math.sqrt(second) * invBias2Sqrt + eps)) * stepSize;
  }
}

/**
 * The common case (Adam on float32, no weight decay, no AMSGrad) without per-element
 * branches, rounding to float32 after every operation exactly as the WebAssembly kernel
 * does, so both give the same bits.
 */
function plainAdamF32(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  w1: number,
  beta2: number,
  w2: number,
  eps: number,
  stepSize: number,
  invBias2Sqrt: number,
): void {
  if (adamWasm(p, g, m, v, { w1, beta2, w2, eps, stepSize, invBias2Sqrt })) return;
  const f = Math.fround;
  const [fw1, fb2, fw2, feps, fstep, finv] = [w1, beta2, w2, eps, stepSize, invBias2Sqrt].map(f) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = m[i]!;
    const mNew = f(mi + f(f(gi - mi) * fw1));
    const vNew = f(f(v[i]! * fb2) + f(f(gi * gi) * fw2));
    m[i] = mNew;
    v[i] = vNew;
    const denom = f(f(f(Math.sqrt(vNew)) * finv) + feps);
    p[i] = p[i]! - f(f(mNew / denom) * fstep);
  }
}
