/**
 * Properties of the elementwise ops over random shapes (empty dims too), dtypes, values
 * (NaN, ±∞, -0, subnormals) and operands (tensors that broadcast or not, numbers, values
 * of the wrong type): each call returns what the float64 reference computes or throws a
 * TsgradError (see conformance/src/properties).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { agree, arg } from '../../src/properties/agree.js';
import { arbArrOf, arbLayout, arbShape, DTYPES, JUNK, toTensor } from '../../src/properties/arbitraries.js';
import {
  ARITHMETIC,
  type BinaryName,
  binary,
  COMPARISONS,
  UNARY,
  unary,
} from '../../src/properties/elementwise.js';
import { type DType, isFloat } from '../../src/properties/reference.js';

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
      { numRuns: 1600 },
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
      { numRuns: 1600 },
    );
  });
});
