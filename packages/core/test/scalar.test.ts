import { type Tensor, tensor } from '@tsgrad/core';
import { Value } from '@tsgrad/core/scalar';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Central finite difference of f at x. */
function numeric(f: (x: number) => number, x: number, h = 1e-6): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

describe('Value', () => {
  const unary: [string, (v: Value) => Value, (x: number) => number, number][] = [
    ['neg', (v) => v.neg(), (x) => -x, 0.7],
    ['tanh', (v) => v.tanh(), Math.tanh, 0.7],
    ['relu (x > 0)', (v) => v.relu(), (x) => Math.max(x, 0), 0.7],
    ['relu (x < 0)', (v) => v.relu(), (x) => Math.max(x, 0), -0.7],
    ['exp', (v) => v.exp(), Math.exp, 0.7],
    ['log', (v) => v.log(), Math.log, 0.7],
    ['sigmoid', (v) => v.sigmoid(), (x) => 1 / (1 + Math.exp(-x)), -0.3],
    ['pow 3', (v) => v.pow(3), (x) => x ** 3, -1.3],
    ['pow -0.5', (v) => v.pow(-0.5), (x) => x ** -0.5, 1.3],
    ['add number', (v) => v.add(2), (x) => x + 2, 0.7],
    ['sub number', (v) => v.sub(2), (x) => x - 2, 0.7],
    ['mul number', (v) => v.mul(-3), (x) => x * -3, 0.7],
    ['div number', (v) => v.div(4), (x) => x / 4, 0.7],
  ];
  it.each(unary)('%s: value and derivative', (_name, op, f, x0) => {
    const x = new Value(x0);
    const y = op(x);
    y.backward();
    expect(y.data).toBeCloseTo(f(x0), 12);
    expect(x.grad).toBeCloseTo(numeric(f, x0), 7);
  });

  const binary: [string, (a: Value, b: Value) => Value, (a: number, b: number) => number][] = [
    ['add', (a, b) => a.add(b), (a, b) => a + b],
    ['sub', (a, b) => a.sub(b), (a, b) => a - b],
    ['mul', (a, b) => a.mul(b), (a, b) => a * b],
    ['div', (a, b) => a.div(b), (a, b) => a / b],
  ];
  it.each(binary)('%s: both partial derivatives', (_name, op, f) => {
    const [a0, b0] = [1.5, -0.8];
    const a = new Value(a0);
    const b = new Value(b0);
    const y = op(a, b);
    y.backward();
    expect(y.data).toBeCloseTo(f(a0, b0), 12);
    expect(a.grad).toBeCloseTo(
      numeric((x) => f(x, b0), a0),
      7,
    );
    expect(b.grad).toBeCloseTo(
      numeric((x) => f(a0, x), b0),
      7,
    );
  });

  it('sums the gradients of a value used more than once', () => {
    const x = new Value(3, 'x');
    const y = x.mul(x).add(x); // x² + x
    y.backward();
    expect(x.grad).toBe(7);
  });

  it('accumulates leaf gradients over calls, recomputing the intermediate ones', () => {
    const x = new Value(2);
    const h = x.mul(3);
    const y = h.mul(h); // 9x², dy/dx = 18x = 36
    y.backward();
    y.backward();
    expect(x.grad).toBe(72);
    expect(h.grad).toBe(12); // dy/dh = 2h, afresh each time
    x.grad = 0;
    y.backward();
    expect(x.grad).toBe(36);
  });

  it('walks a graph too deep for a recursive walk', () => {
    let v = new Value(0);
    const x = v;
    for (let i = 0; i < 100_000; i++) v = v.add(1);
    v.backward();
    expect(v.data).toBe(100_000);
    expect(x.grad).toBe(1);
  });

  it('keeps its label, op and inputs, and prints them', () => {
    const a = new Value(2, 'a');
    const b = a.mul(4);
    b.label = 'b';
    b.backward();
    expect(b.op).toBe('mul');
    expect(b.inputs[0]).toBe(a);
    expect(b.inputs[1]!.data).toBe(4);
    expect(String(a)).toBe('Value(a, data=2, grad=4)');
    expect(String(new Value(1))).toBe('Value(data=1, grad=0)');
  });
});

// ---- random expressions: Value and float64 tensors agree on values and gradients ----------

type Unary = 'neg' | 'tanh' | 'relu' | 'exp' | 'log' | 'sigmoid';
type Binary = 'add' | 'sub' | 'mul' | 'div';
type Expr =
  | { kind: 'var'; i: number }
  | { kind: 'unary'; op: Unary; x: Expr }
  | { kind: 'binary'; op: Binary; a: Expr; b: Expr }
  | { kind: 'number'; op: Binary; a: Expr; n: number }
  | { kind: 'pow'; x: Expr; n: number };

/** The operations both Value and Tensor offer, under the same names. */
interface Num<T> {
  add(o: T | number): T;
  sub(o: T | number): T;
  mul(o: T | number): T;
  div(o: T | number): T;
  pow(n: number): T;
  neg(): T;
  tanh(): T;
  relu(): T;
  exp(): T;
  log(): T;
  sigmoid(): T;
}

const VARS = 3;
const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('var' as const), i: fc.nat(VARS - 1) }),
    fc.record({
      kind: fc.constant('unary' as const),
      op: fc.constantFrom<Unary>('neg', 'tanh', 'relu', 'exp', 'log', 'sigmoid'),
      x: tie('e'),
    }),
    fc.record({
      kind: fc.constant('binary' as const),
      op: fc.constantFrom<Binary>('add', 'sub', 'mul', 'div'),
      a: tie('e'),
      b: tie('e'),
    }),
    fc.record({
      kind: fc.constant('number' as const),
      op: fc.constantFrom<Binary>('add', 'sub', 'mul', 'div'),
      a: tie('e'),
      n: fc.constantFrom(-2, -0.5, 0.25, 3),
    }),
    fc.record({
      kind: fc.constant('pow' as const),
      x: tie('e'),
      n: fc.constantFrom(0, 1, 2, 3, -1, 0.5, 1.5),
    }),
  ),
})).e;

/**
 * Evaluates `e` on either kind of number. Where an op has a restricted domain its operand is
 * first mapped into it, the same way for both: log and non-integer or negative powers of
 * x² + 0.5, division by b² + 0.5.
 */
function evaluate<T extends Num<T>>(e: Expr, vars: readonly T[]): T {
  const positive = (x: T) => x.mul(x).add(0.5);
  switch (e.kind) {
    case 'var':
      return vars[e.i]!;
    case 'unary': {
      const x = evaluate(e.x, vars);
      return e.op === 'log' ? positive(x).log() : x[e.op]();
    }
    case 'binary': {
      const a = evaluate(e.a, vars);
      const b = evaluate(e.b, vars);
      return e.op === 'div' ? a.div(positive(b)) : a[e.op](b);
    }
    case 'number':
      return evaluate(e.a, vars)[e.op](e.n);
    case 'pow': {
      const x = evaluate(e.x, vars);
      return (Number.isInteger(e.n) && e.n >= 0 ? x : positive(x)).pow(e.n);
    }
  }
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(a) + Math.abs(b));

describe('Value and float64 tensors', () => {
  it('agree on the value and the gradients of random expressions', () => {
    const input = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: VARS, maxLength: VARS });
    fc.assert(
      fc.property(expr, input, (e, xs) => {
        const values = xs.map((x, i) => new Value(x, `x${i}`));
        const v = evaluate(e, values);
        const tensors = xs.map((x) => tensor(x, { dtype: 'float64', requiresGrad: true }));
        const t = evaluate<Tensor>(e, tensors);
        const big = (x: number) => !Number.isFinite(x) || Math.abs(x) > 1e6;
        // Far-off values are compared by neither: exp of exp overflows in both.
        fc.pre(!big(v.data));
        expect(close(t.itemSync(), v.data), `value ${t.itemSync()} vs ${v.data}`).toBe(true);
        v.backward();
        t.backward();
        values.forEach((x, i) => {
          fc.pre(!big(x.grad));
          const g = tensors[i]!.grad?.itemSync() ?? 0;
          expect(close(g, x.grad), `d/dx${i}: tensor ${g}, Value ${x.grad}`).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});
