/**
 * Indexing along an axis (gather, indexSelect, scatterAdd, scatter, indexAdd, takeAlongDim,
 * index) and masking (maskedFill, maskedSelect, nonzero, oneHot).
 */
import { gather, indexSelect, oneHot, scatterAdd, type Tensor, tensor } from '@tsgrad/core';
import fc from 'fast-check';
import type { OpInfo, Sample } from './op-info.js';
import { arbDim, arbFloat, arbIndex, arbValues, num, t } from './samples.js';

/** Integer results carry no gradient. */
const NO_GRADIENT = 'returns int32 values, which carry no gradient';

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
  {
    name: 'maskedFill',
    call: (a) => t(a[0]).maskedFill(t(a[1]), num(a[2])),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc
        .tuple(arbMaskShape(x.shape), fc.double({ min: -3, max: 3, noNaN: true }))
        .chain(([ms, v]) => arbMask(ms).map((m) => ({ args: [x, m, v], kwargs: {} }))),
    ),
  },
  {
    name: 'maskedFillSoftmax',
    call: (a) => t(a[0]).maskedFill(t(a[1]), Number.NEGATIVE_INFINITY).softmax(-1),
    domain: 'every row keeps one unmasked element (else softmax of all −∞ is NaN, as in PyTorch)',
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbMask(
        x.shape,
        (i) => i % x.shape[x.ndim - 1]! === Math.floor(i / x.shape[x.ndim - 1]!) % x.shape[x.ndim - 1]!,
        false,
      ).map((m) => ({ args: [x, m], kwargs: {} })),
    ),
  },
  {
    name: 'maskedSelect',
    call: (a) => t(a[0]).maskedSelect(t(a[1])),
    callAsync: (a) => t(a[0]).maskedSelectAsync(t(a[1])),
    domain: 'at least one element selected',
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbMaskShape(x.shape).chain((ms) =>
        arbMask(ms, (i) => i === 0, true).map((m) => ({ args: [x, m], kwargs: {} })),
      ),
    ),
  },
  {
    name: 'nonzero',
    call: (a) => t(a[0]).nonzero(),
    callAsync: (a) => t(a[0]).nonzeroAsync(),
    sample: arbFloat({ minRank: 0 }).map((x) => ({ args: [x.mul(x.abs().gt(1))], kwargs: {} })),
    skip: { gradcheck: NO_GRADIENT, gradgradcheck: NO_GRADIENT },
  },
  {
    name: 'scatter',
    call: (a) => t(a[0]).scatter(num(a[1]), t(a[2]), t(a[3])),
    domain: 'repeated indices write the sum of their values (PyTorch leaves them undefined)',
    sample: alongDimSample((x, d, is) =>
      fc.tuple(arbIndex(is, x.shape[d]!), arbValues(is)).map(([idx, src]) => [x, d, idx, src]),
    ),
  },
  {
    name: 'indexAdd',
    call: (a, k) => t(a[0]).indexAdd(num(a[1]), t(a[2]), t(a[3]), { alpha: k.alpha as number | undefined }),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc
        .tuple(arbDim(x.ndim), fc.integer({ min: 1, max: 4 }), fc.option(fc.constantFrom(0.5, -2)))
        .chain(([d, n, alpha]) => {
          const dd = d < 0 ? d + x.ndim : d;
          const ss = x.shape.map((s, i) => (i === dd ? n : s));
          return fc
            .tuple(arbIndex([n], x.shape[dd]!), arbValues(ss))
            .map(([idx, src]) => ({ args: [x, d, idx, src], kwargs: alpha === null ? {} : { alpha } }));
        }),
    ),
  },
  {
    name: 'takeAlongDim',
    call: (a) => t(a[0]).takeAlongDim(t(a[1]), a[2] as number | undefined),
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbDim(x.ndim).chain((d) => {
        const dd = d < 0 ? d + x.ndim : d;
        const is = fc.tuple(
          ...x.shape.map((s, i) => (i === dd ? fc.integer({ min: 1, max: 4 }) : fc.constantFrom(s, 1))),
        );
        return is.chain((shape) =>
          arbIndex(shape, x.shape[dd]!).map((idx) => ({ args: [x, idx, d], kwargs: {} })),
        );
      }),
    ),
  },
  {
    name: 'index',
    call: (a) => t(a[0]).index(t(a[1])),
    domain: 'indices in [−n, n), negative ones counting from the end',
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc
        .array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 })
        .chain((is) =>
          arbIndex(is, 2 * x.shape[0]!).map((idx) => ({ args: [x, idx.sub(x.shape[0]!)], kwargs: {} })),
        ),
    ),
  },
  {
    name: 'oneHot',
    call: (a) => oneHot(t(a[0]), a[1] as number | undefined),
    sample: fc
      .tuple(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.integer({ min: 1, max: 5 }))
      .chain(([is, c]) => arbIndex(is, c).map((idx) => ({ args: [idx, c], kwargs: {} }))),
    skip: { gradcheck: NO_GRADIENT, gradgradcheck: NO_GRADIENT },
  },
];

/** x's shape with some dims turned to 1 (and maybe leading dims dropped), a mask shape that broadcasts to it. */
function arbMaskShape(shape: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
    )
    .map(([ones, drop]) => shape.map((s, i) => (ones[i] ? 1 : s)).slice(Math.min(drop, shape.length - 1)));
}

/** A bool tensor of `shape`; elements where `force(i)` holds are `forced`. */
function arbMask(
  shape: readonly number[],
  force: (i: number) => boolean = () => false,
  forced = true,
): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((bs) =>
    tensor(
      bs.map((b, i) => (force(i) ? forced : b)),
      { shape, dtype: 'bool' },
    ),
  );
}

/** A float tensor, a dim, and an index shape that fits along that dim, as scatter takes. */
function alongDimSample(
  make: (x: Tensor, d: number, idxShape: number[]) => fc.Arbitrary<unknown[]>,
): fc.Arbitrary<Sample> {
  return arbFloat({ minRank: 1 }).chain((x) =>
    arbDim(x.ndim).chain((d) => {
      const dd = d < 0 ? d + x.ndim : d;
      const idxShape = fc.tuple(
        ...x.shape.map((s, i) =>
          i === dd ? fc.integer({ min: 1, max: 4 }) : fc.integer({ min: 1, max: s }),
        ),
      );
      return idxShape.chain((is) =>
        make(x, dd, is).map((args) => ({ args: [...args.slice(0, 1), d, ...args.slice(2)], kwargs: {} })),
      );
    }),
  );
}
