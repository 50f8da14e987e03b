/**
 * Movement ops (views: transpose, permute, reshape, expand, narrow …), joins and splits, and
 * copies.
 */
import type { Tensor } from '@tsgrad/core';
import { cat, stack } from '@tsgrad/core';
import { arbBroadcastableShapes, arbShape } from '@tsgrad/core/testing';
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbDim, arbFloat, arbValues, num, t, unarySample } from './samples.js';

/** Movement ops of `@tsgrad/core`. */
export const movementOps: OpInfo[] = [
  {
    name: 'transpose',
    call: (a) => t(a[0]).transpose(num(a[1]), num(a[2])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc.tuple(arbDim(x.ndim), arbDim(x.ndim)).map(([i, j]) => ({ args: [x, i, j], kwargs: {} })),
    ),
  },
  {
    name: 'permute',
    call: (a) => t(a[0]).permute(a[1] as number[]),
    sample: arbFloat().chain((x) =>
      fc
        .shuffledSubarray(
          x.shape.map((_, i) => i),
          { minLength: x.ndim, maxLength: x.ndim },
        )
        .map((p) => ({ args: [x, p], kwargs: {} })),
    ),
  },
  {
    name: 'reshape',
    call: (a) => t(a[0]).reshape(a[1] as number[]),
    // Reshapes a (possibly transposed, so non-contiguous) tensor to a shuffled factorisation.
    sample: fc.tuple(arbFloat({ minRank: 2 }), fc.boolean()).chain(([x0, tr]) => {
      const x = tr ? x0.transpose(0, 1) : x0;
      return fc
        .shuffledSubarray([...x.shape, 1], { minLength: x.ndim + 1, maxLength: x.ndim + 1 })
        .map((s) => ({ args: [x, s.length > 1 ? [s[0]! * s[1]!, ...s.slice(2)] : s], kwargs: {} }));
    }),
  },
  {
    name: 'flatten',
    call: (a) => t(a[0]).flatten(num(a[1]), num(a[2])),
    sample: arbFloat({ minRank: 1 })
      .chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 0, max: x.ndim - 1 })))
      .chain(([x, s]) =>
        fc
          .integer({ min: s, max: x.ndim - 1 })
          .map((e) => ({ args: [x.permute([...x.shape.keys()].reverse()), s, e], kwargs: {} })),
      ),
    skip: { reference: 'a reshape, which ops.json covers' },
  },
  {
    name: 'squeeze',
    call: (a) => t(a[0]).squeeze(a[1] as number | undefined),
    sample: arbShape({ minRank: 1, maxRank: 4, maxDim: 2 }).chain((s) =>
      fc
        .tuple(arbValues(s), fc.option(arbDim(s.length), { nil: undefined }))
        .map(([x, d]) => ({ args: [x, d], kwargs: {} })),
    ),
    skip: { reference: 'a reshape, which ops.json covers' },
  },
  {
    name: 'unsqueeze',
    call: (a) => t(a[0]).unsqueeze(num(a[1])),
    sample: arbFloat().chain((x) => arbDim(x.ndim + 1).map((d) => ({ args: [x, d], kwargs: {} }))),
    skip: { reference: 'a reshape, which ops.json covers' },
  },
  {
    name: 'expand',
    call: (a) => t(a[0]).expand(a[1] as number[]),
    sample: arbBroadcastableShapes({ maxRank: 3, maxDim: 3 }).chain(([s, full]) => {
      // Expand s to the broadcast of both shapes.
      const n = Math.max(s!.length, full!.length);
      const target = Array.from({ length: n }, (_, i) =>
        Math.max(s![s!.length - n + i] ?? 1, full![full!.length - n + i] ?? 1),
      );
      return arbValues(s!).map((x) => ({ args: [x, target], kwargs: {} }));
    }),
  },
  {
    name: 'narrow',
    call: (a) => t(a[0]).narrow(num(a[1]), num(a[2]), num(a[3])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbDim(x.ndim).chain((d) => {
        const size = x.shape[d < 0 ? d + x.ndim : d]!;
        return fc
          .integer({ min: 0, max: size - 1 })
          .chain((start) =>
            fc
              .integer({ min: 1, max: size - start })
              .map((len) => ({ args: [x, d, start, len], kwargs: {} })),
          );
      }),
    ),
  },
  {
    name: 'cat',
    call: (a) => cat(a.slice(0, -1) as Tensor[], num(a.at(-1))),
    sample: fc
      .tuple(arbShape({ minRank: 1, maxRank: 3, maxDim: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([s, count]) =>
        arbDim(s.length).chain((d) => {
          const dd = d < 0 ? d + s.length : d;
          return fc
            .array(
              fc.integer({ min: 1, max: 3 }).chain((len) => arbValues(s.map((v, i) => (i === dd ? len : v)))),
              { minLength: count, maxLength: count },
            )
            .map((ts) => ({ args: [...ts, d], kwargs: {} }));
        }),
      ),
  },
  {
    name: 'stack',
    call: (a) => stack(a.slice(0, -1) as Tensor[], num(a.at(-1))),
    sample: fc
      .tuple(arbShape({ maxRank: 2, maxDim: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([s, count]) =>
        fc
          .tuple(fc.array(arbValues(s), { minLength: count, maxLength: count }), arbDim(s.length + 1))
          .map(([ts, d]) => ({ args: [...ts, d], kwargs: {} })),
      ),
  },
  {
    name: 'split',
    // Returns the pieces joined back, so that every piece's gradient is exercised.
    call: (a) => {
      const pieces = t(a[0]).split(num(a[1]), num(a[2]));
      return cat(
        pieces.map((p, i) => p.mul(i + 1)),
        num(a[2]),
      );
    },
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc
        .tuple(fc.integer({ min: 1, max: 4 }), arbDim(x.ndim))
        .map(([size, d]) => ({ args: [x, size, d], kwargs: {} })),
    ),
    skip: { reference: 'ops.json has no split case; each piece is a narrow, which it covers' },
  },
  {
    name: 'clone',
    call: (a) => t(a[0]).clone(),
    sample: unarySample(),
    skip: { reference: 'a copy: the output is the input' },
  },
  {
    name: 'contiguous',
    call: (a) => t(a[0]).T.contiguous(),
    sample: unarySample(),
    skip: { reference: 'a copy of a transpose, both of which ops.json covers' },
  },
];
