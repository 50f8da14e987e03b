/**
 * Autograd on single numbers, for learning how it works. Each op computes its result and,
 * right beside it, the function that sends the result's gradient back to the operands
 * (`out.backStep`): local derivative times the gradient from above, added (+=) because an
 * operand used twice gets a gradient from each use. `backward()` orders the graph so every
 * value comes after everything that uses it, then runs those functions from the root down.
 * The same ops on tensors (`@tsgrad/core`) work the same way, element by element.
 */

/** A number operand is a constant: it becomes a Value nobody reads the gradient of. */
const lift = (v: Value | number): Value => (v instanceof Value ? v : new Value(v));

/**
 * A number that remembers how it was computed, so `backward()` can fill in `grad`: the
 * derivative of the root with respect to this value.
 *
 * @example
 * ```ts
 * const x = new Value(2, 'x');
 * const y = x.mul(x).add(x); // y = x² + x
 * y.backward();
 * x.grad; // 5 (dy/dx = 2x + 1)
 * ```
 */
export class Value {
  /** d(root)/d(this value), filled by `backward()` on a value computed from this one. */
  grad = 0;
  /** Runs the chain rule for the op that made this value (nothing for a leaf). */
  private backStep: () => void = () => {};

  constructor(
    /** The number itself. */
    public data: number,
    /** A name shown in drawings (`toDot`, `toMermaid`) and by `toString()`. */
    public label = '',
    /** The values this one was computed from. */
    readonly inputs: readonly Value[] = [],
    /** The op that made it ('' for a leaf), named as the tensor op is. */
    readonly op = '',
  ) {}

  /** `this + other`. d/da = 1, d/db = 1. */
  add(other: Value | number): Value {
    const b = lift(other);
    const out = new Value(this.data + b.data, '', [this, b], 'add');
    out.backStep = () => {
      this.grad += out.grad;
      b.grad += out.grad;
    };
    return out;
  }

  /** `this − other`. d/da = 1, d/db = −1. */
  sub(other: Value | number): Value {
    const b = lift(other);
    const out = new Value(this.data - b.data, '', [this, b], 'sub');
    out.backStep = () => {
      this.grad += out.grad;
      b.grad -= out.grad;
    };
    return out;
  }

  /** `this · other`. d/da = b, d/db = a. */
  mul(other: Value | number): Value {
    const b = lift(other);
    const out = new Value(this.data * b.data, '', [this, b], 'mul');
    out.backStep = () => {
      this.grad += b.data * out.grad;
      b.grad += this.data * out.grad;
    };
    return out;
  }

  /** `this / other`. d/da = 1/b, d/db = −a/b². */
  div(other: Value | number): Value {
    const b = lift(other);
    const out = new Value(this.data / b.data, '', [this, b], 'div');
    out.backStep = () => {
      this.grad += out.grad / b.data;
      b.grad -= (this.data / (b.data * b.data)) * out.grad;
    };
    return out;
  }

  /** `thisⁿ` for a number n. d/dx xⁿ = n·xⁿ⁻¹. */
  pow(n: number): Value {
    const out = new Value(this.data ** n, '', [this], 'pow');
    out.backStep = () => {
      this.grad += (n === 0 ? 0 : n * this.data ** (n - 1)) * out.grad;
    };
    return out;
  }

  /** `−this`. d/dx (−x) = −1. */
  neg(): Value {
    const out = new Value(-this.data, '', [this], 'neg');
    out.backStep = () => {
      this.grad -= out.grad;
    };
    return out;
  }

  /** `tanh(this)`. d/dx tanh(x) = 1 − tanh²(x). */
  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, '', [this], 'tanh');
    out.backStep = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  /** `max(this, 0)`. d/dx relu(x) = 1 if x > 0, else 0. */
  relu(): Value {
    const out = new Value(this.data > 0 ? this.data : 0, '', [this], 'relu');
    out.backStep = () => {
      this.grad += (out.data > 0 ? 1 : 0) * out.grad;
    };
    return out;
  }

  /** `eˣ`. d/dx eˣ = eˣ. */
  exp(): Value {
    const out = new Value(Math.exp(this.data), '', [this], 'exp');
    out.backStep = () => {
      this.grad += out.data * out.grad;
    };
    return out;
  }

  /** `log(this)`, the natural logarithm. d/dx log(x) = 1/x. */
  log(): Value {
    const out = new Value(Math.log(this.data), '', [this], 'log');
    out.backStep = () => {
      this.grad += out.grad / this.data;
    };
    return out;
  }

  /** `σ(this) = 1 / (1 + e⁻ˣ)`. d/dx σ(x) = σ(x)·(1 − σ(x)). */
  sigmoid(): Value {
    const s = 1 / (1 + Math.exp(-this.data));
    const out = new Value(s, '', [this], 'sigmoid');
    out.backStep = () => {
      this.grad += s * (1 - s) * out.grad;
    };
    return out;
  }

  /**
   * Adds d(this)/d(leaf) to the `grad` of every leaf this value was computed from (values
   * made by an op get theirs afresh): this value's gradient is 1, then each op's chain rule
   * runs once, from this value down to the leaves. Leaf gradients add up over calls, as in
   * PyTorch: set `grad = 0` to start over.
   */
  backward(): void {
    // Iterative depth-first walk (a recursive one overflows the stack on long graphs): a value
    // joins `order` once all its inputs have.
    const order: Value[] = [];
    const seen = new Set<Value>([this]);
    const stack: [Value, number][] = [[this, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, next] = top;
      if (next < v.inputs.length) {
        top[1]++;
        const input = v.inputs[next]!;
        if (!seen.has(input)) {
          seen.add(input);
          stack.push([input, 0]);
        }
      } else {
        stack.pop();
        order.push(v);
      }
    }
    for (const v of order) if (v.inputs.length > 0) v.grad = 0;
    this.grad += 1;
    // Reversed, every value comes before its inputs, so its grad is complete when it runs.
    for (let i = order.length - 1; i >= 0; i--) order[i]!.backStep();
  }

  /** `Value(label, data=…, grad=…)`. */
  toString(): string {
    const name = this.label === '' ? '' : `${this.label}, `;
    return `Value(${name}data=${this.data}, grad=${this.grad})`;
  }
}
