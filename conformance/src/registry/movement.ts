/**
 * Movement ops (views: transpose, permute, reshape, expand, narrow …), joins and splits, and
 * copies.
 */
import type { Tensor } from '@tsgrad/core';
import { cat, stack } from '@tsgrad/core';
import { arbBroadcastableShapes, arbShape } from '@tsgrad/core/testing';
import { functional as F } from '@tsgrad/nn';
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbDim, arbFloat, arbValues, num, t, unarySample } from './samples.js';

/** An optional integer argument (null or undefined in a case means omitted). */
const opt = (v: unknown) => (v === null || v === undefined ? undefined : (v as number));
/** A dim argument: a number or a list of numbers. */
const dims = (v: unknown) => v as number | number[];
/** Normalises a possibly negative dim of a tensor of rank `n`. */
const norm = (d: number, n: number) => (d < 0 ? d + n : d);

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
  {
    name: 'flip',
    call: (a) => t(a[0]).flip(dims(a[1])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc
        .subarray(
          x.shape.map((_, i) => i),
          { minLength: 1 },
        )
        .map((ds) => ({ args: [x, ds], kwargs: {} })),
    ),
  },
  {
    name: 'roll',
    call: (a) => t(a[0]).roll(dims(a[1]), a[2] === undefined ? undefined : dims(a[2])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc.oneof(
        fc.integer({ min: -5, max: 5 }).map((s) => ({ args: [x, s], kwargs: {} })),
        fc
          .subarray(
            x.shape.map((_, i) => i),
            { minLength: 1 },
          )
          .chain((ds) =>
            fc
              .array(fc.integer({ min: -5, max: 5 }), { minLength: ds.length, maxLength: ds.length })
              .map((sh) => ({ args: [x, sh, ds], kwargs: {} })),
          ),
      ),
    ),
  },
  {
    name: 'repeat',
    call: (a) => t(a[0]).repeat(a[1] as number[]),
    sample: arbFloat({ maxRank: 2 }).chain((x) =>
      fc
        .array(fc.integer({ min: 1, max: 3 }), { minLength: x.ndim, maxLength: x.ndim + 1 })
        .map((reps) => ({ args: [x, reps], kwargs: {} })),
    ),
  },
  {
    name: 'tile',
    call: (a) => t(a[0]).tile(a[1] as number[]),
    sample: arbFloat({ maxRank: 2 }).chain((x) =>
      fc
        .array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: x.ndim + 1 })
        .map((reps) => ({ args: [x, reps], kwargs: {} })),
    ),
  },
  {
    name: 'repeatInterleave',
    call: (a, k) => t(a[0]).repeatInterleave(a[1] as number | number[], opt(k.dim ?? a[2])),
    sample: arbFloat({ maxRank: 3 }).chain((x) =>
      fc.oneof(
        fc.integer({ min: 0, max: 3 }).map((r) => ({ args: [x, r], kwargs: {} })),
        arbDim(x.ndim).chain((d) =>
          fc.oneof(
            fc.integer({ min: 1, max: 3 }).map((r) => ({ args: [x, r], kwargs: { dim: d } })),
            fc
              .array(fc.integer({ min: 0, max: 3 }), {
                minLength: x.ndim === 0 ? 1 : x.shape[norm(d, x.ndim)]!,
                maxLength: x.ndim === 0 ? 1 : x.shape[norm(d, x.ndim)]!,
              })
              .map((r) => ({ args: [x, r], kwargs: { dim: d } })),
          ),
        ),
      ),
    ),
  },
  {
    name: 'tril',
    call: (a, k) => t(a[0]).tril(opt(k.diagonal ?? a[1])),
    sample: arbFloat({ minRank: 2 }).chain((x) =>
      fc.integer({ min: -4, max: 4 }).map((diagonal) => ({ args: [x], kwargs: { diagonal } })),
    ),
  },
  {
    name: 'triu',
    call: (a, k) => t(a[0]).triu(opt(k.diagonal ?? a[1])),
    sample: arbFloat({ minRank: 2 }).chain((x) =>
      fc.integer({ min: -4, max: 4 }).map((diagonal) => ({ args: [x], kwargs: { diagonal } })),
    ),
  },
  {
    name: 'select',
    call: (a) => t(a[0]).select(num(a[1]), num(a[2])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbDim(x.ndim).chain((d) => {
        const n = x.shape[norm(d, x.ndim)]!;
        return fc.integer({ min: -n, max: n - 1 }).map((i) => ({ args: [x, d, i], kwargs: {} }));
      }),
    ),
  },
  {
    name: 'slice',
    call: (a) => t(a[0]).slice(num(a[1]), opt(a[2]), opt(a[3]), opt(a[4])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc
        .tuple(
          arbDim(x.ndim),
          fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
          fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
          fc.integer({ min: 1, max: 3 }),
        )
        .map(([d, s, e, step]) => ({ args: [x, d, s, e, step], kwargs: {} })),
    ),
  },
  {
    name: 'movedim',
    call: (a) => t(a[0]).movedim(dims(a[1]), dims(a[2])),
    sample: arbFloat({ minRank: 1 }).chain((x) => {
      const all = x.shape.map((_, i) => i);
      return fc.integer({ min: 1, max: x.ndim }).chain((n) =>
        fc
          .tuple(
            fc.shuffledSubarray(all, { minLength: n, maxLength: n }),
            fc.shuffledSubarray(all, { minLength: n, maxLength: n }),
          )
          .map(([src, dst]) => ({
            args: n === 1 ? [x, src[0]!, dst[0]! - x.ndim] : [x, src, dst],
            kwargs: {},
          })),
      );
    }),
  },
  {
    name: 'diagonal',
    call: (a) => t(a[0]).diagonal(opt(a[1]), opt(a[2]), opt(a[3])),
    sample: arbFloat({ minRank: 2 }).chain((x) =>
      fc
        .tuple(
          fc.integer({ min: -3, max: 3 }),
          fc.shuffledSubarray(
            x.shape.map((_, i) => i),
            { minLength: 2, maxLength: 2 },
          ),
        )
        .map(([off, [d1, d2]]) => ({ args: [x, off, d1, d2], kwargs: {} })),
    ),
  },
  {
    name: 'unfold',
    call: (a) => t(a[0]).unfold(num(a[1]), num(a[2]), num(a[3])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbDim(x.ndim).chain((d) =>
        fc
          .tuple(fc.integer({ min: 0, max: x.shape[norm(d, x.ndim)]! }), fc.integer({ min: 1, max: 3 }))
          .map(([size, step]) => ({ args: [x, d, size, step], kwargs: {} })),
      ),
    ),
  },
  {
    name: 'unbind',
    // Returns the pieces stacked back, each scaled differently, so that every piece's gradient counts.
    call: (a) => {
      const d = opt(a[1]) ?? 0;
      return stack(
        t(a[0])
          .unbind(d)
          .map((p, i) => p.mul(i + 1)),
        d,
      );
    },
    sample: arbFloat({ minRank: 1 }).chain((x) => arbDim(x.ndim).map((d) => ({ args: [x, d], kwargs: {} }))),
    skip: { reference: 'parity-ops.json has no unbind case; each piece is a select, which it covers' },
  },
  {
    name: 'pad',
    call: (a, k) =>
      F.pad(t(a[0]), a[1] as number[], {
        mode: k.mode as F.PadMode | undefined,
        value: k.value as number | undefined,
      }),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc.constantFrom<F.PadMode>('constant', 'reflect', 'replicate', 'circular').chain((mode) =>
        fc.integer({ min: 1, max: x.ndim }).chain((nd) => {
          const sizes = x.shape.slice(x.ndim - nd).reverse();
          const amount = (n: number) =>
            mode === 'constant'
              ? fc.integer({ min: -Math.floor((n - 1) / 2), max: 3 })
              : mode === 'reflect'
                ? fc.integer({ min: 0, max: n - 1 })
                : fc.integer({ min: 0, max: mode === 'circular' ? n : 3 });
          return fc.tuple(...sizes.flatMap((n) => [amount(n), amount(n)])).map((p) => ({
            args: [x, p],
            kwargs: mode === 'constant' ? { mode, value: 0.5 } : { mode },
          }));
        }),
      ),
    ),
  },
];
