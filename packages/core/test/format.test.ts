import { arange, tensor, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

describe('toString', () => {
  it('floats with four decimals, aligned rows, and the autograd state', () => {
    expect(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { requiresGrad: true },
      ).toString(),
    ).toBe('tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], requiresGrad=true)');
    expect(tensor([1, 2], { requiresGrad: true }).mul(2).toString()).toBe(
      'tensor([2.0000, 4.0000], gradFn=<mul>)',
    );
    expect(tensor([-0.5, 12.25]).toString()).toBe('tensor([-0.5000, 12.2500])');
    expect(tensor(3.5).toString()).toBe('tensor(3.5000)');
  });

  it('dtype shown when not the default; ints and bools', () => {
    expect(tensor([1.5, -2.25], { dtype: 'float64' }).toString()).toBe(
      'tensor([ 1.5000, -2.2500], dtype=float64)',
    );
    expect(tensor([1, -20], { dtype: 'int32' }).toString()).toBe('tensor([  1, -20])');
    expect(tensor([true, false]).toString()).toBe('tensor([ True, False])');
    expect(zeros([0], { dtype: 'int32' }).toString()).toBe('tensor([], dtype=int32)');
    expect(zeros([0]).toString()).toBe('tensor([])');
  });

  it('scientific notation for very small or large magnitudes; nan and inf', () => {
    expect(tensor([1e-5, 1]).toString()).toBe('tensor([1.0000e-05, 1.0000e+00])');
    expect(tensor([1e9, 1]).toString()).toBe('tensor([1.0000e+09, 1.0000e+00])');
    expect(tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1]).toString()).toBe(
      'tensor([   nan,    inf,   -inf, 1.0000])',
    );
  });

  it('3-D tensors separate blocks with a blank line; views print their logical order', () => {
    expect(arange(8).reshape(2, 2, 2).transpose(0, 2).toString()).toBe(
      'tensor([[[0, 4],\n         [2, 6]],\n\n        [[1, 5],\n         [3, 7]]])',
    );
  });

  it('summarises big tensors', () => {
    expect(arange(2000).toString()).toBe('tensor([   0,    1,    2, ..., 1997, 1998, 1999])');
  });
});
