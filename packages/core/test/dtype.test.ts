import {
  arange,
  cat,
  type DType,
  DTypeError,
  matmul,
  promoteTypes,
  type Tensor,
  tensor,
  where,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

const of = (dtype: DType, shape: number[] = [2]) => zeros(shape, { dtype });

describe('type promotion (PyTorch rules)', () => {
  // [a, b, result] for tensor ⊕ tensor, both with dimensions.
  const table: [DType, DType, DType][] = [
    ['bool', 'bool', 'bool'],
    ['bool', 'int32', 'int32'],
    ['bool', 'float32', 'float32'],
    ['bool', 'float64', 'float64'],
    ['int32', 'int32', 'int32'],
    ['int32', 'float32', 'float32'],
    ['int32', 'float64', 'float64'],
    ['float32', 'float32', 'float32'],
    ['float32', 'float64', 'float64'],
    ['float64', 'float64', 'float64'],
  ];
  it.each(table)('%s ⊕ %s → %s', (a, b, r) => {
    expect(promoteTypes(a, b)).toBe(r);
    expect(promoteTypes(b, a)).toBe(r);
    expect(of(a).add(of(b)).dtype).toBe(r);
    expect(of(b).mul(of(a)).dtype).toBe(r);
    expect(of(a).maximum(of(b)).dtype).toBe(r);
    expect(where(of('bool'), of(a), of(b)).dtype).toBe(r);
  });

  // [tensor dtype, scalar, result]
  const scalars: [DType, number, DType][] = [
    ['bool', 1, 'int32'],
    ['bool', 1.5, 'float32'],
    ['int32', 2, 'int32'],
    ['int32', 2.5, 'float32'],
    ['float32', 2, 'float32'],
    ['float32', 2.5, 'float32'],
    ['float64', 2, 'float64'],
    ['float64', 2.5, 'float64'],
  ];
  it.each(scalars)('%s tensor ⊕ %d → %s', (t, s, r) => {
    expect(of(t).add(s).dtype).toBe(r);
    expect(of(t).mul(s).dtype).toBe(r);
  });

  // A zero-dim tensor beside a dimensioned one acts like a scalar: it lifts the category only.
  const zeroDim: [DType, DType, DType][] = [
    ['float32', 'float64', 'float32'],
    ['float64', 'float32', 'float64'],
    ['int32', 'float64', 'float64'],
    ['int32', 'float32', 'float32'],
    ['bool', 'int32', 'int32'],
    ['int32', 'bool', 'int32'],
    ['float32', 'int32', 'float32'],
  ];
  it.each(zeroDim)('%s tensor ⊕ %s zero-dim tensor → %s', (t, z, r) => {
    expect(of(t).add(of(z, [])).dtype).toBe(r);
    expect(of(z, []).add(of(t)).dtype).toBe(r);
    // Two zero-dim tensors promote normally.
    expect(of(t, []).add(of(z, [])).dtype).toBe(promoteTypes(t, z));
  });

  it('division and float-only functions of integers give float32', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(i.div(i).dtype).toBe('float32');
    expect(Array.from(i.div(2).dataSync())).toEqual([0.5, 1]);
    for (const f of ['exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'erf', 'sigmoid', 'reciprocal'] as const) {
      expect((i[f] as () => Tensor).call(i).dtype).toBe('float32');
    }
    expect(i.softmax(0).dtype).toBe('float32');
    expect(i.neg().dtype).toBe('int32');
    expect(i.abs().dtype).toBe('int32');
    expect(i.pow(2).dtype).toBe('int32');
    expect(i.pow(-1).dtype).toBe('float32');
  });

  it('comparisons give bool; sums of bools count as int32', () => {
    const x = tensor([1, 2, 3]);
    expect(x.gt(1).dtype).toBe('bool');
    expect(x.eq(tensor([1, 0, 3], { dtype: 'int32' })).dtype).toBe('bool');
    const s = x.gt(1).sum();
    expect(s.dtype).toBe('int32');
    expect(s.itemSync()).toBe(2);
  });

  it('bool arithmetic stays 0/1: + is or, · is and, − throws', () => {
    const a = tensor([true, true, false, false]);
    const b = tensor([true, false, true, false]);
    expect(Array.from(a.add(b).dataSync())).toEqual([1, 1, 1, 0]);
    expect(Array.from(a.mul(b).dataSync())).toEqual([1, 0, 0, 0]);
    expect(
      a
        .add(b)
        .eq(tensor([true, true, true, false]))
        .sum()
        .itemSync(),
    ).toBe(4);
    expect(() => a.sub(b)).toThrow(DTypeError);
  });

  it('matmul, cat and arange', () => {
    const i = tensor([[1, 2]], { dtype: 'int32' });
    expect(matmul(i, i.T).dtype).toBe('int32');
    expect(matmul(i, i.T).itemSync()).toBe(5);
    expect(matmul(of('float32', [1, 2]), of('float64', [2, 1])).dtype).toBe('float64');
    expect(cat([of('int32'), of('float32')]).dtype).toBe('float32');
    expect(arange(3).dtype).toBe('int32');
    expect(arange(0, 1, 0.5).dtype).toBe('float32');
  });

  it('casts with to(); float → int truncates toward zero', () => {
    const x = tensor([1.7, -1.7, 0.2]);
    expect(Array.from(x.to('int32').dataSync())).toEqual([1, -1, 0]);
    expect(Array.from(x.to('bool').dataSync())).toEqual([1, 1, 1]);
    expect(x.to('float64').dtype).toBe('float64');
    expect(x.to('float32')).toBe(x);
  });

  it('gradients come back in the input dtype across casts', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.to('float64')
      .mul(tensor([3, 4], { dtype: 'float64' }))
      .sum()
      .backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(Array.from(x.grad!.dataSync())).toEqual([3, 4]);
  });
});
