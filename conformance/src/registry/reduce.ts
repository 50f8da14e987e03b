/**
 * Reductions over axes, and the ops that normalise along one (softmax, logSoftmax).
 */
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbDim, arbFloat, kw, reduceSample, t } from './samples.js';

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
];
