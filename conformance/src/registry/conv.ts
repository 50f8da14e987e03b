/**
 * Convolution, pooling and resampling of `@tsgrad/nn`'s functional API (`F.conv2d` …), called
 * as `parity-ops.json` writes them: tensors positionally, options as keyword arguments.
 */
import type { Tensor } from '@tsgrad/core';
import * as nn from '@tsgrad/nn';
import fc from 'fast-check';
import type { OpInfo, Sample } from './op-info.js';
import { arbValues, t } from './samples.js';

const F = nn.functional;

/** Small conv geometries: [N, C, spatial…] inputs, a weight and options that fit them. */
function convSample(spatial: 1 | 2): fc.Arbitrary<Sample> {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      groups: fc.constantFrom(1, 2),
      cPer: fc.integer({ min: 1, max: 2 }),
      oPer: fc.integer({ min: 1, max: 2 }),
      k: fc.integer({ min: 1, max: 3 }),
      size: fc.integer({ min: 4, max: 5 }),
      stride: fc.integer({ min: 1, max: 2 }),
      padding: fc.constantFrom<number | 'same' | 'valid'>(0, 1, 'same', 'valid'),
      dilation: fc.integer({ min: 1, max: 2 }),
      bias: fc.boolean(),
    })
    .filter((g) => g.size + (g.padding === 1 ? 2 : 0) >= g.dilation * (g.k - 1) + 1)
    .chain((g) => {
      const c = g.cPer * g.groups;
      const o = g.oPer * g.groups;
      const sp = Array<number>(spatial).fill(g.size);
      const ks = Array<number>(spatial).fill(g.k);
      const stride = g.padding === 'same' ? 1 : g.stride;
      return fc
        .tuple(arbValues([g.n, c, ...sp]), arbValues([o, g.cPer, ...ks]), arbValues([o]))
        .map(([x, w, b]) => ({
          args: [x, w, g.bias ? b : null],
          kwargs: { stride, padding: g.padding, dilation: g.dilation, groups: g.groups },
        }));
    });
}

const convCall =
  (f: typeof F.conv2d) =>
  (a: readonly unknown[], k: Record<string, unknown>): Tensor =>
    f(t(a[0]), t(a[1]), (a[2] ?? null) as Tensor | null, k as nn.functional.ConvOptions);

/** A pooling sample: x [N, C, spatial…] with distinct values (no ties) and a window that fits. */
function poolSample(spatial: 1 | 2, withPadding: boolean, extra: fc.Arbitrary<Record<string, unknown>>) {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      c: fc.integer({ min: 1, max: 2 }),
      size: fc.integer({ min: 3, max: 5 }),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 2 }),
      pad: fc.boolean(),
      extra,
    })
    .chain((g) =>
      arbValues([g.n, g.c, ...Array<number>(spatial).fill(g.size)], { distinct: true }).map((x) => ({
        args: [x],
        kwargs: {
          kernelSize: g.k,
          stride: g.stride,
          padding: withPadding && g.pad ? Math.floor(g.k / 2) : 0,
          ...g.extra,
        },
      })),
    );
}

/** The convolution and pooling ops of `parity-ops.json`. */
export const convOps: OpInfo[] = [
  { name: 'conv2d', call: convCall(F.conv2d), sample: convSample(2) },
  { name: 'conv1d', call: convCall(F.conv1d), sample: convSample(1) },
  {
    name: 'convTranspose2d',
    call: (a, k) =>
      F.convTranspose2d(
        t(a[0]),
        t(a[1]),
        (a[2] ?? null) as Tensor | null,
        k as nn.functional.ConvTransposeOptions,
      ),
    sample: fc
      .record({
        n: fc.integer({ min: 1, max: 2 }),
        groups: fc.constantFrom(1, 2),
        cPer: fc.integer({ min: 1, max: 2 }),
        oPer: fc.integer({ min: 1, max: 2 }),
        k: fc.integer({ min: 1, max: 3 }),
        size: fc.integer({ min: 2, max: 4 }),
        stride: fc.integer({ min: 1, max: 2 }),
        padding: fc.integer({ min: 0, max: 1 }),
        outputPadding: fc.integer({ min: 0, max: 1 }),
        dilation: fc.integer({ min: 1, max: 2 }),
        bias: fc.boolean(),
      })
      .filter(
        (g) =>
          g.outputPadding < Math.max(g.stride, g.dilation) &&
          g.dilation * (g.k - 1) + 1 > 2 * g.padding - (g.size - 1) * g.stride,
      )
      .chain((g) => {
        const c = g.cPer * g.groups;
        const o = g.oPer * g.groups;
        return fc
          .tuple(arbValues([g.n, c, g.size, g.size]), arbValues([c, g.oPer, g.k, g.k]), arbValues([o]))
          .map(([x, w, b]) => ({
            args: [x, w, g.bias ? b : null],
            kwargs: {
              stride: g.stride,
              padding: g.padding,
              outputPadding: g.outputPadding,
              dilation: g.dilation,
              groups: g.groups,
            },
          }));
      }),
  },
  {
    name: 'maxPool2d',
    call: (a, k) => F.maxPool2d(t(a[0]), k.kernelSize as number, k as nn.functional.MaxPoolOptions),
    domain: 'distinct values, so no window has a tie',
    sample: poolSample(
      2,
      true,
      fc.record({ ceilMode: fc.boolean(), dilation: fc.integer({ min: 1, max: 2 }) }),
    ).filter((s) => {
      const k = s.kwargs as unknown as { kernelSize: number; dilation: number };
      return (s.args[0] as Tensor).shape[2]! >= k.dilation * (k.kernelSize - 1) + 1;
    }),
  },
  {
    name: 'maxPool1d',
    call: (a, k) => F.maxPool1d(t(a[0]), k.kernelSize as number, k as nn.functional.MaxPoolOptions),
    domain: 'distinct values, so no window has a tie',
    sample: poolSample(1, true, fc.record({ ceilMode: fc.boolean() })),
  },
  {
    name: 'avgPool2d',
    call: (a, k) => F.avgPool2d(t(a[0]), k.kernelSize as number, k as nn.functional.AvgPoolOptions),
    sample: poolSample(2, true, fc.record({ ceilMode: fc.boolean(), countIncludePad: fc.boolean() })),
  },
  {
    name: 'adaptiveAvgPool2d',
    call: (a, k) => F.adaptiveAvgPool2d(t(a[0]), (k.outputSize ?? a[1]) as number | number[]),
    sample: fc
      .record({
        shape: fc.tuple(
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5 }),
        ),
        out: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      })
      .chain(({ shape, out }) => arbValues(shape).map((x) => ({ args: [x], kwargs: { outputSize: out } }))),
  },
  {
    name: 'interpolate',
    call: (a, k) => F.interpolate(t(a[0]), k as nn.functional.InterpolateOptions),
    sample: fc
      .record({
        shape: fc.tuple(
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
        ),
        how: fc.oneof(
          fc.record({ scaleFactor: fc.constantFrom(1, 2, 3), mode: fc.constant<'nearest'>('nearest') }),
          fc.record({
            size: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })),
            mode: fc.constant<'nearest'>('nearest'),
          }),
          fc.record({
            size: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })),
            mode: fc.constant<'bilinear'>('bilinear'),
            alignCorners: fc.boolean(),
          }),
        ),
      })
      .chain(({ shape, how }) => arbValues(shape).map((x) => ({ args: [x], kwargs: how }))),
  },
];
