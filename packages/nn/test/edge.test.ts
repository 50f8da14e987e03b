/**
 * Bad arguments to layers, state dicts and clipping throw a TsgradError naming the call.
 */
import { randn, ShapeError, tensor, ValueError, zeros } from '@tsgrad/core';
import { clipGradNorm_, Embedding, functional as F, Linear } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';

function expectError(f: () => unknown, type: new (...a: never[]) => Error, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${type.name} matching ${message}`).toBeInstanceOf(type);
  expect((err as Error).message).toMatch(message);
}

describe('layers name themselves', () => {
  it('Linear and Embedding refuse bad sizes by argument name', () => {
    expectError(
      () => new Linear(2.5, 2),
      ValueError,
      /^Linear: inFeatures must be a non-negative integer, got 2.5/,
    );
    expectError(
      () => new Linear(2, -1),
      ValueError,
      /^Linear: outFeatures must be a non-negative integer, got -1/,
    );
    expectError(() => new Linear(Number.NaN, 2), ValueError, /^Linear: inFeatures .* got NaN/);
    expectError(() => new Embedding(-1, 2), ValueError, /^Embedding: numEmbeddings must be/);
    expectError(() => new Embedding(3, 1.5), ValueError, /^Embedding: embeddingDim must be/);
  });

  it('Linear.forward and embedding name the call, not matmul or gather', () => {
    expectError(
      () => new Linear(3, 2).forward(zeros([4, 5])),
      ShapeError,
      /^Linear: input \[4,5\] does not end in 3/,
    );
    expectError(
      () => new Embedding(3, 2).forward(tensor([5], { dtype: 'int32' })),
      ShapeError,
      /^embedding: index 5 is out of bounds for dimension 0 with size 3/,
    );
    expectError(
      () => F.embedding([[0, -9]], zeros([3, 2])),
      ShapeError,
      /^embedding: index -9 is out of bounds/,
    );
  });
});

describe('loadStateDict', () => {
  it('refuses values that are not tensors, and dicts that are not objects, before changing anything', () => {
    const m = new Linear(2, 1);
    const before = m.weight.toArraySync();
    const bias = m.bias!;
    expectError(
      () => m.loadStateDict({ weight: [[1, 2]], bias } as never),
      ValueError,
      /^loadStateDict: 'weight' is an array, not a Tensor/,
    );
    expectError(
      () => m.loadStateDict({ weight: null, bias } as never),
      ValueError,
      /'weight' is null, not a Tensor/,
    );
    expectError(
      () => m.loadStateDict({ weight: 3, bias } as never),
      ValueError,
      /'weight' is number, not a Tensor/,
    );
    expectError(
      () => m.loadStateDict(null as never),
      ValueError,
      /^loadStateDict: expected an object .* got null/,
    );
    expectError(() => m.loadStateDict(new Map() as never), ValueError, /got a Map/);
    expect(m.weight.toArraySync()).toEqual(before);
  });
});

describe('clipGradNorm_', () => {
  it('refuses a NaN or negative bound instead of writing NaN gradients', () => {
    const w = randn([3], { requiresGrad: true });
    w.mul(2).sum().backward();
    expectError(
      () => clipGradNorm_([w], Number.NaN),
      ValueError,
      /^clipGradNorm_: maxNorm must be a non-negative number, got NaN/,
    );
    expectError(() => clipGradNorm_([w], -1), ValueError, /maxNorm must be a non-negative number, got -1/);
    expect(w.grad!.toArraySync()).toEqual([2, 2, 2]);
    clipGradNorm_([w], Number.POSITIVE_INFINITY);
    expect(w.grad!.toArraySync()).toEqual([2, 2, 2]);
  });
});
