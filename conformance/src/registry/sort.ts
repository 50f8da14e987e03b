/**
 * Scans and sorting along one axis: cumsum, cumprod, logcumsumexp, sort, argsort, topk,
 * kthvalue and median. The samples of ops whose values are differentiated have no ties (with
 * ties, which element a sorted position comes from is a choice, not a function of the input).
 */
import fc from 'fast-check';
import type { OpInfo, Sample } from './op-info.js';
import { arbDim, arbFloat, kw, num, reduceSample, t } from './samples.js';

const NO_GRADIENT = 'returns int32 indices, which carry no gradient';

/** A tensor (no ties) and a dim, with `descending`. */
function sortSample(): fc.Arbitrary<Sample> {
  return arbFloat({ distinct: true, minRank: 1 }).chain((x) =>
    fc.record({ dim: arbDim(x.ndim), descending: fc.boolean() }).map((kwargs) => ({ args: [x], kwargs })),
  );
}

/** A tensor (no ties), a dim and k in [1, size], with `largest`. */
function topkSample(): fc.Arbitrary<Sample> {
  return arbFloat({ distinct: true, minRank: 1 }).chain((x) =>
    arbDim(x.ndim).chain((dim) => {
      const n = x.shape[dim < 0 ? dim + x.ndim : dim]!;
      return fc
        .record({ k: fc.integer({ min: 1, max: n }), largest: fc.boolean() })
        .map(({ k, largest }) => ({ args: [x, k], kwargs: { dim, largest } }));
    }),
  );
}

/** A tensor (no ties), a dim and k in [1, size], with `keepdim`. */
function kthSample(): fc.Arbitrary<Sample> {
  return arbFloat({ distinct: true, minRank: 1 }).chain((x) =>
    arbDim(x.ndim).chain((dim) => {
      const n = x.shape[dim < 0 ? dim + x.ndim : dim]!;
      return fc
        .record({ k: fc.integer({ min: 1, max: n }), keepdim: fc.boolean() })
        .map(({ k, keepdim }) => ({ args: [x, k], kwargs: { dim, keepdim } }));
    }),
  );
}

/** Scan and sort ops of `@tsgrad/core`. */
export const sortOps: OpInfo[] = [
  {
    name: 'cumsum',
    call: (a, k) => t(a[0]).cumsum(k.dim as number),
    sample: reduceSample({}, 'one'),
  },
  {
    name: 'cumprod',
    call: (a, k) => t(a[0]).cumprod(k.dim as number),
    domain: 'away from 0 (zeros are tested separately: the rule has a case for them)',
    sample: reduceSample({ min: -2, max: 2, avoid: [0], margin: 0.3 }, 'one'),
  },
  {
    name: 'logcumsumexp',
    call: (a, k) => t(a[0]).logcumsumexp(k.dim as number),
    sample: reduceSample({}, 'one'),
  },
  {
    name: 'sortValues',
    call: (a, k) => t(a[0]).sort(k.dim as number, k.descending as boolean).values,
    domain: 'no ties',
    sample: sortSample(),
  },
  {
    name: 'sortIndices',
    call: (a, k) => t(a[0]).sort(k.dim as number, k.descending as boolean).indices,
    domain: 'no ties in the samples (ties are tested separately: the sort is stable)',
    sample: sortSample(),
    skip: { gradcheck: NO_GRADIENT, gradgradcheck: NO_GRADIENT },
  },
  {
    name: 'argsort',
    call: (a, k) => t(a[0]).argsort(k.dim as number, k.descending as boolean),
    domain: 'no ties in the samples (ties are tested separately: the sort is stable)',
    sample: sortSample(),
    skip: { gradcheck: NO_GRADIENT, gradgradcheck: NO_GRADIENT },
  },
  {
    name: 'topkValues',
    call: (a, k) =>
      t(a[0]).topk(num(a[1]), k.dim as number, (k.largest as boolean | undefined) ?? true).values,
    domain: 'no ties',
    sample: topkSample(),
  },
  {
    name: 'topkIndices',
    call: (a, k) =>
      t(a[0]).topk(num(a[1]), k.dim as number, (k.largest as boolean | undefined) ?? true).indices,
    domain: 'no ties',
    sample: topkSample(),
    skip: { gradcheck: NO_GRADIENT, gradgradcheck: NO_GRADIENT },
  },
  {
    name: 'kthvalueValues',
    call: (a, k) => t(a[0]).kthvalue(num(a[1]), k.dim as number, kw(k).keepdim).values,
    domain: 'no ties',
    sample: kthSample(),
  },
  {
    name: 'medianDim',
    call: (a, k) => t(a[0]).median(k.dim as number, kw(k).keepdim).values,
    domain: 'no ties',
    sample: reduceSample({ distinct: true }, 'one'),
  },
];
