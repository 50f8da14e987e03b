/**
 * The convolution-window primitives (`im2col`, `col2im`) on every device, against their
 * composite reference: one `gather` through an index computed here (taps in the padding read
 * an extra slot holding the padding value), and a `scatterAdd` through the same index. Random
 * geometries cover strides, paddings (including windows that run past the plane's far end),
 * dilations, kernels larger than the plane, strided inputs and a −∞ padding value; a dot-product
 * test checks that the two are each other's adjoint, and gradcheck/gradgradcheck that their
 * recorded gradients are.
 */
import {
  cat,
  type Device,
  full,
  grad,
  manualSeed,
  randint,
  type Tensor,
  tensor,
  type WindowSpec,
} from '@tsgrad/core';
import { col2im, im2col } from '@tsgrad/core/internal';
import { gradcheck, gradgradcheck } from '@tsgrad/core/testing';
import { describe, expect, it } from 'vitest';
import { allDevices, deviceTitle } from '../src/devices.js';

/** A small deterministic generator for the geometries. */
function rng(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

interface Case {
  shape: [number, number, number, number];
  spec: WindowSpec;
}

function randomCase(r: (lo: number, hi: number) => number): Case {
  const dim = () => {
    const size = r(1, 9);
    const kernel = r(1, 4);
    const stride = r(1, 3);
    const dilation = r(1, 3);
    const before = r(0, 3);
    const after = r(0, 3);
    const span = size + before + after - dilation * (kernel - 1) - 1;
    return { size, kernel, stride, dilation, before, out: span < 0 ? 0 : Math.floor(span / stride) + 1 };
  };
  let h = dim();
  let w = dim();
  while (h.out < 1) h = dim();
  while (w.out < 1) w = dim();
  return {
    shape: [r(1, 3), r(1, 4), h.size, w.size],
    spec: {
      size: [h.size, w.size],
      kernel: [h.kernel, w.kernel],
      stride: [h.stride, w.stride],
      padding: [h.before, w.before],
      dilation: [h.dilation, w.dilation],
      out: [h.out, w.out],
    },
  };
}

/** The gather index of every window tap: a flat plane position, or H·W for the padding. */
function windowIndex(spec: WindowSpec): number[] {
  const [H, W] = spec.size;
  const idx: number[] = [];
  for (let kh = 0; kh < spec.kernel[0]; kh++) {
    for (let kw = 0; kw < spec.kernel[1]; kw++) {
      for (let oh = 0; oh < spec.out[0]; oh++) {
        for (let ow = 0; ow < spec.out[1]; ow++) {
          const i = oh * spec.stride[0] - spec.padding[0] + kh * spec.dilation[0];
          const j = ow * spec.stride[1] - spec.padding[1] + kw * spec.dilation[1];
          idx.push(i < 0 || i >= H || j < 0 || j >= W ? H * W : i * W + j);
        }
      }
    }
  }
  return idx;
}

function gatherWindows(x: Tensor, spec: WindowSpec, padValue: number): Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const idx = windowIndex(spec);
  const src = cat([x.reshape([N, C, H * W]), full([N, C, 1], padValue, { device: x.device })], 2);
  const index = tensor(idx, { shape: [1, 1, idx.length], dtype: 'int32', device: x.device });
  return src.gather(2, index.expand([N, C, idx.length])).reshape([N, C, -1, spec.out[0] * spec.out[1]]);
}

function scatterWindows(cols: Tensor, spec: WindowSpec): Tensor {
  const [N, C] = cols.shape as [number, number];
  const [H, W] = spec.size;
  const idx = windowIndex(spec);
  const index = tensor(idx, { shape: [1, 1, idx.length], dtype: 'int32', device: cols.device });
  const base = full([N, C, H * W + 1], 0, { device: cols.device });
  return base
    .scatterAdd(2, index.expand([N, C, idx.length]), cols.reshape([N, C, idx.length]))
    .narrow(2, 0, H * W)
    .reshape([N, C, H, W]);
}

const list = async (t: Tensor) => Array.from(await t.data(), Number);

for (const { device, available } of allDevices) {
  describe.skipIf(!available)(deviceTitle('convolution windows', device as Device, available), () => {
    // Integer values keep every sum exact, so any order of addition gives equal results.
    const ints = (shape: number[]) => randint(-9, 10, shape, { device }).to('float32');

    it('im2col matches the gather composite on random geometries, padding values and strided inputs', async () => {
      manualSeed(1);
      const r = rng(7);
      for (let t = 0; t < 60; t++) {
        const { shape, spec } = randomCase(r);
        const padValue = t % 3 === 0 ? Number.NEGATIVE_INFINITY : t % 3 === 1 ? 0 : 2.5;
        const contiguous = ints(shape);
        // The same values through a transposed (non-contiguous) view.
        const [N, C, H, W] = shape;
        const strided = contiguous.permute([1, 0, 3, 2]).contiguous().permute([1, 0, 3, 2]);
        const want = await list(gatherWindows(contiguous, spec, padValue));
        const got = im2col(t % 2 === 0 ? contiguous : strided, spec, padValue);
        expect(got.shape).toEqual([N, C, spec.kernel[0] * spec.kernel[1], spec.out[0] * spec.out[1]]);
        expect(await list(got), `case ${t}: ${JSON.stringify({ shape: [N, C, H, W], spec })}`).toEqual(want);
      }
    });

    it('col2im matches the scatterAdd composite on random geometries and strided inputs', async () => {
      manualSeed(2);
      const r = rng(11);
      for (let t = 0; t < 60; t++) {
        const { shape, spec } = randomCase(r);
        const [N, C] = shape;
        const K = spec.kernel[0] * spec.kernel[1];
        const P = spec.out[0] * spec.out[1];
        const cols = ints([N, C, K, P]);
        const strided = cols.transpose(2, 3).contiguous().transpose(2, 3);
        const want = await list(scatterWindows(cols, spec));
        const got = col2im(t % 2 === 0 ? cols : strided, spec);
        expect(got.shape).toEqual(shape);
        expect(await list(got), `case ${t}: ${JSON.stringify({ shape, spec })}`).toEqual(want);
      }
    });

    it('im2col and col2im are adjoint (⟨im2col x, y⟩ = ⟨x, col2im y⟩) and are each other’s gradient', async () => {
      manualSeed(3);
      const r = rng(13);
      for (let t = 0; t < 20; t++) {
        const { shape, spec } = randomCase(r);
        const x = ints(shape).requiresGrad_();
        const cols = im2col(x, spec);
        const y = ints([...cols.shape]);
        const lhs = (await list(cols.mul(y).sum()))[0];
        expect((await list(x.mul(col2im(y, spec)).sum()))[0]).toBe(lhs);
        const [gx] = grad(cols.mul(y).sum(), [x]);
        expect(await list(gx!)).toEqual(await list(col2im(y, spec)));
      }
    });
  });
}

describe('convolution windows: gradients of every order', () => {
  it('gradcheck and gradgradcheck hold for im2col and col2im (float64, padded, strided, dilated)', () => {
    manualSeed(4);
    const spec: WindowSpec = {
      size: [5, 4],
      kernel: [3, 2],
      stride: [2, 1],
      padding: [1, 1],
      dilation: [1, 2],
      out: [3, 3],
    };
    const x = randint(-3, 4, [2, 2, 5, 4]).to('float64').add(0.5).requiresGrad_();
    const cols = randint(-3, 4, [2, 2, 6, 9]).to('float64').requiresGrad_();
    // A square makes the second derivative nonzero.
    expect(gradcheck((t) => im2col(t, spec).square(), [x])).toBe(true);
    expect(gradgradcheck((t) => im2col(t, spec).square(), [x])).toBe(true);
    expect(gradcheck((t) => col2im(t, spec).square(), [cols])).toBe(true);
    expect(gradgradcheck((t) => col2im(t, spec).square(), [cols])).toBe(true);
  });
});
