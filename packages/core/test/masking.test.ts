/**
 * Masking, integer indexing and index arguments: plain arrays accepted everywhere, clear
 * errors for float indices and bad masks, gradients at the masked positions, and the sync
 * forms of data-dependent ops on a device that cannot read synchronously.
 */
import {
  DeviceError,
  DTypeError,
  gather,
  getBackend,
  indexAdd,
  indexSelect,
  maskedFill,
  maskedSelect,
  maskedSelectAsync,
  nonzero,
  nonzeroAsync,
  oneHot,
  registerBackend,
  ShapeError,
  scatter,
  scatterAdd,
  takeAlongDim,
  tensor,
  ValueError,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

const x = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);

describe('index arguments', () => {
  it('plain integer arrays work as int32 tensors do', () => {
    const i = tensor([[2], [0]], { dtype: 'int32' });
    expect(gather(x, 1, [[2], [0]]).toArraySync()).toEqual(gather(x, 1, i).toArraySync());
    expect(indexSelect(x, 1, [2, 0]).toArraySync()).toEqual([
      [3, 1],
      [6, 4],
    ]);
    expect(scatterAdd(zeros([3]), 0, [0, 0, 2], tensor([1, 2, 3])).toArraySync()).toEqual([3, 0, 3]);
    expect(x.index([1, -2]).toArraySync()).toEqual([
      [4, 5, 6],
      [1, 2, 3],
    ]);
    expect(oneHot([[1], [0]], 3).toArraySync()).toEqual([[[0, 1, 0]], [[1, 0, 0]]]);
  });

  it('a float tensor where indices belong says how to make an int32 one', () => {
    for (const f of [
      () => gather(x, 1, tensor([[0], [1]])),
      () => indexSelect(x, 0, tensor([0])),
      () => x.index(tensor([0])),
      () => oneHot(tensor([1])),
      () => takeAlongDim(x, tensor([[0]]), 1),
    ]) {
      expect(f).toThrow(DTypeError);
      expect(f).toThrow(/must be int32, got float32; pass tensor\(ids, \{ dtype: 'int32' \}\)/);
    }
    expect(() => gather(x, 1, [[0.5], [1]])).toThrow(ValueError);
  });
});

describe('maskedFill', () => {
  it('broadcasts the mask, zeroes the gradient where filled, and checks its arguments', () => {
    const a = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    const y = maskedFill(a, tensor([true, false, true]), -1);
    expect(y.toArraySync()).toEqual([[-1, 2, -1]]);
    y.sum().backward();
    expect(a.grad!.toArraySync()).toEqual([[0, 1, 0]]);
    const v = tensor(7, { dtype: 'float64', requiresGrad: true });
    maskedFill(a.detach(), tensor([true, false, true]), v)
      .sum()
      .backward();
    expect(v.grad!.itemSync()).toBe(2);
    expect(() => maskedFill(x, tensor([1, 0, 1]), 0)).toThrow(/mask must be bool/);
    expect(() => maskedFill(tensor([1, 2]), tensor([[true], [false]]), 0)).toThrow(ShapeError);
    expect(() => maskedFill(x, x.gt(2), tensor([1, 2]))).toThrow(/0-d tensor/);
  });
});

describe('data-dependent shapes', () => {
  it('maskedSelect and nonzero, empty and 0-d cases, sync and async', async () => {
    expect(maskedSelect(x, x.gt(10)).shape).toEqual([0]);
    expect(maskedSelect(x, tensor([true, false, true])).toArraySync()).toEqual([1, 3, 4, 6]);
    expect((await maskedSelectAsync(x, x.gt(4))).toArraySync()).toEqual([5, 6]);
    expect(nonzero(zeros([2, 2])).shape).toEqual([0, 2]);
    expect(nonzero(tensor(3)).shape).toEqual([1, 0]);
    expect((await nonzeroAsync(tensor([0, 2, 0, 1]))).toArraySync()).toEqual([[1], [3]]);
  });

  it('nonzero finds every position of long masks in row-major order', () => {
    for (const n of [1, 2, 3, 7, 8, 9, 31, 64, 100]) {
      const vals = Array.from({ length: n }, (_, i) => ((i * 5 + n) % 3 === 0 ? 1 : 0));
      const want = vals.flatMap((v, i) => (v ? [[i]] : []));
      expect(tensor(vals).nonzero().toArraySync(), `n = ${n}`).toEqual(want);
    }
  });

  it('the sync forms name the async ones on a device that reads only asynchronously', async () => {
    registerBackend('asynconly', { ...getBackend('cpu'), readSync: undefined });
    const a = tensor([1, 0, 2], { device: 'asynconly' });
    expect(() => maskedSelect(a, a.gt(0))).toThrow(DeviceError);
    expect(() => maskedSelect(a, a.gt(0))).toThrow(/use await maskedSelectAsync/);
    expect(() => nonzero(a)).toThrow(/use await nonzeroAsync/);
    expect(() => oneHot(tensor([1], { dtype: 'int32', device: 'asynconly' }))).toThrow(/pass numClasses/);
    expect(Array.from(await (await maskedSelectAsync(a, a.gt(0))).data())).toEqual([1, 2]);
    expect(Array.from(await (await nonzeroAsync(a)).data())).toEqual([0, 2]);
  });
});

describe('scatter, indexAdd, oneHot', () => {
  it('scatter writes src or a number; its gradients', () => {
    const base = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const src = tensor([5, 6], { dtype: 'float64', requiresGrad: true });
    const y = scatter(base, 0, [2, 0], src);
    expect(y.toArraySync()).toEqual([6, 2, 5]);
    y.mul(tensor([1, 10, 100], { dtype: 'float64' }))
      .sum()
      .backward();
    expect(base.grad!.toArraySync()).toEqual([0, 10, 0]);
    expect(src.grad!.toArraySync()).toEqual([100, 1]);
    expect(scatter(zeros([2, 2]), 1, [[1], [0]], 9).toArraySync()).toEqual([
      [0, 9],
      [9, 0],
    ]);
  });

  it('indexAdd accumulates repeats and scales by alpha; checks the source shape', () => {
    expect(indexAdd(zeros([3]), 0, [2, 0, 2], tensor([1, 2, 3]), { alpha: 2 }).toArraySync()).toEqual([
      4, 0, 8,
    ]);
    expect(() => indexAdd(zeros([3, 2]), 0, [0], zeros([2, 2]))).toThrow(
      /source \[2,2\] must have shape \[1,2\]/,
    );
  });

  it('oneHot infers the class count and rejects out-of-range classes', () => {
    expect(oneHot([0, 2]).shape).toEqual([2, 3]);
    expect(oneHot([0, 2]).dtype).toBe('int32');
    expect(() => oneHot([0, 3], 3)).toThrow(/out of range/);
    expect(() => oneHot([-1], 3)).toThrow(/non-negative/);
  });

  it('takeAlongDim broadcasts indices and flattens without a dim', () => {
    expect(takeAlongDim(x, [[2], [0]], 1).toArraySync()).toEqual([[3], [4]]);
    expect(takeAlongDim(x, [[0, 2]], 1).toArraySync()).toEqual([
      [1, 3],
      [4, 6],
    ]);
    expect(takeAlongDim(x, [5, 0]).toArraySync()).toEqual([6, 1]);
  });
});
