/**
 * Properties of the reductions (with dim lists, keepdim, empty dims), softmax and
 * logSoftmax, and matmul over random shapes, dtypes and values: each call returns what the
 * float64 reference computes or throws a TsgradError (see conformance/src/properties).
 */
import { logSoftmax, softmax } from '@tsgrad/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { agree, arg } from '../../src/properties/agree.js';
import {
  arbArr,
  arbArrOf,
  arbDim,
  arbLayout,
  arbShape,
  DTYPES,
  JUNK,
  toTensor,
} from '../../src/properties/arbitraries.js';
import {
  argReduce,
  matmul,
  type ReductionName,
  reduce,
  softmax as softmaxRef,
} from '../../src/properties/reductions.js';
import type { Arr } from '../../src/properties/reference.js';

const call = (x: object, op: string, ...args: unknown[]) =>
  (x as Record<string, (...a: unknown[]) => unknown>)[op]!(...args);

/**
 * A `dim` argument of a reduction: none, one dim, a list of dims (repeats now and then), or
 * junk. Never an empty list: PyTorch reduces over every dim then (deprecated), NumPy over
 * none; tsgrad's amax and amin follow PyTorch, its other reductions NumPy.
 */
function arbDims(rank: number): fc.Arbitrary<unknown> {
  const dims = fc.array(arbDim(rank), { minLength: 1, maxLength: Math.max(rank, 1) + 1 });
  return fc
    .oneof(
      { arbitrary: fc.constant(undefined), weight: 2 },
      { arbitrary: arbDim(rank), weight: 4 },
      { arbitrary: dims, weight: 3 },
      { arbitrary: fc.constantFrom(...JUNK), weight: 1 },
    )
    .filter((d) => !(Array.isArray(d) && d.length === 0));
}

const arbKeepdim = fc.oneof(
  { arbitrary: fc.boolean(), weight: 8 },
  { arbitrary: fc.constantFrom(undefined, 1, 'yes', null), weight: 1 },
);

/** Products overflow quickly: prod gets finite, moderate values. */
const arbInput = (op: string) => arbArr(op === 'prod' ? { kind: 'tame', maxRank: 3 } : { maxRank: 4 });

const REDUCTIONS: readonly ReductionName[] = [
  'sum',
  'mean',
  'prod',
  'max',
  'min',
  'amax',
  'amin',
  'logsumexp',
];

describe('reductions, softmax and matmul: properties over the public API', () => {
  it('value reductions over dims, with keepdim', () => {
    const arbCase = fc
      .constantFrom(...REDUCTIONS)
      .chain((op) =>
        fc
          .tuple(fc.constant(op), arbInput(op))
          .chain(([op, x]) =>
            fc.tuple(fc.constant(op), fc.constant(x), arbDims(x.shape.length), arbKeepdim, arbLayout),
          ),
      );
    fc.assert(
      fc.property(arbCase, ([op, x, dim, keepdim, layout]) =>
        agree(
          `${op}(${arg(dim)}, ${arg(keepdim)})`,
          () => call(toTensor(x, layout), op, dim, keepdim),
          () => reduce(op, x, dim, keepdim),
        ),
      ),
      { numRuns: 1600 },
    );
  });

  it('argmax and argmin', () => {
    const arbCase = fc
      .tuple(fc.constantFrom('argmax' as const, 'argmin' as const), arbArr({ maxRank: 3 }))
      .chain(([op, x]) =>
        fc.tuple(
          fc.constant(op),
          fc.constant(x),
          fc.oneof(fc.constant(undefined), arbDim(x.shape.length), arbDims(x.shape.length)),
          arbKeepdim,
          arbLayout,
        ),
      );
    fc.assert(
      fc.property(arbCase, ([op, x, dim, keepdim, layout]) =>
        agree(
          `${op}(${arg(dim)}, ${arg(keepdim)})`,
          () => call(toTensor(x, layout), op, dim, keepdim),
          () => argReduce(op, x, dim, keepdim),
        ),
      ),
      { numRuns: 800 },
    );
  });

  it('softmax and logSoftmax along a dim', () => {
    const arbCase = fc
      .tuple(fc.constantFrom('softmax' as const, 'logSoftmax' as const), arbArr({ maxRank: 3 }))
      .chain(([op, x]) =>
        fc.tuple(fc.constant(op), fc.constant(x), arbDim(x.shape.length), arbLayout, fc.boolean()),
      );
    fc.assert(
      fc.property(arbCase, ([op, x, dim, layout, method]) => {
        const fn = op === 'softmax' ? softmax : logSoftmax;
        agree(
          `${op}(${arg(dim)})`,
          () => (method ? call(toTensor(x, layout), op, dim) : fn(toTensor(x, layout), dim as number)),
          () => softmaxRef(op, x, dim),
        );
      }),
      { numRuns: 800 },
    );
  });

  it('matmul of vectors, matrices and broadcast batches', () => {
    const arbPair: fc.Arbitrary<[Arr, Arr]> = fc
      .tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        arbShape({ maxRank: 2, maxDim: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(...DTYPES),
        fc.constantFrom(...DTYPES),
      )
      .chain(([kind, m, k, n, batch, cut, k2, da, db]) => {
        // kind: 1-d·1-d, 2-d·1-d, 1-d·2-d, batched; k2 ≠ k now and then (inner mismatch).
        const inner = k2 === 4 ? k + 1 : k;
        const sa = kind === 1 || kind === 3 ? [k] : [...batch, m, k];
        const sb = kind === 1 || kind === 2 ? [inner] : [...batch.slice(cut), inner, n];
        return fc.tuple(arbArrOf(sa, da, 'finite'), arbArrOf(sb, db, 'finite'));
      });
    fc.assert(
      fc.property(arbPair, arbLayout, arbLayout, ([a, b], la, lb) =>
        agree(
          'matmul',
          () => toTensor(a, la).matmul(toTensor(b, lb)),
          () => matmul(a, b),
        ),
      ),
      { numRuns: 800 },
    );
  });
});
