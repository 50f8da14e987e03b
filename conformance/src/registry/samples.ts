/**
 * Building blocks of the registry's sample generators: float64 tensors of random small shapes
 * with values kept inside an op's domain and away from its kinks, dims, index tensors, and
 * the argument readers the entries' `call`s share.
 */
import type { Tensor } from '@tsgrad/core';
import { tensor } from '@tsgrad/core';
import { arbBroadcastableShapes, arbShape } from '@tsgrad/core/testing';
import fc from 'fast-check';
import type { Sample } from './op-info.js';

/** How sample values are drawn. */
export interface ValueOptions {
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
export function arbValues(shape: readonly number[], o: ValueOptions = {}): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  const min = o.min ?? -3;
  const max = o.max ?? 3;
  return fc
    .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })
    .map((vals) => tensor(fixValues(vals, o), { shape, dtype: 'float64' }));
}

/** A float64 tensor of a random small shape. */
export function arbFloat(o: ValueOptions & { minRank?: number; maxRank?: number; minDim?: number } = {}) {
  return arbShape({
    minRank: o.minRank ?? 0,
    maxRank: o.maxRank ?? 3,
    minDim: o.minDim ?? 1,
    maxDim: 4,
  }).chain((s) => arbValues(s, o));
}

/** A random dim of a tensor of rank `ndim` (negative half the time), or undefined for rank 0. */
export function arbDim(ndim: number): fc.Arbitrary<number> {
  const n = Math.max(ndim, 1);
  return fc.integer({ min: -n, max: n - 1 });
}

export function unarySample(o: ValueOptions = {}): fc.Arbitrary<Sample> {
  return arbFloat(o).map((x) => ({ args: [x], kwargs: {} }));
}

export function binarySample(a: ValueOptions = {}, b: ValueOptions = a): fc.Arbitrary<Sample> {
  return arbBroadcastableShapes({ maxRank: 3, maxDim: 4 }).chain(([sa, sb]) =>
    fc.tuple(arbValues(sa!, a), arbValues(sb!, { ...b, distinct: false })).map(([x, y]) => {
      // Distinct operands must not tie with each other either: shift the second off the first's ramp.
      const yy = b.distinct ? y.add(0.00531) : y;
      return { args: [x, yy], kwargs: {} };
    }),
  );
}

/** A tensor and a reduction over a random dim or dims (or all), with keepdim. */
export function reduceSample(
  o: ValueOptions = {},
  dims: 'one' | 'any' = 'any',
  minDim = 1,
): fc.Arbitrary<Sample> {
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

/** A call argument read as a tensor. */
export const t = (v: unknown) => v as Tensor;
/** A call argument read as a number. */
export const num = (v: unknown) => v as number;
/** A reduction's `dim` and `keepdim` keyword arguments. */
export const kw = (k: Record<string, unknown>) => ({
  dim: k.dim as number | number[] | undefined,
  keepdim: (k.keepdim as boolean | undefined) ?? false,
});

/** Index tensor (int32) of `shape` with values in [0, size). */
export function arbIndex(shape: readonly number[], size: number): fc.Arbitrary<Tensor> {
  const n = shape.reduce((x, y) => x * y, 1);
  return fc
    .array(fc.integer({ min: 0, max: size - 1 }), { minLength: n, maxLength: n })
    .map((v) => tensor(v, { shape, dtype: 'int32' }));
}
