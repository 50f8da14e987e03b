/**
 * Shared test fixtures: the backend (when an adapter exists), a seeded generator, random
 * strided layouts over random storages, and a plain JavaScript reader of strided views that
 * the kernels are checked against.
 */
import type { DType, Layout, TypedArray, View } from '@tsgrad/core';
import { expect } from 'vitest';
import { initWebGPU, isWebGPUAvailable, type WebGPUBackend } from '../src/index.js';

/** Whether this machine has a WebGPU adapter; GPU suites skip themselves when it has none. */
export const available = await isWebGPUAvailable();

/** The backend, or undefined where no adapter exists (tests then skip). */
export const gpu: WebGPUBackend = available ? await initWebGPU() : (undefined as unknown as WebGPUBackend);

/** Set TSGRAD_REQUIRE_WEBGPU=1 (as CI does) to make a missing adapter fail instead of skip. */
export const required = process.env.TSGRAD_REQUIRE_WEBGPU === '1';

/** A small seeded generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random host data of a dtype. */
export function randomData(dtype: DType, n: number, r: () => number, scale = 3): TypedArray {
  if (dtype === 'float32') return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => Math.floor(r() * 21) - 10);
  return Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
}

/** Kinds of layout a random view may have. */
export type LayoutKind = 'contiguous' | 'offset' | 'permuted' | 'sliced' | 'broadcast' | 'any';

/**
 * A random layout of `shape` over a storage of `size` elements: contiguous, shifted,
 * permuted (transposed), sliced out of a larger array, or with broadcast (stride 0) dims.
 */
export function randomLayout(
  shape: readonly number[],
  r: () => number,
  kind: LayoutKind = 'any',
): { layout: Layout; size: number } {
  const k: LayoutKind =
    kind === 'any'
      ? (['contiguous', 'offset', 'permuted', 'sliced', 'broadcast'] as const)[Math.floor(r() * 5)]!
      : kind;
  const n = shape.length;
  const perm = [...Array(n).keys()];
  if (k === 'permuted' || k === 'sliced') {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
  }
  const pad = k === 'sliced' ? 2 : 0;
  const phys = perm.map((d) => shape[d]! + pad);
  const physStrides = new Array<number>(n);
  let acc = 1;
  for (let i = n - 1; i >= 0; i--) {
    physStrides[i] = acc;
    acc *= phys[i]!;
  }
  const strides = new Array<number>(n);
  perm.forEach((d, i) => {
    strides[d] = physStrides[i]!;
  });
  if (k === 'broadcast') {
    for (let d = 0; d < n; d++) if (r() < 0.4) strides[d] = 0;
  }
  const offset = k === 'contiguous' || k === 'permuted' ? 0 : 1 + Math.floor(r() * 5);
  return { layout: { shape: shape.slice(), strides, offset }, size: offset + Math.max(acc, 1) };
}

/** The elements of a strided view of host data, in row-major order. */
export function materialize(data: ArrayLike<number>, layout: Layout): number[] {
  const { shape, strides, offset } = layout;
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let o = offset;
    for (let d = 0; d < shape.length; d++) o += idx[d]! * strides[d]!;
    out[i] = data[o]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A device view of random data with a random layout, and its logical values. */
export function randomView(
  shape: readonly number[],
  dtype: DType,
  r: () => number,
  kind: LayoutKind = 'any',
  scale = 3,
): { view: View; values: number[]; host: TypedArray } {
  const { layout, size } = randomLayout(shape, r, kind);
  const host = randomData(dtype, size, r, scale);
  const storage = gpu.fromArray(host, dtype);
  return { view: { storage, layout, dtype }, values: materialize(host, layout), host };
}

/** A contiguous device view of given values. */
export function viewOf(values: ArrayLike<number>, shape: readonly number[], dtype: DType): View {
  const ctor = dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : Uint8Array;
  const storage = gpu.fromArray(ctor.from(values as ArrayLike<number>), dtype);
  return { storage, layout: contiguous(shape), dtype };
}

/** A row-major layout at offset 0. */
export function contiguous(shape: readonly number[]): Layout {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  return { shape: shape.slice(), strides, offset: 0 };
}

/** Reads a whole storage of `n` elements back as numbers. */
export async function readAll(storage: unknown, dtype: DType, n: number): Promise<number[]> {
  return Array.from(await gpu.read(storage, dtype, n));
}

/** Expects arrays equal up to a relative + absolute tolerance (NaN equals NaN). */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  rtol = 1e-5,
  atol = 1e-6,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) expect.fail(`element ${i}: expected NaN, got ${a}`);
      continue;
    }
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`element ${i}: expected ${e}, got ${a} (of ${expected.length})`);
    }
  }
}

/** Rounds like a store into the dtype's typed array. */
export function storeAs(dtype: DType, v: number): number {
  if (dtype === 'float32') return Math.fround(v);
  if (dtype === 'int32') return v | 0;
  return v !== 0 ? 1 : 0;
}

/** out[b] = A[b] · B[b] in doubles, reading both through their layouts. */
export function matmulRef(a: ArrayLike<number>, la: Layout, b: ArrayLike<number>, lb: Layout): number[] {
  const [batch, M, K] = la.shape as [number, number, number];
  const N = lb.shape[2]!;
  const out: number[] = [];
  for (let t = 0; t < batch; t++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          s +=
            a[la.offset + t * la.strides[0]! + m * la.strides[1]! + k * la.strides[2]!]! *
            b[lb.offset + t * lb.strides[0]! + k * lb.strides[1]! + n * lb.strides[2]!]!;
        }
        out.push(s);
      }
    }
  }
  return out;
}
