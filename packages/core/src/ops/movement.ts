/**
 * Views and joins. Views make a new layout over the same storage; their backward rules move
 * the gradient back to the input's shape. `contiguous`, `clone` and `cat` copy.
 *
 * | op | backward |
 * |---|---|
 * | reshape / view / squeeze / unsqueeze / flatten | g reshaped back |
 * | permute / transpose | g permuted by the inverse |
 * | expand | g summed over the expanded dims |
 * | narrow | g as a slice of the input (the engine adds or pads it) |
 * | cat | g narrowed into pieces |
 */

import { provideGradFactory } from '../autograd/factory.js';
import { record, recordTraceOnly, type SliceGrad } from '../autograd/node.js';
import { promoteTypes } from '../dtype.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import {
  checkShape,
  describeValue,
  expandLayout,
  isContiguous,
  narrowLayout,
  normDim,
  numelOf,
  permuteLayout,
  reshapeLayout,
  sameShape,
} from '../layout.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { backendOf, checkTensor, filled, fromStorage, sameDevice, viewWith } from './make.js';
import { sumTo } from './reduce.js';

function resolveShape(x: Tensor, shape: readonly number[], op: string): number[] {
  checkShape(shape, op, true);
  const out = shape.slice();
  const infer = out.indexOf(-1);
  if (infer !== out.lastIndexOf(-1))
    throw new ShapeError(`${op}: only one dimension can be -1, got ${formatShape(shape)}`);
  const known = out.reduce((a, d, i) => (i === infer ? a : a * d), 1);
  if (out.some((d, i) => i !== infer && (d < 0 || !Number.isInteger(d)))) {
    throw new ShapeError(`${op}: invalid shape ${formatShape(shape)}`);
  }
  if (infer >= 0) {
    if (known === 0 || x.numel % known !== 0) {
      throw new ShapeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${x.numel}`);
    }
    out[infer] = x.numel / known;
  }
  if (numelOf(out) !== x.numel) {
    throw new ShapeError(
      `${op}: cannot reshape ${formatShape(x.shape)} (${x.numel} elements) to ${formatShape(shape)} (${numelOf(out)} elements)`,
    );
  }
  return out;
}

function viewAs(x: Tensor, shape: number[], name: string): Tensor {
  const layout = reshapeLayout(x.layout, shape);
  if (layout === null)
    throw new ShapeError(
      `${name}: view of ${formatShape(x.shape)} with strides [${x.strides}] as ${formatShape(shape)} needs a copy; use reshape`,
    );
  const from = x.shape;
  return record(viewWith(x, layout), name, [x], [], (g) => [g.reshape([...from])]);
}

/** `x` with a new shape (one dim may be -1); a view when strides allow, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape(x, shape, 'reshape');
  if (sameShape(s, x.shape)) return x;
  if (reshapeLayout(x.layout, s) === null) x = contiguous(x);
  return viewAs(x, s, 'reshape');
}

/** Like {@link reshape} but never copies. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return viewAs(x, resolveShape(x, shape, 'view'), 'view');
}

/** Reorders dimensions. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ShapeError(
      `permute: got ${dims.length} dims [${dims}] for a tensor of shape ${formatShape(x.shape)}`,
    );
  }
  const d = dims.map((v) => normDim(v, x.ndim, 'permute'));
  if (new Set(d).size !== d.length) throw new ShapeError(`permute: repeated dim in [${dims}]`);
  const inv = new Array<number>(d.length);
  d.forEach((v, i) => {
    inv[v] = i;
  });
  return record(viewWith(x, permuteLayout(x.layout, d)), 'permute', [x], [], (g) => [permute(g, inv)], {
    dims: d,
  });
}

/** Swaps two dimensions. */
export function transpose(x: Tensor, a: number, b: number): Tensor {
  const dims = x.shape.map((_, i) => i);
  const i = normDim(a, x.ndim, 'transpose');
  const j = normDim(b, x.ndim, 'transpose');
  if (x.ndim === 0) return x;
  dims[i] = j;
  dims[j] = i;
  return permute(x, dims);
}

/** Broadcasts size-1 dims (and new leading dims) to `shape`; -1 keeps a dim. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkShape(shape, 'expand', true);
  const lead = shape.length - x.ndim;
  for (let i = 0; i < lead; i++) {
    if (shape[i] === -1) {
      throw new ShapeError(
        `expand: -1 is not allowed for the new leading dim ${i} in ${formatShape(shape)} (expanding ${formatShape(x.shape)})`,
      );
    }
  }
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - lead]! : d));
  if (sameShape(target, x.shape)) return x;
  const from = x.shape;
  return record(viewWith(x, expandLayout(x.layout, target)), 'expand', [x], [], (g) => [sumTo(g, from)]);
}

/** Removes size-1 dims (only `dim` when given). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const d = normDim(dim, x.ndim, 'squeeze');
  if (x.ndim === 0 || x.shape[d] !== 1) return x;
  return reshape(
    x,
    x.shape.filter((_, i) => i !== d),
  );
}

/** Inserts a size-1 dim at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, 'unsqueeze');
  const s = x.shape.slice();
  s.splice(d, 0, 1);
  return reshape(x, s);
}

/** Merges dims `start … end` into one. */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  const s = normDim(start, x.ndim, 'flatten');
  const e = normDim(end, x.ndim, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  if (s > e) throw new ShapeError(`flatten: startDim ${start} comes after endDim ${end}`);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Elements `start … start+length−1` along `dim`, as a view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.ndim === 0) throw new ShapeError('narrow: cannot narrow a 0-d tensor');
  const d = normDim(dim, x.ndim, 'narrow');
  const size = x.shape[d]!;
  if (start < 0) start += size;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > size
  ) {
    throw new ShapeError(
      `narrow: start ${start} and length ${length} are out of range for dim ${d} of size ${size} in ${formatShape(x.shape)}`,
    );
  }
  const from = x.shape;
  return record(
    viewWith(x, narrowLayout(x.layout, d, start, length)),
    'narrow',
    [x],
    [],
    (g) => [{ kind: 'slice', grad: g, shape: from, dim: d, start }],
    { dim: d, start },
  );
}

/**
 * A slice gradient as a differentiable tensor: the slice between zero blocks along its dim.
 * The engine uses it when a backward pass records a graph (`createGraph`); otherwise it adds
 * slices straight into one buffer.
 */
function padSlice(s: SliceGrad): Tensor {
  const { grad, shape, dim, start } = s;
  const size = shape[dim]!;
  const length = grad.shape[dim]!;
  const zeros = (n: number) =>
    filled(
      grad.device,
      shape.map((k, i) => (i === dim ? n : k)),
      0,
      grad.dtype,
    );
  const parts: Tensor[] = [];
  if (start > 0) parts.push(zeros(start));
  parts.push(grad);
  if (size - start - length > 0) parts.push(zeros(size - start - length));
  return parts.length === 1 ? grad : cat(parts, dim);
}

provideGradFactory({
  full: (like, shape, value) => filled(like.device, shape, value, like.dtype),
  cast: castTo,
  pad: padSlice,
});

/** `x` itself when contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  if (isContiguous(x.layout)) return x;
  return clone(x);
}

/** A copy with its own storage. */
export function clone(x: Tensor): Tensor {
  const b = backendOf(x);
  const v = x._view('clone');
  const y = fromStorage(b, b.cast(v, v.dtype), x.shape, x.dtype);
  return record(y, 'clone', [x], [], (g) => [g]);
}

/** Shares x's data but has no gradFn and does not require grad. */
export function detach(x: Tensor): Tensor {
  return recordTraceOnly(viewWith(x, x.layout), 'detach', [x]);
}

/**
 * Joins tensors along an existing dim.
 *
 * @example
 * ```ts
 * cat([zeros([2, 1]), ones([2, 2])], 1); // shape [2, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList(tensors, 'cat');
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError('cat: cannot join 0-d tensors; stack them instead');
  const b = sameDevice('cat', ...tensors);
  const d = normDim(dim, first.ndim, 'cat');
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new ShapeError(
        `cat: shapes ${tensors.map((u) => formatShape(u.shape)).join(', ')} differ outside dim ${d}`,
      );
    }
  }
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const inputs = tensors.map((t) => castTo(t, dtype));
  const shape = first.shape.slice();
  shape[d] = inputs.reduce((a, t) => a + t.shape[d]!, 0);
  const y = fromStorage(
    b,
    b.concat(
      inputs.map((t) => t._view('cat')),
      d,
    ),
    shape,
    dtype,
  );
  const sizes = inputs.map((t) => t.shape[d]!);
  return record(
    y,
    'cat',
    inputs,
    [],
    (g) => {
      let at = 0;
      return sizes.map((s) => {
        const piece = narrow(g, d, at, s);
        at += s;
        return piece;
      });
    },
    { dim: d },
  );
}

/**
 * Joins tensors of equal shape along a new dim.
 *
 * @example
 * ```ts
 * stack([tensor([1, 2]), tensor([3, 4])], 0); // [[1, 2], [3, 4]]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList(tensors, 'stack');
  const first = tensors[0]!;
  for (const t of tensors) {
    if (!sameShape(t.shape, first.shape)) {
      throw new ShapeError(
        `stack: all shapes must be equal, got ${tensors.map((u) => formatShape(u.shape)).join(', ')}`,
      );
    }
  }
  const d = normDim(dim, first.ndim + 1, 'stack');
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Throws unless `tensors` is a non-empty array of tensors. */
function checkTensorList(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ValueError(`${op}: expected a non-empty list of tensors, got ${describeValue(tensors)}`);
  }
  tensors.forEach((t, i) => {
    checkTensor(t, op, `element ${i} of the list`);
  });
}

/** Views of `size`-long pieces along `dim` (the last may be shorter), or of the listed sizes. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim(dim, x.ndim, 'split');
  const total = x.shape[d]!;
  let sizes: number[];
  if (typeof size === 'number') {
    if (!(size > 0)) throw new ValueError(`split: size must be positive, got ${size}`);
    sizes = [];
    for (let at = 0; at < total; at += size) sizes.push(Math.min(size, total - at));
  } else {
    sizes = [...size];
    if (sizes.reduce((a, b) => a + b, 0) !== total) {
      throw new ShapeError(
        `split: sizes [${sizes}] do not add up to ${total} (dim ${d} of ${formatShape(x.shape)})`,
      );
    }
  }
  let at = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, at, s);
    at += s;
    return piece;
  });
}

/** `chunks` pieces along `dim`, each of ceil(size/chunks) elements but the last. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normDim(dim, x.ndim, 'chunk');
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}
