/**
 * Properties of the elementwise ops over random shapes (empty dims too), dtypes, values
 * (NaN, ±∞, -0, subnormals) and operands (tensors that broadcast or not, numbers, values
 * of the wrong type): each call returns what the float64 reference computes or throws a
 * TsgradError (see conformance/src/properties).
 */
import { type Tensor, where } from '@tsgrad/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { agree, arg } from '../../src/properties/agree.js';
import type { Layout } from '../../src/properties/arbitraries.js';
import { arbArrOf, arbLayout, arbShape, DTYPES, JUNK, toTensor } from '../../src/properties/arbitraries.js';
import {
  ARITHMETIC,
  type BinaryName,
  binary,
  COMPARISONS,
  UNARY,
  unary,
} from '../../src/properties/elementwise.js';
import { type Arr, type DType, isFloat, Rejected } from '../../src/properties/reference.js';

const call = (x: object, op: string, ...args: unknown[]) =>
  (x as Record<string, (...a: unknown[]) => unknown>)[op]!(...args);

const BINARY: readonly BinaryName[] = [...ARITHMETIC, ...COMPARISONS];

/** A second shape for `shape`: one that broadcasts with it (most often) or any other. */
function arbOtherShape(shape: readonly number[]): fc.Arbitrary<number[]> {
  const broadcastable = fc
    .tuple(fc.integer({ min: 0, max: shape.length }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }))
    .map(([drop, ones]) => shape.slice(drop).map((d, i) => (ones[i] ? 1 : d)));
  const longer = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constant(shape)).map(([k, s]) => [k, ...s]);
  return fc.oneof(
    { arbitrary: broadcastable, weight: 6 },
    { arbitrary: longer, weight: 1 },
    { arbitrary: arbShape(), weight: 2 },
  );
}

/** Integers small enough that pow stays exact (powers of larger ones overflow int32). */
const kindFor = (op: string, dtype: DType) => (op === 'pow' && !isFloat(dtype) ? 'tame' : 'any');

const arr = (dtype: DType, data: number[], shape = [data.length]): Arr => ({ shape, dtype, data });

/** Calls these properties once failed (the bugs they found, fixed); each run replays them. */
const FOUND_BETWEEN_TENSORS: [[BinaryName, Arr, Arr, Layout, Layout]][] = [
  [['pow', arr('bool', [1], []), arr('float64', [Number.NaN], []), 'contiguous', 'contiguous']],
  [
    [
      'pow',
      arr('float32', [-1, 1]),
      arr('float32', [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
      'contiguous',
      'contiguous',
    ],
  ],
  [['mul', arr('int32', [-16777217]), arr('int32', [2147483647]), 'contiguous', 'contiguous']],
];
const FOUND_WITH_NUMBER: [[BinaryName, Arr, unknown, Layout]][] = [
  [['add', arr('float32', [Number.NaN], []), 'a', 'contiguous']],
  [['eq', arr('int32', [1]), null, 'contiguous']],
  [['minimum', arr('int32', [0], []), 2 ** 31, 'contiguous']],
  [['lt', arr('bool', [0, 1]), 1e10, 'contiguous']],
  [['ge', arr('int32', [-2147483648, 5]), -(2 ** 40), 'contiguous']],
];

describe('elementwise ops: properties over the public API', () => {
  it('unary ops', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(UNARY)),
        fc.tuple(arbShape(), fc.constantFrom(...DTYPES)).chain(([s, d]) => arbArrOf(s, d)),
        arbLayout,
        (op, x, layout) =>
          agree(
            `${op}`,
            () => call(toTensor(x, layout), op),
            () => unary(op, x),
          ),
      ),
      { numRuns: 1200 },
    );
  });

  it('binary ops between tensors, with broadcasting and type promotion', () => {
    const arbCase = fc.constantFrom(...BINARY).chain((op) =>
      fc
        .tuple(fc.constant(op), arbShape(), fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES))
        .chain(([op, sa, da, db]) =>
          fc.tuple(
            fc.constant(op),
            arbArrOf(sa, da, kindFor(op, da)),
            arbOtherShape(sa).chain((sb) => arbArrOf(sb, db, kindFor(op, db))),
            arbLayout,
            arbLayout,
          ),
        ),
    );
    fc.assert(
      fc.property(arbCase, ([op, a, b, la, lb]) =>
        agree(
          `${op}`,
          () => call(toTensor(a, la), op, toTensor(b, lb)),
          () => binary(op, a, b),
        ),
      ),
      { numRuns: 1600, examples: FOUND_BETWEEN_TENSORS },
    );
  });

  it('binary ops with a number or a value of the wrong type', () => {
    const number = fc.oneof(
      { arbitrary: fc.integer({ min: -4, max: 4 }), weight: 4 },
      { arbitrary: fc.double({ min: -10, max: 10 }), weight: 3 },
      {
        arbitrary: fc.constantFrom(0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        weight: 2,
      },
      {
        arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 40, 1e10, Number.MAX_SAFE_INTEGER),
        weight: 1,
      },
    );
    const other = fc.oneof(
      { arbitrary: number, weight: 8 },
      { arbitrary: fc.constantFrom(...JUNK), weight: 1 },
    );
    const arbCase = fc
      .tuple(fc.constantFrom(...BINARY), arbShape(), fc.constantFrom(...DTYPES))
      .chain(([op, s, d]) => fc.tuple(fc.constant(op), arbArrOf(s, d, kindFor(op, d)), other, arbLayout));
    fc.assert(
      fc.property(arbCase, ([op, a, b, layout]) => {
        // Integer powers of large exponents overflow; the reference wraps exactly, which is
        // beside the point here.
        fc.pre(!(op === 'pow' && typeof b === 'number' && Number.isInteger(b) && Math.abs(b) > 8));
        agree(
          `${op} with ${arg(b)}`,
          () => call(toTensor(a, layout), op, b),
          () => binary(op, a, b),
        );
      }),
      { numRuns: 1600, examples: FOUND_WITH_NUMBER },
    );
  });

  it('ops taking a tensor operand refuse values of other types', () => {
    const calls: Record<string, (x: Tensor, v: unknown) => unknown> = {
      add: (x, v) => x.add(v as Tensor),
      eq: (x, v) => x.eq(v as Tensor),
      logicalAnd: (x, v) => x.logicalAnd(v as Tensor),
      logicalOr: (x, v) => x.logicalOr(v as Tensor),
      matmul: (x, v) => x.matmul(v as Tensor),
      dot: (x, v) => x.dot(v as Tensor),
      outer: (x, v) => x.outer(v as Tensor),
      whereCondition: (x, v) => where(v as Tensor, x, x),
      whereChoice: (x, v) => where(x.gt(0), v as Tensor, x),
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(calls)),
        fc.tuple(arbShape({ minRank: 1 }), fc.constantFrom(...DTYPES)).chain(([s, d]) => arbArrOf(s, d)),
        fc.constantFrom(...JUNK.filter((j) => typeof j !== 'number')),
        (name, x, junk) =>
          agree(
            `${name} with ${arg(junk)}`,
            () => calls[name]!(toTensor(x), junk),
            () => {
              throw new Rejected('not a tensor');
            },
          ),
      ),
      { numRuns: 300 },
    );
  });

  it('where refuses a number beyond int32 for an int32 result', () => {
    const x = toTensor(arr('int32', [1, 2]));
    agree(
      'where with 2⁴⁰',
      () => where(x.gt(1), x, 2 ** 40),
      () => {
        throw new Rejected('2⁴⁰ does not fit int32');
      },
    );
  });
});
