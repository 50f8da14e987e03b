/**
 * Linear algebra: batched matmul and addmm, outer and dot products, einsum, baddbmm, cdist.
 */
import { addmm, baddbmm, cdist, einsum, matmul, type Tensor } from '@tsgrad/core';
import { arbBroadcastableShapes } from '@tsgrad/core/testing';
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbValues, t } from './samples.js';

/** Einsum equations the samples draw from, with the size of each `...` dim list. */
const equations = [
  'ij,jk->ik',
  'ij,jk',
  'bij,bjk->bik',
  'ii->i',
  'ij->ji',
  'i,i->',
  'i,i',
  'ij,ij->i',
  '...ij,...jk->...ik',
  'bhqd,bhkd->bhqk',
  'iij->j',
  'bii->b',
  'ij,kj->ik',
  'i,j->ij',
  'ijk->',
  'ab,bc,cd->ad',
  'ij,j->i',
  'bi,bi->b',
  '...i,...i->...',
  'ji',
];

/** Operand shapes for an equation, given a size per letter and the `...` dims of each operand. */
function shapesFor(eq: string, size: (c: string) => number, ell: number[][]): number[][] {
  return eq
    .split('->')[0]!
    .split(',')
    .map((term, i) => {
      const [head, tail] = term.split('...');
      const letters = (s: string) => [...s].map(size);
      return tail === undefined ? letters(head!) : [...letters(head!), ...ell[i]!, ...letters(tail)];
    });
}

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
  {
    name: 'outer',
    call: (a) => t(a[0]).outer(t(a[1])),
    sample: fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
      .chain(([m, n]) => fc.tuple(arbValues([m]), arbValues([n])).map((args) => ({ args, kwargs: {} }))),
  },
  {
    name: 'dot',
    call: (a) => t(a[0]).dot(t(a[1])),
    sample: fc
      .integer({ min: 1, max: 5 })
      .chain((n) => fc.tuple(arbValues([n]), arbValues([n])).map((args) => ({ args, kwargs: {} }))),
  },
  {
    name: 'einsum',
    call: (a) => einsum(a[0] as string, ...(a.slice(1) as Tensor[])),
    sample: fc
      .record({
        eq: fc.constantFrom(...equations),
        sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 26, maxLength: 26 }),
        // The `...` dims of each operand: the first has 0-2, the others a trailing part of it
        // (with some dims set to 1), so that they broadcast.
        ell: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        cut: fc.integer({ min: 0, max: 2 }),
        ones: fc.boolean(),
      })
      .chain(({ eq, sizes, ell, cut, ones }) => {
        const second = ell.slice(Math.min(cut, ell.length)).map((d, i) => (ones && i === 0 ? 1 : d));
        const shapes = shapesFor(eq, (c) => sizes[c.charCodeAt(0) - 97]!, [ell, second, ell]);
        return fc.tuple(...shapes.map((s) => arbValues(s))).map((ts) => ({ args: [eq, ...ts], kwargs: {} }));
      }),
  },
  {
    name: 'baddbmm',
    call: (a, k) =>
      baddbmm(t(a[0]), t(a[1]), t(a[2]), {
        beta: k.beta as number | undefined,
        alpha: k.alpha as number | undefined,
      }),
    sample: fc
      .record({
        b: fc.integer({ min: 1, max: 3 }),
        n: fc.integer({ min: 1, max: 3 }),
        m: fc.integer({ min: 1, max: 3 }),
        p: fc.integer({ min: 1, max: 3 }),
        inputShape: fc.constantFrom('full', 'row', 'scalar'),
        beta: fc.constantFrom(1, 0.5, 0),
        alpha: fc.constantFrom(1, 2, -0.5),
      })
      .chain(({ b, n, m, p, inputShape, beta, alpha }) =>
        fc
          .tuple(
            arbValues(inputShape === 'full' ? [b, n, p] : inputShape === 'row' ? [p] : []),
            arbValues([b, n, m]),
            arbValues([b, m, p]),
          )
          .map((args) => ({ args, kwargs: { beta, alpha } })),
      ),
  },
  {
    name: 'cdist',
    call: (a, k) => cdist(t(a[0]), t(a[1]), (k.p ?? a[2] ?? 2) as number),
    domain:
      'rows of x1 on a distinct ramp and shifted rows of x2: no zero distances (a kink) and no ties in the ∞-norm',
    sample: fc
      .record({
        batch: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 }),
        pr: fc.integer({ min: 1, max: 4 }),
        r: fc.integer({ min: 1, max: 4 }),
        m: fc.integer({ min: 1, max: 3 }),
        p: fc.constantFrom(1, 2, 3, 1.5, Number.POSITIVE_INFINITY),
      })
      .chain(({ batch, pr, r, m, p }) =>
        fc
          .tuple(
            arbValues([...batch, pr, m], { distinct: true }),
            arbValues([...batch, r, m], { avoid: [0], margin: 0.05 }),
          )
          .map(([x, y]) => ({ args: [x, y.add(0.0123)], kwargs: { p } })),
      ),
  },
];
