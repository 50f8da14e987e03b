/**
 * nn's ops that take indices accept plain integer arrays and reject float indices with a
 * message that says how to make an int32 tensor.
 */
import { DTypeError, randn, tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { crossEntropyLoss, embedding, nllLoss, oneHot } from '../src/functional.js';
import { Embedding } from '../src/index.js';

describe('index arguments in nn', () => {
  it('embedding, losses and oneHot take plain arrays', () => {
    const w = randn([4, 3]);
    expect(embedding([[0, 2]], w).toArraySync()).toEqual(
      embedding(tensor([[0, 2]], { dtype: 'int32' }), w).toArraySync(),
    );
    expect(new Embedding(5, 2).forward([1, 4]).shape).toEqual([2, 2]);
    const logits = randn([3, 5]);
    const t = tensor([1, 0, 4], { dtype: 'int32' });
    expect(crossEntropyLoss(logits, [1, 0, 4]).itemSync()).toBe(crossEntropyLoss(logits, t).itemSync());
    expect(nllLoss(logits.logSoftmax(1), [1, 0, 4]).itemSync()).toBe(
      nllLoss(logits.logSoftmax(1), t).itemSync(),
    );
    expect(oneHot([1, 0], 2).toArraySync()).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('float indices get a DTypeError that names the fix', () => {
    const fix = /must be int32, got float32; pass tensor\(ids, \{ dtype: 'int32' \}\)/;
    expect(() => embedding(tensor([0, 1]), randn([4, 3]))).toThrow(DTypeError);
    expect(() => embedding(tensor([0, 1]), randn([4, 3]))).toThrow(fix);
    expect(() => nllLoss(randn([2, 3]), tensor([0, 1]))).toThrow(fix);
  });
});
