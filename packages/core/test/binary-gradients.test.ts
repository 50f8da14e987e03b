/**
 * The derivative table of the binary primitives, entry by entry, with a tensor and with a
 * plain number as the second operand: each gradient against its formula at chosen points
 * (ties of maximum and minimum split the gradient evenly, as PyTorch), against finite
 * differences, and the number form against the tensor form with the same value.
 */
import { describe, expect, it } from 'vitest';
import { grad, type Tensor, tensor, where } from '../src/index.js';
import { gradcheck } from '../src/testing/index.js';

const f64 = (v: readonly number[]) => tensor(v as number[], { dtype: 'float64', requiresGrad: true });
const values = (t: Tensor | null) => Array.from(t!.dataSync());

function expectClose(got: number[], want: number[], digits = 12): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g, `element ${i}`).toBeCloseTo(want[i]!, digits);
  });
}

const A = [0.5, -1.25, 2, 0.3, -0.7];
const B = [1.5, -1.25, 0.5, 0.3, 2];
const N = 0.3;

type Op = (a: Tensor, b: Tensor | number) => Tensor;
/** [name, op, d/da at (a, b), d/db at (a, b)] with a, b numbers. */
const table: Array<[string, Op, (a: number, b: number) => number, (a: number, b: number) => number]> = [
  ['add', (a, b) => a.add(b), () => 1, () => 1],
  ['sub', (a, b) => a.sub(b), () => 1, () => -1],
  ['mul', (a, b) => a.mul(b), (_a, b) => b, (a) => a],
  ['div', (a, b) => a.div(b), (_a, b) => 1 / b, (a, b) => -a / (b * b)],
  [
    'maximum',
    (a, b) => a.maximum(b),
    (a, b) => (a > b ? 1 : a === b ? 0.5 : 0),
    (a, b) => (b > a ? 1 : a === b ? 0.5 : 0),
  ],
  [
    'minimum',
    (a, b) => a.minimum(b),
    (a, b) => (a < b ? 1 : a === b ? 0.5 : 0),
    (a, b) => (b < a ? 1 : a === b ? 0.5 : 0),
  ],
  ['remainder', (a, b) => a.remainder(b), () => 1, (a, b) => -Math.floor(a / b)],
  ['atan2', (a, b) => a.atan2(b), (a, b) => b / (a * a + b * b), (a, b) => -a / (a * a + b * b)],
  ['hypot', (a, b) => a.hypot(b), (a, b) => a / Math.hypot(a, b), (a, b) => b / Math.hypot(a, b)],
];

describe.each(table)('%s', (_name, op, da, db) => {
  it('tensor ∘ tensor: both gradients follow the formula, ties included', () => {
    const a = f64(A);
    const b = f64(B);
    const [ga, gb] = grad(op(a, b).sum(), [a, b]);
    expectClose(
      values(ga),
      A.map((x, i) => da(x, B[i]!)),
    );
    expectClose(
      values(gb),
      A.map((x, i) => db(x, B[i]!)),
    );
  });

  it('tensor ∘ number: the tensor’s gradient follows the formula and equals the tensor form’s', () => {
    const a = f64(A);
    const [g] = grad(op(a, N).sum(), [a]);
    expectClose(
      values(g),
      A.map((x) => da(x, N)),
    );
    const a2 = f64(A);
    const [g2] = grad(op(a2, tensor(N, { dtype: 'float64' })).sum(), [a2]);
    expectClose(values(g), values(g2), 14);
  });

  it('matches finite differences away from ties', () => {
    const a = f64([0.9, -0.4, 1.7]);
    const b = f64([1.3, 0.6, -0.8]);
    gradcheck((x, y) => op(x!, y!), [a, b]);
    gradcheck((x) => op(x!, 0.41), [f64([0.9, -0.4, 1.7])]);
  });

  it('only inputs that require grad get one', () => {
    const a = f64(A);
    const b = tensor(B, { dtype: 'float64' });
    const [ga] = grad(op(a, b).sum(), [a]);
    expect(ga).not.toBeNull();
    expect(b.grad).toBeNull();
  });
});

describe('pow', () => {
  it('d/da = b·a^(b−1) (0 where b = 0), d/db = y·log a (0 where a = 0 and b ≥ 0)', () => {
    const a = f64([2, 0, 0.5, 0, 3]);
    const b = f64([3, 0, -1, 2, 0.5]);
    const [ga, gb] = grad(a.pow(b).sum(), [a, b]);
    expectClose(values(ga), [12, 0, -4, 0, 0.5 / Math.sqrt(3)]);
    expectClose(values(gb), [8 * Math.log(2), 0, 2 * Math.log(0.5), 0, Math.sqrt(3) * Math.log(3)]);
  });

  it('with a number exponent: n·a^(n−1), and 0 for n = 0', () => {
    const a = f64([2, -1, 0.5]);
    expectClose(values(grad(a.pow(3).sum(), [a])[0]!), [12, 3, 0.75]);
    expectClose(values(grad(a.pow(0).sum(), [a])[0]!), [0, 0, 0]);
    expectClose(values(grad(a.pow(-1).sum(), [a])[0]!), [-0.25, -1, -4]);
  });
});

describe('where', () => {
  it('routes the gradient to the chosen side, summed back over broadcast dims', () => {
    const cond = tensor([true, false, true]);
    const a = f64([1, 2, 3]);
    const b = tensor([[5], [6]], { dtype: 'float64', requiresGrad: true });
    const [ga, gb] = grad(where(cond, a, b).sum(), [a, b]);
    expect(values(ga)).toEqual([2, 0, 2]);
    expect(values(gb)).toEqual([1, 1]);
  });

  it('casts a narrower operand to the result dtype', () => {
    const y = where(
      tensor([true, false]),
      tensor([0.5, 0.25], { dtype: 'float64' }),
      tensor([1, 2], { dtype: 'int32' }),
    );
    expect(y.dtype).toBe('float64');
    expect(values(y)).toEqual([0.5, 2]);
  });
});
