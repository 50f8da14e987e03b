/**
 * Strided views beyond narrow and transpose: `select`, `slice` with a step, `movedim`,
 * `diagonal`, `unfold` (sliding windows) and `unbind`. Each makes a new layout over the same
 * storage, so writing through the view (`fill_`, `copy_` …) changes the base tensor.
 *
 * | op | backward |
 * |---|---|
 * | select | g as a slice of the input (the engine adds or pads it) |
 * | slice (step 1) | narrow's |
 * | slice (step > 1), diagonal, unfold | g scatter-added into zeros at the view's positions |
 * | movedim | permute's |
 *
 * The scatter-added gradient is itself differentiable (its gradient is a gather at the same
 * positions, which is the view again), and it sums overlapping windows as `unfold` needs.
 */
import { type NodeAttrs, record } from '../autograd/node.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { contiguousLayout, type Layout, normDim, numelOf } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { scatterAdd } from './indexing.js';
import { filled, viewWith } from './make.js';
import { narrow, permute } from './movement.js';

/** The storage positions of a layout's elements, in row-major order (strides may be negative). */
export function layoutPositions(l: Layout): Int32Array {
  const n = numelOf(l.shape);
  const out = new Int32Array(n);
  const nd = l.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let pos = l.offset;
  for (let k = 0; k < n; k++) {
    out[k] = pos;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      pos += l.strides[d]!;
      if (idx[d]! < l.shape[d]!) break;
      pos -= l.strides[d]! * l.shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The gradient of a view made by `f` from a tensor of `shape`: `g` scatter-added into zeros
 * at the positions the view reads from a contiguous tensor of that shape.
 */
function scatterThroughView(g: Tensor, shape: readonly number[], f: (l: Layout) => Layout): Tensor {
  const zero = filled(g.device, [numelOf(shape)], 0, g.dtype);
  const l = f(contiguousLayout(shape));
  if (numelOf(l.shape) === 0) return zero.reshape([...shape]);
  const idx = tensor(layoutPositions(l), { dtype: 'int32', device: g.device });
  return scatterAdd(zero, 0, idx, g.reshape([-1])).reshape([...shape]);
}

/** A view of `x` through the layout `f(x.layout)`, differentiable by {@link scatterThroughView}. */
function strideView(x: Tensor, name: string, attrs: NodeAttrs, f: (l: Layout) => Layout): Tensor {
  const shape = x.shape;
  return record(viewWith(x, f(x.layout)), name, [x], [], (g) => [scatterThroughView(g, shape, f)], attrs);
}

/**
 * The slice at `index` along `dim`, with that dim removed (a view), like `torch.select`.
 *
 * @example
 * ```ts
 * select(tensor([[1, 2], [3, 4]]), 1, -1); // [2, 4]
 * ```
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new ShapeError('select: cannot select from a 0-d tensor');
  const d = normDim(dim, x.ndim, 'select');
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new ShapeError(
      `select: index ${index} is out of range for dim ${d} of size ${size} in ${formatShape(x.shape)}`,
    );
  }
  const i = index < 0 ? index + size : index;
  const l = x.layout;
  const layout: Layout = {
    shape: l.shape.filter((_, k) => k !== d),
    strides: l.strides.filter((_, k) => k !== d),
    offset: l.offset + i * l.strides[d]!,
  };
  const from = x.shape;
  return record(
    viewWith(x, layout),
    'select',
    [x],
    [],
    (g) => [{ kind: 'slice', grad: g.unsqueeze(d), shape: from, dim: d, start: i }],
    { dim: d, index: i },
  );
}

/**
 * Elements `start, start+step, …` before `end` along `dim` (a view), as Python's
 * `x[..., start:end:step]`: negative bounds count from the end, bounds out of range are
 * clamped, omitted ones (`undefined`) mean the whole dim. `step` must be positive.
 *
 * @example
 * ```ts
 * slice(arange(10), 0, 1, 8, 3); // [1, 4, 7]
 * slice(arange(5), 0, -2);       // [3, 4]
 * ```
 */
export function slice(x: Tensor, dim = 0, start?: number, end?: number, step = 1): Tensor {
  if (x.ndim === 0) throw new ShapeError('slice: cannot slice a 0-d tensor');
  const d = normDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) {
    throw new ValueError(`slice: step must be a positive integer, got ${step}`);
  }
  for (const [what, v] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (v !== undefined && !Number.isInteger(v)) {
      throw new ValueError(`slice: ${what} must be an integer or undefined, got ${v}`);
    }
  }
  const size = x.shape[d]!;
  const bound = (v: number | undefined, dflt: number) =>
    v === undefined ? dflt : Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = bound(start, 0);
  const e = Math.max(bound(end, size), s);
  const length = Math.ceil((e - s) / step);
  if (step === 1) return narrow(x, d, s, length);
  return strideView(x, 'slice', { dim: d, start: s, step }, (l) => {
    const shape = l.shape.slice();
    const strides = l.strides.slice();
    shape[d] = length;
    strides[d] = l.strides[d]! * step;
    return { shape, strides, offset: l.offset + s * l.strides[d]! };
  });
}

function dimList(v: number | readonly number[]): number[] {
  return typeof v === 'number' ? [v] : [...v];
}

/**
 * Moves the dims `source` to the positions `destination` (a view); the other dims keep their
 * order, like `torch.movedim`.
 *
 * @example
 * ```ts
 * movedim(zeros([2, 3, 4]), 0, -1).shape;         // [3, 4, 2]
 * movedim(zeros([2, 3, 4]), [0, 1], [2, 0]).shape; // [3, 4, 2]
 * ```
 */
export function movedim(
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  const src = dimList(source).map((v) => normDim(v, x.ndim, 'movedim'));
  const dst = dimList(destination).map((v) => normDim(v, x.ndim, 'movedim'));
  if (src.length !== dst.length) {
    throw new ShapeError(
      `movedim: source [${dimList(source)}] and destination [${dimList(destination)}] differ in length`,
    );
  }
  if (new Set(src).size !== src.length) throw new ShapeError(`movedim: repeated dim in source [${src}]`);
  if (new Set(dst).size !== dst.length) {
    throw new ShapeError(`movedim: repeated dim in destination [${dst}]`);
  }
  if (x.ndim === 0) return x;
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => {
    order[dst[i]!] = s;
  });
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  let r = 0;
  for (let i = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[r++]!;
  return permute(x, order);
}

/**
 * The diagonal of the matrices spanned by `dim1` and `dim2` (a view): those dims are removed
 * and the diagonal becomes the last dim. `offset` > 0 is above the main diagonal, < 0 below,
 * like `torch.diagonal`.
 *
 * @example
 * ```ts
 * diagonal(tensor([[1, 2], [3, 4]]));    // [1, 4]
 * diagonal(tensor([[1, 2], [3, 4]]), 1); // [2]
 * ```
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  if (x.ndim < 2) {
    throw new ShapeError(`diagonal: needs a tensor of at least 2 dims, got ${formatShape(x.shape)}`);
  }
  if (!Number.isInteger(offset)) throw new ValueError(`diagonal: offset must be an integer, got ${offset}`);
  const d1 = normDim(dim1, x.ndim, 'diagonal');
  const d2 = normDim(dim2, x.ndim, 'diagonal');
  if (d1 === d2) throw new ShapeError(`diagonal: dim1 and dim2 are both ${d1}; they must differ`);
  const n1 = x.shape[d1]!;
  const n2 = x.shape[d2]!;
  const length = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  return strideView(x, 'diagonal', {}, (l) => {
    const keep = (_: number, k: number) => k !== d1 && k !== d2;
    const s1 = l.strides[d1]!;
    const s2 = l.strides[d2]!;
    const shift = length === 0 ? 0 : offset >= 0 ? offset * s2 : -offset * s1;
    return {
      shape: [...l.shape.filter(keep), length],
      strides: [...l.strides.filter(keep), s1 + s2],
      offset: l.offset + shift,
    };
  });
}

/**
 * Sliding windows of `size` elements, `step` apart, along `dim` (a view): that dim becomes
 * the window count and a new last dim of `size` holds each window, like `Tensor.unfold`.
 *
 * @example
 * ```ts
 * unfold(arange(5), 0, 2, 2); // [[0, 1], [2, 3]]
 * ```
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const d = normDim(dim, x.ndim, 'unfold');
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0) {
    throw new ValueError(`unfold: step must be a positive integer, got ${step}`);
  }
  if (!Number.isInteger(size) || size < 0 || size > n) {
    throw new ShapeError(
      `unfold: window size ${size} does not fit dim ${d} of size ${n} in ${formatShape(x.shape)}`,
    );
  }
  const count = Math.floor((n - size) / step) + 1;
  return strideView(x, 'unfold', {}, (l) => {
    if (l.shape.length === 0) return { shape: [size], strides: [1], offset: l.offset };
    const shape = l.shape.slice();
    const strides = l.strides.slice();
    const s = l.strides[d]!;
    shape[d] = count;
    strides[d] = s * step;
    return { shape: [...shape, size], strides: [...strides, s], offset: l.offset };
  });
}

/**
 * Every slice along `dim`, each without that dim (views), like `torch.unbind`.
 *
 * @example
 * ```ts
 * const [a, b] = unbind(tensor([[1, 2], [3, 4]])); // [1, 2] and [3, 4]
 * ```
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError('unbind: cannot unbind a 0-d tensor');
  const d = normDim(dim, x.ndim, 'unbind');
  return Array.from({ length: x.shape[d]! }, (_, i) => select(x, d, i));
}
