/**
 * gradcheck and gradgradcheck for every op of the registry, over random shapes, broadcasting
 * and values drawn by fast-check. An entry that opts out of one says why, and its claim is
 * checked instead: an op without a gradient must return a result that does not require one.
 */
import type { Tensor } from '@tsgrad/core';
import { gradcheck, gradgradcheck } from '@tsgrad/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFloatTensor } from '../src/reference.js';
import { type OpInfo, registry, type Sample } from '../src/registry/index.js';

/**
 * The sample as a function of its floating tensors only: fresh leaves that require grad, and
 * a function that puts them back in place of the originals.
 */
function asFunction(s: Sample, call: (args: readonly unknown[], kwargs: Record<string, unknown>) => Tensor) {
  const positions: number[] = [];
  const inputs: Tensor[] = [];
  s.args.forEach((a, i) => {
    if (isFloatTensor(a)) {
      positions.push(i);
      inputs.push(a.detach().clone().requiresGrad_());
    }
  });
  const fn = (...xs: Tensor[]) => {
    const args = s.args.slice();
    positions.forEach((p, k) => {
      args[p] = xs[k];
    });
    return call(args, s.kwargs);
  };
  return { fn, inputs };
}

function describeSample(s: Sample): string {
  const args = s.args.map((a) =>
    isFloatTensor(a) || (typeof a === 'object' && a !== null && 'shape' in a)
      ? `tensor[${(a as Tensor).shape}]`
      : JSON.stringify(a),
  );
  return `args (${args.join(', ')}) kwargs ${JSON.stringify(s.kwargs)}`;
}

/** Checks that `op` returns no gradient: its output does not require grad though its inputs do. */
function expectNoGradient(op: OpInfo): void {
  fc.assert(
    fc.property(op.sample, (s) => {
      const { fn, inputs } = asFunction(s, op.call);
      // An op of integer inputs only (oneHot) has nothing to differentiate: its result must not be floating.
      if (inputs.length === 0) {
        expect(op.call(s.args, s.kwargs).dtype, `${op.name} has no floating input`).toMatch(/int32|bool/);
        return;
      }
      expect(fn(...inputs).requiresGrad, `${op.name} claims no gradient`).toBe(false);
    }),
    { numRuns: 5 },
  );
}

describe('gradcheck over random samples', () => {
  it.each(registry.map((o) => [o.name, o] as const))('%s', (name, op) => {
    if (op.skip?.gradcheck !== undefined) {
      expectNoGradient(op);
      return;
    }
    fc.assert(
      fc.property(op.sample, (s) => {
        const { fn, inputs } = asFunction(s, op.call);
        try {
          gradcheck(fn, inputs, { name });
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  for ${describeSample(s)}`);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('gradgradcheck over random samples', () => {
  it.each(registry.map((o) => [o.name, o] as const))('%s', (name, op) => {
    if (op.skip?.gradgradcheck !== undefined) {
      // Only an op without a first derivative may leave out the second (registry.test.ts).
      expectNoGradient(op);
      return;
    }
    fc.assert(
      fc.property(op.sample, (s) => {
        const { fn, inputs } = asFunction(s, op.call);
        try {
          gradgradcheck(fn, inputs, { name });
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  for ${describeSample(s)}`);
        }
      }),
      { numRuns: 6 },
    );
  });
});
