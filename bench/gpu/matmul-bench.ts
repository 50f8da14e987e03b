/**
 * Timing of one square fp32 matmul on a WebGPU backend, shared by gpu-bench.ts and
 * matmul-sweep.ts: operands with deterministic values, a check of sampled entries against
 * float64 dot products, and the median of timed batches.
 */
import type { View } from '@tsgrad/core';
import type { WebGPUBackend } from '@tsgrad/gpu';

/** Two n×n operands on the device and their host copies (for the check). */
export interface SquareOperands {
  n: number;
  ha: Float32Array;
  hb: Float32Array;
  a: View;
  b: View;
}

/** What one timing found. */
export interface MatmulTiming {
  /** Median milliseconds per product. */
  ms: number;
  /** Multiply-adds counted twice, per second. */
  flops: number;
  /** Worst relative error of 32 sampled entries against float64 dot products. */
  worst: number;
}

const view = (storage: unknown, n: number): View => ({
  storage,
  dtype: 'float32',
  layout: { shape: [1, n, n], strides: [n * n, n, 1], offset: 0 },
});

/** Uniform values in [-0.5, 0.5) from a seeded linear congruential generator. */
function hostMatrix(n: number, seed: number): Float32Array {
  const a = new Float32Array(n * n);
  let s = seed;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** Makes two n×n operands on the device. */
export function squareOperands(gpu: WebGPUBackend, n: number): SquareOperands {
  const ha = hostMatrix(n, 1);
  const hb = hostMatrix(n, 2);
  return { n, ha, hb, a: view(gpu.fromArray(ha, 'float32'), n), b: view(gpu.fromArray(hb, 'float32'), n) };
}

/** Frees the device side of operands. */
export function freeOperands(gpu: WebGPUBackend, ops: SquareOperands): void {
  gpu.free(ops.a.storage);
  gpu.free(ops.b.storage);
}

/**
 * Times A·B with the backend's current matmul settings: a warm-up (which compiles the
 * program) checked at 32 entries, then batches of products (one sync per batch, batches
 * doubling until one takes 50 ms) for at least 3 batches and until `budgetMs` has passed
 * (at most `maxBatches`).
 */
export async function timeMatmul(
  gpu: WebGPUBackend,
  ops: SquareOperands,
  budgetMs = 1500,
  maxBatches = 20,
): Promise<MatmulTiming> {
  const { n, ha, hb, a, b } = ops;
  const c = gpu.matmul(a, b);
  const got = (await gpu.read(c, 'float32', n * n)) as Float32Array;
  let worst = 0;
  for (let t = 0; t < 32; t++) {
    const i = (t * 7919) % n;
    const j = (t * 104729) % n;
    let s = 0;
    for (let k = 0; k < n; k++) s += ha[i * n + k]! * hb[k * n + j]!;
    worst = Math.max(worst, Math.abs(got[i * n + j]! - s) / Math.max(1, Math.abs(s)));
  }
  gpu.free(c);
  let reps = 1;
  const times: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (times.length < 3 || (performance.now() < deadline && times.length < maxBatches)) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) gpu.free(gpu.matmul(a, b));
    await gpu.sync();
    const dt = (performance.now() - t0) / reps;
    times.push(dt);
    if (dt * reps < 50) reps *= 2;
  }
  times.sort((x, y) => x - y);
  const ms = times[Math.floor(times.length / 2)]!;
  return { ms, flops: (2 * n ** 3) / (ms / 1000), worst };
}

/** "12.34 TFLOP/s" (or GFLOP/s below 0.1 TFLOP/s). */
export function formatRate(flops: number): string {
  return flops >= 1e11 ? `${(flops / 1e12).toFixed(2)} TFLOP/s` : `${(flops / 1e9).toFixed(2)} GFLOP/s`;
}

/** "ok", or the mismatch found. */
export function formatCheck(worst: number): string {
  return worst < 1e-3 ? 'ok' : `MISMATCH ${worst.toExponential(1)}`;
}
