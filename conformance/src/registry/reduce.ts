/**
 * Reductions over axes, and the ops that normalise along one (softmax, logSoftmax).
 */

import { tensor, where } from '@tsgrad/core';
import fc from 'fast-check';
import type { OpInfo, Sample } from './op-info.js';
import { arbDim, arbFloat, kw, reduceSample, t } from './samples.js';

const NO_GRADIENT_BOOL = 'returns a bool or int32 result, which carries no gradient';

/** A norm's `p` as the reference files write it (`"inf"` for Infinity). */
function normP(p: unknown): number | undefined {
  if (p === 'inf') return Number.POSITIVE_INFINITY;
  if (p === '-inf') return Number.NEGATIVE_INFINITY;
  return p as number | undefined;
}

/** The sample with every other element of its tensor negated (distinct values keep distinct |x|). */
function alternateSigns(s: Sample): Sample {
  const x = t(s.args[0]);
  const signs = tensor(
    Array.from({ length: x.numel }, (_, i) => (i % 2 === 0 ? 1 : -1)),
    { shape: [...x.shape], dtype: 'float64' },
  );
  return { ...s, args: [x.mul(signs)] };
}

/** A tensor with about half its elements exactly 0, and a reduction over a dim, dims or all. */
function logicalSample(): fc.Arbitrary<Sample> {
  return reduceSample().map((s) => {
    const x = t(s.args[0]);
    return { ...s, args: [where(x.gt(0.5), x, 0)] };
  });
}

const NO_GRADIENT = 'returns int32 indices, which carry no gradient';

/** A tensor without ties and an arg-reduction over one dim or over all elements. */
function argSample() {
  return arbFloat({ distinct: true }).chain((x) =>
    fc
      .record({
        dim: x.ndim === 0 ? fc.constant(undefined) : fc.option(arbDim(x.ndim), { nil: undefined }),
        keepdim: fc.boolean(),
      })
      .map((kwargs) => ({ args: [x], kwargs })),
  );
}

/** Reductions of `@tsgrad/core`. */
export const reduceOps: OpInfo[] = [
  {
    name: 'sum',
    call: (a, k) => t(a[0]).sum(kw(k).dim, kw(k).keepdim),
    sample: reduceSample(),
  },
  {
    name: 'mean',
    call: (a, k) => t(a[0]).mean(kw(k).dim, kw(k).keepdim),
    sample: reduceSample(),
  },
  {
    name: 'prod',
    call: (a, k) => t(a[0]).prod(kw(k).dim, kw(k).keepdim),
    domain: 'away from 0 (zeros are tested separately)',
    sample: reduceSample({ min: -2, max: 2, avoid: [0], margin: 0.3 }),
    skip: { reference: 'ops.json has no prod case' },
  },
  {
    name: 'max',
    call: (a, k) => t(a[0]).max(kw(k).dim, kw(k).keepdim),
    domain: 'no ties',
    sample: reduceSample({ distinct: true }),
  },
  {
    name: 'min',
    call: (a, k) => t(a[0]).min(kw(k).dim, kw(k).keepdim),
    domain: 'no ties',
    sample: reduceSample({ distinct: true }),
    skip: { reference: 'ops.json covers max and argmax; min is their mirror image' },
  },
  {
    name: 'maxDim',
    call: (a, k) => t(a[0]).max(k.dim as number, kw(k).keepdim),
    domain: 'no ties',
    sample: reduceSample({ distinct: true }, 'one'),
  },
  {
    name: 'minDim',
    call: (a, k) => t(a[0]).min(k.dim as number, kw(k).keepdim),
    domain: 'no ties',
    sample: reduceSample({ distinct: true }, 'one'),
  },
  {
    name: 'argmax',
    call: (a, k) => t(a[0]).argmax(k.dim as number | undefined, kw(k).keepdim),
    domain: 'no ties',
    sample: argSample(),
    skip: { gradcheck: NO_GRADIENT, gradgradcheck: NO_GRADIENT },
  },
  {
    name: 'argmin',
    call: (a, k) => t(a[0]).argmin(k.dim as number | undefined, kw(k).keepdim),
    domain: 'no ties',
    sample: argSample(),
    skip: {
      reference: 'ops.json covers argmax; argmin is its mirror image',
      gradcheck: NO_GRADIENT,
      gradgradcheck: NO_GRADIENT,
    },
  },
  {
    name: 'var',
    call: (a, k) => t(a[0]).var(kw(k).dim, kw(k).keepdim),
    domain: 'at least 2 elements per reduction',
    sample: reduceSample({}, 'one', 2),
  },
  {
    name: 'std',
    call: (a, k) => t(a[0]).std(kw(k).dim, kw(k).keepdim),
    domain: 'at least 2 distinct elements per reduction',
    sample: reduceSample({ distinct: true }, 'one', 2),
  },
  {
    name: 'logsumexp',
    call: (a, k) => t(a[0]).logsumexp(kw(k).dim, kw(k).keepdim),
    sample: reduceSample(),
  },
  {
    name: 'softmax',
    call: (a, k) => t(a[0]).softmax(k.dim as number),
    sample: reduceSample({}, 'one'),
  },
  {
    name: 'logSoftmax',
    call: (a, k) => t(a[0]).logSoftmax(k.dim as number),
    sample: reduceSample({}, 'one'),
  },
  {
    name: 'amax',
    call: (a, k) => t(a[0]).amax(kw(k).dim, kw(k).keepdim),
    domain: 'no ties (ties share the gradient, as in PyTorch; tested separately)',
    sample: reduceSample({ distinct: true }),
  },
  {
    name: 'amin',
    call: (a, k) => t(a[0]).amin(kw(k).dim, kw(k).keepdim),
    domain: 'no ties (ties share the gradient, as in PyTorch; tested separately)',
    sample: reduceSample({ distinct: true }),
  },
  {
    name: 'norm',
    call: (a, k) => t(a[0]).norm(normP(k.p), kw(k).dim, kw(k).keepdim),
    domain: '|x| in [0.2, 3] with both signs (|x| has a kink at 0) and no ties of |x| (p = ±Infinity)',
    sample: reduceSample({ distinct: true, min: 0.2, max: 3 })
      .map(alternateSigns)
      .chain((s) =>
        fc.constantFrom(2, 1, 3, 0.5, 0, 'inf', '-inf').map((p) => ({ ...s, kwargs: { ...s.kwargs, p } })),
      ),
  },
  {
    name: 'any',
    call: (a, k) => t(a[0]).any(kw(k).dim, kw(k).keepdim),
    sample: logicalSample(),
    skip: { gradcheck: NO_GRADIENT_BOOL, gradgradcheck: NO_GRADIENT_BOOL },
  },
  {
    name: 'all',
    call: (a, k) => t(a[0]).all(kw(k).dim, kw(k).keepdim),
    sample: logicalSample(),
    skip: { gradcheck: NO_GRADIENT_BOOL, gradgradcheck: NO_GRADIENT_BOOL },
  },
  {
    name: 'countNonzero',
    call: (a, k) => t(a[0]).countNonzero(kw(k).dim),
    sample: logicalSample(),
    skip: { gradcheck: NO_GRADIENT_BOOL, gradgradcheck: NO_GRADIENT_BOOL },
  },
];
