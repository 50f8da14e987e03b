/**
 * `ParameterList`, `ParameterDict` (parameters under index or string keys, registered so that
 * `parameters()` and `stateDict()` see them) and `Unflatten`.
 */
import { formatShape, ShapeError, type Tensor, ValueError } from '@tsgrad/core';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

function asParameter(p: Tensor): Parameter {
  return p instanceof Parameter ? p : new Parameter(p);
}

/**
 * A list of parameters, registered as `0`, `1`, … (so a model holding one as `ws` has
 * `ws.0`, `ws.1` in its `stateDict()`, as PyTorch). Plain tensors are wrapped in Parameters.
 *
 * @example
 * ```ts
 * const ws = new ParameterList([randn([4, 4]), randn([4, 4])]);
 * for (const w of ws) x = x.matmul(w);
 * ```
 */
export class ParameterList extends Module {
  constructor(params: Iterable<Tensor> = []) {
    super();
    for (const p of params) this.append(p);
  }

  /** Number of parameters. @example `new ParameterList([randn([2])]).length; // 1` */
  get length(): number {
    return this.parameters().length;
  }

  /**
   * The parameter at `i` (negative counts from the end).
   *
   * @example
   * ```ts
   * ws.at(-1).shape;
   * ```
   */
  at(i: number): Parameter {
    const n = this.length;
    const p = (this as unknown as Record<string, unknown>)[String(i < 0 ? n + i : i)];
    if (!(p instanceof Parameter))
      throw new ValueError(`ParameterList.at: index ${i} out of range for ${n} parameters`);
    return p;
  }

  /**
   * Adds a parameter at the end.
   *
   * @example
   * ```ts
   * ws.append(randn([3]));
   * ```
   */
  append(p: Tensor): this {
    this.registerParameter(String(this.length), asParameter(p));
    return this;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this.parameters()[Symbol.iterator]();
  }

  override extraRepr(): string {
    return this.parameters()
      .map((p, i) => `(${i}): Parameter ${formatShape(p.shape)}`)
      .join('\n');
  }
}

/**
 * Parameters under string keys, in insertion order. Plain tensors are wrapped in Parameters.
 *
 * @example
 * ```ts
 * const ps = new ParameterDict({ scale: ones([8]), shift: zeros([8]) });
 * y = x.mul(ps.get('scale')).add(ps.get('shift'));
 * ```
 */
export class ParameterDict extends Module {
  constructor(params: Record<string, Tensor> = {}) {
    super();
    for (const [k, p] of Object.entries(params)) this.set(k, p);
  }

  /**
   * The parameter under `key`.
   *
   * @example
   * ```ts
   * ps.get('scale');
   * ```
   */
  get(key: string): Parameter {
    const p = (this as unknown as Record<string, unknown>)[key];
    if (!this.has(key) || !(p instanceof Parameter))
      throw new ValueError(`ParameterDict.get: no parameter under '${key}'`);
    return p;
  }

  /**
   * Adds or replaces the parameter under `key`.
   *
   * @example
   * ```ts
   * ps.set('bias', zeros([8]));
   * ```
   */
  set(key: string, p: Tensor): this {
    this.registerParameter(key, asParameter(p));
    return this;
  }

  /** Whether a parameter is under `key`. @example `ps.has('scale')` */
  has(key: string): boolean {
    return this.keys().includes(key);
  }

  /** The keys in insertion order. @example `ps.keys(); // ['scale', 'shift']` */
  keys(): string[] {
    return this.entries().map(([k]) => k);
  }

  /** Keys and parameters in insertion order. @example `for (const [k, p] of ps.entries()) …` */
  entries(): [string, Parameter][] {
    return [...this.namedParameters()].filter(([k]) => !k.includes('.'));
  }

  /** Number of parameters. @example `ps.length` */
  get length(): number {
    return this.entries().length;
  }
}

/**
 * Splits dim `dim` into `unflattenedSize` (the inverse of {@link Flatten}); one entry may be −1.
 * `forward(x [..., n, ...])` returns [..., ...unflattenedSize, ...] where the sizes multiply to n.
 *
 * @example
 * ```ts
 * new Unflatten(1, [1, 28, 28]).forward(zeros([8, 784])).shape; // [8, 1, 28, 28]
 * ```
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }

  /**
   * Reshapes dim `dim` of `x` into `unflattenedSize`.
   *
   * @param x - [*, n, *], n at dim `dim` (e.g. [N, 784])
   * @returns [*, ...unflattenedSize, *] (e.g. [N, 1, 28, 28]), the sizes multiplying to n
   * @example
   * ```ts
   * new Unflatten(-1, [2, 3]).forward(zeros([4, 6])).shape; // [4, 2, 3]
   * ```
   */
  override forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) {
      throw new ShapeError(`Unflatten: dim ${this.dim} is out of range for input ${formatShape(x.shape)}`);
    }
    const n = x.shape[d]!;
    const known = this.unflattenedSize.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    const holes = this.unflattenedSize.filter((s) => s === -1).length;
    if (holes > 1 || (holes === 0 ? known !== n : known === 0 || n % known !== 0)) {
      throw new ShapeError(
        `Unflatten: size ${n} of dim ${this.dim} of input ${formatShape(x.shape)} does not unflatten into ${formatShape(this.unflattenedSize)}`,
      );
    }
    return x.reshape([...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${formatShape(this.unflattenedSize)}`;
  }
}
