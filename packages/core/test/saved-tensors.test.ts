/**
 * What each elementwise op saves for its backward rule, seen through the in-place check: a
 * tensor an op saved may not change before backward (the rule would read the new values), and
 * a tensor it did not save may. Also what the recorded node holds: its name and the non-tensor
 * arguments (the number of `x op n`, the condition of `where`).
 */
import { describe, expect, it } from 'vitest';
import { AutogradError, type Tensor, tensor, where } from '../src/index.js';

const leaf = () => tensor([0.5, 1.5, 2], { dtype: 'float64', requiresGrad: true });
const plain = () => tensor([2, -1, 0.25], { dtype: 'float64' });
const values = (t: Tensor | null) => Array.from(t!.dataSync());

/** Runs `op`, bumps the version of the tensor `touch` picks (through a detached alias), backs up. */
function afterChange(
  op: (x: Tensor, b: Tensor) => Tensor,
  touch: (x: Tensor, b: Tensor, y: Tensor) => Tensor,
) {
  const x = leaf();
  const b = plain();
  const y = op(x, b);
  touch(x, b, y).detach().add_(1);
  return () => {
    y.sum().backward();
    return x.grad!;
  };
}

describe('ops that save their inputs or output refuse a changed one', () => {
  it.each<[string, (x: Tensor, b: Tensor) => Tensor, (x: Tensor, b: Tensor, y: Tensor) => Tensor]>([
    ['exp (its output)', (x) => x.exp(), (_x, _b, y) => y],
    ['log (its input)', (x) => x.log(), (x) => x],
    ['sqrt (its output)', (x) => x.sqrt(), (_x, _b, y) => y],
    ['mul (the other factor)', (x, b) => x.mul(b), (_x, b) => b],
    ['div (the divisor)', (x, b) => x.div(b), (_x, b) => b],
    ['maximum (the other operand)', (x, b) => x.maximum(b), (_x, b) => b],
    ['pow by a number (its input)', (x) => x.pow(3), (x) => x],
    ['maximum with a number (its input)', (x) => x.maximum(1), (x) => x],
  ])('%s', (_name, op, touch) => {
    expect(afterChange(op, touch)).toThrow(AutogradError);
    expect(afterChange(op, touch)).toThrow(/was modified by an in-place operation/);
  });

  it("where's condition itself is saved", () => {
    const x = leaf();
    const cond = tensor([true, false, true]);
    const y = where(cond, x, 0);
    cond.fill_(0);
    expect(() => y.sum().backward()).toThrow(/saved by 'where' was modified/);
  });
});

describe('ops that save nothing let their inputs change', () => {
  it.each<[string, (x: Tensor, b: Tensor) => Tensor, number[]]>([
    ['neg', (x) => x.neg(), [-1, -1, -1]],
    ['sign', (x) => x.sign(), [0, 0, 0]],
    ['floor', (x) => x.floor(), [0, 0, 0]],
    ['add', (x, b) => x.add(b), [1, 1, 1]],
    ['sub', (x, b) => x.sub(b), [1, 1, 1]],
    ['add a number', (x) => x.add(3), [1, 1, 1]],
    ['sub a number', (x) => x.sub(3), [1, 1, 1]],
    ['mul by a number', (x) => x.mul(3), [3, 3, 3]],
    ['div by a number', (x) => x.div(4), [0.25, 0.25, 0.25]],
  ])('%s', (_name, op, grad) => {
    expect(values(afterChange(op, (x) => x)())).toEqual(grad);
    expect(values(afterChange(op, (_x, b) => b)())).toEqual(grad);
  });
});

describe('recorded nodes', () => {
  it('name the op and keep the number of x ∘ n', () => {
    const x = leaf();
    for (const [y, name, n] of [
      [x.mul(3), 'mul', 3],
      [x.add(-2), 'add', -2],
      [x.pow(0.5), 'pow', 0.5],
      [x.maximum(1), 'maximum', 1],
    ] as const) {
      expect(y.gradFn!.name).toBe(name);
      expect(y.gradFn!.attrs.scalar).toBe(n);
    }
    expect(x.exp().gradFn!.attrs).toEqual({});
  });

  it('where keeps its condition', () => {
    const cond = tensor([true, false, true]);
    const y = where(cond, leaf(), 0);
    expect(y.gradFn!.name).toBe('where');
    expect(y.gradFn!.attrs.cond).toBe(cond);
  });

  it('pow by 0 has a zero gradient, also at 0', () => {
    const x = tensor([0, 2, -1], { dtype: 'float64', requiresGrad: true });
    x.pow(0).sum().backward();
    expect(values(x.grad)).toEqual([0, 0, 0]);
  });
});
