/**
 * Containers: modules that hold other modules under index or string keys.
 */
import { ShapeError, type Tensor, ValueError } from '@tsgrad/core';
import { Module } from './module.js';

/**
 * Runs its modules one after another; they are named `0`, `1`, … as in PyTorch.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
 * const y = model.forward(randn([2, 4]));
 * ```
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      this.registerModule(String(i), m);
    });
  }

  /** Number of modules. */
  get length(): number {
    return [...this.children()].length;
  }

  /** The module at `i` (negative counts from the end). */
  at(i: number): Module {
    const all = [...this.children()];
    const m = all[i < 0 ? all.length + i : i];
    if (m === undefined)
      throw new ValueError(`Sequential.at: index ${i} out of range for ${all.length} modules`);
    return m;
  }

  /** Adds a module at the end. */
  append(m: Module): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }

  /**
   * Feeds `x` through the modules in order.
   *
   * @param x - what the first module takes (e.g. [N, in] for a Linear)
   * @returns what the last module gives (e.g. [N, out])
   */
  override forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.children()) y = m.forward(y);
    return y;
  }
}

/**
 * A list of modules whose parameters are registered (`layers.0.weight` …); it has no forward.
 *
 * @example
 * ```ts
 * const layers = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
 * for (const l of layers) x = l.forward(x);
 * ```
 */
export class ModuleList<M extends Module = Module> extends Module {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return [...this.children()].length;
  }

  /** The module at `i` (negative counts from the end). */
  at(i: number): M {
    const all = [...this.children()] as M[];
    const m = all[i < 0 ? all.length + i : i];
    if (m === undefined)
      throw new ValueError(`ModuleList.at: index ${i} out of range for ${all.length} modules`);
    return m;
  }

  /** Adds a module at the end. */
  append(m: M): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.children() as Iterator<M>;
  }
}

/**
 * Modules under string keys, registered in insertion order.
 *
 * @example
 * ```ts
 * const heads = new ModuleDict({ cls: new Linear(8, 3), reg: new Linear(8, 1) });
 * heads.get('cls').forward(h);
 * ```
 */
export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  /** The module under `key`. */
  get(key: string): M {
    const m = (this as unknown as Record<string, unknown>)[key];
    if (!(m instanceof Module)) throw new ValueError(`ModuleDict.get: no module under '${key}'`);
    return m as M;
  }

  /** Adds or replaces the module under `key`. */
  set(key: string, m: M): this {
    this.registerModule(key, m);
    return this;
  }

  has(key: string): boolean {
    return [...this.namedChildren()].some(([k]) => k === key);
  }

  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }

  entries(): [string, M][] {
    return [...this.namedChildren()] as [string, M][];
  }
}

/**
 * Returns its input.
 *
 * @example
 * ```ts
 * new Identity().forward(x) === x; // true
 * ```
 */
export class Identity extends Module {
  /** @param x - any shape [*] @returns x itself, [*] */
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * Flattens dims `startDim` … `endDim` (default 1 … −1, keeping the batch dim).
 *
 * @example
 * ```ts
 * new Flatten().forward(zeros([8, 1, 28, 28])).shape; // [8, 784]
 * ```
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }
  /**
   * @param x - [d₀, d₁, …, dₙ₋₁], at least 1-D (e.g. [N, C, H, W])
   * @returns dims startDim … endDim merged into one: [N, C·H·W] by default
   */
  override forward(x: Tensor): Tensor {
    if (x.ndim === 0) throw new ShapeError('Flatten: cannot flatten a 0-d tensor');
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
