/**
 * Convolution with the reflect, replicate and circular padding modes against a direct
 * convolution written here with PyTorch's border rules; unbatched inputs; pooling with
 * ceilMode against its window rule; and the pooling and resampling modules against their
 * functional forms.
 */
import { manualSeed, randn, type Tensor, tensor } from '@tsgrad/core';
import { gradcheck } from '@tsgrad/core/testing';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  Conv1d,
  Conv2d,
  functional as F,
  MaxPool1d,
  MaxPool2d,
  Upsample,
} from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

type Mode = 'reflect' | 'replicate' | 'circular';

/** Where index i (possibly outside [0, n)) reads from under PyTorch's padding modes. */
function border(i: number, n: number, mode: Mode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'replicate') return i < 0 ? 0 : n - 1;
  if (mode === 'circular') return ((i % n) + n) % n;
  return i < 0 ? -i : 2 * (n - 1) - i; // reflect (the edge is not repeated)
}

/** conv2d of x [N, C, H, W] by w [O, C, kH, kW], padded by `mode`, with stride and dilation. */
function directConv(
  x: Tensor,
  w: Tensor,
  pad: [number, number],
  stride: [number, number],
  dil: [number, number],
  mode: Mode,
): { data: number[]; shape: number[] } {
  const [N, C, H, W] = x.shape as number[] as [number, number, number, number];
  const [O, , KH, KW] = w.shape as number[] as [number, number, number, number];
  const xs = x.dataSync();
  const ws = w.dataSync();
  const oh = Math.floor((H + 2 * pad[0] - dil[0] * (KH - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((W + 2 * pad[1] - dil[1] * (KW - 1) - 1) / stride[1]) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = 0;
          for (let c = 0; c < C; c++)
            for (let a = 0; a < KH; a++)
              for (let b = 0; b < KW; b++) {
                const r = border(i * stride[0] - pad[0] + a * dil[0], H, mode);
                const q = border(j * stride[1] - pad[1] + b * dil[1], W, mode);
                s += xs[((n * C + c) * H + r) * W + q]! * ws[((o * C + c) * KH + a) * KW + b]!;
              }
          out.push(s);
        }
  return { data: out, shape: [N, O, oh, ow] };
}

function expectClose(t: Tensor, want: { data: number[]; shape: number[] }, digits = 10): void {
  expect(t.shape).toEqual(want.shape);
  Array.from(t.dataSync()).forEach((v, i) => {
    expect(v, `element ${i}`).toBeCloseTo(want.data[i]!, digits);
  });
}

describe('convolution padding modes', () => {
  const modes: Mode[] = ['reflect', 'replicate', 'circular'];
  const geometries: Array<{
    size: [number, number];
    k: [number, number];
    pad: [number, number];
    stride: [number, number];
    dil: [number, number];
  }> = [
    { size: [5, 6], k: [3, 3], pad: [1, 1], stride: [1, 1], dil: [1, 1] },
    { size: [5, 6], k: [3, 2], pad: [2, 1], stride: [2, 1], dil: [1, 2] },
    { size: [4, 7], k: [2, 3], pad: [1, 2], stride: [1, 3], dil: [2, 1] },
    { size: [6, 3], k: [1, 3], pad: [0, 2], stride: [1, 1], dil: [1, 1] },
  ];
  for (const mode of modes) {
    test.each(geometries)(`${mode}: %j`, ({ size, k, pad, stride, dil }) => {
      manualSeed(1);
      const x = randn([2, 3, ...size], { dtype: 'float64' });
      const w = randn([4, 3, ...k], { dtype: 'float64' });
      const b = randn([4], { dtype: 'float64' });
      const y = F.conv2d(x, w, b, { padding: pad, stride, dilation: dil, paddingMode: mode });
      const want = directConv(x, w, pad, stride, dil, mode);
      const bs = b.dataSync();
      const per = want.shape[2]! * want.shape[3]!;
      want.data = want.data.map((v, i) => v + bs[Math.floor(i / per) % 4]!);
      expectClose(y, want);
    });
  }

  test("padding 'same' with an even kernel pads one more after than before, in every mode", () => {
    manualSeed(2);
    const x = randn([1, 2, 5, 5], { dtype: 'float64' });
    const w = randn([3, 2, 4, 4], { dtype: 'float64' });
    for (const mode of modes) {
      const y = F.conv2d(x, w, null, { padding: 'same', paddingMode: mode });
      expect(y.shape).toEqual([1, 3, 5, 5]);
      // Total padding 3 per dim: 1 before, 2 after (PyTorch's split); the direct form pads
      // both sides by 2 and drops the first output row and column.
      const wide = directConv(x, w, [2, 2], [1, 1], [1, 1], mode);
      const cropped = tensor(wide.data, { shape: wide.shape, dtype: 'float64' })
        .narrow(2, 1, 5)
        .narrow(3, 1, 5);
      expectClose(y, { data: Array.from(cropped.contiguous().dataSync()), shape: [1, 3, 5, 5] });
    }
  });

  test('gradients through each mode match finite differences', () => {
    manualSeed(3);
    for (const mode of modes) {
      const x = randn([1, 2, 4, 4], { dtype: 'float64', requiresGrad: true });
      const w = randn([2, 2, 3, 3], { dtype: 'float64', requiresGrad: true });
      gradcheck((a, b) => F.conv2d(a!, b!, null, { padding: 2, paddingMode: mode }), [x, w], { name: mode });
    }
  });

  test('the Conv1d and Conv2d modules pass their paddingMode on', () => {
    manualSeed(4);
    const c2 = new Conv2d(2, 3, 3, { padding: 1, paddingMode: 'circular' }).to('float64');
    const x2 = randn([1, 2, 4, 5], { dtype: 'float64' });
    const want = directConv(x2, c2.weight, [1, 1], [1, 1], [1, 1], 'circular');
    expectClose(c2.forward(x2).sub(c2.bias!.reshape([1, 3, 1, 1])), want);
    const c1 = new Conv1d(2, 3, 3, { padding: 2, paddingMode: 'reflect', bias: false }).to('float64');
    const x1 = randn([2, 2, 6], { dtype: 'float64' });
    const want1 = directConv(x1.unsqueeze(2), c1.weight.unsqueeze(2), [0, 2], [1, 1], [1, 1], 'reflect');
    expectClose(c1.forward(x1), { data: want1.data, shape: [2, 3, 8] });
    expect(c1.toString()).toBe(
      "Conv1d(2, 3, kernelSize=[3], stride=1, padding=2, groups=1, bias=false, paddingMode='reflect')",
    );
    expect(new Conv2d(1, 1, 2).toString()).toBe(
      'Conv2d(1, 1, kernelSize=[2,2], stride=1, padding=0, groups=1, bias=true)',
    );
  });

  test('reflect padding as wide as the input is refused, as PyTorch refuses it', () => {
    expect(() =>
      F.conv2d(randn([1, 1, 3, 3]), randn([1, 1, 3, 3]), null, { padding: 3, paddingMode: 'reflect' }),
    ).toThrow(/reflect padding \(3, 3\) must be less than the size 3/);
  });
});

describe('unbatched inputs', () => {
  test('conv2d of [C, H, W] and conv1d of [C, L] equal the batched result without its batch dim', () => {
    manualSeed(5);
    const x = randn([2, 5, 5]);
    const w = randn([3, 2, 3, 3]);
    const y = F.conv2d(x, w, null, { padding: 1 });
    expect(y.shape).toEqual([3, 5, 5]);
    expect(y.toArraySync()).toEqual(
      F.conv2d(x.unsqueeze(0), w, null, { padding: 1 }).squeeze(0).toArraySync(),
    );
    const s = randn([2, 7]);
    const k = randn([4, 2, 3]);
    const z = F.conv1d(s, k, null, { stride: 2 });
    expect(z.shape).toEqual([4, 3]);
    expect(z.toArraySync()).toEqual(
      F.conv1d(s.unsqueeze(0), k, null, { stride: 2 }).squeeze(0).toArraySync(),
    );
    expect(F.maxPool1d(s, 2).toArraySync()).toEqual(F.maxPool1d(s.unsqueeze(0), 2).squeeze(0).toArraySync());
  });
});

describe('pooling', () => {
  /** Max over each window of a [H, W] plane, windows starting at i·s − p, clipped to the input. */
  function directMaxPool(v: number[][], k: number, s: number, p: number, out: number): number[] {
    const res: number[] = [];
    for (let i = 0; i < out; i++)
      for (let j = 0; j < out; j++) {
        let m = Number.NEGATIVE_INFINITY;
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++) {
            const r = i * s - p + a;
            const c = j * s - p + b;
            if (r >= 0 && r < v.length && c >= 0 && c < v[0]!.length) m = Math.max(m, v[r]![c]!);
          }
        res.push(m);
      }
    return res;
  }
  const plane = Array.from({ length: 5 }, (_, i) =>
    Array.from({ length: 5 }, (_, j) => Math.sin(3 * i + j * j)),
  );

  test.each([
    // [kernel, stride, padding, floor size, ceil size]
    [2, 2, 0, 2, 3],
    [2, 2, 1, 3, 3], // the fourth window would start in the right padding: dropped
    [3, 2, 1, 3, 3],
    [3, 3, 0, 1, 2],
  ])(
    'maxPool2d kernel %d stride %d padding %d: %d windows, %d with ceilMode',
    (k, s, p, floorOut, ceilOut) => {
      const x = tensor(plane).reshape([1, 1, 5, 5]);
      const floor = F.maxPool2d(x, k, { stride: s, padding: p });
      expect(floor.shape).toEqual([1, 1, floorOut, floorOut]);
      expect(Array.from(floor.dataSync())).toEqual(directMaxPool(plane, k, s, p, floorOut).map(Math.fround));
      const ceil = F.maxPool2d(x, k, { stride: s, padding: p, ceilMode: true });
      expect(ceil.shape).toEqual([1, 1, ceilOut, ceilOut]);
      expect(Array.from(ceil.dataSync())).toEqual(directMaxPool(plane, k, s, p, ceilOut).map(Math.fround));
    },
  );

  test('an empty stride list means stride = kernel, as PyTorch’s default', () => {
    const x = tensor(plane).reshape([1, 1, 5, 5]);
    expect(F.maxPool2d(x, 2, { stride: [] }).toArraySync()).toEqual(F.maxPool2d(x, 2).toArraySync());
    expect(F.maxPool2d(x, 2, { stride: null as never }).shape).toEqual([1, 1, 2, 2]);
  });

  test('the pooling and resampling modules compute their functional form and print their options', () => {
    manualSeed(6);
    const x = randn([2, 3, 6, 6]);
    const cases: Array<[{ forward(x: Tensor): Tensor; toString(): string }, Tensor, Tensor, string]> = [
      [new MaxPool2d(2), x, F.maxPool2d(x, 2), 'MaxPool2d(kernelSize=2, stride=2, padding=0)'],
      [
        new MaxPool2d([3, 2], { stride: 1, padding: 1 }),
        x,
        F.maxPool2d(x, [3, 2], { stride: 1, padding: 1 }),
        'MaxPool2d(kernelSize=[3,2], stride=1, padding=1)',
      ],
      [
        new MaxPool1d(3, { stride: 2 }),
        x.narrow(2, 0, 1).squeeze(2),
        F.maxPool1d(x.narrow(2, 0, 1).squeeze(2), 3, { stride: 2 }),
        'MaxPool1d(kernelSize=3, stride=2, padding=0)',
      ],
      [
        new AvgPool2d(3, { padding: 1 }),
        x,
        F.avgPool2d(x, 3, { padding: 1 }),
        'AvgPool2d(kernelSize=3, stride=3, padding=1)',
      ],
      [
        new AdaptiveAvgPool2d([2, null]),
        x,
        F.adaptiveAvgPool2d(x, [2, null]),
        'AdaptiveAvgPool2d(outputSize=[2,null])',
      ],
      [
        new Upsample({ scaleFactor: 2 }),
        x,
        F.interpolate(x, { scaleFactor: 2 }),
        "Upsample(scaleFactor=2, mode='nearest')",
      ],
      [
        new Upsample({ size: [3, 4], mode: 'bilinear' }),
        x,
        F.interpolate(x, { size: [3, 4], mode: 'bilinear' }),
        "Upsample(size=[3,4], mode='bilinear')",
      ],
    ];
    for (const [m, input, want, repr] of cases) {
      expect(m.forward(input).toArraySync(), repr).toEqual(want.toArraySync());
      expect(m.toString()).toBe(repr);
    }
    expect(new AdaptiveAvgPool2d([2, null]).forward(x).shape).toEqual([2, 3, 2, 6]);
    expect(F.adaptiveAvgPool2d(x, [4]).shape).toEqual([2, 3, 4, 4]);
  });
});

describe('interpolate', () => {
  test('linear, per-dim scale factors, align corners', () => {
    const x = tensor([[[0, 1, 4]]]);
    // align corners: the ends map onto each other; 5 points over [0, 2].
    expect(Array.from(F.interpolate(x, { size: 5, mode: 'linear', alignCorners: true }).dataSync())).toEqual([
      0, 0.5, 1, 2.5, 4,
    ]);
    // Half-pixel centres: src = (o + 0.5)/2 − 0.5, clamped at 0.
    expect(Array.from(F.interpolate(x, { scaleFactor: [2], mode: 'linear' }).dataSync())).toEqual([
      0, 0.25, 0.75, 1.75, 3.25, 4,
    ]);
    const img = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    expect(F.interpolate(img, { scaleFactor: [1, 2] }).toArraySync()).toEqual([
      [
        [
          [1, 1, 2, 2],
          [3, 3, 4, 4],
        ],
      ],
    ]);
    expect(F.interpolate(img, { size: 3, mode: 'bilinear', alignCorners: true }).toArraySync()).toEqual([
      [
        [
          [1, 1.5, 2],
          [2, 2.5, 3],
          [3, 3.5, 4],
        ],
      ],
    ]);
  });
});
