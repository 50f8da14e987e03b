/**
 * Gather and scatter-add along a dim, the primitives behind indexing, embeddings and
 * cross-entropy. Each is the other's gradient.
 *
 * | op | backward |
 * |---|---|
 * | gather(x, dim, idx) | scatterAdd(zeros like x, dim, idx, g) |
 * | scatterAdd(base, dim, idx, src) | g; gather(g, dim, idx) |
 */
import { record } from '../autograd/node.js';
import type { Device } from '../backend/backend.js';
import { DTypeError, formatShape, ShapeError, TsgradError, ValueError } from '../errors.js';
import { normDim, sameShape } from '../layout.js';
import { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { filled, fromStorage, sameDevice } from './make.js';

/** Nested arrays of integers, as index arguments accept them. */
export type IndexArray = number | readonly IndexArray[];

/**
 * What an index argument accepts: an int32 tensor, or plain JS integers (nested arrays for
 * several dims), which become an int32 tensor on the device of the tensor being indexed.
 */
export type IndexLike = Tensor | IndexArray;

/**
 * An index argument as an int32 tensor: int32 tensors pass through, plain integer arrays
 * become an int32 tensor on `device`, and anything else throws a DTypeError (or ValueError
 * for non-integer numbers) that names the op and says how to make an int32 tensor. Every op
 * that takes indices (core's and nn's) checks them here.
 *
 * @example
 * ```ts
 * toIndexTensor('gather', [[0, 2]], 'cpu'); // int32 tensor [[0, 2]]
 * toIndexTensor('gather', tensor([1.0]), 'cpu'); // DTypeError: … pass tensor(ids, { dtype: 'int32' }) …
 * ```
 */
export function toIndexTensor(op: string, index: IndexLike, device: Device, what = 'index'): Tensor {
  if (index instanceof Tensor) {
    if (index.dtype !== 'int32') {
      throw new DTypeError(
        `${op}: ${what} must be int32, got ${index.dtype}; pass tensor(ids, { dtype: 'int32' }) or ${what}.to('int32')`,
      );
    }
    return index;
  }
  const bad = findNonInteger(index);
  if (bad !== undefined) {
    throw new ValueError(
      `${op}: ${what} must hold integers (or be an int32 tensor), got ${typeof bad === 'number' ? bad : typeof bad}`,
    );
  }
  return tensor(index as number, { dtype: 'int32', device });
}

function findNonInteger(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const e of v) {
      const b = findNonInteger(e);
      if (b !== undefined) return b;
    }
    return undefined;
  }
  return typeof v === 'number' && Number.isInteger(v) ? undefined : v === undefined ? 'undefined' : v;
}

/**
 * `out[i][j] = x[i][index[i][j]]` for dim 1 (and alike for other dims); out has index's shape.
 * The index is an int32 tensor or plain integer arrays. `op` is the name errors give (a
 * composite built on gather passes its own, so messages name the call the user made).
 *
 * @example
 * ```ts
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]], { dtype: 'int32' })); // [[2], [3]]
 * ```
 */
export function gather(x: Tensor, dim: number, idx: IndexLike, op = 'gather'): Tensor {
  const index = toIndexTensor(op, idx, x.device);
  const b = sameDevice(op, x, index);
  const d = normDim(dim, x.ndim, op);
  if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== d && s > x.shape[i]!)) {
    throw new ShapeError(
      `${op}: index ${formatShape(index.shape)} does not fit input ${formatShape(x.shape)} outside dim ${d}`,
    );
  }
  let storage: unknown;
  try {
    storage = b.gather(x._view(op), d, index._view(op));
  } catch (e) {
    throw renameOp(e, 'gather', op);
  }
  const y = fromStorage(b, storage, index.shape, x.dtype);
  const shape = x.shape;
  return record(
    y,
    'gather',
    [x],
    [index],
    (g) => [scatterAdd(filled(g.device, shape, 0, g.dtype), d, index, g)],
    {
      dim: d,
      index,
    },
  );
}

/**
 * Entries of `x` at `index` (1-D: an int32 tensor or a plain integer array) along `dim`.
 * `op` is the name errors give (`embedding` passes its own).
 *
 * @example
 * ```ts
 * indexSelect(weights, 0, tensor([2, 0], { dtype: 'int32' })); // rows 2 and 0
 * ```
 */
export function indexSelect(x: Tensor, dim: number, idx: IndexLike, op = 'indexSelect'): Tensor {
  const index = toIndexTensor(op, idx, x.device);
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 1-D, got ${formatShape(index.shape)}`);
  const d = normDim(dim, x.ndim, op);
  const n = index.numel;
  const idxShape = x.shape.map((s, i) => (i === d ? n : s));
  const view = x.shape.map((_, i) => (i === d ? n : 1));
  const full = index.reshape(view).expand(idxShape);
  return gather(x, d, full, op);
}

/**
 * A backend's error about a primitive, reworded to name the op the user called (`gather`'s
 * out-of-bounds index reached through `indexSelect` or `embedding` names those).
 */
export function renameOp(e: unknown, primitive: string, op: string): unknown {
  if (op === primitive || !(e instanceof TsgradError) || !e.message.startsWith(`${primitive}:`)) return e;
  const Err = e.constructor as new (m: string) => TsgradError;
  return new Err(`${op}:${e.message.slice(primitive.length + 1)}`);
}

/**
 * A copy of `base` with `src` added at `index` along `dim`: for dim 0,
 * `out[index[i][j]][j] += src[i][j]`.
 *
 * @example
 * ```ts
 * scatterAdd(zeros([3]), 0, tensor([0, 0, 2], { dtype: 'int32' }), tensor([1, 2, 3])); // [3, 0, 3]
 * ```
 */
export function scatterAdd(base: Tensor, dim: number, idx: IndexLike, src: Tensor): Tensor {
  const index = toIndexTensor('scatterAdd', idx, base.device);
  const b = sameDevice('scatterAdd', base, index, src);
  const d = normDim(dim, base.ndim, 'scatterAdd');
  if (
    index.ndim !== base.ndim ||
    src.ndim !== base.ndim ||
    index.shape.some((s, i) => s > src.shape[i]! || (i !== d && s > base.shape[i]!))
  ) {
    throw new ShapeError(
      `scatterAdd: index ${formatShape(index.shape)}, src ${formatShape(src.shape)} and input ${formatShape(base.shape)} do not fit`,
    );
  }
  if (src.dtype !== base.dtype) {
    throw new DTypeError(`scatterAdd: src dtype ${src.dtype} differs from input dtype ${base.dtype}`);
  }
  const srcView = sameShape(src.shape, index.shape) ? src : src.narrow(0, 0, index.shape[0]!);
  const s = index.shape.length > 1 ? cropTo(srcView, index.shape) : srcView;
  const y = fromStorage(
    b,
    b.scatterAdd(base._view('scatterAdd'), d, index._view('scatterAdd'), s._view('scatterAdd')),
    base.shape,
    base.dtype,
  );
  return record(y, 'scatterAdd', [base, s], [index], (g) => [g, gather(g, d, index)]);
}

function cropTo(x: Tensor, shape: readonly number[]): Tensor {
  let t = x;
  shape.forEach((s, i) => {
    if (t.shape[i] !== s) t = t.narrow(i, 0, s);
  });
  return t;
}
