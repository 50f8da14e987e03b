/**
 * Test helpers: reading PyTorch reference tensors and comparing within a relative tolerance.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DType, type Tensor, tensor } from '@tsgrad/core';
import { expect } from 'vitest';

export const REF_DIR = fileURLToPath(new URL('../../../reference/', import.meta.url));

/** A reference tensor as stored in the JSON files. */
export interface RefTensor {
  shape: number[];
  dtype: 'float64' | 'int32' | 'bool';
  data: (number | boolean)[];
}

export function readRef<T>(name: string): T {
  return JSON.parse(readFileSync(REF_DIR + name, 'utf8')) as T;
}

/** A tensor from a reference entry; floating ones converted to `dtype`. */
export function fromRef(r: RefTensor, dtype: DType = 'float64'): Tensor {
  if (r.dtype === 'bool')
    return tensor(
      r.data.map((v) => (v ? 1 : 0)),
      { shape: r.shape, dtype: 'bool' },
    );
  if (r.dtype === 'int32') return tensor(r.data as number[], { shape: r.shape, dtype: 'int32' });
  return tensor(r.data as number[], { shape: r.shape, dtype });
}

/**
 * Asserts |a − e| ≤ rtol·max(|e|, scale) element-wise, where scale is the largest |e| times
 * 1e-3 (so elements near zero are not judged against their own tiny magnitude).
 */
export function expectClose(
  actual: Tensor,
  expected: ArrayLike<number>,
  shape: readonly number[],
  rtol: number,
  what = '',
): void {
  expect([...actual.shape], `${what} shape`).toEqual([...shape]);
  const a = actual.dataSync();
  let maxAbs = 0;
  for (let i = 0; i < expected.length; i++) maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
  const floor = Math.max(maxAbs * 1e-3, 1e-12);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(a[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), floor);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: worst relative error at ${at}: got ${a[at]}, expected ${expected[at]}`,
  ).toBeLessThanOrEqual(rtol);
}

export function expectRefClose(actual: Tensor, ref: RefTensor, rtol: number, what = ''): void {
  expectClose(actual, ref.data as number[], ref.shape, rtol, what);
}

/** Σ(out · gradOut) — its gradient w.r.t. anything is the vector-Jacobian product with gradOut. */
export function weightedSum(out: Tensor, gradOut: Tensor): Tensor {
  return out.mul(gradOut).sum();
}
