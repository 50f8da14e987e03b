/**
 * Matrix products. One batched primitive ([batch, M, K] × [batch, K, N]) serves every case:
 * vectors gain a dim, batch dims broadcast and are flattened, transposes stay views.
 *
 * Backward: dA = g·Bᵀ, dB = Aᵀ·g, each summed back over broadcast batch dims.
 */
import { record } from '../autograd/node.js';
import type { View } from '../backend/backend.js';
import { isFloating } from '../dtype.js';
import { DTypeError, formatShape, ShapeError } from '../errors.js';
import { broadcastShapes } from '../layout.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { checkTensor, fromStorage, sameDevice } from './make.js';
import { sumTo } from './reduce.js';

/**
 * Matrix product with NumPy semantics: 1-D·1-D is a dot product, 2-D·2-D a matrix product,
 * higher ranks are batches of matrices whose batch dims broadcast.
 *
 * @example
 * ```ts
 * matmul(ones([2, 3]), ones([3, 4])); // shape [2, 4], all 3
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'matmul');
  checkTensor(b, 'matmul');
  const backend = sameDevice('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: both arguments need at least 1 dimension, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  if (!isFloating(a.dtype) || !isFloating(b.dtype)) {
    if (a.dtype === 'bool' || b.dtype === 'bool') {
      throw new DTypeError(`matmul: bool tensors are not supported (got ${a.dtype} and ${b.dtype})`);
    }
  }
  const outInt = !isFloating(a.dtype) && !isFloating(b.dtype);
  if (outInt && backend.dtypes.includes('float64')) return intMatmul(a, b);
  // Integers on a backend without float64 multiply in float32: exact while sums stay below 2²⁴.
  const dtype = a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
  const A0 = castTo(a, dtype);
  const B0 = castTo(b, dtype);
  const A = A0.ndim === 1 ? A0.unsqueeze(0) : A0;
  const B = B0.ndim === 1 ? B0.unsqueeze(1) : B0;
  const M = A.shape[A.ndim - 2]!;
  const K = A.shape[A.ndim - 1]!;
  const K2 = B.shape[B.ndim - 2]!;
  const N = B.shape[B.ndim - 1]!;
  if (K !== K2) {
    throw new ShapeError(
      `matmul: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)} (inner dimensions ${K} and ${K2} differ)`,
    );
  }
  const batch = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2), 'matmul');
  const nb = batch.reduce((x, y) => x * y, 1);
  const A3 = A.expand([...batch, M, K]);
  const B3 = B.expand([...batch, K, N]);
  // Batches that do not merge into one stride (the heads of a [B, T, H, D] tensor) go to the
  // backend's two-level kernel as they are, where it has one; otherwise they are copied.
  const kernels = backend.fused;
  const levels = kernels?.matmulNested ? 2 : 1;
  const va = flatBatch(A3, nb, M, K, 'matmul', levels);
  const vb = flatBatch(B3, nb, K, N, 'matmul', levels);
  const storage =
    va.layout.shape.length === 4 || vb.layout.shape.length === 4
      ? kernels!.matmulNested!(nested(va), nested(vb))
      : backend.matmul(va, vb);
  const raw = fromStorage(backend, storage, [nb, M, N], dtype);
  let outShape = [...batch, M, N];
  if (a.ndim === 1) outShape = outShape.filter((_, i) => i !== outShape.length - 2);
  if (b.ndim === 1) outShape = outShape.slice(0, -1);
  const y = raw.reshape(outShape);
  // The [batch, M, N] result is only seen through y: let y own the storage alone, so disposing
  // y frees it.
  if (y !== raw) raw.dispose();
  const out = record(y, 'matmul', [A0, B0], [A0, B0], (g) => {
    const g3 = g.reshape([...batch, M, N]);
    const ga = A0.requiresGrad ? sumTo(gradOfA(g3, A, B), A.shape).reshape([...A0.shape]) : null;
    const gb = B0.requiresGrad ? sumTo(gradOfB(g3, A, B), B.shape).reshape([...B0.shape]) : null;
    return [ga, gb];
  });
  return outInt ? castTo(out, 'int32') : out;
}

/**
 * An int32 product, exact and wrapping around as int32 arithmetic does, from float64 products:
 * with each int split as hi·2¹⁶ + lo (lo in [0, 2¹⁶)), a·b ≡ (hiA·loB + loA·hiB)·2¹⁶ + loA·loB
 * (mod 2³²), and float64 holds each of those sums exactly for inner sizes below 2²⁰.
 */
function intMatmul(a: Tensor, b: Tensor): Tensor {
  const split = (t: Tensor): [Tensor, Tensor] => {
    const f = castTo(t, 'float64');
    const hi = f.div(65536).floor();
    return [hi, f.sub(hi.mul(65536))];
  };
  const [hiA, loA] = split(a);
  const [hiB, loB] = split(b);
  const mid = matmul(hiA, loB).add(matmul(loA, hiB)).remainder(65536);
  return castTo(mid.mul(65536).add(matmul(loA, loB)), 'int32');
}

/**
 * g·Bᵀ, the gradient of A in A·B. A transposed operand (a column-major view, like Linear's
 * weight.T) gets it computed as (B·gᵀ)ᵀ instead, so that the gradient, once moved back
 * through the transpose, is contiguous in the parameter's own layout.
 */
function gradOfA(g: Tensor, A: Tensor, B: Tensor): Tensor {
  return columnMajor(A) ? B.matmul(g.transpose(-1, -2)).transpose(-1, -2) : g.matmul(B.transpose(-1, -2));
}

/** Aᵀ·g, the gradient of B in A·B (as (gᵀ·A)ᵀ for a column-major B; see {@link gradOfA}). */
function gradOfB(g: Tensor, A: Tensor, B: Tensor): Tensor {
  return columnMajor(B) ? g.transpose(-1, -2).matmul(A).transpose(-1, -2) : A.transpose(-1, -2).matmul(g);
}

/**
 * `bias + a·b` for matrices a [M, K] and b [K, N] and a bias that broadcasts to [M, N], like
 * `torch.addmm`. A bias row [N] of the operands' float dtype goes through the backend's fused
 * kernel where it has one: one pass and one output buffer instead of two (a linear layer's
 * forward).
 *
 * @example
 * ```ts
 * addmm(tensor([1, 2]), ones([3, 4]), ones([4, 2])); // [[5, 6], [5, 6], [5, 6]]
 * ```
 */
export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  const backend = sameDevice('addmm', bias, a, b);
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError(
      `addmm: a and b must be 2-D, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const kernels = backend.fused;
  const fused =
    kernels?.addmm !== undefined &&
    isFloating(a.dtype) &&
    a.dtype === b.dtype &&
    bias.dtype === a.dtype &&
    bias.ndim === 1 &&
    bias.shape[0] === N &&
    b.shape[0] === K;
  if (!fused) return matmul(a, b).add(bias);
  const y = fromStorage(
    backend,
    kernels!.addmm!(bias._view('addmm'), flatBatch(a, 1, M, K, 'addmm'), flatBatch(b, 1, K, N, 'addmm')),
    [M, N],
    a.dtype,
  );
  return record(y, 'addmm', [bias, a, b], [a, b], (g) => [
    bias.requiresGrad ? g.sum(0) : null,
    a.requiresGrad ? gradOfA(g, a, b) : null,
    b.requiresGrad ? gradOfB(g, a, b) : null,
  ]);
}

/**
 * The batch dims of `t` (its dims but the last two) as levels, innermost first: runs of dims
 * that merge into one stride (evenly spaced, or all broadcast), each a count of matrices that
 * stride apart. Dims of size 1 are skipped; no levels means a single matrix.
 */
function batchLevels(t: Tensor): { count: number; stride: number }[] {
  const nd = t.ndim;
  const levels: { count: number; stride: number }[] = [];
  for (let i = nd - 3; i >= 0; i--) {
    const size = t.shape[i]!;
    if (size === 1) continue;
    const stride = t.strides[i]!;
    const last = levels[levels.length - 1];
    if (last !== undefined && stride === last.stride * last.count) last.count *= size;
    else levels.push({ count: size, stride });
  }
  return levels;
}

/**
 * The view of a batch of `nb` matrices [rows, cols] that a matmul kernel reads: [nb, rows, cols]
 * when the batch dims merge into one stride, [outer, inner, rows, cols] when they merge into
 * two levels and `maxLevels` allows it, else a contiguous copy as [nb, rows, cols].
 */
function flatBatch(t: Tensor, nb: number, rows: number, cols: number, op: string, maxLevels = 1): View {
  let levels = batchLevels(t);
  const src = levels.length > maxLevels ? t.contiguous() : t;
  if (src !== t) levels = [{ count: nb, stride: rows * cols }];
  const nd = src.ndim;
  const rs = src.strides[nd - 2]!;
  const cs = src.strides[nd - 1]!;
  const view = src._view(op);
  if (levels.length <= 1) {
    const bs = levels[0]?.stride ?? 0;
    return { ...view, layout: { shape: [nb, rows, cols], strides: [bs, rs, cs], offset: src.offset } };
  }
  const [inner, outer] = levels as [{ count: number; stride: number }, { count: number; stride: number }];
  return {
    ...view,
    layout: {
      shape: [outer.count, inner.count, rows, cols],
      strides: [outer.stride, inner.stride, rs, cs],
      offset: src.offset,
    },
  };
}

/** A matmul operand view as [outer, inner, rows, cols] (a one-level batch as [nb, 1, rows, cols]). */
function nested(v: View): View {
  const { shape, strides, offset } = v.layout;
  if (shape.length === 4) return v;
  return {
    ...v,
    layout: {
      shape: [shape[0]!, 1, shape[1]!, shape[2]!],
      strides: [strides[0]!, 0, strides[1]!, strides[2]!],
      offset,
    },
  };
}

/** True for a matrix (batch) whose rows are not contiguous but whose columns are. */
function columnMajor(t: Tensor): boolean {
  const n = t.ndim;
  return n >= 2 && t.strides[n - 2] === 1 && t.strides[n - 1] !== 1 && t.shape[n - 2] !== 1;
}
