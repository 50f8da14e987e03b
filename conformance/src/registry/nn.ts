/**
 * Ops of `@tsgrad/nn`'s functional API: linear, norms, embedding, losses and attention.
 */
import type { Tensor } from '@tsgrad/core';
import { arbShape } from '@tsgrad/core/testing';
import * as nn from '@tsgrad/nn';
import fc from 'fast-check';
import type { OpInfo, Sample } from './op-info.js';
import { arbIndex, arbValues, t, type ValueOptions } from './samples.js';

/** A [N, C] float tensor and N int32 class indices. */
function arbClassification(minN = 1): fc.Arbitrary<{ x: Tensor; target: Tensor; n: number; c: number }> {
  return fc
    .tuple(fc.integer({ min: minN, max: 4 }), fc.integer({ min: 2, max: 5 }))
    .chain(([n, c]) =>
      fc.tuple(arbValues([n, c]), arbIndex([n], c)).map(([x, target]) => ({ x, target, n, c })),
    );
}

/** A [N, C, d] float tensor and [N, d] int32 class indices. */
function arbSpatialClassification(): fc.Arbitrary<{ x: Tensor; target: Tensor }> {
  return fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 }))
    .chain(([n, c, d]) =>
      fc.tuple(arbValues([n, c, d]), arbIndex([n, d], c)).map(([x, target]) => ({ x, target })),
    );
}

/** Keeps samples whose targets are not all `ignored` (the mean over no targets is NaN). */
function notAll(ignored: number) {
  return ({ target }: { target: Tensor }) => target.dataSync().some((v) => v !== ignored);
}

/** An input and a target whose difference stays away from the given kinks. */
function arbRegression(avoid: number[], o: ValueOptions = {}): fc.Arbitrary<Sample> {
  return arbShape({ maxRank: 3, maxDim: 4 }).chain((s) =>
    fc
      .tuple(arbValues(s, o), arbValues(s, { min: -2, max: 2, avoid, margin: 0.05 }))
      .map(([x, d]) => ({ args: [x, x.sub(d)], kwargs: {} })),
  );
}

function loss(
  name: string,
  f: (x: Tensor, target: Tensor, rest: readonly unknown[]) => Tensor,
  sample: fc.Arbitrary<Sample>,
): OpInfo {
  return { name, call: (a) => f(t(a[0]), t(a[1]), a.slice(2)), sample };
}

/** Ops of `ops.json` that `@tsgrad/nn` implements, called through its functional API. */
export const nnOps: OpInfo[] = [
  {
    name: 'linear',
    call: (a) => nn.linear(t(a[0]), t(a[1]), a[2] as Tensor | undefined),
    sample: fc
      .record({
        batch: arbShape({ maxRank: 2, maxDim: 3 }),
        inF: fc.integer({ min: 1, max: 4 }),
        outF: fc.integer({ min: 1, max: 4 }),
        bias: fc.boolean(),
      })
      .chain(({ batch, inF, outF, bias }) =>
        fc
          .tuple(arbValues([...batch, inF]), arbValues([outF, inF]), arbValues([outF]))
          .map(([x, w, b]) => ({ args: bias ? [x, w, b] : [x, w], kwargs: {} })),
      ),
  },
  {
    name: 'layerNorm',
    call: (a) => {
      const w = t(a[1]);
      return nn.layerNorm(t(a[0]), [...w.shape], { weight: w, bias: t(a[2]) });
    },
    domain: 'at least 2 distinct normalised elements',
    sample: fc
      .tuple(arbShape({ maxRank: 2, maxDim: 3 }), fc.integer({ min: 2, max: 5 }))
      .chain(([batch, n]) =>
        fc
          .tuple(arbValues([...batch, n], { distinct: true }), arbValues([n]), arbValues([n]))
          .map(([x, w, b]) => ({ args: [x, w, b], kwargs: {} })),
      ),
  },
  {
    name: 'batchNorm',
    call: (a) => nn.batchNorm(t(a[0]), null, null, { weight: t(a[1]), bias: t(a[2]), training: true }),
    domain: 'training mode, at least 2 distinct values per channel',
    sample: fc
      .record({
        n: fc.integer({ min: 2, max: 4 }),
        c: fc.integer({ min: 1, max: 3 }),
        rest: arbShape({ maxRank: 1, maxDim: 3 }),
      })
      .chain(({ n, c, rest }) =>
        fc
          .tuple(arbValues([n, c, ...rest], { distinct: true }), arbValues([c]), arbValues([c]))
          .map(([x, w, b]) => ({ args: [x, w, b], kwargs: {} })),
      ),
  },
  {
    name: 'embedding',
    call: (a) => nn.embedding(t(a[0]), t(a[1])),
    sample: fc
      .tuple(
        arbShape({ minRank: 1, maxRank: 2, maxDim: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
      )
      .chain(([s, n, d]) =>
        fc.tuple(arbIndex(s, n), arbValues([n, d])).map(([i, w]) => ({ args: [i, w], kwargs: {} })),
      ),
  },
  loss('mseLoss', (x, y) => nn.mseLoss(x, y), arbRegression([])),
  loss('l1Loss', (x, y) => nn.l1Loss(x, y), arbRegression([0])),
  // The difference avoids ±1, where the loss turns from quadratic to linear.
  {
    ...loss('huberLoss', (x, y) => nn.huberLoss(x, y), arbRegression([-1, 1])),
    domain: '|input − target| ≠ 1',
  },
  {
    ...loss('smoothL1Loss', (x, y) => nn.smoothL1Loss(x, y), arbRegression([-1, 1])),
    domain: '|input − target| ≠ 1',
  },
  loss(
    'bceLoss',
    (x, y) => nn.bceLoss(x, y),
    arbShape({ maxRank: 2, maxDim: 4 }).chain((s) =>
      fc
        .tuple(arbValues(s, { min: 0.05, max: 0.95 }), arbValues(s, { min: 0, max: 1 }))
        .map(([x, y]) => ({ args: [x, y], kwargs: {} })),
    ),
  ),
  loss(
    'bceWithLogitsLoss',
    (x, y) => nn.bceWithLogitsLoss(x, y),
    arbShape({ maxRank: 2, maxDim: 4 }).chain((s) =>
      fc
        .tuple(arbValues(s), arbValues(s, { min: 0, max: 1 }))
        .map(([x, y]) => ({ args: [x, y], kwargs: {} })),
    ),
  ),
  {
    name: 'crossEntropyLoss',
    // A third argument is the reduction (a string) or the label smoothing (a number);
    // keyword arguments (ignoreIndex …) pass through.
    call: (a, k) =>
      nn.crossEntropyLoss(t(a[0]), t(a[1]), {
        ...k,
        ...(typeof a[2] === 'string'
          ? { reduction: a[2] as 'mean' | 'sum' | 'none' }
          : typeof a[2] === 'number'
            ? { labelSmoothing: a[2] }
            : {}),
      }),
    sample: fc.oneof(
      fc
        .tuple(arbClassification(), fc.constantFrom<unknown[]>([], ['sum'], ['none'], [0.1]))
        .map(([{ x, target }, rest]) => ({ args: [x, target, ...rest], kwargs: {} })),
      fc
        .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }))
        .chain(([n, c]) =>
          fc
            .tuple(arbValues([n, c]), arbValues([n, c], { min: 0.05, max: 1 }))
            .map(([x, p]) => ({ args: [x, p.div(p.sum(1, true))], kwargs: {} })),
        ),
      // An ignored class (class 0, so that some targets hit it) with label smoothing or not.
      fc
        .tuple(
          arbClassification(2).filter(notAll(0)),
          fc.constantFrom<unknown[]>([], ['sum'], ['none'], [0.1]),
        )
        .map(([{ x, target }, rest]) => ({ args: [x, target, ...rest], kwargs: { ignoreIndex: 0 } })),
      // [N, C, d] input with [N, d] targets.
      arbSpatialClassification()
        .filter(notAll(1))
        .map(({ x, target }) => ({ args: [x, target], kwargs: { ignoreIndex: 1 } })),
    ),
  },
  {
    name: 'nllLoss',
    call: (a, k) => nn.nllLoss(t(a[0]), t(a[1]), k),
    sample: fc.oneof(
      arbClassification().map(({ x, target }) => ({ args: [x, target], kwargs: {} })),
      arbClassification(2)
        .filter(notAll(0))
        .map(({ x, target }) => ({ args: [x, target], kwargs: { ignoreIndex: 0 } })),
      arbSpatialClassification().map(({ x, target }) => ({ args: [x, target], kwargs: {} })),
    ),
  },
  {
    name: 'scaledDotProductAttention',
    call: (a) => nn.scaledDotProductAttention(t(a[0]), t(a[1]), t(a[2]), { isCausal: a[3] === true }),
    sample: fc
      .record({
        batch: arbShape({ maxRank: 1, maxDim: 2 }),
        l: fc.integer({ min: 1, max: 3 }),
        s: fc.integer({ min: 1, max: 3 }),
        e: fc.integer({ min: 1, max: 3 }),
        causal: fc.boolean(),
      })
      .chain(({ batch, l, s, e, causal }) => {
        const S = causal ? l : s;
        return fc
          .tuple(arbValues([...batch, l, e]), arbValues([...batch, S, e]), arbValues([...batch, S, e]))
          .map(([q, k, v]) => ({ args: causal ? [q, k, v, true] : [q, k, v], kwargs: {} }));
      }),
  },
];
