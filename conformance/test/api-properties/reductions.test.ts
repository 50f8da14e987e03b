/**
 * Properties of the reductions (with dim lists, keepdim, empty dims), softmax and
 * logSoftmax, and matmul over random shapes, dtypes and values: each call returns what the
 * float64 reference computes or throws a TsgradError (see conformance/src/properties).
 */
import { logSoftmax, softmax, type Tensor } from '@tsgrad/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { agree, arg } from '../../src/properties/agree.js';
import type { Layout } from '../../src/properties/arbitraries.js';
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
import { isArr } from '../../src/properties/elementwise.js';
import {
  argReduce,
  matmul,
  type ReductionName,
  reduce,
  softmax as softmaxRef,
} from '../../src/properties/reductions.js';
import type { Arr, DType } from '../../src/properties/reference.js';

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

const arr = (dtype: DType, data: number[], shape = [data.length]): Arr => ({ shape, dtype, data });
const big = 2147483647;

/** Calls these properties once failed (the bugs they found, fixed); each run replays them. */
const FOUND_REDUCTIONS: [[ReductionName, Arr, unknown, unknown, Layout]][] = [
  [['sum', arr('bool', [0]), 'a', undefined, 'contiguous']],
  [['sum', arr('float32', [1, 2, 3, 4, 5, 6], [2, 3]), [0, -2], false, 'contiguous']],
  [['prod', arr('int32', [1, 2], [2]), 0, 'yes', 'contiguous']],
  [['amax', arr('float32', [1], []), null, false, 'contiguous']],
  [['max', arr('float32', [], [0, 3]), 1, false, 'contiguous']],
  [['amin', arr('int32', [], [2, 0, 3]), [0, 2], true, 'transposed']],
];
const FOUND_ARG: [['argmax' | 'argmin', Arr, unknown, unknown, Layout]][] = [
  [['argmax', arr('float32', [-0], []), undefined, 1, 'contiguous']],
  [['argmin', arr('float64', [], [0, 2]), 1, false, 'contiguous']],
];
const FOUND_SOFTMAX: [['softmax' | 'logSoftmax', Arr, unknown, Layout, boolean]][] = [
  [['softmax', arr('float32', [0, Number.POSITIVE_INFINITY, 0]), 0, 'contiguous', false]],
  [['softmax', arr('int32', [big, 0, big]), 0, 'contiguous', false]],
  [['logSoftmax', arr('float64', [0, 3.4e38, 3.4e38, 0], [4, 1]), 0, 'offset', true]],
];
const FOUND_MATMUL: [[Arr, unknown], Layout, Layout][] = [
  [[arr('int32', [1], [1, 1]), arr('int32', [16777217], [1, 1])], 'contiguous', 'contiguous'],
  [[arr('int32', [big, -big - 1]), arr('int32', [big, 3])], 'contiguous', 'contiguous'],
  [[arr('float32', [1, 2]), [1, 2]], 'contiguous', 'contiguous'],
];

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
      { numRuns: 1600, examples: FOUND_REDUCTIONS },
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
      { numRuns: 800, examples: FOUND_ARG },
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
      { numRuns: 800, examples: FOUND_SOFTMAX },
    );
  });

  it('matmul of vectors, matrices and broadcast batches', () => {
    const arbPair: fc.Arbitrary<[Arr, unknown]> = fc
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
        // Now and then the other operand is 0-d or not a tensor at all.
        const other = fc.oneof(
          { arbitrary: arbArrOf(sb, db, 'finite'), weight: 12 },
          { arbitrary: arbArrOf([], db), weight: 1 },
          { arbitrary: fc.constantFrom(...JUNK), weight: 1 },
        );
        return fc.tuple(arbArrOf(sa, da, 'finite'), other);
      });
    fc.assert(
      fc.property(arbPair, arbLayout, arbLayout, ([a, b], la, lb) =>
        agree(
          'matmul',
          () => toTensor(a, la).matmul((isArr(b) ? toTensor(b, lb) : b) as Tensor),
          () => matmul(a, b),
        ),
      ),
      { numRuns: 800, examples: FOUND_MATMUL },
    );
  });
});
