/**
 * The Tensor: an n-dimensional array on a device that records the ops applied to it so that
 * `backward()` can compute gradients.
 */

import { backward as runBackward } from './autograd/engine.js';
import { explain } from './autograd/explain.js';
import { addHook, type RemovableHandle, type TensorHook } from './autograd/hooks.js';
import type { Node } from './autograd/node.js';
import type { Device, View } from './backend/backend.js';
import { deviceOf } from './backend/backend.js';
import type { DType, TypedArray } from './dtype.js';
import { isDType, isFloating } from './dtype.js';
import { DeviceError, DisposedError, DTypeError, formatShape, ValueError } from './errors.js';
import { formatTensor } from './format.js';
import type { Layout } from './layout.js';
import { isContiguous, numelOf } from './layout.js';
import { trackTensor } from './memory.js';
import * as A from './ops/activation.js';
import { castTo, moveTo } from './ops/convert.js';
import * as E from './ops/elementwise.js';
import * as I from './ops/indexing.js';
import * as P from './ops/inplace.js';
import { matmul } from './ops/linalg.js';
import * as K from './ops/masking.js';
import * as F from './ops/math.js';
import * as M from './ops/movement.js';
import * as NR from './ops/norm.js';
import * as X from './ops/products.js';
import * as G from './ops/rearrange.js';
import * as R from './ops/reduce.js';
import * as S from './ops/sampling.js';
import * as SC from './ops/scan.js';
import * as SO from './ops/sort.js';
import * as V from './ops/views.js';
import type { StorageRef } from './storage.js';

/** A tensor or a plain number, as binary ops accept. */
export type TensorLike = Tensor | number;

/** Nested arrays of numbers or booleans, as `toArray()` returns. */
export type NestedArray = number | boolean | NestedArray[];

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
  /**
   * Print each step of the pass with console.log: the op, its local derivatives and the
   * chain-rule products (the report of {@link explain}).
   */
  explain?: boolean;
}

/**
 * An n-dimensional array with autograd.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * await x.grad!.toArray(); // [[2, 4], [6, 8]]
 * ```
 */
export class Tensor {
  /** Shape, strides and offset over the storage. */
  readonly layout: Layout;
  /** The op that made this tensor (null for leaves and tensors made without grad). */
  gradFn: Node | null = null;
  /** Accumulated gradient, filled by `backward()`; settable, as in PyTorch. */
  grad: Tensor | null = null;
  /** @internal */
  readonly _ref: StorageRef;
  /** @internal Set by ops through `record`; users set `requiresGrad`. */
  _requiresGrad = false;
  /** @internal Gradient hooks, in registration order (null while there are none). */
  _hooks: { fn: TensorHook }[] | null = null;
  private _retainsGrad = false;
  private _disposed = false;

  /** @internal Tensors are made by factory functions (`tensor`, `zeros` …) and ops. */
  constructor(ref: StorageRef, layout: Layout) {
    this._ref = ref;
    this.layout = layout;
    ref.retain(this);
    trackTensor(this);
  }

  /** Sizes of the dimensions. */
  get shape(): readonly number[] {
    return this.layout.shape;
  }
  /** Elements to step over in storage per index step along each dimension. */
  get strides(): readonly number[] {
    return this.layout.strides;
  }
  /** Index of the first element in storage. */
  get offset(): number {
    return this.layout.offset;
  }
  /** Element type. */
  get dtype(): DType {
    return this._ref.dtype;
  }
  /** Where the data lives: the name its backend was registered under. */
  get device(): Device {
    return deviceOf(this._ref.backend);
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.layout.shape.length;
  }
  /** Number of elements. */
  get numel(): number {
    return numelOf(this.layout.shape);
  }
  /** In-place modification counter, shared by all views of the same storage. */
  get version(): number {
    return this._ref.version;
  }
  /** True when no op recorded this tensor (a user-made tensor or a parameter). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** Whether gradients flow to this tensor. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (v && !isFloating(this.dtype)) {
      throw new DTypeError(`requiresGrad: only floating tensors can require gradients, got ${this.dtype}`);
    }
    if (!v && this.gradFn !== null) {
      throw new ValueError('requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()');
    }
    this._requiresGrad = v;
  }
  /** True once `dispose()` ran. */
  get isDisposed(): boolean {
    return this._disposed;
  }
  /** True when `retainGrad()` asked for this non-leaf's gradient to be kept. */
  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  /** @internal The operand a backend kernel receives. */
  _view(op: string): View {
    if (this._disposed) {
      throw new DisposedError(`${op}: tensor of shape ${formatShape(this.shape)} was disposed`);
    }
    return { storage: this._ref.data, layout: this.layout, dtype: this.dtype };
  }

  /** Sets `requiresGrad` in place and returns this tensor. */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  /** Keeps the gradient of this non-leaf tensor in `.grad` after backward. */
  retainGrad(): this {
    if (!this._requiresGrad) throw new ValueError("retainGrad: tensor doesn't require grad");
    this._retainsGrad = true;
    return this;
  }

  /**
   * Registers a hook that a backward pass calls with this tensor's gradient each time it
   * computes one (`backward()` and `grad()`, with or without `createGraph`). A hook that
   * returns a tensor replaces the gradient: for a leaf, the replacement is what accumulates
   * into `.grad`; for a tensor made by an op, what flows on to the op's inputs. Hooks run in
   * registration order, each on the result of the one before (PyTorch's `register_hook`).
   * The gradients a hook sees stay valid after the pass.
   *
   * @example
   * ```ts
   * const x = tensor([1, 2], { requiresGrad: true });
   * const handle = x.registerHook((g) => g.mul(2));
   * x.sum().backward(); // x.grad is [2, 2]
   * handle.remove(); // later passes leave the gradient alone
   * ```
   */
  registerHook(fn: TensorHook): RemovableHandle {
    if (!this._requiresGrad) {
      throw new ValueError(
        `registerHook: cannot register a hook on a tensor of shape ${formatShape(this.shape)} that doesn't require grad`,
      );
    }
    if (this._hooks === null) this._hooks = [];
    return addHook(this._hooks, fn, () => {
      this._hooks = null;
    });
  }

  /**
   * Computes gradients of this tensor with respect to the graph's leaves, accumulating them
   * into their `.grad`. `gradient` defaults to 1 for a one-element tensor. With
   * `{ explain: true }` it also prints what it does at each node (see {@link explain}).
   *
   * @example
   * ```ts
   * const w = tensor([2], { requiresGrad: true });
   * w.mul(3).sum().backward(); // w.grad is [3]
   * w.mul(3).sum().backward({ explain: true }); // prints the steps; w.grad is [6]
   * ```
   */
  backward(opts?: BackwardOptions): void;
  backward(gradient?: Tensor, opts?: BackwardOptions): void;
  backward(gradient?: Tensor | BackwardOptions, opts: BackwardOptions = {}): void {
    if (gradient !== undefined && !(gradient instanceof Tensor)) {
      opts = gradient;
      gradient = undefined;
    }
    if (opts.explain) {
      const { retainGraph, createGraph } = opts;
      console.log(explain(this, { gradient, retainGraph, createGraph }).toString());
    } else runBackward([this], gradient === undefined ? undefined : [gradient], opts);
  }

  // ---- reading ----

  /** The elements in row-major order, as a new typed array. */
  async data(): Promise<TypedArray> {
    const c = this._contiguousStorage('data');
    return this._ref.backend.read(c.data, this.dtype, this.numel).finally(c.done);
  }

  /** Synchronous {@link data}; the CPU backend only. */
  dataSync(): TypedArray {
    const b = this._ref.backend;
    if (b.readSync === undefined) {
      throw new DeviceError(
        `dataSync: ${this.device} tensors cannot be read synchronously; use await t.data()`,
      );
    }
    const c = this._contiguousStorage('dataSync');
    try {
      return b.readSync(c.data, this.dtype, this.numel);
    } finally {
      c.done();
    }
  }

  /** The elements as nested arrays (booleans for bool tensors). */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype);
  }

  /** Synchronous {@link toArray}; the CPU backend only. */
  toArraySync(): NestedArray {
    return nest(this.dataSync(), this.shape, this.dtype);
  }

  /** The single element of a one-element tensor. */
  async item(): Promise<number> {
    this._checkItem('item');
    return (await this.data())[0]!;
  }

  /** Synchronous {@link item}; the CPU backend only. */
  itemSync(): number {
    this._checkItem('itemSync');
    return this.dataSync()[0]!;
  }

  private _checkItem(op: string): void {
    if (this.numel !== 1) {
      throw new ValueError(
        `${op}: a tensor with ${this.numel} elements ${formatShape(this.shape)} has no single value`,
      );
    }
  }

  private _contiguousStorage(op: string): { data: unknown; done: () => void } {
    const v = this._view(op);
    if (isContiguous(this.layout) && this.offset === 0) return { data: v.storage, done: () => {} };
    const b = this._ref.backend;
    const s = b.cast(v, v.dtype);
    return { data: s, done: () => b.free(s) };
  }

  /** A PyTorch-style printout, e.g. `tensor([[1.0000, 2.0000]], requiresGrad=true)`. Needs CPU data. */
  toString(): string {
    if (this._disposed) return `tensor(<disposed>, shape=${formatShape(this.shape)})`;
    if (this._ref.backend.readSync === undefined) {
      return `tensor(<${this.device}>, shape=${formatShape(this.shape)}, dtype=${this.dtype})`;
    }
    return formatTensor(this);
  }

  // ---- memory ----

  /** Frees this tensor's hold on its storage now (views keep the storage alive). */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._ref.release(this);
  }

  /** Makes `using t = …` dispose the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- conversion ----

  /**
   * A copy converted to a dtype, or on another device (this tensor when already so). A dtype's
   * name is a dtype; any other name must be a registered device. Floats cast to int32 truncate
   * toward zero; NaN and out-of-range values are not checked (see `castTo`).
   *
   * @example
   * ```ts
   * tensor([1.5]).to('int32'); // [1]
   * tensor([1.5]).to('cpu'); // the same tensor
   * ```
   */
  to(target: DType | Device): Tensor {
    return isDType(target) ? castTo(this, target) : moveTo(this, target);
  }
  /** A tensor that shares data but is cut from the graph. */
  detach(): Tensor {
    return M.detach(this);
  }
  /** A copy with its own storage (differentiable). */
  clone(): Tensor {
    return M.clone(this);
  }
  /** This tensor when contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return M.contiguous(this);
  }

  // ---- unary ----
  /**
   * −x, elementwise.
   *
   * @example
   * ```ts
   * tensor([1, -2]).neg(); // [-1, 2]
   * ```
   */
  neg(): Tensor {
    return E.unaryOp('neg', this);
  }
  /**
   * eˣ, elementwise.
   *
   * @example
   * ```ts
   * tensor([0, 1]).exp(); // [1, 2.7183]
   * ```
   */
  exp(): Tensor {
    return E.unaryOp('exp', this);
  }
  /**
   * Natural logarithm, elementwise.
   *
   * @example
   * ```ts
   * tensor([1, Math.E]).log(); // [0, 1]
   * ```
   */
  log(): Tensor {
    return E.unaryOp('log', this);
  }
  /**
   * Square root, elementwise.
   *
   * @example
   * ```ts
   * tensor([4, 9]).sqrt(); // [2, 3]
   * ```
   */
  sqrt(): Tensor {
    return E.unaryOp('sqrt', this);
  }
  /**
   * 1/√x, elementwise.
   *
   * @example
   * ```ts
   * tensor([4]).rsqrt(); // [0.5]
   * ```
   */
  rsqrt(): Tensor {
    return E.unaryOp('sqrt', this).reciprocal();
  }
  /**
   * |x|, elementwise.
   *
   * @example
   * ```ts
   * tensor([-3, 2]).abs(); // [3, 2]
   * ```
   */
  abs(): Tensor {
    return E.unaryOp('abs', this);
  }
  /**
   * Sine, elementwise (radians).
   *
   * @example
   * ```ts
   * tensor([0]).sin(); // [0]
   * ```
   */
  sin(): Tensor {
    return E.unaryOp('sin', this);
  }
  /**
   * Cosine, elementwise (radians).
   *
   * @example
   * ```ts
   * tensor([0]).cos(); // [1]
   * ```
   */
  cos(): Tensor {
    return E.unaryOp('cos', this);
  }
  /**
   * Hyperbolic tangent, elementwise.
   *
   * @example
   * ```ts
   * tensor([0]).tanh(); // [0]
   * ```
   */
  tanh(): Tensor {
    return E.unaryOp('tanh', this);
  }
  /**
   * Logistic sigmoid 1/(1+e⁻ˣ), elementwise.
   *
   * @example
   * ```ts
   * tensor([0]).sigmoid(); // [0.5]
   * ```
   */
  sigmoid(): Tensor {
    return E.unaryOp('sigmoid', this);
  }
  /**
   * max(x, 0), elementwise.
   *
   * @example
   * ```ts
   * tensor([-1, 2]).relu(); // [0, 2]
   * ```
   */
  relu(): Tensor {
    return E.unaryOp('relu', this);
  }
  /**
   * The error function, elementwise.
   *
   * @example
   * ```ts
   * tensor([0]).erf(); // [0]
   * ```
   */
  erf(): Tensor {
    return E.unaryOp('erf', this);
  }
  /**
   * −1, 0 or 1 by the sign of each element (gradient 0).
   *
   * @example
   * ```ts
   * tensor([-2, 0, 3]).sign(); // [-1, 0, 1]
   * ```
   */
  sign(): Tensor {
    return E.unaryOp('sign', this);
  }
  /**
   * Rounds down, elementwise (gradient 0).
   *
   * @example
   * ```ts
   * tensor([1.7, -1.2]).floor(); // [1, -2]
   * ```
   */
  floor(): Tensor {
    return E.unaryOp('floor', this);
  }
  /**
   * 1/x, elementwise.
   *
   * @example
   * ```ts
   * tensor([2, 4]).reciprocal(); // [0.5, 0.25]
   * ```
   */
  reciprocal(): Tensor {
    return E.unaryOp('reciprocal', this);
  }
  // ---- more elementwise math: logs and exponentials, trigonometry, rounding ----
  /**
   * log(1 + x), elementwise, accurate for small x.
   *
   * @example
   * ```ts
   * tensor([0, 1e-10]).log1p(); // [0, 1e-10]
   * ```
   */
  log1p(): Tensor {
    return E.unaryOp('log1p', this);
  }
  /**
   * eˣ − 1, elementwise, accurate for small x.
   *
   * @example
   * ```ts
   * tensor([0, 1e-10]).expm1(); // [0, 1e-10]
   * ```
   */
  expm1(): Tensor {
    return E.unaryOp('expm1', this);
  }
  /**
   * Tangent, elementwise (radians).
   *
   * @example
   * ```ts
   * tensor([0, Math.PI / 4]).tan(); // [0, 1]
   * ```
   */
  tan(): Tensor {
    return E.unaryOp('tan', this);
  }
  /**
   * Arctangent, elementwise (radians, in (−π/2, π/2)).
   *
   * @example
   * ```ts
   * tensor([0, 1]).atan(); // [0, 0.7854]
   * ```
   */
  atan(): Tensor {
    return E.unaryOp('atan', this);
  }
  /**
   * Arcsine, elementwise (radians); NaN outside [−1, 1].
   *
   * @example
   * ```ts
   * tensor([0, 1]).asin(); // [0, 1.5708]
   * ```
   */
  asin(): Tensor {
    return E.unaryOp('asin', this);
  }
  /**
   * Arccosine, elementwise (radians); NaN outside [−1, 1].
   *
   * @example
   * ```ts
   * tensor([1, 0]).acos(); // [0, 1.5708]
   * ```
   */
  acos(): Tensor {
    return E.unaryOp('acos', this);
  }
  /**
   * Hyperbolic sine, elementwise.
   *
   * @example
   * ```ts
   * tensor([0, 1]).sinh(); // [0, 1.1752]
   * ```
   */
  sinh(): Tensor {
    return E.unaryOp('sinh', this);
  }
  /**
   * Hyperbolic cosine, elementwise.
   *
   * @example
   * ```ts
   * tensor([0, 1]).cosh(); // [1, 1.5431]
   * ```
   */
  cosh(): Tensor {
    return E.unaryOp('cosh', this);
  }
  /**
   * Rounds up, elementwise (gradient 0).
   *
   * @example
   * ```ts
   * tensor([1.2, -1.7]).ceil(); // [2, -1]
   * ```
   */
  ceil(): Tensor {
    return E.unaryOp('ceil', this);
  }
  /**
   * Rounds toward zero, elementwise (gradient 0).
   *
   * @example
   * ```ts
   * tensor([1.7, -1.7]).trunc(); // [1, -1]
   * ```
   */
  trunc(): Tensor {
    return E.unaryOp('trunc', this);
  }
  /**
   * Rounds to the nearest integer, ties to even as PyTorch (gradient 0).
   *
   * @example
   * ```ts
   * tensor([0.5, 1.5, 2.5, -0.5]).round(); // [0, 2, 2, -0]
   * ```
   */
  round(): Tensor {
    return E.unaryOp('round', this);
  }
  /**
   * The fractional part x − trunc(x), with x's sign (gradient 1).
   *
   * @example
   * ```ts
   * tensor([1.25, -1.25]).frac(); // [0.25, -0.25]
   * ```
   */
  frac(): Tensor {
    return F.frac(this);
  }
  /**
   * The remainder of division with the divisor's sign (Python's `%`, PyTorch's `remainder`),
   * with broadcasting: a − b·⌊a/b⌋. The gradient is g for a and −g·⌊a/b⌋ for b.
   *
   * @example
   * ```ts
   * tensor([5, -5]).remainder(3); // [2, 1]
   * ```
   */
  remainder(other: TensorLike): Tensor {
    return E.binaryOp('remainder', this, other);
  }
  /**
   * The angle of the point (other, this) — atan2(y = this, x = other) — in (−π, π], with
   * broadcasting.
   *
   * @example
   * ```ts
   * tensor([1, -1]).atan2(tensor([0, 0])); // [1.5708, -1.5708]
   * ```
   */
  atan2(other: TensorLike): Tensor {
    return E.binaryOp('atan2', this, other);
  }
  /**
   * √(a² + b²) without overflow, with broadcasting.
   *
   * @example
   * ```ts
   * tensor([3, 1e30]).hypot(tensor([4, 1e30])); // [5, 1.4142e30]
   * ```
   */
  hypot(other: TensorLike): Tensor {
    return E.binaryOp('hypot', this, other);
  }
  /**
   * Linear interpolation this + weight·(end − this), with broadcasting; `weight` is a number
   * or a tensor.
   *
   * @example
   * ```ts
   * tensor([0, 10]).lerp(tensor([10, 20]), 0.5); // [5, 15]
   * ```
   */
  lerp(end: Tensor, weight: TensorLike): Tensor {
    return F.lerp(this, end, weight);
  }
  /**
   * this·log(other), and 0 where this is 0 (unless other is NaN), with broadcasting.
   *
   * @example
   * ```ts
   * tensor([0, 2]).xlogy(tensor([0, Math.E])); // [0, 2]
   * ```
   */
  xlogy(other: TensorLike): Tensor {
    return F.xlogy(this, other);
  }
  /**
   * Logical not (bool result).
   *
   * @example
   * ```ts
   * tensor([true, false]).logicalNot(); // [false, true]
   * ```
   */
  logicalNot(): Tensor {
    return E.logicalNot(this);
  }
  /**
   * Logical and of two bool tensors.
   *
   * @example
   * ```ts
   * a.gt(0).logicalAnd(a.lt(1));
   * ```
   */
  logicalAnd(other: Tensor): Tensor {
    return E.logical('and', this, other);
  }
  /**
   * Logical or of two bool tensors.
   *
   * @example
   * ```ts
   * a.lt(0).logicalOr(a.gt(1));
   * ```
   */
  logicalOr(other: Tensor): Tensor {
    return E.logical('or', this, other);
  }
  /**
   * x², elementwise.
   *
   * @example
   * ```ts
   * tensor([3]).square(); // [9]
   * ```
   */
  square(): Tensor {
    return E.binaryOp('mul', this, this);
  }
  /**
   * x·σ(x) (also called swish).
   *
   * @example
   * ```ts
   * tensor([0]).silu(); // [0]
   * ```
   */
  silu(): Tensor {
    return A.silu(this);
  }
  /**
   * log(1 + eˣ), computed without overflow.
   *
   * @example
   * ```ts
   * tensor([0]).softplus(); // [0.6931]
   * ```
   */
  softplus(): Tensor {
    return A.softplus(this);
  }
  /**
   * GELU, exact (`'none'`) or with the tanh approximation.
   *
   * @example
   * ```ts
   * x.gelu(); x.gelu('tanh');
   * ```
   */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return A.gelu(this, approximate);
  }
  /**
   * x for x > 0, slope·x otherwise.
   *
   * @example
   * ```ts
   * tensor([-1, 2]).leakyRelu(0.1); // [-0.1, 2]
   * ```
   */
  leakyRelu(slope = 0.01): Tensor {
    return A.leakyRelu(this, slope);
  }
  /**
   * x for x > 0, α(eˣ − 1) otherwise.
   *
   * @example
   * ```ts
   * tensor([-1, 2]).elu(); // [-0.6321, 2]
   * ```
   */
  elu(alpha = 1): Tensor {
    return A.elu(this, alpha);
  }
  /**
   * Limits elements to [min, max] (either may be omitted with `undefined`).
   *
   * @example
   * ```ts
   * tensor([-2, 0.5, 3]).clamp(0, 1); // [0, 0.5, 1]
   * ```
   */
  clamp(min?: number, max?: number): Tensor {
    return A.clamp(this, min, max);
  }
  // ---- more activations (PyTorch's definitions and defaults) ----
  /**
   * log σ(x), computed stably.
   *
   * @example
   * ```ts
   * tensor([0, -100]).logSigmoid(); // [-0.6931, -100]
   * ```
   */
  logSigmoid(): Tensor {
    return A.logSigmoid(this);
  }
  /**
   * SELU: scale·x for x > 0, scale·α·(eˣ − 1) otherwise (α ≈ 1.6733, scale ≈ 1.0507).
   *
   * @example
   * ```ts
   * tensor([1, -1]).selu(); // [1.0507, -1.1113]
   * ```
   */
  selu(): Tensor {
    return A.selu(this);
  }
  /**
   * x clamped to [minVal, maxVal] (defaults −1, 1); gradient 0 at and beyond the limits.
   *
   * @example
   * ```ts
   * tensor([-2, 0.5, 2]).hardtanh(); // [-1, 0.5, 1]
   * ```
   */
  hardtanh(minVal = -1, maxVal = 1): Tensor {
    return A.hardtanh(this, minVal, maxVal);
  }
  /**
   * min(max(x, 0), 6).
   *
   * @example
   * ```ts
   * tensor([-1, 3, 7]).relu6(); // [0, 3, 6]
   * ```
   */
  relu6(): Tensor {
    return A.relu6(this);
  }
  /**
   * 0 for x ≤ −3, 1 for x ≥ 3, x/6 + 1/2 between.
   *
   * @example
   * ```ts
   * tensor([-4, 0, 4]).hardsigmoid(); // [0, 0.5, 1]
   * ```
   */
  hardsigmoid(): Tensor {
    return A.hardsigmoid(this);
  }
  /**
   * x·hardsigmoid(x).
   *
   * @example
   * ```ts
   * tensor([-4, 1, 4]).hardswish(); // [0, 0.6667, 4]
   * ```
   */
  hardswish(): Tensor {
    return A.hardswish(this);
  }
  /**
   * x·tanh(softplus(x)).
   *
   * @example
   * ```ts
   * tensor([0, 1]).mish(); // [0, 0.8651]
   * ```
   */
  mish(): Tensor {
    return A.mish(this);
  }
  /**
   * x / (1 + |x|).
   *
   * @example
   * ```ts
   * tensor([-1, 3]).softsign(); // [-0.5, 0.75]
   * ```
   */
  softsign(): Tensor {
    return A.softsign(this);
  }
  /**
   * exp(x) normalised to sum 1 along `dim`.
   *
   * @example
   * ```ts
   * logits.softmax(-1);
   * ```
   */
  softmax(dim: number): Tensor {
    return A.softmax(this, dim);
  }
  /**
   * log(softmax(x)) along `dim`, computed stably.
   *
   * @example
   * ```ts
   * logits.logSoftmax(1);
   * ```
   */
  logSoftmax(dim: number): Tensor {
    return A.logSoftmax(this, dim);
  }

  // ---- binary ----
  /**
   * Elementwise sum with broadcasting; `other` may be a number.
   *
   * @example
   * ```ts
   * tensor([[1], [2]]).add(tensor([10, 20])); // [[11, 21], [12, 22]]
   * ```
   */
  add(other: TensorLike): Tensor {
    return E.binaryOp('add', this, other);
  }
  /**
   * Elementwise difference with broadcasting.
   *
   * @example
   * ```ts
   * tensor([5, 6]).sub(1); // [4, 5]
   * ```
   */
  sub(other: TensorLike): Tensor {
    return E.binaryOp('sub', this, other);
  }
  /**
   * Elementwise product with broadcasting.
   *
   * @example
   * ```ts
   * tensor([1, 2]).mul(3); // [3, 6]
   * ```
   */
  mul(other: TensorLike): Tensor {
    return E.binaryOp('mul', this, other);
  }
  /**
   * Elementwise quotient with broadcasting (integers divide to float32).
   *
   * @example
   * ```ts
   * tensor([1, 2]).div(2); // [0.5, 1]
   * ```
   */
  div(other: TensorLike): Tensor {
    return E.binaryOp('div', this, other);
  }
  /**
   * xʸ elementwise with broadcasting.
   *
   * @example
   * ```ts
   * tensor([2, 3]).pow(2); // [4, 9]
   * ```
   */
  pow(other: TensorLike): Tensor {
    return E.binaryOp('pow', this, other);
  }
  /**
   * Elementwise larger of two (gradient split on ties).
   *
   * @example
   * ```ts
   * tensor([1, 5]).maximum(3); // [3, 5]
   * ```
   */
  maximum(other: TensorLike): Tensor {
    return E.binaryOp('maximum', this, other);
  }
  /**
   * Elementwise smaller of two (gradient split on ties).
   *
   * @example
   * ```ts
   * tensor([1, 5]).minimum(3); // [1, 3]
   * ```
   */
  minimum(other: TensorLike): Tensor {
    return E.binaryOp('minimum', this, other);
  }
  /**
   * x == y elementwise (bool).
   *
   * @example
   * ```ts
   * tensor([1, 2]).eq(2); // [false, true]
   * ```
   */
  eq(other: TensorLike): Tensor {
    return E.binaryOp('eq', this, other);
  }
  /**
   * x != y elementwise (bool).
   *
   * @example
   * ```ts
   * tensor([1, 2]).ne(2); // [true, false]
   * ```
   */
  ne(other: TensorLike): Tensor {
    return E.binaryOp('ne', this, other);
  }
  /**
   * x < y elementwise (bool).
   *
   * @example
   * ```ts
   * tensor([1, 2]).lt(2); // [true, false]
   * ```
   */
  lt(other: TensorLike): Tensor {
    return E.binaryOp('lt', this, other);
  }
  /**
   * x ≤ y elementwise (bool).
   *
   * @example
   * ```ts
   * tensor([1, 2]).le(2); // [true, true]
   * ```
   */
  le(other: TensorLike): Tensor {
    return E.binaryOp('le', this, other);
  }
  /**
   * x > y elementwise (bool).
   *
   * @example
   * ```ts
   * tensor([1, 2]).gt(1); // [false, true]
   * ```
   */
  gt(other: TensorLike): Tensor {
    return E.binaryOp('gt', this, other);
  }
  /**
   * x ≥ y elementwise (bool).
   *
   * @example
   * ```ts
   * tensor([1, 2]).ge(2); // [false, true]
   * ```
   */
  ge(other: TensorLike): Tensor {
    return E.binaryOp('ge', this, other);
  }
  /**
   * Matrix product with NumPy/PyTorch semantics (1-D, 2-D, batched, broadcast batch dims).
   *
   * @example
   * ```ts
   * ones([2, 3]).matmul(ones([3, 4])); // shape [2, 4]
   * ```
   */
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  // ---- reductions ----
  /**
   * Sum over `dim` (all elements when omitted).
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).sum(1); // [3, 7]
   * ```
   */
  sum(dim?: number | number[], keepdim = false): Tensor {
    return R.sum(this, dim, keepdim);
  }
  /**
   * Mean over `dim` (all elements when omitted); floating tensors only.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).mean(0); // [2, 3]
   * ```
   */
  mean(dim?: number | number[], keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  }
  /**
   * Product over `dim` (all elements when omitted).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).prod(); // 6
   * ```
   */
  prod(dim?: number | number[], keepdim = false): Tensor {
    return R.prod(this, dim, keepdim);
  }
  /**
   * Largest value over all elements, or over `dim` (values only; see `argmax` for indices).
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).max(1); // [5, 7]
   * ```
   */
  max(dim?: number | number[], keepdim = false): Tensor {
    return R.extreme('max', this, dim, keepdim);
  }
  /**
   * Smallest value over all elements, or over `dim` (values only; see `argmin` for indices).
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).min(1); // [1, 2]
   * ```
   */
  min(dim?: number | number[], keepdim = false): Tensor {
    return R.extreme('min', this, dim, keepdim);
  }
  /**
   * Index of the first largest element (over the flattened tensor when `dim` is omitted).
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).argmax(1); // [1, 0]
   * ```
   */
  argmax(dim?: number, keepdim = false): Tensor {
    return R.argExtreme('argmax', this, dim, keepdim);
  }
  /**
   * Index of the first smallest element (over the flattened tensor when `dim` is omitted).
   *
   * @example
   * ```ts
   * tensor([3, 1, 2]).argmin(); // 1
   * ```
   */
  argmin(dim?: number, keepdim = false): Tensor {
    return R.argExtreme('argmin', this, dim, keepdim);
  }
  /**
   * Variance; unbiased (`correction` 1) by default.
   *
   * @example
   * ```ts
   * tensor([1, 2, 3, 4]).var(); // 1.6667
   * ```
   */
  var(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return R.variance(this, dim, keepdim, correction);
  }
  /**
   * Standard deviation; unbiased (`correction` 1) by default.
   *
   * @example
   * ```ts
   * tensor([1, 2, 3, 4]).std(); // 1.2910
   * ```
   */
  std(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return R.variance(this, dim, keepdim, correction, 'std').sqrt();
  }
  /**
   * log(Σ exp(x)) over `dim`, computed stably.
   *
   * @example
   * ```ts
   * tensor([1000, 1000]).logsumexp(); // 1000.6931
   * ```
   */
  logsumexp(dim?: number | number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }

  // ---- scans, sorting and more reductions ----
  /**
   * Running sum along `dim`.
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).cumsum(0); // [1, 3, 6]
   * ```
   */
  cumsum(dim: number): Tensor {
    return SC.cumsum(this, dim);
  }
  /**
   * Running product along `dim` (its gradient is exact where elements are 0).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).cumprod(0); // [1, 2, 6]
   * ```
   */
  cumprod(dim: number): Tensor {
    return SC.cumprod(this, dim);
  }
  /**
   * Running log(Σ exp(x)) along `dim`, computed stably.
   *
   * @example
   * ```ts
   * tensor([1000, 1000]).logcumsumexp(0); // [1000, 1000.6931]
   * ```
   */
  logcumsumexp(dim: number): Tensor {
    return SC.logcumsumexp(this, dim);
  }
  /**
   * Largest value over `dim` (a dim or a list; all when omitted); ties share the gradient.
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).amax([0, 1]); // 7
   * ```
   */
  amax(dim?: number | readonly number[], keepdim = false): Tensor {
    return NR.amax(this, dim, keepdim);
  }
  /**
   * Smallest value over `dim` (a dim or a list; all when omitted); ties share the gradient.
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).amin(1, true); // [[1], [2]]
   * ```
   */
  amin(dim?: number | readonly number[], keepdim = false): Tensor {
    return NR.amin(this, dim, keepdim);
  }
  /**
   * Vector p-norm over `dim` (all elements when omitted): p = 2 by default, any real p,
   * `Infinity`, `-Infinity` or 0, as `torch.linalg.vector_norm`.
   *
   * @example
   * ```ts
   * tensor([3, 4]).norm(); // 5
   * tensor([[1, -2], [3, 4]]).norm(Infinity, 1); // [2, 4]
   * ```
   */
  norm(p: number | 'fro' = 2, dim?: number | readonly number[], keepdim = false): Tensor {
    return NR.norm(this, p, dim, keepdim);
  }
  /**
   * Whether any element over `dim` is nonzero (all elements when omitted); bool.
   *
   * @example
   * ```ts
   * tensor([[0, 1], [0, 0]]).any(1); // [true, false]
   * ```
   */
  any(dim?: number | readonly number[], keepdim = false): Tensor {
    return NR.any(this, dim, keepdim);
  }
  /**
   * Whether every element over `dim` is nonzero (all elements when omitted); bool.
   *
   * @example
   * ```ts
   * tensor([[0, 1], [1, 1]]).all(1); // [false, true]
   * ```
   */
  all(dim?: number | readonly number[], keepdim = false): Tensor {
    return NR.all(this, dim, keepdim);
  }
  /**
   * Number of nonzero elements over `dim` (all when omitted); int32.
   *
   * @example
   * ```ts
   * tensor([[0, 1], [2, 3]]).countNonzero(1); // [1, 2]
   * ```
   */
  countNonzero(dim?: number | readonly number[]): Tensor {
    return NR.countNonzero(this, dim);
  }
  /**
   * The lower median: of all elements as a 0-d tensor, or along `dim` with the positions it
   * came from. NaN propagates, as in PyTorch.
   *
   * @example
   * ```ts
   * tensor([3, 1, 2, 4]).median(); // 2
   * tensor([[3, 1, 2], [6, 5, 4]]).median(1).values; // [2, 5]
   * ```
   */
  median(): Tensor;
  median(dim: number, keepdim?: boolean): SO.ValuesIndices;
  median(dim?: number, keepdim = false): Tensor | SO.ValuesIndices {
    return dim === undefined ? SO.median(this) : SO.medianDim(this, dim, keepdim);
  }
  /**
   * The `k`-th smallest element (k counts from 1) along `dim`, and its position.
   *
   * @example
   * ```ts
   * tensor([3, 1, 2]).kthvalue(2).values; // 2
   * ```
   */
  kthvalue(k: number, dim = -1, keepdim = false): SO.ValuesIndices {
    return SO.kthvalue(this, k, dim, keepdim);
  }
  /**
   * Sorted along `dim`, with the positions the values came from. Always stable (ties keep
   * their order, PyTorch's `stable=True`); NaN sorts as the largest value.
   *
   * @example
   * ```ts
   * const { values, indices } = tensor([3, 1, 2]).sort(); // [1, 2, 3], [1, 2, 0]
   * ```
   */
  sort(dim = -1, descending = false): SO.ValuesIndices {
    return SO.sort(this, dim, descending);
  }
  /**
   * The int32 positions that sort this tensor along `dim` (stably).
   *
   * @example
   * ```ts
   * tensor([3, 1, 2]).argsort(); // [1, 2, 0]
   * ```
   */
  argsort(dim = -1, descending = false): Tensor {
    return SO.argsort(this, dim, descending);
  }
  /**
   * The `k` largest (or, with `largest` false, smallest) elements along `dim`, in sorted
   * order, and their positions.
   *
   * @example
   * ```ts
   * tensor([1, 4, 2, 3]).topk(2).values; // [4, 3]
   * ```
   */
  topk(k: number, dim = -1, largest = true, sorted = true): SO.ValuesIndices {
    return SO.topk(this, k, dim, largest, sorted);
  }

  // ---- views and shape ----
  /**
   * The same elements in a new shape (one dim may be -1); a view when the strides allow.
   *
   * @example
   * ```ts
   * arange(6).reshape(2, 3);
   * ```
   */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return M.reshape(this, flatArgs(shape));
  }
  /**
   * Like `reshape`, but throws instead of copying when the strides do not allow a view.
   *
   * @example
   * ```ts
   * arange(6).view([3, 2]);
   * ```
   */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return M.view(this, flatArgs(shape));
  }
  /**
   * Swaps two dims (a view).
   *
   * @example
   * ```ts
   * ones([2, 3]).transpose(0, 1).shape; // [3, 2]
   * ```
   */
  transpose(dim0: number, dim1: number): Tensor {
    return M.transpose(this, dim0, dim1);
  }
  /** Transpose of a 2-D tensor (or reversed dims). */
  get T(): Tensor {
    return M.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  /**
   * Reorders the dims (a view).
   *
   * @example
   * ```ts
   * ones([2, 3, 4]).permute(2, 0, 1).shape; // [4, 2, 3]
   * ```
   */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return M.permute(this, flatArgs(dims));
  }
  /**
   * Broadcasts size-1 dims to larger sizes without copying (-1 keeps a dim).
   *
   * @example
   * ```ts
   * tensor([[1], [2]]).expand(2, 3);
   * ```
   */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return M.expand(this, flatArgs(shape));
  }
  /**
   * Removes size-1 dims (only `dim` when given).
   *
   * @example
   * ```ts
   * ones([1, 3, 1]).squeeze().shape; // [3]
   * ```
   */
  squeeze(dim?: number): Tensor {
    return M.squeeze(this, dim);
  }
  /**
   * Inserts a size-1 dim at `dim`.
   *
   * @example
   * ```ts
   * ones([3]).unsqueeze(0).shape; // [1, 3]
   * ```
   */
  unsqueeze(dim: number): Tensor {
    return M.unsqueeze(this, dim);
  }
  /**
   * Merges dims `startDim` … `endDim` into one.
   *
   * @example
   * ```ts
   * ones([2, 3, 4]).flatten(1).shape; // [2, 12]
   * ```
   */
  flatten(startDim = 0, endDim = -1): Tensor {
    return M.flatten(this, startDim, endDim);
  }
  /**
   * `length` elements from `start` along `dim` (a view).
   *
   * @example
   * ```ts
   * arange(10).narrow(0, 2, 3); // [2, 3, 4]
   * ```
   */
  narrow(dim: number, start: number, length: number): Tensor {
    return M.narrow(this, dim, start, length);
  }
  /**
   * Pieces of `size` along `dim` (or of the given sizes).
   *
   * @example
   * ```ts
   * arange(5).split(2); // [0, 1], [2, 3], [4]
   * ```
   */
  split(size: number | number[], dim = 0): Tensor[] {
    return M.split(this, size, dim);
  }
  /**
   * `chunks` nearly equal pieces along `dim`.
   *
   * @example
   * ```ts
   * arange(6).chunk(3); // [0, 1], [2, 3], [4, 5]
   * ```
   */
  chunk(chunks: number, dim = 0): Tensor[] {
    return M.chunk(this, chunks, dim);
  }

  // ---- more views, rearrangements and products ----
  /**
   * The slice at `index` along `dim`, with that dim removed (a view; negative indices count
   * from the end).
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).select(1, -1); // [2, 4]
   * ```
   */
  select(dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }
  /**
   * Elements `start, start+step, …` before `end` along `dim` (a view), as Python's
   * `x[start:end:step]`: negative or omitted bounds work as there; `step` must be positive.
   *
   * @example
   * ```ts
   * arange(10).slice(0, 1, 8, 3); // [1, 4, 7]
   * arange(5).slice(0, -2);       // [3, 4]
   * ```
   */
  slice(dim = 0, start?: number, end?: number, step = 1): Tensor {
    return V.slice(this, dim, start, end, step);
  }
  /**
   * Moves dims `source` to positions `destination` (numbers or lists; a view).
   *
   * @example
   * ```ts
   * zeros([2, 3, 4]).movedim(0, -1).shape; // [3, 4, 2]
   * ```
   */
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return V.movedim(this, source, destination);
  }
  /**
   * The diagonal of the matrices spanned by `dim1` and `dim2`, as a new last dim (a view);
   * `offset` > 0 is above the main diagonal.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).diagonal(); // [1, 4]
   * ```
   */
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor {
    return V.diagonal(this, offset, dim1, dim2);
  }
  /**
   * Sliding windows of `size` elements, `step` apart, along `dim`, as a new last dim (a view).
   *
   * @example
   * ```ts
   * arange(5).unfold(0, 2, 2); // [[0, 1], [2, 3]]
   * ```
   */
  unfold(dim: number, size: number, step: number): Tensor {
    return V.unfold(this, dim, size, step);
  }
  /**
   * Every slice along `dim`, each without that dim (views).
   *
   * @example
   * ```ts
   * const [a, b] = tensor([[1, 2], [3, 4]]).unbind(); // [1, 2] and [3, 4]
   * ```
   */
  unbind(dim = 0): Tensor[] {
    return V.unbind(this, dim);
  }
  /**
   * Reverses the order of elements along each of `dims` (a copy).
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).flip([1]); // [[2, 1], [4, 3]]
   * ```
   */
  flip(dims: number | readonly number[]): Tensor {
    return G.flip(this, dims);
  }
  /**
   * Rotates elements by `shifts` along `dims` (the flattened tensor when `dims` is omitted).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3, 4]).roll(1); // [4, 1, 2, 3]
   * ```
   */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
    return G.roll(this, shifts, dims);
  }
  /**
   * Repeats the tensor `reps[i]` times along each dim (`reps` at least as long as the shape).
   *
   * @example
   * ```ts
   * tensor([1, 2]).repeat([2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
   * ```
   */
  repeat(...reps: number[] | [readonly number[]]): Tensor {
    return G.repeat(this, flatArgs(reps));
  }
  /**
   * Repeats the tensor `reps[i]` times along each dim; a short `reps` gets leading 1s.
   *
   * @example
   * ```ts
   * tensor([[1, 2]]).tile([2]); // [[1, 2, 1, 2]]
   * ```
   */
  tile(...reps: number[] | [readonly number[]]): Tensor {
    return G.tile(this, flatArgs(reps));
  }
  /**
   * Repeats each element in place along `dim` (flattened when omitted): `repeats` times, or
   * `repeats[i]` times for element i (an array or a CPU int32 tensor).
   *
   * @example
   * ```ts
   * tensor([1, 2]).repeatInterleave(2);      // [1, 1, 2, 2]
   * tensor([1, 2]).repeatInterleave([1, 3]); // [1, 2, 2, 2]
   * ```
   */
  repeatInterleave(repeats: number | readonly number[] | Tensor, dim?: number): Tensor {
    return G.repeatInterleave(this, repeats, dim);
  }
  /**
   * The lower triangle of the last two dims (column − row ≤ `diagonal` kept, the rest 0).
   *
   * @example
   * ```ts
   * ones([3, 3]).tril(); // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
   * ```
   */
  tril(diagonal = 0): Tensor {
    return G.tril(this, diagonal);
  }
  /**
   * The upper triangle of the last two dims (column − row ≥ `diagonal` kept, the rest 0).
   *
   * @example
   * ```ts
   * ones([3, 3]).triu(1); // [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
   * ```
   */
  triu(diagonal = 0): Tensor {
    return G.triu(this, diagonal);
  }
  /**
   * The outer product with another vector: `out[i][j] = this[i]·other[j]`.
   *
   * @example
   * ```ts
   * tensor([1, 2]).outer(tensor([3, 4])); // [[3, 4], [6, 8]]
   * ```
   */
  outer(other: Tensor): Tensor {
    return X.outer(this, other);
  }
  /**
   * The dot product with another 1-D tensor of the same length (0-d result).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).dot(tensor([4, 5, 6])); // 32
   * ```
   */
  dot(other: Tensor): Tensor {
    return X.dot(this, other);
  }

  // ---- indexing ----
  /**
   * Picks along `dim` by an int32 index: out[i][j] = x[i][index[i][j]] for dim 1.
   *
   * @example
   * ```ts
   * x.gather(1, tensor([[0], [2]], { dtype: 'int32' }));
   * ```
   */
  gather(dim: number, index: I.IndexLike): Tensor {
    return I.gather(this, dim, index);
  }
  /**
   * Entries at the 1-D int32 `index` along `dim`.
   *
   * @example
   * ```ts
   * weights.indexSelect(0, tensor([2, 0], { dtype: 'int32' }));
   * ```
   */
  indexSelect(dim: number, index: I.IndexLike): Tensor {
    return I.indexSelect(this, dim, index);
  }
  /**
   * A copy with `src` added at `index` along `dim`.
   *
   * @example
   * ```ts
   * zeros([3]).scatterAdd(0, tensor([0, 0, 2], { dtype: 'int32' }), tensor([1, 2, 3])); // [3, 0, 3]
   * ```
   */
  scatterAdd(dim: number, index: I.IndexLike, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  }

  // ---- masking and integer indexing ----
  /**
   * This tensor with `value` where the bool `mask` (broadcast to this shape) is true; no
   * gradient flows to the filled positions.
   *
   * @example
   * ```ts
   * scores.maskedFill(mask, -Infinity).softmax(-1);
   * ```
   */
  maskedFill(mask: Tensor, value: number | Tensor): Tensor {
    return K.maskedFill(this, mask, value);
  }
  /**
   * The elements where the bool `mask` is true, as a 1-D tensor; the CPU only (the length
   * depends on the data): on WebGPU use {@link Tensor.maskedSelectAsync}.
   *
   * @example
   * ```ts
   * tensor([1, -2, 3]).maskedSelect(tensor([true, false, true])); // [1, 3]
   * ```
   */
  maskedSelect(mask: Tensor): Tensor {
    return K.maskedSelect(this, mask);
  }
  /**
   * {@link Tensor.maskedSelect} on every device: awaits the count, selects on the device.
   *
   * @example
   * ```ts
   * const pos = await x.maskedSelectAsync(x.gt(0));
   * ```
   */
  maskedSelectAsync(mask: Tensor): Promise<Tensor> {
    return K.maskedSelectAsync(this, mask);
  }
  /**
   * The indices of the nonzero elements, int32 [n, ndim] in row-major order; the CPU only: on
   * WebGPU use {@link Tensor.nonzeroAsync}.
   *
   * @example
   * ```ts
   * tensor([[0, 1], [2, 0]]).nonzero(); // [[0, 1], [1, 0]]
   * ```
   */
  nonzero(): Tensor {
    return K.nonzero(this);
  }
  /**
   * {@link Tensor.nonzero} on every device: awaits the count, finds the indices on the device.
   *
   * @example
   * ```ts
   * const idx = await x.nonzeroAsync();
   * ```
   */
  nonzeroAsync(): Promise<Tensor> {
    return K.nonzeroAsync(this);
  }
  /**
   * A copy with `src` (a tensor or a number) written at `index` along `dim`.
   *
   * @example
   * ```ts
   * zeros([3]).scatter(0, [2, 0], tensor([5, 6])); // [6, 0, 5]
   * ```
   */
  scatter(dim: number, index: I.IndexLike, src: Tensor | number): Tensor {
    return K.scatter(this, dim, index, src);
  }
  /**
   * A copy with `alpha · source` added at the 1-D `index` along `dim`.
   *
   * @example
   * ```ts
   * zeros([3, 2]).indexAdd(0, [2, 0, 2], ones([3, 2]));
   * ```
   */
  indexAdd(dim: number, index: I.IndexLike, source: Tensor, opts: K.IndexAddOptions = {}): Tensor {
    return K.indexAdd(this, dim, index, source, opts);
  }
  /**
   * Values along `dim` at `indices`, broadcast against this tensor in the other dims.
   *
   * @example
   * ```ts
   * x.takeAlongDim(x.argmax(1, true), 1);
   * ```
   */
  takeAlongDim(indices: I.IndexLike, dim?: number): Tensor {
    return K.takeAlongDim(this, indices, dim);
  }
  /**
   * PyTorch's `x[indices]` with integer indices: the rows (dim 0) at each entry, shape
   * `[...indices.shape, ...x.shape.slice(1)]`.
   *
   * @example
   * ```ts
   * table.index([[4, 0], [1, 1]]);
   * ```
   */
  index(indices: I.IndexLike): Tensor {
    return K.index(this, indices);
  }

  // ---- sampling ----
  /**
   * `numSamples` category indices per row of these non-negative weights ([C] or [R, C]).
   *
   * @example
   * ```ts
   * probs.multinomial(1); // one draw per row
   * ```
   */
  multinomial(numSamples: number, opts: S.MultinomialOptions = {}): Tensor {
    return S.multinomial(this, numSamples, opts);
  }
  /**
   * 1 with probability `p` (a number) for each element, else 0; without `p`, this tensor's
   * elements are the probabilities.
   *
   * @example
   * ```ts
   * probs.bernoulli(); zeros([4]).bernoulli(0.5);
   * ```
   */
  bernoulli(p?: number): Tensor {
    return p === undefined ? S.bernoulli(this) : S.bernoulliScalar(this, p);
  }
  /**
   * Fills in place with normal numbers N(mean, std²).
   *
   * @example
   * ```ts
   * noGrad(() => w.normal_(0, 0.02));
   * ```
   */
  normal_(mean = 0, std = 1): this {
    return S.normal_(this, mean, std);
  }
  /**
   * Fills in place with uniform numbers from [from, to).
   *
   * @example
   * ```ts
   * noGrad(() => w.uniform_(-0.1, 0.1));
   * ```
   */
  uniform_(from = 0, to = 1): this {
    return S.uniform_(this, from, to);
  }

  // ---- in place ----
  /**
   * Adds in place (bumps the version counter).
   *
   * @example
   * ```ts
   * noGrad(() => w.add_(w.grad!.mul(-0.1)));
   * ```
   */
  add_(other: TensorLike): this {
    return P.inplaceBinary('add', this, other);
  }
  /**
   * Subtracts in place.
   *
   * @example
   * ```ts
   * noGrad(() => w.sub_(w.grad!.mul(0.1)));
   * ```
   */
  sub_(other: TensorLike): this {
    return P.inplaceBinary('sub', this, other);
  }
  /**
   * Multiplies in place.
   *
   * @example
   * ```ts
   * t.mul_(0.5);
   * ```
   */
  mul_(other: TensorLike): this {
    return P.inplaceBinary('mul', this, other);
  }
  /**
   * Divides in place.
   *
   * @example
   * ```ts
   * t.div_(2);
   * ```
   */
  div_(other: TensorLike): this {
    return P.inplaceBinary('div', this, other);
  }
  /**
   * Sets every element to 0 in place.
   *
   * @example
   * ```ts
   * t.zero_();
   * ```
   */
  zero_(): this {
    return P.fill_(this, 0);
  }
  /**
   * Sets every element to `value` in place.
   *
   * @example
   * ```ts
   * t.fill_(1);
   * ```
   */
  fill_(value: number): this {
    return P.fill_(this, value);
  }
  /**
   * Copies `src` (broadcast to this shape) into this tensor.
   *
   * @example
   * ```ts
   * t.copy_(tensor([1, 2, 3]));
   * ```
   */
  copy_(src: Tensor): this {
    return P.copy_(this, src);
  }
  /**
   * Clamps in place.
   *
   * @example
   * ```ts
   * t.clamp_(0, 1);
   * ```
   */
  clamp_(min?: number, max?: number): this {
    return P.clamp_(this, min, max);
  }
  /**
   * Makes this tensor a view of `source`'s storage, with `source`'s shape, strides, offset and
   * dtype (no copy), as PyTorch's `set_`. The object stays the same, so whoever holds it (a
   * module, an optimizer) sees the new data; the storage it had is released. Like every in-place
   * op it throws on a leaf that requires grad outside `noGrad`.
   *
   * @example
   * ```ts
   * const w = zeros([2]);
   * w.set_(ones([3]));
   * w.shape; // [3]
   * ```
   */
  set_(source: Tensor): this {
    P.checkInplace('set_', this);
    this._view('set_');
    source._view('set_');
    if (this.requiresGrad && !isFloating(source.dtype)) {
      throw new DTypeError(`set_: a tensor that requires grad cannot take ${source.dtype} storage`);
    }
    if (source._ref === this._ref && source.layout === this.layout) return this;
    const old = this._ref;
    // The one place a tensor's storage and layout change after construction.
    const self = this as { -readonly [K in '_ref' | 'layout']: Tensor[K] };
    self._ref = source._ref;
    self.layout = source.layout;
    if (old !== source._ref) {
      old.release(this);
      source._ref.retain(this);
    }
    return this;
  }
}

function flatArgs(args: number[] | [readonly number[]]): number[] {
  // One array is the whole list; an array beside other sizes is a size of the wrong type.
  return args.length === 1 && Array.isArray(args[0])
    ? [...(args[0] as readonly number[])]
    : (args as number[]);
}

function nest(data: TypedArray, shape: readonly number[], dtype: DType): NestedArray {
  const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(data[0]!);
  const build = (dim: number, start: number): NestedArray[] => {
    const n = shape[dim]!;
    const out: NestedArray[] = new Array(n);
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = conv(data[start + i]!);
      return out;
    }
    const step = numelOf(shape.slice(dim + 1));
    for (let i = 0; i < n; i++) out[i] = build(dim + 1, start + i * step);
    return out;
  };
  return build(0, 0);
}
