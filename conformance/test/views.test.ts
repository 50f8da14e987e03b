/**
 * Kernels read their operands through strides and offsets. For every registry op, running on
 * strided views (permuted, interleaved with other data, at an offset) must give the same
 * values and gradients as running on contiguous tensors.
 */
import { grad, type Tensor } from '@tsgrad/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFloatTensor } from '../src/reference.js';
import { registry, type Sample } from '../src/registry/index.js';
import { isTensor, strided } from '../src/views.js';

function run(
  s: Sample,
  call: (a: readonly unknown[], k: Record<string, unknown>) => Tensor,
  transform: (t: Tensor) => Tensor,
) {
  const args = s.args.map((a) => (isTensor(a) ? transform(a) : a));
  const leaves = args.filter(isFloatTensor).map((t) => t.requiresGrad_());
  const out = call(args, s.kwargs);
  const values = Array.from(out.dataSync());
  if (!out.requiresGrad || leaves.length === 0) return { values, grads: [] as number[][] };
  const gs = grad(out.to('float64').mul(out.detach().to('float64').abs().add(1).reciprocal()).sum(), leaves, {
    allowUnused: true,
  });
  return { values, grads: gs.map((g) => (g === null ? [] : Array.from(g.dataSync()))) };
}

function close(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((v, i) => v === b[i] || Math.abs(v - b[i]!) <= 1e-12 * Math.max(1, Math.abs(b[i]!)));
}

describe('strided operands give the same results as contiguous ones', () => {
  it.each(registry.map((o) => [o.name, o] as const))('%s', (_name, op) => {
    fc.assert(
      fc.property(op.sample, (s) => {
        const plain = run(s, op.call, (t) => t.detach().clone());
        const views = run(s, op.call, strided);
        expect(close(views.values, plain.values), 'forward values').toBe(true);
        expect(views.grads.length).toBe(plain.grads.length);
        views.grads.forEach((g, i) => {
          expect(close(g, plain.grads[i]!), `gradient of float input ${i}`).toBe(true);
        });
      }),
      { numRuns: 6 },
    );
  });
});
