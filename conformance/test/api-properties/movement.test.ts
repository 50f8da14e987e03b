/**
 * Properties of the movement ops (reshape, permute, transpose, flatten, squeeze, unsqueeze,
 * expand, narrow, slice, cat, stack) and of gather and indexSelect over random shapes (empty
 * dims too), dtypes, layouts and arguments (valid, out of range, fractional, wrong types):
 * each call returns what the reference computes or throws a TsgradError (see
 * conformance/src/properties).
 */
import { cat, stack } from '@tsgrad/core';
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
import * as M from '../../src/properties/movement.js';
import { type Arr, type DType, numel } from '../../src/properties/reference.js';

const call = (x: object, op: string, ...args: unknown[]) =>
  (x as Record<string, (...a: unknown[]) => unknown>)[op]!(...args);

/**
 * A size argument: mostly small, else -1, a fraction or junk; `huge` adds 2³¹ (for reshape,
 * where it cannot fit; expand would make a view that big, too big to check).
 */
const arbSize = (huge = false) =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 8 },
    { arbitrary: fc.constant(-1), weight: 3 },
    { arbitrary: fc.constantFrom(-2, 1.5, Number.NaN, ...(huge ? [2 ** 31] : []), ...JUNK), weight: 1 },
  );

/** Sizes for reshape: the shape of a tensor with as many elements (dims regrouped), or anything. */
function arbSizes(x: Arr): fc.Arbitrary<readonly unknown[]> {
  const regrouped = fc.shuffledSubarray(x.shape.slice()).map((s) => {
    const rest = numel(x.shape) / Math.max(numel(s), 1);
    return numel(s) === 0 || !Number.isInteger(rest) ? [...x.shape] : [...s, rest];
  });
  const withFree = regrouped.chain((s) =>
    fc.integer({ min: 0, max: Math.max(s.length - 1, 0) }).map((i) => s.map((v, j) => (j === i ? -1 : v))),
  );
  return fc.oneof(regrouped, withFree, fc.array(arbSize(true), { maxLength: 4 }));
}

/** A permutation of a tensor's dims (negative now and then), or a broken one. */
function arbPerm(rank: number): fc.Arbitrary<readonly unknown[]> {
  const perm = fc
    .shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank })
    .chain((p) =>
      fc
        .array(fc.boolean(), { minLength: rank, maxLength: rank })
        .map((neg) => p.map((d, i) => (neg[i] ? d - rank : d))),
    );
  return fc.oneof(
    { arbitrary: perm, weight: 6 },
    { arbitrary: fc.array(arbDim(rank), { maxLength: rank + 1 }), weight: 1 },
  );
}

/** A start/end/length argument of slice and narrow. */
const arbBound = fc.oneof(
  { arbitrary: fc.integer({ min: -5, max: 5 }), weight: 8 },
  { arbitrary: fc.constantFrom(undefined, 0.5, Number.NaN, ...JUNK), weight: 1 },
);

const arr = (dtype: DType, data: number[], shape = [data.length]): Arr => ({ shape, dtype, data });

/** Calls these properties once failed (the bugs they found, fixed); each run replays them. */
const FOUND_RESHAPING: [[string, Arr, readonly unknown[], Layout, boolean]][] = [
  [['flatten', arr('bool', [0], []), ['a', 0], 'offset', true]],
  [['reshape', arr('float32', [-3], [1, 1, 1]), [[], 0], 'contiguous', true]],
];
const FOUND_SLICING: [[string, Arr, readonly unknown[], Layout]][] = [
  [['narrow', arr('float32', [0], []), [0, 0, 0], 'offset']],
  [['expand', arr('float64', [1], []), [[], 0], 'offset']],
];
const FOUND_JOINING: [[string, unknown, unknown, Layout]][] = [
  [['cat', [arr('float32', [0], [])], 0, 'contiguous']],
  [['cat', 'a', 0, 'contiguous']],
  [['stack', [arr('int32', [1]), 7], 0, 'contiguous']],
];

describe('movement and indexing ops: properties over the public API', () => {
  it('reshape, permute, transpose and flatten', () => {
    const arbCase = fc
      .tuple(fc.constantFrom('reshape', 'permute', 'transpose', 'flatten'), arbArr(), arbLayout, fc.boolean())
      .chain(([op, x, layout, spread]) => {
        const rank = x.shape.length;
        const args: fc.Arbitrary<readonly unknown[]> =
          op === 'reshape'
            ? arbSizes(x)
            : op === 'permute'
              ? arbPerm(rank)
              : op === 'transpose'
                ? fc.tuple(arbDim(rank), arbDim(rank))
                : fc.oneof(fc.constant([]), fc.tuple(arbDim(rank)), fc.tuple(arbDim(rank), arbDim(rank)));
        return fc.tuple(fc.constant(op), fc.constant(x), args, fc.constant(layout), fc.constant(spread));
      });
    fc.assert(
      fc.property(arbCase, ([op, x, args, layout, spread]) => {
        // Size lists go in spread (reshape(2, 3)) or as one array (reshape([2, 3])).
        const given = (op === 'reshape' || op === 'permute') && !spread ? [args] : args;
        const expected = () => {
          if (op === 'reshape') return M.reshape(x, given);
          if (op === 'permute') return M.permute(x, given);
          if (op === 'transpose') return M.transpose(x, args[0], args[1]);
          return M.flatten(x, ...args);
        };
        agree(`${op}(${arg(given)})`, () => call(toTensor(x, layout), op, ...given), expected);
      }),
      { numRuns: 1200, examples: FOUND_RESHAPING },
    );
  });

  it('squeeze, unsqueeze, expand, narrow and slice', () => {
    const arbCase = fc
      .tuple(fc.constantFrom('squeeze', 'unsqueeze', 'expand', 'narrow', 'slice'), arbArr(), arbLayout)
      .chain(([op, x, layout]) => {
        const rank = x.shape.length;
        const args: fc.Arbitrary<readonly unknown[]> =
          op === 'squeeze'
            ? fc.oneof(fc.constant([]), fc.tuple(arbDim(rank)))
            : op === 'unsqueeze'
              ? fc.tuple(arbDim(rank, 1))
              : op === 'expand'
                ? fc
                    .tuple(
                      fc.array(arbSize(), { maxLength: 2 }),
                      fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
                    )
                    .map(([lead, keep]) => [
                      ...lead,
                      ...x.shape.map((d, i) => (keep[i] ? (d === 1 ? 3 : d) : -1)),
                    ])
                : op === 'narrow'
                  ? fc.tuple(arbDim(rank), arbBound, arbBound)
                  : fc.tuple(
                      arbDim(rank),
                      arbBound,
                      arbBound,
                      fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, -1, 1.5, undefined)),
                    );
        return fc.tuple(fc.constant(op), fc.constant(x), args, fc.constant(layout));
      });
    fc.assert(
      fc.property(arbCase, ([op, x, args, layout]) => {
        const expected = () => {
          if (op === 'squeeze') return M.squeeze(x, ...args);
          if (op === 'unsqueeze') return M.unsqueeze(x, args[0]);
          if (op === 'expand') return M.expand(x, args);
          if (op === 'narrow') return M.narrow(x, args[0], args[1], args[2]);
          return M.slice(x, ...args);
        };
        agree(`${op}(${arg(args)})`, () => call(toTensor(x, layout), op, ...args), expected);
      }),
      { numRuns: 1200, examples: FOUND_SLICING },
    );
  });

  it('cat and stack of tensors that fit together or not', () => {
    const arbCase = fc
      .tuple(arbShape({ minRank: 0 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom('cat', 'stack'))
      .chain(([shape, count, op]) => {
        const rank = shape.length;
        const member = fc
          .tuple(fc.constantFrom(...DTYPES), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 9 }))
          .chain(([dtype, grow, odd]) => {
            // Along dim 0 sizes may differ (cat joins them); now and then a shape that does not fit.
            const s = odd === 0 ? [...shape, 2] : rank > 0 ? [grow, ...shape.slice(1)] : [];
            return arbArrOf(op === 'stack' && odd !== 0 ? shape : s, dtype);
          });
        return fc.tuple(
          fc.constant(op),
          fc.oneof(
            { arbitrary: fc.array(member, { minLength: count, maxLength: count }), weight: 12 },
            { arbitrary: fc.constantFrom<unknown>([], 'a', undefined, [1, 2]), weight: 1 },
          ),
          fc.oneof(fc.constant(undefined), arbDim(rank, op === 'stack' ? 1 : 0)),
          arbLayout,
        );
      });
    fc.assert(
      fc.property(arbCase, ([op, list, dim, layout]) => {
        const tensors = Array.isArray(list)
          ? list.map((a) => (typeof a === 'object' ? toTensor(a as Arr, layout) : a))
          : list;
        const fn = op === 'cat' ? cat : stack;
        const ref = op === 'cat' ? M.cat : M.stack;
        agree(
          `${op}(…, ${arg(dim)})`,
          () => fn(tensors as never, dim as number),
          () => ref(list, dim),
        );
      }),
      { numRuns: 800, examples: FOUND_JOINING },
    );
  });

  it('gather and indexSelect with int32 tensors or integer arrays', () => {
    const arbCase = fc
      .tuple(fc.constantFrom('gather', 'indexSelect'), arbArr({ minRank: 1 }), arbLayout)
      .chain(([op, x, layout]) => {
        const rank = x.shape.length;
        return fc
          .tuple(fc.constant(op), fc.constant(x), arbDim(rank), fc.constant(layout))
          .chain(([op, x, dim, layout]) => {
            const d =
              typeof dim === 'number' && Number.isInteger(dim) && dim >= -rank && dim < rank
                ? (dim + rank) % rank
                : 0;
            const size = x.shape[d]!;
            const value = fc.oneof(
              { arbitrary: fc.integer({ min: 0, max: Math.max(size - 1, 0) }), weight: 10 },
              { arbitrary: fc.constantFrom(-1, size, 2 ** 31 - 1), weight: 1 },
            );
            const shape =
              op === 'gather'
                ? fc.tuple(
                    ...x.shape.map((s, i) =>
                      fc.integer({ min: 0, max: i === d ? 3 : s + (i === 0 ? 1 : 0) }),
                    ),
                  )
                : fc.oneof(
                    { arbitrary: arbShape({ minRank: 1, maxRank: 1 }), weight: 8 },
                    { arbitrary: arbShape({ maxRank: 2 }), weight: 1 },
                  );
            const index = shape.chain((s) =>
              fc
                .array(value, { minLength: numel(s), maxLength: numel(s) })
                .map((data): Arr => ({ shape: s, dtype: 'int32', data })),
            );
            // An int32 tensor, nested arrays of integers, a float tensor (refused), or junk.
            const given = fc.oneof(
              {
                arbitrary: index.map((i) => ({ ref: i as unknown, pass: toTensor(i) as unknown })),
                weight: 6,
              },
              {
                arbitrary: index.map((i) => ({ ref: nested(i) as unknown, pass: nested(i) as unknown })),
                weight: 2,
              },
              {
                arbitrary: index.map((i) => ({
                  ref: { ...i, dtype: 'float32' } as unknown,
                  pass: toTensor({ ...i, dtype: 'float32' }) as unknown,
                })),
                weight: 1,
              },
              { arbitrary: fc.constantFrom(...JUNK).map((j) => ({ ref: j, pass: j })), weight: 1 },
            );
            return fc.tuple(fc.constant(op), fc.constant(x), fc.constant(dim), given, fc.constant(layout));
          });
      });
    fc.assert(
      fc.property(arbCase, ([op, x, dim, index, layout]) => {
        const ref = op === 'gather' ? M.gather : M.indexSelect;
        agree(
          `${op}(${arg(dim)}, …)`,
          () => call(toTensor(x, layout), op, dim, index.pass),
          () => ref(x, dim, index.ref),
        );
      }),
      { numRuns: 1200 },
    );
  });
});

/** An index array as nested JavaScript arrays. */
function nested(a: Arr): unknown {
  const build = (depth: number, offset: number): unknown => {
    if (depth === a.shape.length) return a.data[offset];
    const stride = numel(a.shape.slice(depth + 1));
    return Array.from({ length: a.shape[depth]! }, (_, i) => build(depth + 1, offset + i * stride));
  };
  return build(0, 0);
}
