/**
 * gradcheck for every differentiable op of the registry, and gradgradcheck for the smooth
 * ones, over random shapes, broadcasting and values drawn by fast-check.
 */
import type { Tensor } from '@tsgrad/core';
import { gradcheck, gradgradcheck } from '@tsgrad/core/testing';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { registry, type Sample } from './registry.js';
import { isFloatTensor } from './sample-args.js';

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

const differentiable = registry.filter((o) => o.differentiable && o.sample !== undefined);
const smooth = differentiable.filter((o) => o.smooth);

describe('gradcheck over random samples', () => {
  it.each(differentiable.map((o) => [o.name, o] as const))('%s', (name, op) => {
    fc.assert(
      fc.property(op.sample!, (s) => {
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
  it.each(smooth.map((o) => [o.name, o] as const))('%s', (name, op) => {
    fc.assert(
      fc.property(op.sample!, (s) => {
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
