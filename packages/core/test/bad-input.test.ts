/**
 * Bad arguments to core's ops throw the error class of the mistake, naming the op and what is
 * wrong; and the 0-d forms of the dim-wise ops behave as PyTorch's (a 0-d tensor is one
 * element along dim 0 or −1).
 */
import { describe, expect, it } from 'vitest';
import {
  AutogradError,
  addmm,
  arange,
  baddbmm,
  cdist,
  cumsum,
  DTypeError,
  diagonal,
  einsum,
  eye,
  full,
  grad,
  hardtanh,
  index,
  indexAdd,
  joinGradients,
  linspace,
  median,
  medianDim,
  movedim,
  multinomial,
  norm,
  normal_,
  oneHot,
  repeatInterleave,
  roll,
  ShapeError,
  select,
  slice,
  sort,
  split,
  stack,
  type Tensor,
  type TsgradError,
  takeAlongDim,
  tensor,
  tril,
  unbind,
  uniform_,
  ValueError,
  zeros,
} from '../src/index.js';

type Case = [string, () => unknown, new (...a: never[]) => TsgradError, RegExp];

const m = () => zeros([2, 3]);
const i32 = (v: number[]) => tensor(v, { dtype: 'int32' });

const cases: Case[] = [
  [
    'hardtanh: min above max',
    () => hardtanh(m(), 1, -1),
    ValueError,
    /^hardtanh: minVal \(1\) must not exceed maxVal \(-1\)/,
  ],
  [
    'full: a string value',
    () => full([2], 'x' as never),
    ValueError,
    /^full: fill value must be a number, got "x"/,
  ],
  ['arange: zero step', () => arange(0, 5, 0), ValueError, /^arange: step must be nonzero/],
  [
    'linspace: negative steps',
    () => linspace(0, 1, -1),
    ValueError,
    /^linspace: steps must be a non-negative integer, got -1/,
  ],
  ['einsum: no operands', () => einsum('i->i'), ValueError, /^einsum: 'i->i' needs at least one operand/],
  [
    'einsum: two ellipses',
    () => einsum('...i...->i', m()),
    ValueError,
    /more than one '\.\.\.' in term '\.\.\.i\.\.\.'/,
  ],
  [
    'einsum: sizes differ',
    () => einsum('ij,ij->i', m(), zeros([2, 4])),
    ValueError,
    /^einsum: 'ij,ij->i': subscript 'j' has size 3 in one operand and 4 in another/,
  ],
  [
    'einsum: output ellipsis alone',
    () => einsum('ij->...', m()),
    ValueError,
    /^einsum: 'ij->\.\.\.': the output has '\.\.\.' but no operand does/,
  ],
  [
    'addmm: 1-D operand',
    () => addmm(zeros([3]), zeros([3]), zeros([3, 3])),
    ShapeError,
    /^addmm: a and b must be 2-D, got \[3\] and \[3,3\]/,
  ],
  [
    'baddbmm: 2-D batch',
    () => baddbmm(zeros([2, 2]), zeros([2, 2]), zeros([1, 2, 2])),
    ShapeError,
    /^baddbmm: batch1 and batch2 must be 3-D, got \[2,2\] and \[1,2,2\]/,
  ],
  [
    'baddbmm: inner sizes',
    () => baddbmm(zeros([1, 2, 2]), zeros([1, 2, 3]), zeros([1, 2, 2])),
    ShapeError,
    /^baddbmm: cannot multiply batches \[1,2,3\] and \[1,2,2\]/,
  ],
  [
    'baddbmm: input shape',
    () => baddbmm(zeros([3, 1, 1]), zeros([1, 2, 3]), zeros([1, 3, 2])),
    ShapeError,
    /^baddbmm: input \[3,1,1\] does not broadcast to \[1,2,2\]/,
  ],
  [
    'cdist: 1-D',
    () => cdist(zeros([3]), m()),
    ShapeError,
    /^cdist: x1 and x2 need at least 2 dims, got \[3\] and \[2,3\]/,
  ],
  ['cdist: negative p', () => cdist(m(), m(), -1), ValueError, /^cdist: p must be ≥ 0, got -1/],
  ['norm: int input', () => norm(i32([1, 2])), DTypeError, /^norm: needs a floating tensor, got int32 \[2\]/],
  [
    'norm: p a word',
    () => norm(m(), 'nuc' as never),
    ValueError,
    /^norm: p must be a number, Infinity, -Infinity or 'fro', got nuc/,
  ],
  [
    'oneHot: numClasses -2',
    () => oneHot(i32([0]), -2),
    ValueError,
    /^oneHot: numClasses must be -1 or a non-negative integer, got -2/,
  ],
  [
    'takeAlongDim: ranks differ',
    () => takeAlongDim(m(), i32([0]), 1),
    ShapeError,
    /^takeAlongDim: indices \[1\] and input \[2,3\] must have the same number of dims/,
  ],
  [
    'indexAdd: 2-D index',
    () => indexAdd(m(), 0, i32([0, 1]).reshape([1, 2]), zeros([2, 3])),
    ShapeError,
    /^indexAdd: index must be 1-D, got \[1,2\]/,
  ],
  ['index: 0-d input', () => index(tensor(1), i32([0])), ShapeError, /^index: cannot index a 0-d tensor/],
  ['stack: nothing', () => stack([]), ValueError, /^stack: expected a non-empty list of tensors/],
  ['split: zero size', () => split(m(), 0), ValueError, /^split: size must be positive, got 0/],
  [
    'flatten: start after end',
    () => zeros([2, 3, 4]).flatten(2, 1),
    ShapeError,
    /^flatten: startDim 2 comes after endDim 1/,
  ],
  ['reshape: negative size', () => m().reshape([-2, 3]), ShapeError, /^reshape: invalid shape \[-2,3\]/],
  [
    'roll: fractional shift',
    () => roll(m(), 0.5, 0),
    ValueError,
    /^roll: shifts must be integers, got \[0.5\]/,
  ],
  [
    'roll: two shifts without dims',
    () => roll(m(), [1, 2]),
    ShapeError,
    /^roll: without dims, shifts must be one number, got \[1,2\]/,
  ],
  [
    'repeatInterleave: negative count',
    () => repeatInterleave(m(), -1),
    ValueError,
    /^repeatInterleave: repeats must be a non-negative integer, got -1/,
  ],
  [
    'repeatInterleave: negative in a list',
    () => repeatInterleave(m(), [1, -1], 0),
    ValueError,
    /^repeatInterleave: repeats must be non-negative integers, got \[1,-1\]/,
  ],
  [
    'repeatInterleave: 2-D counts',
    () => repeatInterleave(m(), i32([1, 1]).reshape([1, 2]), 0),
    ShapeError,
    /^repeatInterleave: repeats must be 0-d or 1-D, got \[1,2\]/,
  ],
  [
    'tril: fractional diagonal',
    () => tril(m(), 0.5),
    ValueError,
    /^tril: diagonal must be an integer, got 0.5/,
  ],
  [
    'multinomial: int weights',
    () => multinomial(i32([1, 2]), 1),
    DTypeError,
    /^multinomial: weights must be floating, got int32/,
  ],
  [
    'multinomial: 3-D weights',
    () => multinomial(zeros([1, 1, 2]), 1),
    ShapeError,
    /^multinomial: weights must be 1-D or 2-D, got \[1,1,2\]/,
  ],
  [
    'multinomial: no categories',
    () => multinomial(zeros([0]), 1),
    ShapeError,
    /^multinomial: weights have no categories \[0\]/,
  ],
  [
    'normal_: negative std',
    () => normal_(m(), 0, -1),
    ValueError,
    /^normal_: std must be non-negative, got -1/,
  ],
  [
    'uniform_: from above to',
    () => uniform_(m(), 2, 1),
    ValueError,
    /^uniform_: expected from <= to, got 2 and 1/,
  ],
  [
    'medianDim: empty dim',
    () => medianDim(zeros([2, 0]), 1),
    ShapeError,
    /^median: cannot take the median of an empty dimension 1 of \[2,0\]/,
  ],
  [
    'median: empty tensor',
    () => median(zeros([0])),
    ShapeError,
    /^median: cannot take the median of an empty tensor \[0\]/,
  ],
  ['select: 0-d', () => select(tensor(1), 0, 0), ShapeError, /^select: cannot select from a 0-d tensor/],
  [
    'slice: fractional start',
    () => slice(m(), 1, 0.5),
    ValueError,
    /^slice: start must be an integer or undefined, got 0.5/,
  ],
  [
    'movedim: repeated destination',
    () => movedim(zeros([2, 3, 4]), [0, 1], [2, 2]),
    ShapeError,
    /^movedim: repeated dim in destination \[2,2\]/,
  ],
  [
    'diagonal: fractional offset',
    () => diagonal(m(), 0.5),
    ValueError,
    /^diagonal: offset must be an integer, got 0.5/,
  ],
  ['unbind: 0-d', () => unbind(tensor(1)), ShapeError, /^unbind: cannot unbind a 0-d tensor/],
  [
    'grad: input without grad',
    () => grad(tensor([1], { requiresGrad: true }).sum(), [tensor([2])]),
    AutogradError,
    /^grad: input of shape \[1\] does not require grad/,
  ],
  [
    'joinGradients: wrong count back',
    () => {
      const [a] = joinGradients([tensor([1], { requiresGrad: true })], () => []);
      a!.sum().backward();
    },
    ShapeError,
    /^joinGradients: expected 1 gradients back, got 0/,
  ],
  [
    'joinGradients: wrong shape back',
    () => {
      const [a] = joinGradients([tensor([1, 2], { requiresGrad: true })], () => [zeros([3])]);
      a!.sum().backward();
    },
    ShapeError,
    /^joinGradients: gradient 0 has shape \[3\], its tensor \[2\]/,
  ],
];

describe('bad arguments', () => {
  it.each(cases)('%s', (_name, call, type, message) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err, `expected ${type.name} matching ${message}`).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
  });
});

describe('0-d tensors in dim-wise ops', () => {
  const s = tensor(2.5);
  const values = (t: Tensor) => Array.from(t.dataSync());
  it('sort, cumsum and median of a 0-d tensor are the tensor (dims 0 and −1 only)', () => {
    const r = sort(s, 0);
    expect([r.values.shape, values(r.values), values(r.indices)]).toEqual([[], [2.5], [0]]);
    expect(values(cumsum(s, -1))).toEqual([2.5]);
    expect(cumsum(s, 0).shape).toEqual([]);
    expect(() => cumsum(s, 1)).toThrow(/dim/);
    expect(() => sort(s, 1)).toThrow(/dim/);
    expect(values(median(s))).toEqual([2.5]);
    expect(values(medianDim(s, 0).values)).toEqual([2.5]);
  });

  it('roll, flatten, movedim and repeatInterleave of a 0-d tensor', () => {
    expect(values(roll(s, 3))).toEqual([2.5]);
    expect(s.flatten().shape).toEqual([1]);
    expect(movedim(s, [], []).shape).toEqual([]);
    expect(values(repeatInterleave(s, 2))).toEqual([2.5, 2.5]);
  });

  it('eye of n×m and linspace of 0 and 1 steps', () => {
    expect(eye(2, 3).toArraySync()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 1).toArraySync()).toEqual([[1], [0], [0]]);
    expect(linspace(0, 1, 0).shape).toEqual([0]);
    expect(values(linspace(3, 7, 1))).toEqual([3]);
    expect(values(linspace(0, 1, 5, { dtype: 'float64' }))).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
