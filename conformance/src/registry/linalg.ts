/**
 * Linear algebra: batched matmul and addmm.
 */
import { addmm, matmul } from '@tsgrad/core';
import { arbBroadcastableShapes } from '@tsgrad/core/testing';
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbValues, t } from './samples.js';

/** Linear algebra ops of `@tsgrad/core`. */
export const linalgOps: OpInfo[] = [
  {
    name: 'matmul',
    call: (a) => matmul(t(a[0]), t(a[1])),
    sample: fc
      .record({
        m: fc.integer({ min: 1, max: 3 }),
        k: fc.integer({ min: 1, max: 3 }),
        n: fc.integer({ min: 1, max: 3 }),
        aVec: fc.boolean(),
        bVec: fc.boolean(),
        batch: arbBroadcastableShapes({ maxRank: 2, maxDim: 3 }),
      })
      .chain(({ m, k, n, aVec, bVec, batch }) => {
        const sa = aVec ? [k] : [...batch[0]!, m, k];
        const sb = bVec ? [k] : [...batch[1]!, k, n];
        return fc.tuple(arbValues(sa), arbValues(sb)).map(([x, y]) => ({ args: [x, y], kwargs: {} }));
      }),
  },
  {
    name: 'addmm',
    call: (a) => addmm(t(a[0]), t(a[1]), t(a[2])),
    sample: fc
      .record({
        m: fc.integer({ min: 1, max: 4 }),
        k: fc.integer({ min: 1, max: 4 }),
        n: fc.integer({ min: 1, max: 4 }),
        // A bias row takes the fused path; [m, n] and [m, 1] the composite one.
        bias: fc.constantFrom('row', 'full', 'column'),
      })
      .chain(({ m, k, n, bias }) =>
        fc
          .tuple(
            arbValues(bias === 'row' ? [n] : bias === 'full' ? [m, n] : [m, 1]),
            arbValues([m, k]),
            arbValues([k, n]),
          )
          .map((args) => ({ args, kwargs: {} })),
      ),
    skip: { reference: 'covered by the linear cases of ops.json, which run addmm' },
  },
];
