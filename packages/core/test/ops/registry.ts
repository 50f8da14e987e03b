/**
 * The op registry the generic op tests iterate (in the spirit of PyTorch's OpInfo): one entry
 * per op, named as in `ops.json`'s `op` field, saying how to call the op from a case's
 * positional `args` and `kwargs`, how to draw random sample inputs for property tests, and
 * which checks apply. A new op added here is compared with the PyTorch reference, gradchecked
 * and run on every device without anyone writing those tests again.
 *
 * Argument conventions follow `ops.json`: tensors and plain values in PyTorch's positional
 * order, list arguments of tensors flattened (`cat(a, b, dim)`).
 */
import type { Tensor } from '@tsgrad/core';
import { addmm, cat, gather, indexSelect, matmul, scatterAdd, stack, tensor, where } from '@tsgrad/core';
import { arbBroadcastableShapes, arbShape } from '@tsgrad/core/testing';
import * as nn from '@tsgrad/nn';
import fc from 'fast-check';

/** Positional arguments and keyword arguments of one call. */
export interface Sample {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** One op: how to call it and how to test it. */
export interface OpInfo {
  /** The op's name in `ops.json` and the README. */
  name: string;
  /** Which package implements it. */
  source: 'core' | 'nn';
  /** Runs the op on a case's arguments. */
  call: (args: readonly unknown[], kwargs: Record<string, unknown>) => Tensor;
  /** Whether gradients flow to its floating tensor arguments (gradcheck applies). */
  differentiable: boolean;
  /** Twice differentiable on the samples drawn (gradgradcheck applies). */
  smooth: boolean;
  /** Domain restrictions the sample generator respects, in words. */
  domain?: string;
  /** Random float64 sample inputs; floating tensor arguments are the ones gradchecked. */
  sample?: fc.Arbitrary<Sample>;
}

// ---- sample building blocks ----

interface ValueOptions {
  min?: number;
  max?: number;
  /** Values closer than `margin` to one of these points are pushed `margin` away (kinks). */
  avoid?: readonly number[];
  margin?: number;
  /** Adds a small distinct ramp so that no two elements tie (max/min, maximum/minimum). */
  distinct?: boolean;
}

function fixValues(vals: number[], o: ValueOptions): number[] {
  const margin = o.margin ?? 0.05;
  return vals.map((v, i) => {
    let x = o.distinct ? v + (i + 1) * 0.0123456789 : v;
    for (const p of o.avoid ?? []) {
      if (Math.abs(x - p) < margin) x = x >= p ? p + margin : p - margin;
    }
    return x;
  });
}

/** A float64 tensor of `shape` with values per `o`. */
function arbValues(shape: readonly number[], o: ValueOptions = {}): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  const min = o.min ?? -3;
  const max = o.max ?? 3;
  return fc
    .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })
    .map((vals) => tensor(fixValues(vals, o), { shape, dtype: 'float64' }));
}

/** A float64 tensor of a random small shape. */
function arbFloat(o: ValueOptions & { minRank?: number; maxRank?: number; minDim?: number } = {}) {
  return arbShape({
    minRank: o.minRank ?? 0,
    maxRank: o.maxRank ?? 3,
    minDim: o.minDim ?? 1,
    maxDim: 4,
  }).chain((s) => arbValues(s, o));
}

/** A random dim of a tensor of rank `ndim` (negative half the time), or undefined for rank 0. */
function arbDim(ndim: number): fc.Arbitrary<number> {
  const n = Math.max(ndim, 1);
  return fc.integer({ min: -n, max: n - 1 });
}

function unarySample(o: ValueOptions = {}): fc.Arbitrary<Sample> {
  return arbFloat(o).map((x) => ({ args: [x], kwargs: {} }));
}

function binarySample(a: ValueOptions = {}, b: ValueOptions = a): fc.Arbitrary<Sample> {
  return arbBroadcastableShapes({ maxRank: 3, maxDim: 4 }).chain(([sa, sb]) =>
    fc.tuple(arbValues(sa!, a), arbValues(sb!, { ...b, distinct: false })).map(([x, y]) => {
      // Distinct operands must not tie with each other either: shift the second off the first's ramp.
      const yy = b.distinct ? y.add(0.00531) : y;
      return { args: [x, yy], kwargs: {} };
    }),
  );
}

/** A tensor and a reduction over a random dim or dims (or all), with keepdim. */
function reduceSample(o: ValueOptions = {}, dims: 'one' | 'any' = 'any', minDim = 1): fc.Arbitrary<Sample> {
  return arbFloat({ ...o, minRank: dims === 'one' ? 1 : 0, minDim }).chain((x) => {
    const dim =
      dims === 'one'
        ? arbDim(x.ndim)
        : fc.oneof(
            fc.constant(undefined),
            arbDim(x.ndim),
            fc.subarray(x.shape.map((_, i) => i)).map((a) => (a.length === 0 ? undefined : a)),
          );
    return fc.record({ dim, keepdim: fc.boolean() }).map((kwargs) => ({ args: [x], kwargs }));
  });
}

const t = (v: unknown) => v as Tensor;
const num = (v: unknown) => v as number;
const kw = (k: Record<string, unknown>) => ({
  dim: k.dim as number | number[] | undefined,
  keepdim: (k.keepdim as boolean | undefined) ?? false,
});

function unary(
  name: string,
  f: (x: Tensor) => Tensor,
  o: ValueOptions & { smooth?: boolean; domain?: string } = {},
): OpInfo {
  return {
    name,
    source: 'core',
    call: (a) => f(t(a[0])),
    differentiable: true,
    smooth: o.smooth ?? true,
    domain: o.domain,
    sample: unarySample(o),
  };
}

function binary(
  name: string,
  f: (a: Tensor, b: Tensor) => Tensor,
  a: ValueOptions = {},
  b: ValueOptions = a,
) {
  return {
    name,
    source: 'core',
    call: (args: readonly unknown[]) => f(t(args[0]), t(args[1])),
    differentiable: true,
    smooth: true,
    sample: binarySample(a, b),
  } satisfies OpInfo;
}

/** Index tensor (int32) of `shape` with values in [0, size). */
function arbIndex(shape: readonly number[], size: number): fc.Arbitrary<Tensor> {
  const n = shape.reduce((x, y) => x * y, 1);
  return fc
    .array(fc.integer({ min: 0, max: size - 1 }), { minLength: n, maxLength: n })
    .map((v) => tensor(v, { shape, dtype: 'int32' }));
}

// ---- the registry ----

/** Ops implemented in `@tsgrad/core`. */
export const coreOps: OpInfo[] = [
  // Unary elementwise.
  unary('neg', (x) => x.neg()),
  unary('exp', (x) => x.exp()),
  unary('abs', (x) => x.abs(), { avoid: [0], domain: 'kink at 0' }),
  unary('sin', (x) => x.sin()),
  unary('cos', (x) => x.cos()),
  unary('tanh', (x) => x.tanh()),
  unary('sigmoid', (x) => x.sigmoid()),
  unary('relu', (x) => x.relu(), { avoid: [0], domain: 'kink at 0' }),
  unary('erf', (x) => x.erf()),
  unary('gelu', (x) => x.gelu()),
  unary('geluTanh', (x) => x.gelu('tanh')),
  unary('leakyRelu', (x) => x.leakyRelu(), { avoid: [0], domain: 'kink at 0' }),
  unary('elu', (x) => x.elu(), { avoid: [0], domain: 'second derivative jumps at 0' }),
  unary('silu', (x) => x.silu()),
  unary('softplus', (x) => x.softplus(), { min: -6, max: 6 }),
  unary('square', (x) => x.square()),
  unary('log', (x) => x.log(), { min: 0.1, max: 5, domain: 'x > 0' }),
  unary('sqrt', (x) => x.sqrt(), { min: 0.1, max: 5, domain: 'x > 0' }),
  unary('reciprocal', (x) => x.reciprocal(), { avoid: [0], margin: 0.2, domain: 'x ≠ 0' }),
  unary('rsqrt', (x) => x.rsqrt(), { min: 0.1, max: 5, domain: 'x > 0' }),

  // Binary elementwise with broadcasting.
  binary('add', (a, b) => a.add(b)),
  binary('sub', (a, b) => a.sub(b)),
  binary('mul', (a, b) => a.mul(b)),
  binary('div', (a, b) => a.div(b), {}, { avoid: [0], margin: 0.2 }),
  binary('maximum', (a, b) => a.maximum(b), { distinct: true }),
  binary('minimum', (a, b) => a.minimum(b), { distinct: true }),
  { ...binary('pow', (a, b) => a.pow(b), { min: 0.2, max: 3 }, { min: -2, max: 2 }), domain: 'base > 0' },
  {
    name: 'powScalar',
    source: 'core',
    call: (a) => t(a[0]).pow(num(a[1])),
    differentiable: true,
    smooth: true,
    domain: 'base > 0',
    sample: fc
      .tuple(arbFloat({ min: 0.2, max: 3 }), fc.constantFrom(2, 3, 2.5, 0.5, -1.5, 0))
      .map(([x, p]) => ({ args: [x, p], kwargs: {} })),
  },
  {
    name: 'mulScalar',
    source: 'core',
    call: (a) => t(a[0]).mul(num(a[1])),
    differentiable: true,
    smooth: true,
    sample: fc
      .tuple(arbFloat(), fc.double({ min: -3, max: 3, noNaN: true }))
      .map(([x, s]) => ({ args: [x, s], kwargs: {} })),
  },
  {
    name: 'addScalar',
    source: 'core',
    call: (a) => t(a[0]).add(num(a[1])),
    differentiable: true,
    smooth: true,
    sample: fc
      .tuple(arbFloat(), fc.double({ min: -3, max: 3, noNaN: true }))
      .map(([x, s]) => ({ args: [x, s], kwargs: {} })),
  },
  {
    name: 'clamp',
    source: 'core',
    call: (a) => t(a[0]).clamp(a[1] as number | undefined, a[2] as number | undefined),
    differentiable: true,
    smooth: true,
    domain: 'kinks at min and max',
    sample: arbFloat({ avoid: [-0.5, 0.7] }).map((x) => ({ args: [x, -0.5, 0.7], kwargs: {} })),
  },
  {
    name: 'where',
    source: 'core',
    call: (a) => where(t(a[0]), t(a[1]), t(a[2])),
    differentiable: true,
    smooth: true,
    sample: arbBroadcastableShapes({ count: 3, maxRank: 3, maxDim: 4 }).chain(([sc, sa, sb]) =>
      fc
        .tuple(arbValues(sc!), arbValues(sa!), arbValues(sb!))
        .map(([c, a, b]) => ({ args: [c.gt(0), a, b], kwargs: {} })),
    ),
  },

  // Reductions.
  {
    name: 'sum',
    source: 'core',
    call: (a, k) => t(a[0]).sum(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    sample: reduceSample(),
  },
  {
    name: 'mean',
    source: 'core',
    call: (a, k) => t(a[0]).mean(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    sample: reduceSample(),
  },
  {
    name: 'prod',
    source: 'core',
    call: (a, k) => t(a[0]).prod(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    domain: 'away from 0 (zeros are tested separately)',
    sample: reduceSample({ min: -2, max: 2, avoid: [0], margin: 0.3 }),
  },
  {
    name: 'max',
    source: 'core',
    call: (a, k) => t(a[0]).max(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    domain: 'no ties',
    sample: reduceSample({ distinct: true }),
  },
  {
    name: 'min',
    source: 'core',
    call: (a, k) => t(a[0]).min(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    domain: 'no ties',
    sample: reduceSample({ distinct: true }),
  },
  {
    name: 'maxDim',
    source: 'core',
    call: (a, k) => t(a[0]).max(k.dim as number, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    domain: 'no ties',
    sample: reduceSample({ distinct: true }, 'one'),
  },
  {
    name: 'minDim',
    source: 'core',
    call: (a, k) => t(a[0]).min(k.dim as number, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    domain: 'no ties',
    sample: reduceSample({ distinct: true }, 'one'),
  },
  {
    name: 'argmax',
    source: 'core',
    call: (a, k) => t(a[0]).argmax(k.dim as number | undefined, kw(k).keepdim),
    differentiable: false,
    smooth: false,
  },
  {
    name: 'argmin',
    source: 'core',
    call: (a, k) => t(a[0]).argmin(k.dim as number | undefined, kw(k).keepdim),
    differentiable: false,
    smooth: false,
  },
  {
    name: 'var',
    source: 'core',
    call: (a, k) => t(a[0]).var(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    domain: 'at least 2 elements per reduction',
    sample: reduceSample({}, 'one', 2),
  },
  {
    name: 'std',
    source: 'core',
    call: (a, k) => t(a[0]).std(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    domain: 'at least 2 distinct elements per reduction',
    sample: reduceSample({ distinct: true }, 'one', 2),
  },
  {
    name: 'logsumexp',
    source: 'core',
    call: (a, k) => t(a[0]).logsumexp(kw(k).dim, kw(k).keepdim),
    differentiable: true,
    smooth: true,
    sample: reduceSample(),
  },
  {
    name: 'softmax',
    source: 'core',
    call: (a, k) => t(a[0]).softmax(k.dim as number),
    differentiable: true,
    smooth: true,
    sample: reduceSample({}, 'one'),
  },
  {
    name: 'logSoftmax',
    source: 'core',
    call: (a, k) => t(a[0]).logSoftmax(k.dim as number),
    differentiable: true,
    smooth: true,
    sample: reduceSample({}, 'one'),
  },

  // Linear algebra.
  {
    name: 'matmul',
    source: 'core',
    call: (a) => matmul(t(a[0]), t(a[1])),
    differentiable: true,
    smooth: true,
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
    source: 'core',
    call: (a) => addmm(t(a[0]), t(a[1]), t(a[2])),
    differentiable: true,
    smooth: true,
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
  },

  // Movement and joins.
  {
    name: 'transpose',
    source: 'core',
    call: (a) => t(a[0]).transpose(num(a[1]), num(a[2])),
    differentiable: true,
    smooth: true,
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc.tuple(arbDim(x.ndim), arbDim(x.ndim)).map(([i, j]) => ({ args: [x, i, j], kwargs: {} })),
    ),
  },
  {
    name: 'permute',
    source: 'core',
    call: (a) => t(a[0]).permute(a[1] as number[]),
    differentiable: true,
    smooth: true,
    sample: arbFloat().chain((x) =>
      fc
        .shuffledSubarray(
          x.shape.map((_, i) => i),
          { minLength: x.ndim, maxLength: x.ndim },
        )
        .map((p) => ({ args: [x, p], kwargs: {} })),
    ),
  },
  {
    name: 'reshape',
    source: 'core',
    call: (a) => t(a[0]).reshape(a[1] as number[]),
    differentiable: true,
    smooth: true,
    // Reshapes a (possibly transposed, so non-contiguous) tensor to a shuffled factorisation.
    sample: fc.tuple(arbFloat({ minRank: 2 }), fc.boolean()).chain(([x0, tr]) => {
      const x = tr ? x0.transpose(0, 1) : x0;
      return fc
        .shuffledSubarray([...x.shape, 1], { minLength: x.ndim + 1, maxLength: x.ndim + 1 })
        .map((s) => ({ args: [x, s.length > 1 ? [s[0]! * s[1]!, ...s.slice(2)] : s], kwargs: {} }));
    }),
  },
  {
    name: 'flatten',
    source: 'core',
    call: (a) => t(a[0]).flatten(num(a[1]), num(a[2])),
    differentiable: true,
    smooth: true,
    sample: arbFloat({ minRank: 1 })
      .chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 0, max: x.ndim - 1 })))
      .chain(([x, s]) =>
        fc
          .integer({ min: s, max: x.ndim - 1 })
          .map((e) => ({ args: [x.permute([...x.shape.keys()].reverse()), s, e], kwargs: {} })),
      ),
  },
  {
    name: 'squeeze',
    source: 'core',
    call: (a) => t(a[0]).squeeze(a[1] as number | undefined),
    differentiable: true,
    smooth: true,
    sample: arbShape({ minRank: 1, maxRank: 4, maxDim: 2 }).chain((s) =>
      fc
        .tuple(arbValues(s), fc.option(arbDim(s.length), { nil: undefined }))
        .map(([x, d]) => ({ args: [x, d], kwargs: {} })),
    ),
  },
  {
    name: 'unsqueeze',
    source: 'core',
    call: (a) => t(a[0]).unsqueeze(num(a[1])),
    differentiable: true,
    smooth: true,
    sample: arbFloat().chain((x) => arbDim(x.ndim + 1).map((d) => ({ args: [x, d], kwargs: {} }))),
  },
  {
    name: 'expand',
    source: 'core',
    call: (a) => t(a[0]).expand(a[1] as number[]),
    differentiable: true,
    smooth: true,
    sample: arbBroadcastableShapes({ maxRank: 3, maxDim: 3 }).chain(([s, full]) => {
      // Expand s to the broadcast of both shapes.
      const n = Math.max(s!.length, full!.length);
      const target = Array.from({ length: n }, (_, i) =>
        Math.max(s![s!.length - n + i] ?? 1, full![full!.length - n + i] ?? 1),
      );
      return arbValues(s!).map((x) => ({ args: [x, target], kwargs: {} }));
    }),
  },
  {
    name: 'narrow',
    source: 'core',
    call: (a) => t(a[0]).narrow(num(a[1]), num(a[2]), num(a[3])),
    differentiable: true,
    smooth: true,
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      arbDim(x.ndim).chain((d) => {
        const size = x.shape[d < 0 ? d + x.ndim : d]!;
        return fc
          .integer({ min: 0, max: size - 1 })
          .chain((start) =>
            fc
              .integer({ min: 1, max: size - start })
              .map((len) => ({ args: [x, d, start, len], kwargs: {} })),
          );
      }),
    ),
  },
  {
    name: 'cat',
    source: 'core',
    call: (a) => cat(a.slice(0, -1) as Tensor[], num(a.at(-1))),
    differentiable: true,
    smooth: true,
    sample: fc
      .tuple(arbShape({ minRank: 1, maxRank: 3, maxDim: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([s, count]) =>
        arbDim(s.length).chain((d) => {
          const dd = d < 0 ? d + s.length : d;
          return fc
            .array(
              fc.integer({ min: 1, max: 3 }).chain((len) => arbValues(s.map((v, i) => (i === dd ? len : v)))),
              { minLength: count, maxLength: count },
            )
            .map((ts) => ({ args: [...ts, d], kwargs: {} }));
        }),
      ),
  },
  {
    name: 'stack',
    source: 'core',
    call: (a) => stack(a.slice(0, -1) as Tensor[], num(a.at(-1))),
    differentiable: true,
    smooth: true,
    sample: fc
      .tuple(arbShape({ maxRank: 2, maxDim: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([s, count]) =>
        fc
          .tuple(fc.array(arbValues(s), { minLength: count, maxLength: count }), arbDim(s.length + 1))
          .map(([ts, d]) => ({ args: [...ts, d], kwargs: {} })),
      ),
  },
  {
    name: 'split',
    source: 'core',
    // Returns the pieces joined back, so that every piece's gradient is exercised.
    call: (a) => {
      const pieces = t(a[0]).split(num(a[1]), num(a[2]));
      return cat(
        pieces.map((p, i) => p.mul(i + 1)),
        num(a[2]),
      );
    },
    differentiable: true,
    smooth: true,
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc
        .tuple(fc.integer({ min: 1, max: 4 }), arbDim(x.ndim))
        .map(([size, d]) => ({ args: [x, size, d], kwargs: {} })),
    ),
  },
  {
    name: 'clone',
    source: 'core',
    call: (a) => t(a[0]).clone(),
    differentiable: true,
    smooth: true,
    sample: unarySample(),
  },
  {
    name: 'contiguous',
    source: 'core',
    call: (a) => t(a[0]).T.contiguous(),
    differentiable: true,
    smooth: true,
    sample: unarySample(),
  },

  // Indexing.
  {
    name: 'gather',
    source: 'core',
    call: (a) => gather(t(a[0]), num(a[1]), t(a[2])),
    differentiable: true,
    smooth: true,
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
    source: 'core',
    call: (a) => indexSelect(t(a[0]), num(a[1]), t(a[2])),
    differentiable: true,
    smooth: true,
    sample: arbFloat({ minRank: 1 }).chain((x) =>
      fc.tuple(arbDim(x.ndim), fc.integer({ min: 1, max: 5 })).chain(([d, n]) => {
        const dd = d < 0 ? d + x.ndim : d;
        return arbIndex([n], x.shape[dd]!).map((idx) => ({ args: [x, d, idx], kwargs: {} }));
      }),
    ),
  },
  {
    name: 'scatterAdd',
    source: 'core',
    call: (a) => scatterAdd(t(a[0]), num(a[1]), t(a[2]), t(a[3])),
    differentiable: true,
    smooth: true,
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

// ---- ops of `@tsgrad/nn`'s functional API ----

/** A [N, C] float tensor and N int32 class indices. */
function arbClassification(minN = 1): fc.Arbitrary<{ x: Tensor; target: Tensor; n: number; c: number }> {
  return fc
    .tuple(fc.integer({ min: minN, max: 4 }), fc.integer({ min: 2, max: 5 }))
    .chain(([n, c]) =>
      fc.tuple(arbValues([n, c]), arbIndex([n], c)).map(([x, target]) => ({ x, target, n, c })),
    );
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
  smooth = true,
): OpInfo {
  return {
    name,
    source: 'nn',
    call: (a) => f(t(a[0]), t(a[1]), a.slice(2)),
    differentiable: true,
    smooth,
    sample,
  };
}

/** Ops of `ops.json` that `@tsgrad/nn` implements, called through its functional API. */
export const nnOps: OpInfo[] = [
  {
    name: 'linear',
    source: 'nn',
    call: (a) => nn.linear(t(a[0]), t(a[1]), a[2] as Tensor | undefined),
    differentiable: true,
    smooth: true,
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
    source: 'nn',
    call: (a) => {
      const w = t(a[1]);
      return nn.layerNorm(t(a[0]), [...w.shape], { weight: w, bias: t(a[2]) });
    },
    differentiable: true,
    smooth: true,
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
    source: 'nn',
    call: (a) => nn.batchNorm(t(a[0]), null, null, { weight: t(a[1]), bias: t(a[2]), training: true }),
    differentiable: true,
    smooth: true,
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
    source: 'nn',
    call: (a) => nn.embedding(t(a[0]), t(a[1])),
    differentiable: true,
    smooth: true,
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
  loss(
    'crossEntropyLoss',
    // A third argument is the reduction (a string) or the label smoothing (a number).
    (x, y, rest) =>
      nn.crossEntropyLoss(
        x,
        y,
        typeof rest[0] === 'string'
          ? { reduction: rest[0] as 'mean' | 'sum' | 'none' }
          : typeof rest[0] === 'number'
            ? { labelSmoothing: rest[0] }
            : {},
      ),
    fc.oneof(
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
    ),
  ),
  loss(
    'nllLoss',
    (x, y) => nn.nllLoss(x, y),
    arbClassification().map(({ x, target }) => ({ args: [x, target], kwargs: {} })),
  ),
  {
    name: 'scaledDotProductAttention',
    source: 'nn',
    call: (a) => nn.scaledDotProductAttention(t(a[0]), t(a[1]), t(a[2]), { isCausal: a[3] === true }),
    differentiable: true,
    smooth: true,
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

/** Ops of `ops.json` not implemented yet (the coverage test skips none of the others). */
export const nnOpsPending: readonly string[] = [];

/** Every registered op. */
export const registry: readonly OpInfo[] = [...coreOps, ...nnOps];

/** The entry named `name`, or undefined. */
export function findOp(name: string): OpInfo | undefined {
  return registry.find((o) => o.name === name);
}
