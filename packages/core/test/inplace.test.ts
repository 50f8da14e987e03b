import {
  AutogradError,
  arange,
  DTypeError,
  memory,
  noGrad,
  ones,
  ShapeError,
  tensor,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

describe('in-place ops', () => {
  it('compute in place and return the same tensor', () => {
    const x = tensor([1, 2, 3]);
    expect(x.add_(1)).toBe(x);
    expect(Array.from(x.dataSync())).toEqual([2, 3, 4]);
    x.sub_(tensor([1, 1, 1]))
      .mul_(2)
      .div_(4);
    expect(Array.from(x.dataSync())).toEqual([0.5, 1, 1.5]);
    x.clamp_(0.75, 1.25);
    expect(Array.from(x.dataSync())).toEqual([0.75, 1, 1.25]);
    x.fill_(7);
    expect(Array.from(x.dataSync())).toEqual([7, 7, 7]);
    x.copy_(tensor([3]));
    expect(Array.from(x.dataSync())).toEqual([3, 3, 3]);
    x.zero_();
    expect(Array.from(x.dataSync())).toEqual([0, 0, 0]);
  });

  it('broadcast the operand to the tensor, never the other way', () => {
    const x = zeros([2, 3]);
    x.add_(tensor([1, 2, 3]));
    expect(x.toArraySync()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(() => zeros([3]).add_(ones([2, 3]))).toThrow(ShapeError);
    expect(() => zeros([3]).add_(ones([2, 3]))).toThrow(
      /add_: result of shape \[2,3\] cannot be written into \[3\]/,
    );
  });

  it('copy_ writes a strided source into a strided view, leaving the rest untouched', () => {
    // Rows of 5 (one element at a time) and of 300 (whole runs) in both.
    for (const [dtype, d] of [
      ['float32', 5],
      ['float64', 5],
      ['int32', 5],
      ['float32', 300],
    ] as const) {
      const base = zeros([2, 4, 3, d], { dtype });
      // The slice [:, :, 1] of base, and a source laid out as [2, 3, 4, d] transposed to [2, 4, 3, d]
      // whose third index is then fixed: both strided, in different storages.
      const dst = base.narrow(2, 1, 1);
      const src = arange(0, 2 * 3 * 4 * d, 1, { dtype })
        .add(1)
        .reshape([2, 3, 4, d])
        .transpose(1, 2)
        .narrow(2, 2, 1);
      dst.copy_(src);
      expect(Array.from(dst.contiguous().dataSync())).toEqual(Array.from(src.contiguous().dataSync()));
      const rest = [base.narrow(2, 0, 1), base.narrow(2, 2, 1)].map((t) =>
        Array.from(t.contiguous().dataSync()),
      );
      expect(rest.flat().every((v) => v === 0)).toBe(true);
      // A broadcast source (stride 0) too.
      dst.copy_(tensor([7], { dtype }).expand([2, 4, 1, d]));
      expect(Array.from(dst.contiguous().dataSync()).every((v) => v === 7)).toBe(true);
    }
  });

  it('bump the version counter shared by views', () => {
    const x = zeros([4]);
    const v = x.narrow(0, 1, 2);
    expect(x.version).toBe(0);
    x.add_(1);
    expect(x.version).toBe(1);
    v.mul_(2);
    expect(x.version).toBe(2);
    expect(v.version).toBe(2);
    x.zero_()
      .fill_(1)
      .copy_(ones([4]))
      .clamp_(0, 1);
    expect(x.version).toBe(6);
  });

  it('refuse a float result in an integer tensor', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(() => i.div_(2)).toThrow(DTypeError);
    expect(() => i.mul_(1.5)).toThrow(DTypeError);
    i.add_(3);
    expect(Array.from(i.dataSync())).toEqual([4, 5]);
  });

  it('on a leaf that requires grad throws, except under noGrad', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(AutogradError);
    expect(() => w.zero_()).toThrow(/leaf tensor that requires grad/);
    noGrad(() => w.sub_(tensor([0.5, 0.5])));
    expect(Array.from(w.dataSync())).toEqual([0.5, 1.5]);
    expect(w.requiresGrad).toBe(true);
  });

  it('backward through a saved tensor modified in place throws', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const x = tensor([3, 4]);
    const y = w.mul(x); // saves x
    x.mul_(10);
    expect(() => y.sum().backward()).toThrow(AutogradError);
    expect(() =>
      w
        .mul(tensor([1, 1]))
        .sum()
        .backward(),
    ).not.toThrow();
  });

  it('names the op and versions in the error', () => {
    const w = tensor([0.5, 1], { requiresGrad: true });
    const x = tensor([1, 2]);
    const y = x.exp().mul(w); // mul saves exp's output
    const e = x.exp();
    const z = e.mul(w);
    e.add_(1);
    expect(() => z.sum().backward()).toThrow(
      /saved by 'mul'.*modified by an in-place operation \(version 1, expected 0\)/,
    );
    y.sum().backward();
  });

  it('a detached alias shares the version counter, so modifying it is caught too', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const e = x.exp(); // exp saves its output
    e.detach().add_(1);
    expect(() => e.sum().backward()).toThrow(/saved by 'exp' was modified by an in-place operation/);
  });

  it('a modification through a view of a saved tensor is caught', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([1, 2, 3]);
    const y = w.mul(x);
    x.narrow(0, 0, 1).fill_(0);
    expect(() => y.sum().backward()).toThrow(AutogradError);
  });

  it('set_ points a tensor at another storage and layout, releasing its own', () => {
    const N = 2048; // the CPU backend counts storages of 1024 elements and more
    const before = memory().cpu!;
    const w = zeros([N]);
    const base = ones([2, N]);
    const source = base.narrow(0, 1, 1);
    expect(w.set_(source)).toBe(w);
    expect(w.shape).toEqual([1, N]);
    expect(w.offset).toBe(N);
    source.fill_(3); // a view of the same storage
    expect(w.dataSync()[0]).toBe(3);
    base.dispose();
    source.dispose();
    expect(w.dataSync()[N - 1]).toBe(3);
    expect(memory().cpu!.buffers).toBe(before.buffers + 1); // w's zeros are gone
    w.dispose();
    expect(memory().cpu!.buffers).toBe(before.buffers);
  });

  it('set_ follows the in-place rules of autograd', () => {
    const w = zeros([2], { requiresGrad: true });
    expect(() => w.set_(ones([2]))).toThrow(/set_: a leaf tensor that requires grad/);
    noGrad(() => w.set_(ones([3])));
    expect(w.shape).toEqual([3]);
    expect(() => noGrad(() => w.set_(tensor([1], { dtype: 'int32' })))).toThrow(DTypeError);
  });
});
