/**
 * Sorting and scans beyond the registry's tie-free samples, on every device: stability with
 * ties (PyTorch's stable order), NaN placement, range errors, a large sort against the CPU,
 * cumprod's gradient through zeros, logcumsumexp with large values, gradients shared among
 * ties (amax) and masked at 0 (norm), and the median's NaN propagation.
 */
import {
  type Device,
  DTypeError,
  grad,
  manualSeed,
  randint,
  randn,
  type Tensor,
  tensor,
  ValueError,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { allDevices, deviceTitle } from '../src/devices.js';

const list = async (t: Tensor) => Array.from(await t.data(), Number);

for (const { device, available } of allDevices) {
  describe.skipIf(!available)(deviceTitle('sorting and scans', device as Device, available), () => {
    const on = (data: number[], shape = [data.length]) => tensor(data, { shape, device });

    it('sorts stably: ties keep their order, ascending and descending (as torch.sort(stable=True))', async () => {
      const x = on([2, 1, 2, 1, Number.NaN, 2, 1]);
      const up = x.sort();
      expect(await list(up.indices)).toEqual([1, 3, 6, 0, 2, 5, 4]);
      expect(await list(up.values)).toEqual([1, 1, 1, 2, 2, 2, Number.NaN]);
      const down = x.sort(0, true);
      expect(await list(down.indices)).toEqual([4, 0, 2, 5, 1, 3, 6]);
      expect(await list(down.values)).toEqual([Number.NaN, 2, 2, 2, 1, 1, 1]);
      expect(await list(x.argsort(-1, true))).toEqual([4, 0, 2, 5, 1, 3, 6]);
    });

    it('sorts along a strided dim with ties, and -0 ties with 0', async () => {
      // The lines [5, 0, 5, 2], [-0, 1, 0, 3], [7, 1, 7, 1] as the columns of a [4, 3].
      const x = on([5, -0, 7, 0, 1, 1, 5, 0, 7, 2, 3, 1], [4, 3]).transpose(0, 1);
      const r = x.sort(1);
      expect(await list(r.indices)).toEqual([1, 3, 0, 2, 0, 2, 1, 3, 1, 3, 0, 2]);
      expect(await list(r.values)).toEqual([0, 2, 5, 5, -0, 0, 1, 3, 1, 1, 7, 7]);
    });

    it('topk of a line with NaN and ties takes NaN first, then the earliest of equal values', async () => {
      const r = on([1, 3, Number.NaN, 3, 0]).topk(3);
      expect(await list(r.values)).toEqual([Number.NaN, 3, 3]);
      expect(await list(r.indices)).toEqual([2, 1, 3]);
      const small = on([1, 3, Number.NaN, 3, 0]).topk(2, 0, false);
      expect(await list(small.indices)).toEqual([4, 0]);
    });

    it('refuses k out of range and bool input, naming the op and sizes', () => {
      const x = on([1, 2, 3, 4]);
      expect(() => x.topk(5)).toThrow(ValueError);
      expect(() => x.topk(5)).toThrow(/topk: k = 5 is out of range for dimension -1 of size 4/);
      expect(() => x.kthvalue(0)).toThrow(/kthvalue: k = 0 is out of range/);
      expect(() => x.kthvalue(5)).toThrow(ValueError);
      expect(() => x.gt(2).sort()).toThrow(DTypeError);
      expect(() => x.sort(1)).toThrow(/sort/);
    });

    it('sorts rows of 1000 with many ties as the CPU does (values and indices)', async () => {
      manualSeed(7);
      const ints = randint(0, 50, [6, 1000]).to('float32');
      const x = ints.to(device);
      for (const [dim, descending] of [
        [1, false],
        [1, true],
        [0, true],
      ] as const) {
        const want = ints.sort(dim, descending);
        const got = x.sort(dim, descending);
        expect(await list(got.indices)).toEqual(await list(want.indices));
        expect(await list(got.values)).toEqual(await list(want.values));
      }
      const big = randn([3, 1000]);
      const t = big.to(device).transpose(0, 1).sort(0);
      expect(await list(t.indices)).toEqual(await list(big.transpose(0, 1).sort(0).indices));
    });

    it("gives cumprod's exact gradient through zeros (only the first zero of a line gets one)", async () => {
      const x = on([2, 3, 0, 4, 2, 0, 3, 0, 4, 5], [2, 5]).requiresGrad_();
      const [g] = grad(x.cumprod(1).sum(), [x]);
      // Row 1: y = [2, 6, 0, 0, 0], the zero gets 6 + 6·4 + 6·4·2; row 2: y = 0, x0 gets 1 + 3.
      expect(await list(g!)).toEqual([4, 2, 78, 0, 0, 4, 0, 0, 0, 0]);
    });

    it('computes logcumsumexp and its gradient stably for large values', async () => {
      const x = on([1000, 1000, -1000, 990]).requiresGrad_();
      const y = x.logcumsumexp(0);
      const v = await list(y);
      const top = 1000 + Math.log(2);
      for (const [i, e] of [1000, top, top, 1000 + Math.log(2 + Math.exp(-10))].entries()) {
        expect(v[i]).toBeCloseTo(e, 3);
      }
      const [g] = grad(y.sum(), [x]);
      const gv = await list(g!);
      // d/dx0 = 1 + 3·½ (exp(x0 − y_j) = ½ for j ≥ 1, nearly), d/dx2 ≈ 0.
      expect(gv.every(Number.isFinite)).toBe(true);
      // float32 near 1000 resolves about 6e-5.
      expect(gv[0]).toBeCloseTo(1 + 0.5 + 0.5 + 1 / (2 + Math.exp(-10)), 3);
      expect(gv[2]).toBeCloseTo(0, 6);
    });

    it('shares the gradient of amax/amin evenly among ties, over one dim too (as PyTorch)', async () => {
      const x = on([1, 3, 3, 0, 2, 0], [2, 3]).requiresGrad_();
      const [g] = grad(x.amax(1).sum(), [x]);
      expect(await list(g!)).toEqual([0, 0.5, 0.5, 0, 1, 0]);
      const [h] = grad(x.amin([0, 1]).sum(), [x]);
      expect(await list(h!)).toEqual([0, 0, 0, 0.5, 0, 0.5]);
    });

    it('gives the 2-norm (and the 3-norm) a zero gradient at 0, as PyTorch', async () => {
      const x = on([0, 0, 0, 3, 4, 0], [2, 3]).requiresGrad_();
      const [g] = grad(x.norm(2, 1).sum(), [x]);
      expect(await list(g!)).toEqual([0, 0, 0, expect.closeTo(0.6, 6), expect.closeTo(0.8, 6), 0]);
      const [h] = grad(x.norm(3, 1).sum(), [x]);
      expect((await list(h!)).slice(0, 3)).toEqual([0, 0, 0]);
      expect(await list(x.norm(0, 1))).toEqual([0, 2]);
      expect(await list(x.norm(Number.NEGATIVE_INFINITY, 1))).toEqual([0, 0]);
    });

    it('takes the lower median, and propagates NaN with the index of the first NaN', async () => {
      expect(await on([4, 1, 3, 2]).median().item()).toBe(2);
      expect(on([4, 1, 3, 2]).median().shape).toEqual([]);
      const r = on([3, Number.NaN, 1, Number.NaN, 5, 4, 2, 1], [2, 4]).median(1, true);
      expect(r.values.shape).toEqual([2, 1]);
      expect(await list(r.values)).toEqual([Number.NaN, 2]);
      expect(await list(r.indices)).toEqual([1, 2]);
      expect(Number.isNaN(await on([1, Number.NaN, 2]).median().item())).toBe(true);
    });

    it('scans ints, bools and reversed lines', async () => {
      const b = tensor([true, false, true], { device });
      expect(b.cumsum(0).dtype).toBe('int32');
      expect(await list(b.cumsum(0))).toEqual([1, 1, 2]);
      expect(await list(tensor([1, 2, 3], { dtype: 'int32', device }).cumprod(0))).toEqual([1, 2, 6]);
      // cumsum's gradient is the scan from the end.
      const x = on([1, 2, 3]).requiresGrad_();
      const [g] = grad(
        x
          .cumsum(0)
          .mul(on([1, 10, 100]))
          .sum(),
        [x],
      );
      expect(await list(g!)).toEqual([111, 110, 100]);
    });

    it('reduces with any, all and countNonzero (NaN counts as true)', async () => {
      const x = on([0, Number.NaN, 0, 0, 2, 3], [2, 3]);
      expect(await list(x.any(1))).toEqual([1, 1]);
      expect(await list(x.all(0))).toEqual([0, 1, 0]);
      expect(x.all().dtype).toBe('bool');
      expect(await list(x.countNonzero(1))).toEqual([1, 2]);
      expect(x.countNonzero().dtype).toBe('int32');
    });
  });
}
