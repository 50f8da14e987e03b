import { type DType, type Tensor, tensor } from '@tsgrad/core';
import { describe, expect, test } from 'vitest';
import { expectedParams, makers, type RefTensor, refs, relError } from './reference.js';

function load(t: RefTensor, dtype: DType, requiresGrad = false): Tensor {
  return tensor(t.data, { dtype, requiresGrad }).reshape(t.shape);
}

const cases = Object.values(refs).flatMap((r) => r.cases);

test('the reference files cover every optimizer that steps from gradients alone', () => {
  expect(new Set(cases.map((c) => c.optimizer))).toEqual(new Set(Object.keys(makers)));
});

describe.each([
  ['optim.json', 'float64', 1e-10],
  ['optim.json', 'float32', 1e-4],
  ['parity-optim.json', 'float64', 1e-10],
  ['parity-optim.json', 'float32', 1e-4],
] as const)('%s in %s', (file, dtype, tol) => {
  const { meta, cases: fileCases } = refs[file]!;
  test.each(fileCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const expected = expectedParams(meta.generator, c);
    const p = tensor(c.param0.data, { dtype }).reshape(c.param0.shape).detach().requiresGrad_();
    const opt = makers[c.optimizer]!([p], c.options);
    expect(c.params.length).toBe(c.grads.length);
    c.grads.forEach((g, step) => {
      p.grad = load(g, dtype);
      opt.step();
      const err = relError(p.dataSync(), expected[step]!);
      expect(err, `step ${step + 1}`).toBeLessThan(tol);
    });
    expect(p.requiresGrad).toBe(true);
    expect(p.gradFn).toBeNull();
  });
});
