import { type DType, type Tensor, tensor } from '@tsgrad/core';
import { describe, expect, test } from 'vitest';
import { makers, type RefTensor, ref } from './reference.js';

function load(t: RefTensor, dtype: DType, requiresGrad = false): Tensor {
  return tensor(t.data, { dtype, requiresGrad }).reshape(t.shape);
}

/** Largest |a−b| / max(|b|, tiny) over the elements. */
function relError(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.max(Math.abs(e), 1e-12));
  }
  return worst;
}

describe.each([
  ['float64', 1e-10],
  ['float32', 1e-4],
] as const)('optim.json in %s', (dtype, tol) => {
  test('covers every optimizer', () => {
    expect(new Set(ref.cases.map((c) => c.optimizer))).toEqual(new Set(Object.keys(makers)));
  });
  test.each(ref.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const p = tensor(c.param0.data, { dtype }).reshape(c.param0.shape).detach().requiresGrad_();
    const opt = makers[c.optimizer]!([p], c.options);
    expect(c.params.length).toBe(c.grads.length);
    c.grads.forEach((g, step) => {
      p.grad = load(g, dtype);
      opt.step();
      const err = relError(p.dataSync(), c.params[step]!.data);
      expect(err, `step ${step + 1}`).toBeLessThan(tol);
    });
    expect(p.requiresGrad).toBe(true);
    expect(p.gradFn).toBeNull();
  });
});
