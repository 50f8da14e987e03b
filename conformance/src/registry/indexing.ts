/**
 * Indexing along an axis: gather, indexSelect and scatterAdd.
 */
import { gather, indexSelect, scatterAdd } from '@tsgrad/core';
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbDim, arbFloat, arbIndex, arbValues, num, t } from './samples.js';

/** Indexing ops of `@tsgrad/core`. */
export const indexingOps: OpInfo[] = [
  {
    name: 'gather',
    call: (a) => gather(t(a[0]), num(a[1]), t(a[2])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbDim(x.ndim).chain((d) => {
        const dd = d < 0 ? d + x.ndim : d;
        const idxShape = fc.tuple(
          ...x.shape.map((s, i) =>
            i === dd ? fc.integer({ min: 1, max: 4 }) : fc.integer({ min: 1, max: s }),
          ),
        );
        return idxShape.chain((is) =>
          arbIndex(is, x.shape[dd]!).map((idx) => ({ args: [x, d, idx], kwargs: {} })),
        );
      }),
    ),
  },
  {
    name: 'indexSelect',
    call: (a) => indexSelect(t(a[0]), num(a[1]), t(a[2])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc.tuple(arbDim(x.ndim), fc.integer({ min: 1, max: 5 })).chain(([d, n]) => {
        const dd = d < 0 ? d + x.ndim : d;
        return arbIndex([n], x.shape[dd]!).map((idx) => ({ args: [x, d, idx], kwargs: {} }));
      }),
    ),
  },
  {
    name: 'scatterAdd',
    call: (a) => scatterAdd(t(a[0]), num(a[1]), t(a[2]), t(a[3])),
    sample: arbFloat({ minRank: 1 }).chain((base) =>
      arbDim(base.ndim).chain((d) => {
        const dd = d < 0 ? d + base.ndim : d;
        const srcShape = fc.tuple(
          ...base.shape.map((s, i) =>
            i === dd ? fc.integer({ min: 1, max: 4 }) : fc.integer({ min: 1, max: s }),
          ),
        );
        return srcShape.chain((ss) =>
          fc
            .tuple(arbIndex(ss, base.shape[dd]!), arbValues(ss))
            .map(([idx, src]) => ({ args: [base, d, idx, src], kwargs: {} })),
        );
      }),
    ),
  },
];
