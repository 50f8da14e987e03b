/**
 * Normalisations, distances and the losses between distributions or pairs of
 * `@tsgrad/nn`'s functional API (`parity-ops.json`).
 */
import { type Tensor, tensor } from '@tsgrad/core';
import { arbShape } from '@tsgrad/core/testing';
import * as nn from '@tsgrad/nn';
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbDim, arbValues, num, t } from './samples.js';

type Reduction = 'mean' | 'sum' | 'none';

/** A [N, C, L] shape, C a multiple of `groups`, and `groups`. */
const arbGrouped = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    g: fc.integer({ min: 1, max: 3 }),
    per: fc.integer({ min: 1, max: 2 }),
    l: fc.integer({ min: 1, max: 3 }),
  })
  .filter(({ per, l }) => per * l >= 2);

/**
 * `x` ([N, C, L]) plus a fixed zigzag of amplitude ~1 over each sample's C·L values, so that
 * every normalised group or channel keeps a spread of order 1 however the random values come
 * out (a near-constant group makes the float32 run divide by a tiny standard deviation, which
 * says nothing about the op).
 */
function spread(x: Tensor): Tensor {
  const [, c, l] = x.shape as [number, number, number];
  const zigzag = Array.from({ length: c * l }, (_, i) => (i % 2 === 0 ? -0.9 : 0.9) + i * 0.05);
  return x.add(tensor(zigzag, { shape: [c, l], dtype: 'float64' }));
}

/** Ops of `parity-ops.json` on normalisation, distances and the newer losses. */
export const nnNormOps: OpInfo[] = [
  {
    name: 'groupNorm',
    call: (a, k) =>
      nn.groupNorm(t(a[0]), num(a[1]), {
        weight: (a[2] as Tensor | undefined) ?? null,
        bias: (a[3] as Tensor | undefined) ?? null,
        eps: k.eps as number | undefined,
      }),
    domain: 'a spread of order 1 within every group',
    sample: arbGrouped.chain(({ n, g, per, l }) =>
      fc
        .tuple(arbValues([n, g * per, l], { distinct: true }), arbValues([g * per]), arbValues([g * per]))
        .map(([x, w, b]) => ({ args: [spread(x), g, w, b], kwargs: {} })),
    ),
  },
  {
    name: 'instanceNorm',
    call: (a, k) => nn.instanceNorm(t(a[0]), { eps: k.eps as number | undefined }),
    domain: 'a spread of order 1 over the spatial values of every channel',
    sample: fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }))
      .chain(([n, c, l]) =>
        arbValues([n, c, l], { distinct: true }).map((x) => ({ args: [spread(x)], kwargs: {} })),
      ),
  },
  {
    name: 'rmsNorm',
    // The parity case uses eps 1e-6 (PyTorch's default would be the dtype's machine epsilon).
    call: (a) => {
      const w = t(a[1]);
      return nn.rmsNorm(t(a[0]), [...w.shape], { weight: w, eps: 1e-6 });
    },
    sample: fc
      .tuple(arbShape({ maxRank: 2, maxDim: 3 }), fc.integer({ min: 1, max: 5 }))
      .chain(([batch, n]) =>
        fc
          .tuple(arbValues([...batch, n], { avoid: [0], margin: 0.1 }), arbValues([n]))
          .map(([x, w]) => ({ args: [x, w], kwargs: {} })),
      ),
  },
  {
    name: 'normalize',
    call: (a, k) => nn.normalize(t(a[0]), { p: k.p as number | undefined, dim: k.dim as number | undefined }),
    domain: 'no zeros (|x| has a kink there); distinct positive values for the max norm',
    sample: fc
      .tuple(
        arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }),
        fc.constantFrom(2, 1, 3, Number.POSITIVE_INFINITY),
      )
      .chain(([s, p]) =>
        fc
          .tuple(
            // For the max norm, positive distinct values: ±a would tie in |x|.
            arbValues(
              s,
              p === Number.POSITIVE_INFINITY ? { min: 0.1, distinct: true } : { avoid: [0], margin: 0.1 },
            ),
            arbDim(s.length),
          )
          .map(([x, dim]) => ({ args: [x], kwargs: { p, dim } })),
      ),
  },
  {
    name: 'cosineSimilarity',
    call: (a, k) => nn.cosineSimilarity(t(a[0]), t(a[1]), { dim: k.dim as number | undefined }),
    sample: arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
      fc
        .tuple(
          arbValues(s, { avoid: [0], margin: 0.1 }),
          arbValues(s, { avoid: [0], margin: 0.1 }),
          arbDim(s.length),
        )
        .map(([x, y, dim]) => ({ args: [x, y], kwargs: { dim } })),
    ),
  },
  {
    name: 'pairwiseDistance',
    call: (a, k) =>
      nn.pairwiseDistance(t(a[0]), t(a[1]), {
        p: k.p as number | undefined,
        keepdim: k.keepdim as boolean | undefined,
      }),
    domain: 'a − b away from 0 (the norm has a kink there)',
    sample: fc
      .tuple(arbShape({ minRank: 1, maxRank: 2, maxDim: 4 }), fc.constantFrom(2, 3), fc.boolean())
      .chain(([s, p, keepdim]) =>
        fc
          .tuple(arbValues(s), arbValues(s, { min: -2, max: 2, avoid: [0], margin: 0.1 }))
          .map(([x, d]) => ({ args: [x, x.sub(d)], kwargs: { p, keepdim } })),
      ),
  },
  {
    name: 'klDivLoss',
    call: (a, k) =>
      nn.klDivLoss(t(a[0]), t(a[1]), {
        reduction: k.reduction as Reduction | 'batchmean' | undefined,
        logTarget: k.logTarget as boolean | undefined,
      }),
    domain: 'positive targets (target·log target has no derivative at 0)',
    sample: fc
      .tuple(
        arbShape({ minRank: 1, maxRank: 2, maxDim: 4 }),
        fc.constantFrom('mean', 'batchmean', 'sum', 'none'),
        fc.boolean(),
      )
      .chain(([s, reduction, logTarget]) =>
        fc
          .tuple(arbValues(s), arbValues(s, logTarget ? { min: -3, max: 0 } : { min: 0.05, max: 1 }))
          .map(([x, y]) => ({ args: [x, y], kwargs: { reduction, logTarget } })),
      ),
  },
  {
    name: 'marginRankingLoss',
    call: (a, k) =>
      nn.marginRankingLoss(t(a[0]), t(a[1]), t(a[2]), {
        margin: k.margin as number | undefined,
        reduction: k.reduction as Reduction | undefined,
      }),
    domain: 'y·(a − b) away from the margin (the hinge)',
    sample: arbShape({ maxRank: 1, maxDim: 6 }).chain((s) =>
      fc
        .tuple(
          arbValues(s),
          arbValues(s, { avoid: [0.1, -0.1], margin: 0.05 }),
          fc.array(fc.constantFrom(1, -1), { minLength: s[0] ?? 1, maxLength: s[0] ?? 1 }),
          fc.constantFrom('mean', 'sum', 'none'),
        )
        .map(([x, d, ys, reduction]) => ({
          args: [x, x.sub(d), tensor(ys, { shape: s, dtype: 'float64' })],
          kwargs: { margin: 0.1, reduction },
        })),
    ),
  },
  {
    name: 'gaussianNllLoss',
    call: (a, k) =>
      nn.gaussianNllLoss(t(a[0]), t(a[1]), t(a[2]), {
        full: k.full as boolean | undefined,
        reduction: k.reduction as Reduction | undefined,
      }),
    domain: 'variance above eps (the clamp)',
    sample: fc
      .tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('same', 'dropped', 'one'),
        fc.boolean(),
        fc.constantFrom('mean', 'sum', 'none'),
      )
      .chain(([n, d, vshape, full, reduction]) =>
        fc
          .tuple(
            arbValues([n, d]),
            arbValues([n, d]),
            arbValues(vshape === 'same' ? [n, d] : vshape === 'dropped' ? [n] : [n, 1], { min: 0.1, max: 3 }),
          )
          .map(([x, y, v]) => ({ args: [x, y, v], kwargs: { full, reduction } })),
      ),
  },
  {
    name: 'cosineEmbeddingLoss',
    call: (a, k) =>
      nn.cosineEmbeddingLoss(t(a[0]), t(a[1]), t(a[2]), {
        margin: k.margin as number | undefined,
        reduction: k.reduction as Reduction | undefined,
      }),
    domain: 'non-zero vectors whose cosine is away from the margin',
    skip: {
      reference: 'parity-ops.json has no cosineEmbeddingLoss case; nn tests compare it with the formula',
    },
    sample: fc
      .tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('mean', 'sum', 'none'),
      )
      .chain(([n, d, reduction]) =>
        fc
          .tuple(
            arbValues([n, d], { avoid: [0], margin: 0.1 }),
            arbValues([n, d], { avoid: [0], margin: 0.1 }),
            fc.array(fc.constantFrom(1, -1), { minLength: n, maxLength: n }),
          )
          .filter(([x, y]) => {
            // cos(a, b) away from the margin, where the y = −1 hinge bends.
            const cos = x
              .mul(y)
              .sum(1)
              .div(x.mul(x).sum(1).mul(y.mul(y).sum(1)).sqrt())
              .dataSync();
            return cos.every((c) => Math.abs(c + 0.5) > 0.05);
          })
          .map(([x, y, ys]) => ({
            args: [x, y, tensor(ys, { shape: [n], dtype: 'int32' })],
            kwargs: { margin: -0.5, reduction },
          })),
      ),
  },
];
