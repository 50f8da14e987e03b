/**
 * The Tensor: an n-dimensional array on a device that records the ops applied to it so that
 * `backward()` can compute gradients.
 */

import { backward as runBackward } from './autograd/engine.js';
import type { Node } from './autograd/node.js';
import type { Device, View } from './backend/backend.js';
import { getBackend } from './backend/backend.js';
import type { DType, TypedArray } from './dtype.js';
import { isFloating } from './dtype.js';
import { DeviceError, DisposedError, DTypeError, fmtShape, ValueError } from './errors.js';
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
import * as M from './ops/movement.js';
import * as R from './ops/reduce.js';
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
  private _retainsGrad = false;
  private _disposed = false;

  /** @internal Tensors are made by factory functions (`tensor`, `zeros` …) and ops. */
  constructor(ref: StorageRef, layout: Layout) {
    this._ref = ref;
    this.layout = layout;
    ref.retain();
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
  /** Where the data lives. */
  get device(): Device {
    return this._ref.backend.device;
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
      throw new DisposedError(`${op}: tensor of shape ${fmtShape(this.shape)} was disposed`);
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
   * Computes gradients of this tensor with respect to the graph's leaves, accumulating them
   * into their `.grad`. `gradient` defaults to 1 for a one-element tensor.
   *
   * @example
   * ```ts
   * const w = tensor([2], { requiresGrad: true });
   * w.mul(3).sum().backward(); // w.grad is [3]
   * ```
   */
  backward(gradient?: Tensor, opts: BackwardOptions = {}): void {
    runBackward([this], gradient === undefined ? undefined : [gradient], opts);
  }

  // ---- reading ----

  /** The elements in row-major order, as a new typed array. */
  async data(): Promise<TypedArray> {
    const c = this._contiguousStorage('data');
    return getBackend(this.device).read(c.data, this.dtype, this.numel).finally(c.done);
  }

  /** Synchronous {@link data}; the CPU backend only. */
  dataSync(): TypedArray {
    const b = getBackend(this.device);
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
        `${op}: a tensor with ${this.numel} elements ${fmtShape(this.shape)} has no single value`,
      );
    }
  }

  private _contiguousStorage(op: string): { data: unknown; done: () => void } {
    const v = this._view(op);
    if (isContiguous(this.layout) && this.offset === 0) return { data: v.storage, done: () => {} };
    const b = getBackend(this.device);
    const s = b.copy(v);
    return { data: s, done: () => b.free(s) };
  }

  /** A PyTorch-style printout, e.g. `tensor([[1.0000, 2.0000]], requiresGrad=true)`. Needs CPU data. */
  toString(): string {
    if (this._disposed) return `tensor(<disposed>, shape=${fmtShape(this.shape)})`;
    if (getBackend(this.device).readSync === undefined) {
      return `tensor(<${this.device}>, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    }
    return formatTensor(this);
  }

  // ---- memory ----

  /** Frees this tensor's hold on its storage now (views keep the storage alive). */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._ref.release();
  }

  /** Makes `using t = …` dispose the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- conversion ----

  /** A copy on another device, or converted to another dtype (this tensor when already so). */
  to(target: DType | Device): Tensor {
    if (target === 'cpu' || target === 'webgpu') return moveTo(this, target);
    return castTo(this, target);
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
  neg(): Tensor {
    return E.unaryOp('neg', this);
  }
  exp(): Tensor {
    return E.unaryOp('exp', this);
  }
  log(): Tensor {
    return E.unaryOp('log', this);
  }
  sqrt(): Tensor {
    return E.unaryOp('sqrt', this);
  }
  rsqrt(): Tensor {
    return E.unaryOp('sqrt', this).reciprocal();
  }
  abs(): Tensor {
    return E.unaryOp('abs', this);
  }
  sin(): Tensor {
    return E.unaryOp('sin', this);
  }
  cos(): Tensor {
    return E.unaryOp('cos', this);
  }
  tanh(): Tensor {
    return E.unaryOp('tanh', this);
  }
  sigmoid(): Tensor {
    return E.unaryOp('sigmoid', this);
  }
  relu(): Tensor {
    return E.unaryOp('relu', this);
  }
  erf(): Tensor {
    return E.unaryOp('erf', this);
  }
  sign(): Tensor {
    return E.unaryOp('sign', this);
  }
  floor(): Tensor {
    return E.unaryOp('floor', this);
  }
  reciprocal(): Tensor {
    return E.unaryOp('reciprocal', this);
  }
  /** Logical not (bool result). */
  logicalNot(): Tensor {
    return E.logicalNot(this);
  }
  /** Logical and of two bool tensors. */
  logicalAnd(other: Tensor): Tensor {
    return E.binaryOp('minimum', this.ne(0), other.ne(0));
  }
  /** Logical or of two bool tensors. */
  logicalOr(other: Tensor): Tensor {
    return E.binaryOp('maximum', this.ne(0), other.ne(0));
  }
  square(): Tensor {
    return E.binaryOp('mul', this, this);
  }
  silu(): Tensor {
    return A.silu(this);
  }
  softplus(): Tensor {
    return A.softplus(this);
  }
  /** GELU, exact (`'none'`) or with the tanh approximation. */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return A.gelu(this, approximate);
  }
  leakyRelu(slope = 0.01): Tensor {
    return A.leakyRelu(this, slope);
  }
  elu(alpha = 1): Tensor {
    return A.elu(this, alpha);
  }
  /** Limits elements to [min, max] (either may be omitted with `undefined`). */
  clamp(min?: number, max?: number): Tensor {
    return A.clamp(this, min, max);
  }
  softmax(dim: number): Tensor {
    return A.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return A.logSoftmax(this, dim);
  }

  // ---- binary ----
  add(other: TensorLike): Tensor {
    return E.binaryOp('add', this, other);
  }
  sub(other: TensorLike): Tensor {
    return E.binaryOp('sub', this, other);
  }
  mul(other: TensorLike): Tensor {
    return E.binaryOp('mul', this, other);
  }
  div(other: TensorLike): Tensor {
    return E.binaryOp('div', this, other);
  }
  pow(other: TensorLike): Tensor {
    return E.binaryOp('pow', this, other);
  }
  maximum(other: TensorLike): Tensor {
    return E.binaryOp('maximum', this, other);
  }
  minimum(other: TensorLike): Tensor {
    return E.binaryOp('minimum', this, other);
  }
  eq(other: TensorLike): Tensor {
    return E.binaryOp('eq', this, other);
  }
  ne(other: TensorLike): Tensor {
    return E.binaryOp('ne', this, other);
  }
  lt(other: TensorLike): Tensor {
    return E.binaryOp('lt', this, other);
  }
  le(other: TensorLike): Tensor {
    return E.binaryOp('le', this, other);
  }
  gt(other: TensorLike): Tensor {
    return E.binaryOp('gt', this, other);
  }
  ge(other: TensorLike): Tensor {
    return E.binaryOp('ge', this, other);
  }
  /** Matrix product with NumPy/PyTorch semantics (1-D, 2-D, batched, broadcast batch dims). */
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  // ---- reductions ----
  sum(dim?: number | number[], keepdim = false): Tensor {
    return R.sum(this, dim, keepdim);
  }
  mean(dim?: number | number[], keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  }
  prod(dim?: number | number[], keepdim = false): Tensor {
    return R.prod(this, dim, keepdim);
  }
  /** Largest value over all elements, or over `dim` (values only; see `argmax` for indices). */
  max(dim?: number | number[], keepdim = false): Tensor {
    return R.extreme('max', this, dim, keepdim);
  }
  min(dim?: number | number[], keepdim = false): Tensor {
    return R.extreme('min', this, dim, keepdim);
  }
  /** Index of the first largest element (over the flattened tensor when `dim` is omitted). */
  argmax(dim?: number, keepdim = false): Tensor {
    return R.argExtreme('argmax', this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return R.argExtreme('argmin', this, dim, keepdim);
  }
  /** Variance; unbiased (`correction` 1) by default. */
  var(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return R.variance(this, dim, keepdim, correction);
  }
  std(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return R.variance(this, dim, keepdim, correction, 'std').sqrt();
  }
  logsumexp(dim?: number | number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }

  // ---- views and shape ----
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return M.reshape(this, flatArgs(shape));
  }
  /** Like `reshape`, but throws instead of copying when the strides do not allow a view. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return M.view(this, flatArgs(shape));
  }
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
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return M.permute(this, flatArgs(dims));
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return M.expand(this, flatArgs(shape));
  }
  squeeze(dim?: number): Tensor {
    return M.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return M.unsqueeze(this, dim);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return M.flatten(this, startDim, endDim);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return M.narrow(this, dim, start, length);
  }
  /** Pieces of `size` along `dim` (or of the given sizes). */
  split(size: number | number[], dim = 0): Tensor[] {
    return M.split(this, size, dim);
  }
  /** `chunks` nearly equal pieces along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return M.chunk(this, chunks, dim);
  }

  // ---- indexing ----
  gather(dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return I.indexSelect(this, dim, index);
  }
  /** A copy with `src` added at `index` along `dim`. */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  }

  // ---- in place ----
  add_(other: TensorLike): this {
    return P.inplaceBinary('add', this, other);
  }
  sub_(other: TensorLike): this {
    return P.inplaceBinary('sub', this, other);
  }
  mul_(other: TensorLike): this {
    return P.inplaceBinary('mul', this, other);
  }
  div_(other: TensorLike): this {
    return P.inplaceBinary('div', this, other);
  }
  zero_(): this {
    return P.fill_(this, 0);
  }
  fill_(value: number): this {
    return P.fill_(this, value);
  }
  /** Copies `src` (broadcast to this shape) into this tensor. */
  copy_(src: Tensor): this {
    return P.copy_(this, src);
  }
  clamp_(min?: number, max?: number): this {
    return P.clamp_(this, min, max);
  }
}

function flatArgs(args: number[] | [readonly number[]]): number[] {
  return Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
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
