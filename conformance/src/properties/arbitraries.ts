/**
 * What the property tests throw at the public API: shapes with empty dims, every dtype,
 * values with NaN, ±∞, -0 and subnormals among them, tensors laid out as views, and
 * arguments of every kind (valid dims, dims out of range, fractions, values of the wrong
 * type). Each tensor comes with its reference array (see reference.ts).
 */
import { type Tensor, tensor } from '@tsgrad/core';
import fc from 'fast-check';
import { cat, transpose } from './movement.js';
import { type Arr, type DType, INT32_MAX, INT32_MIN, numel, store } from './reference.js';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];
export const FLOATS: readonly DType[] = ['float32', 'float64'];

/** A shape of rank in [minRank, maxRank], dims in [0, maxDim] (an empty dim now and then). */
export function arbShape({
  minRank = 0,
  maxRank = 3,
  maxDim = 4,
  empty = true,
} = {}): fc.Arbitrary<number[]> {
  const dim = empty
    ? fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: maxDim }), weight: 9 },
        { arbitrary: fc.constant(0), weight: 1 },
      )
    : fc.integer({ min: 1, max: maxDim });
  return fc.array(dim, { minLength: minRank, maxLength: maxRank });
}

/** Floating values that break naive code. */
const SPECIALS = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  Number.MIN_VALUE, // float64 subnormal (0 in float32)
  -1e-40, // float32 subnormal
  1.1754942e-38, // float32's largest subnormal
  3.4028234e38, // float32's largest finite
  -1.7976931348623157e308, // float64's largest finite (-∞ in float32)
];

/** How wild the values are: anything, or finite and moderate (for products and powers). */
export type ValueKind = 'any' | 'finite' | 'tame';

/** A value of `dtype`, as the dtype stores it. */
export function arbValue(dtype: DType, kind: ValueKind = 'any'): fc.Arbitrary<number> {
  if (dtype === 'bool') return fc.constantFrom(0, 1);
  if (dtype === 'int32') {
    if (kind === 'tame') return fc.integer({ min: -4, max: 4 });
    return fc.oneof(
      { arbitrary: fc.integer({ min: -5, max: 5 }), weight: 6 },
      { arbitrary: fc.integer({ min: -100_000, max: 100_000 }), weight: 2 },
      { arbitrary: fc.constantFrom(INT32_MIN, INT32_MAX, 2 ** 24 + 1, -(2 ** 24) - 1), weight: 1 },
    );
  }
  const moderate = fc.double({ min: -8, max: 8, noNaN: true });
  const options =
    kind === 'tame'
      ? [{ arbitrary: moderate, weight: 1 }]
      : [
          { arbitrary: moderate, weight: 5 },
          { arbitrary: fc.integer({ min: -3, max: 3 }), weight: 2 },
          { arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }), weight: 1 },
          {
            arbitrary:
              kind === 'any' ? fc.constantFrom(...SPECIALS) : fc.constantFrom(-0, 1e-40, Number.MIN_VALUE),
            weight: 2,
          },
        ];
  return fc.oneof(...options).map((v) => store(v, dtype));
}

/** A reference array of `shape` and `dtype`. */
export function arbArrOf(shape: readonly number[], dtype: DType, kind: ValueKind = 'any'): fc.Arbitrary<Arr> {
  const n = numel(shape);
  return fc
    .array(arbValue(dtype, kind), { minLength: n, maxLength: n })
    .map((data) => ({ shape: shape.slice(), dtype, data }));
}

/** A reference array of a random shape (per `shape`'s options) and a dtype from `dtypes`. */
export function arbArr(
  o: Parameters<typeof arbShape>[0] & { dtypes?: readonly DType[]; kind?: ValueKind } = {},
): fc.Arbitrary<Arr> {
  return fc
    .tuple(arbShape(o), fc.constantFrom(...(o.dtypes ?? DTYPES)))
    .chain(([shape, dtype]) => arbArrOf(shape, dtype, o.kind));
}

/** How a test tensor is laid out: contiguous, a transposed view, or a view at an offset. */
export type Layout = 'contiguous' | 'transposed' | 'offset';
export const arbLayout: fc.Arbitrary<Layout> = fc.constantFrom(
  'contiguous',
  'contiguous',
  'transposed',
  'offset',
);

/** A tensor holding `a`, laid out as `layout` asks (contiguous where the layout does not apply). */
export function toTensor(a: Arr, layout: Layout = 'contiguous'): Tensor {
  const rank = a.shape.length;
  if (layout === 'transposed' && rank >= 2) {
    return make(transpose(a, -1, -2)).transpose(-1, -2);
  }
  if (layout === 'offset' && rank >= 1) {
    const pad: Arr = {
      shape: [1, ...a.shape.slice(1)],
      dtype: a.dtype,
      data: new Array(numel(a.shape.slice(1))).fill(7),
    };
    return make(cat([pad, a], 0)).narrow(0, 1, a.shape[0]!);
  }
  return make(a);
}

function make(a: Arr): Tensor {
  return tensor(a.data as number[], { shape: [...a.shape], dtype: a.dtype });
}

/** Values of the wrong type for any argument. */
export const JUNK: readonly unknown[] = ['a', '1', undefined, null, {}, [], true, 10n, () => 1, Number.NaN];

/** A dim argument for a tensor of rank `rank`: mostly valid, else out of range, fractional or junk. */
export function arbDim(rank: number, extra = 0): fc.Arbitrary<unknown> {
  const r = Math.max(rank + extra, 1);
  return fc.oneof(
    { arbitrary: fc.integer({ min: -r, max: r - 1 }), weight: 12 },
    { arbitrary: fc.constantFrom(r, r + 1, -r - 1, 0.5, 1.5, Number.POSITIVE_INFINITY, 2 ** 32), weight: 1 },
    { arbitrary: fc.constantFrom(...JUNK), weight: 1 },
  );
}
