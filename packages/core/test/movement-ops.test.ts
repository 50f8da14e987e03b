/**
 * The movement and product ops beyond the conformance registry's checks: views share storage
 * (writes through them reach the base), results on hand-worked examples, PyTorch's edge
 * semantics, and clear errors naming the op.
 */
import {
  arange,
  cdist,
  einsum,
  grad,
  noGrad,
  ShapeError,
  type Tensor,
  tensor,
  tril,
  triu,
  ValueError,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

/** A 2×3×4 float tensor holding 0 … 23. */
const base = () => arange(24).to('float64').reshape(2, 3, 4);

describe('views share storage: writes through them reach the base', () => {
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    // [name, view, flat positions of the base the view covers]
    ['select', (x) => x.select(1, -1), [8, 9, 10, 11, 20, 21, 22, 23]],
    ['slice with step', (x) => x.slice(2, 1, undefined, 2), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23]],
    ['diagonal', (x) => x.diagonal(1, 1, 2), [1, 6, 11, 13, 18, 23]],
    ['unfold', (x) => x.select(0, 0).select(0, 0).unfold(0, 2, 2), [0, 1, 2, 3]],
    ['movedim', (x) => x.movedim(0, -1), [...Array(24).keys()]],
    ['unbind', (x) => x.unbind(1)[2]!, [8, 9, 10, 11, 20, 21, 22, 23]],
  ];
  it.each(cases)('%s', (_name, f, covered) => {
    const x = base();
    const v = f(x);
    expect(v._ref).toBe(x._ref);
    noGrad(() => v.fill_(-1));
    const after = Array.from(x.dataSync());
    after.forEach((value, i) => {
      expect(value, `element ${i}`).toBe(covered.includes(i) ? -1 : i);
    });
  });
});

describe('values', () => {
  it('slice follows Python slicing', () => {
    const x = arange(10);
    expect(x.slice(0, 1, 8, 3).toArraySync()).toEqual([1, 4, 7]);
    expect(x.slice(0, -3).toArraySync()).toEqual([7, 8, 9]);
    expect(x.slice(0, undefined, -7).toArraySync()).toEqual([0, 1, 2]);
    expect(x.slice(0, 20, 30).toArraySync()).toEqual([]);
    expect(x.slice(0, -100, 2, 1).toArraySync()).toEqual([0, 1]);
    expect(x.slice(0, 7, 3).shape).toEqual([0]);
  });
  it('diagonal with offsets and other dims', () => {
    const m = arange(12).reshape(3, 4);
    expect(m.diagonal().toArraySync()).toEqual([0, 5, 10]);
    expect(m.diagonal(2).toArraySync()).toEqual([2, 7]);
    expect(m.diagonal(-1).toArraySync()).toEqual([4, 9]);
    expect(m.diagonal(-5).shape).toEqual([0]);
    expect(m.diagonal(0, 1, 0).toArraySync()).toEqual([0, 5, 10]);
  });
  it('unfold windows and their overlapping gradient', () => {
    const x = tensor([1, 2, 3, 4, 5], { dtype: 'float64', requiresGrad: true });
    const w = x.unfold(0, 3, 1);
    expect(w.toArraySync()).toEqual([
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 5],
    ]);
    w.sum().backward();
    expect(x.grad!.toArraySync()).toEqual([1, 2, 3, 2, 1]);
  });
  it('movedim with lists, roll without dims, repeat and tile', () => {
    expect(zeros([2, 3, 4, 5]).movedim([0, 1], [2, 0]).shape).toEqual([3, 4, 2, 5]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .roll(1)
        .toArraySync(),
    ).toEqual([
      [4, 1],
      [2, 3],
    ]);
    expect(tensor([1, 2]).repeat(2, 2).toArraySync()).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    expect(
      tensor([[1, 2]])
        .tile([2])
        .toArraySync(),
    ).toEqual([[1, 2, 1, 2]]);
  });
  it('repeatInterleave with counts, flattened, and a count tensor', () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .repeatInterleave(2)
        .toArraySync(),
    ).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .repeatInterleave([1, 2], 0)
        .toArraySync(),
    ).toEqual([
      [1, 2],
      [3, 4],
      [3, 4],
    ]);
    const counts = tensor([0, 3], { dtype: 'int32' });
    expect(tensor([5, 6]).repeatInterleave(counts).toArraySync()).toEqual([6, 6, 6]);
  });
  it('tril and triu as functions, on bool masks too', () => {
    const m = tensor(
      [
        [true, true],
        [true, true],
      ],
      { dtype: 'bool' },
    );
    expect(tril(m).toArraySync()).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(triu(arange(4).reshape(2, 2), 1).toArraySync()).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });
  it('flip of several dims', () => {
    expect(arange(6).reshape(2, 3).flip([0, 1]).toArraySync()).toEqual([
      [5, 4, 3],
      [2, 1, 0],
    ]);
  });
});

describe('cdist', () => {
  it('has a zero gradient at zero distance, as PyTorch', () => {
    for (const p of [1, 2, 3]) {
      const a = tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
      const b = tensor(
        [
          [1, 2],
          [4, 6],
        ],
        { dtype: 'float64', requiresGrad: true },
      );
      const d = cdist(a, b, p);
      const [ga] = grad(d.select(1, 0).sum(), [a]);
      expect(Array.from(ga!.dataSync()), `p = ${p}`).toEqual([0, 0]);
      expect(d.dataSync()[1]).toBeCloseTo(p === 1 ? 7 : p === 2 ? 5 : (3 ** 3 + 4 ** 3) ** (1 / 3), 12);
    }
  });
  it('takes the matrix-product path for many rows with the same values', () => {
    const a = arange(60).to('float64').reshape(30, 2).div(7).sin();
    const b = arange(8).to('float64').reshape(4, 2).cos();
    const direct = a.unsqueeze(1).sub(b.unsqueeze(0)).square().sum(-1).sqrt();
    const got = Array.from(cdist(a, b).dataSync());
    Array.from(direct.dataSync()).forEach((v, i) => {
      expect(got[i]!).toBeCloseTo(v, 10);
    });
    expect(cdist(a, a).select(0, 3).select(0, 3).itemSync()).toBe(0);
  });
  it('p = 0 counts differing coordinates, p = ∞ takes the largest', () => {
    const a = tensor([[0, 0, 1]], { dtype: 'float64' });
    const b = tensor([[0, 2, -1]], { dtype: 'float64' });
    expect(cdist(a, b, 0).itemSync()).toBe(2);
    expect(cdist(a, b, Number.POSITIVE_INFINITY).itemSync()).toBe(2);
  });
});

describe('einsum', () => {
  const a = arange(6).to('float64').reshape(2, 3);
  const b = arange(12).to('float64').reshape(3, 4);
  it('implicit output: labels seen once, alphabetically', () => {
    expect(einsum('ij,jk', a, b).toArraySync()).toEqual(a.matmul(b).toArraySync());
    expect(einsum('ji', a).toArraySync()).toEqual(a.T.toArraySync());
    expect(einsum('ii', arange(9).reshape(3, 3)).toArraySync()).toEqual(12);
  });
  it('three operands, broadcast ..., a sum over a label in one operand', () => {
    const c = arange(8).to('float64').reshape(4, 2);
    expect(einsum('ab,bc,cd->ad', a, b, c).toArraySync()).toEqual(a.matmul(b).matmul(c).toArraySync());
    expect(einsum('ij->', a).itemSync()).toBe(15);
    const batch = arange(24).to('float64').reshape(2, 1, 3, 4);
    expect(einsum('...ij,jk->...ik', batch, b.T).shape).toEqual([2, 1, 3, 3]);
    expect(einsum('...ij,...jk->...ik', batch, arange(8).to('float64').reshape(4, 2)).shape).toEqual([
      2, 1, 3, 2,
    ]);
  });
  it('clear errors for bad equations', () => {
    expect(() => einsum('ij,jk->ik', a)).toThrow(ValueError);
    expect(() => einsum('ij,jk->ik', a)).toThrow(/einsum: .*2 operand term\(s\) but 1 tensor/);
    expect(() => einsum('ij,jk->iz', a, b)).toThrow(/output subscript 'z' does not appear/);
    expect(() => einsum('ij,jk->ii', a, b)).toThrow(/appears more than once/);
    expect(() => einsum('i1,jk', a, b)).toThrow(/invalid subscript '1'/);
    expect(() => einsum('ijk', a)).toThrow(/term 'ijk' has 3 subscripts but its operand has 2 dims/);
    expect(() => einsum('ij,kj->ik', a, b)).toThrow(/subscript 'j' has size 3 in one operand and 4/);
    expect(() => einsum('...ijk', a)).toThrow(/more subscripts than its operand has dims/);
    expect(() => einsum('ii->i', a)).toThrow(/repeated in one operand for dims of sizes 2 and 3/);
    expect(() => einsum('...ij->ij', arange(8).reshape(2, 2, 2))).toThrow(/needs '...' too/);
    expect(() => einsum('ij->j->i', a)).toThrow(/more than one '->'/);
  });
});

describe('errors name the op and the offending sizes', () => {
  const x = base();
  const cases: [string, () => unknown, typeof ShapeError | typeof ValueError, RegExp][] = [
    ['select index', () => x.select(1, 3), ShapeError, /select: index 3 is out of range for dim 1 of size 3/],
    ['select dim', () => x.select(3, 0), ShapeError, /select: dim 3 is out of range/],
    ['slice step', () => x.slice(0, 0, 2, 0), ValueError, /slice: step must be a positive integer, got 0/],
    ['slice 0-d', () => tensor(1).slice(0), ShapeError, /slice: cannot slice a 0-d tensor/],
    ['diagonal same dims', () => x.diagonal(0, 1, -2), ShapeError, /diagonal: dim1 and dim2 are both 1/],
    [
      'diagonal 1-d',
      () => arange(3).diagonal(),
      ShapeError,
      /diagonal: needs a tensor of at least 2 dims, got \[3\]/,
    ],
    [
      'unfold size',
      () => x.unfold(2, 5, 1),
      ShapeError,
      /unfold: window size 5 does not fit dim 2 of size 4/,
    ],
    ['unfold step', () => x.unfold(2, 2, 0), ValueError, /unfold: step must be a positive integer/],
    [
      'movedim lengths',
      () => x.movedim([0, 1], [2]),
      ShapeError,
      /movedim: source \[0,1\] and destination \[2\] differ/,
    ],
    ['movedim repeat', () => x.movedim([0, 0], [1, 2]), ShapeError, /movedim: repeated dim in source/],
    ['flip repeat', () => x.flip([0, -3]), ShapeError, /flip: repeated dim/],
    ['roll lengths', () => x.roll([1, 2], [0]), ShapeError, /roll: 2 shifts \[1,2\] for 1 dims/],
    [
      'repeat too short',
      () => x.repeat(2, 2),
      ShapeError,
      /repeat: 2 repeats \[2,2\] for a tensor of 3 dims \[2,3,4\]/,
    ],
    [
      'repeatInterleave counts',
      () => x.repeatInterleave([1, 2], 1),
      ShapeError,
      /repeatInterleave: 2 repeat counts for dim 1 of size 3/,
    ],
    [
      'repeatInterleave float counts',
      () => x.repeatInterleave(tensor([1.5])),
      Error,
      /repeatInterleave: repeats must be an int32 tensor, got float32/,
    ],
    ['tril 1-d', () => arange(3).tril(), ShapeError, /tril: needs a tensor of at least 2 dims/],
    [
      'outer 2-d',
      () => x.outer(arange(3)),
      ShapeError,
      /outer: expects two 1-D tensors, got \[2,3,4\] and \[3\]/,
    ],
    [
      'dot lengths',
      () => arange(3).dot(arange(4)),
      ShapeError,
      /dot: expects two 1-D tensors of the same length, got \[3\] and \[4\]/,
    ],
    [
      'cdist columns',
      () => cdist(zeros([2, 3]), zeros([2, 4])),
      ShapeError,
      /cdist: x1 \[2,3\] and x2 \[2,4\] must have the same number of columns/,
    ],
  ];
  it.each(cases)('%s', (_name, f, cls, message) => {
    expect(f).toThrow(cls);
    expect(f).toThrow(message);
  });
});
