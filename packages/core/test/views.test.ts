import { arange, ShapeError, type Tensor, tensor, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

/** A 2×3×4 float tensor holding 0 … 23. */
const base = () => arange(24).to('float32').reshape(2, 3, 4);

function sharesStorage(a: Tensor, b: Tensor): boolean {
  return a._ref === b._ref;
}

describe('views share storage', () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['reshape', (x) => x.reshape(6, 4)],
    ['view', (x) => x.view(-1)],
    ['transpose', (x) => x.transpose(0, 2)],
    ['permute', (x) => x.permute(2, 0, 1)],
    ['expand', (x) => x.narrow(1, 0, 1).expand(2, 5, 4)],
    ['narrow', (x) => x.narrow(2, 1, 2)],
    ['squeeze', (x) => x.narrow(1, 0, 1).squeeze(1)],
    ['unsqueeze', (x) => x.unsqueeze(0)],
    ['flatten', (x) => x.flatten(1)],
    ['T', (x) => x.T],
    ['detach', (x) => x.detach()],
    ['split', (x) => x.split(1, 1)[1]!],
    ['chunk', (x) => x.chunk(2, 2)[1]!],
  ];
  it.each(cases)('%s', (_name, f) => {
    const x = base();
    const v = f(x);
    expect(sharesStorage(x, v)).toBe(true);
    // A write through the base shows through the view.
    const before = v.toArraySync();
    x.add_(100);
    const after = v.dataSync();
    const flatBefore = [before].flat(4) as number[];
    expect(Array.from(after)).toEqual(flatBefore.map((e) => e + 100));
  });

  it('values of a transposed and narrowed view', () => {
    const x = base();
    expect(x.transpose(0, 2).narrow(0, 1, 1).toArraySync()).toEqual([
      [
        [1, 13],
        [5, 17],
        [9, 21],
      ],
    ]);
    expect(x.permute(2, 0, 1).shape).toEqual([4, 2, 3]);
    expect(x.transpose(0, 2).strides).toEqual([1, 4, 12]);
  });

  it('a write through a view reaches the base', () => {
    const x = zeros([2, 3]);
    x.narrow(1, 1, 1).fill_(5);
    expect(x.toArraySync()).toEqual([
      [0, 5, 0],
      [0, 5, 0],
    ]);
  });

  it('contiguous and clone copy', () => {
    const x = base();
    const t = x.transpose(0, 1);
    const c = t.contiguous();
    expect(sharesStorage(c, x)).toBe(false);
    expect(c.toArraySync()).toEqual(t.toArraySync());
    expect(x.contiguous()).toBe(x);
    expect(sharesStorage(x.clone(), x)).toBe(false);
  });

  it('reshape of a non-contiguous tensor copies; view throws', () => {
    const t = base().transpose(0, 2);
    const r = t.reshape(24);
    expect(Array.from(r.dataSync())).toEqual(Array.from(t.dataSync()));
    expect(() => t.view(24)).toThrow(ShapeError);
    expect(() => t.view(24)).toThrow(/view.*needs a copy; use reshape/);
  });

  it('view splits and merges dims where strides allow', () => {
    const x = base().transpose(1, 2); // shape [2, 4, 3], strides [12, 1, 4]
    const v = x.view(2, 2, 2, 3);
    expect(v.strides).toEqual([12, 2, 1, 4]);
    expect(sharesStorage(v, x)).toBe(true);
    expect(Array.from(v.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => x.view(8, 3)).toThrow(ShapeError);
    const n = base().narrow(2, 1, 2); // [2, 3, 2], strides [12, 4, 1]
    expect(n.view(6, 2).strides).toEqual([4, 1]);
  });

  it('reshape infers -1 and rejects bad shapes', () => {
    const x = base();
    expect(x.reshape(-1, 6).shape).toEqual([4, 6]);
    expect(() => x.reshape(-1, -1)).toThrow(ShapeError);
    expect(() => x.reshape(5, -1)).toThrow(/invalid for input of size 24/);
    expect(() => x.reshape(5, 5)).toThrow(/cannot reshape \[2,3,4\]/);
  });

  it('squeeze without dim and of a non-1 dim', () => {
    const x = zeros([1, 3, 1, 2]);
    expect(x.squeeze().shape).toEqual([3, 2]);
    expect(x.squeeze(1).shape).toEqual([1, 3, 1, 2]);
    expect(x.squeeze(-2).shape).toEqual([1, 3, 2]);
  });

  it('gradients flow back through chains of views', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    x.T.reshape(-1)
      .narrow(0, 1, 3)
      .mul(tensor([1, 10, 100]))
      .sum()
      .backward();
    // x.T flattened is [1,4,2,5,3,6]; elements 1..3 are x[1,0], x[0,1], x[1,1].
    expect(x.grad!.toArraySync()).toEqual([
      [0, 10, 0],
      [1, 100, 0],
    ]);
  });
});
