/**
 * F.pad beyond the PyTorch cases of the conformance suite: cropping by negative amounts,
 * values worked out by hand for each mode, and errors that name the op.
 */
import { ShapeError, tensor, ValueError } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { pad } from '../src/functional.js';

const row = () => tensor([[1, 2, 3]], { dtype: 'float64' });

describe('pad', () => {
  it('each mode along the last dim', () => {
    expect(pad(row(), [1, 2]).toArraySync()).toEqual([[0, 1, 2, 3, 0, 0]]);
    expect(pad(row(), [1, 0], { value: 7 }).toArraySync()).toEqual([[7, 1, 2, 3]]);
    expect(pad(row(), [2, 1], { mode: 'reflect' }).toArraySync()).toEqual([[3, 2, 1, 2, 3, 2]]);
    expect(pad(row(), [2, 1], { mode: 'replicate' }).toArraySync()).toEqual([[1, 1, 1, 2, 3, 3]]);
    expect(pad(row(), [1, 3], { mode: 'circular' }).toArraySync()).toEqual([[3, 1, 2, 3, 1, 2, 3]]);
  });
  it('negative amounts crop; two dims at once', () => {
    expect(pad(row(), [-1, 1]).toArraySync()).toEqual([[2, 3, 0]]);
    expect(pad(row(), [0, -2, 1, 0]).toArraySync()).toEqual([[0], [1]]);
  });
  it('the gradient of a replicated edge sums its copies', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    pad(x, [2, 1], { mode: 'replicate' }).sum().backward();
    expect(x.grad!.toArraySync()).toEqual([3, 1, 2]);
  });
  it('errors', () => {
    expect(() => pad(row(), [1])).toThrow(ShapeError);
    expect(() => pad(row(), [1, 1, 1, 1, 1, 1])).toThrow(
      /pad: padding \[1,1,1,1,1,1\] must hold \(before, after\) pairs for at most 2 dims/,
    );
    expect(() => pad(row(), [3, 0], { mode: 'reflect' })).toThrow(
      /pad: reflect padding \(3, 0\) must be less than the size 3 of dim 1/,
    );
    expect(() => pad(row(), [4, 0], { mode: 'circular' })).toThrow(
      /pad: circular padding \(4, 0\) must be at most the size 3/,
    );
    expect(() => pad(row(), [-2, -2])).toThrow(/pad: padding \(-2, -2\) leaves nothing of dim 1 of size 3/);
    expect(pad(row(), [-2, -1]).shape).toEqual([1, 0]);
    expect(() => pad(row(), [1, 1], { mode: 'reflect', value: 2 })).toThrow(ValueError);
    expect(() => pad(row(), [1, 1], { mode: 'wrap' as 'reflect' })).toThrow(/pad: unknown mode 'wrap'/);
  });
});
