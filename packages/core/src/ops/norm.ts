/**
 * Reductions built from the reduce primitives: `amax`, `amin`, vector norms, and the logical
 * reductions `any`, `all`, `countNonzero`; and layer norm, fused where the backend can.
 *
 * | op | d/dx |
 * |---|---|
 * | amax / amin | g split evenly among the elements equal to the result |
 * | norm (p = 2) | g·x / ‖x‖, and 0 where ‖x‖ = 0 (as PyTorch) |
 * | norm (other finite p ≠ 0) | g·sign(x)·\|x\|^(p−1) / ‖x‖^(p−1), 0 where ‖x‖ = 0 |
 * | norm (p = ±∞) | through amax / amin of \|x\| |
 * | norm (p = 0) | 0 |
 */
import { isGradEnabled, isTracing, noGrad } from '../autograd/grad-mode.js';
import { record } from '../autograd/node.js';
import { isFloating } from '../dtype.js';
import { DTypeError, formatShape, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { where } from './elementwise.js';
import { backendOf, filled, fromStorage } from './make.js';
import { extreme, reduceAxes, sum, sumTo } from './reduce.js';

/** `dim` as `extreme` takes it for an `amax`-style reduction: a list (or all when omitted or empty). */
function dimList(dim: number | readonly number[] | undefined): readonly number[] | undefined {
  if (dim === undefined) return undefined;
  if (typeof dim === 'number') return [dim];
  return Array.isArray(dim) && dim.length === 0 ? undefined : dim;
}

/**
 * Largest value over `dim` (a dim or a list; all elements when omitted), the gradient shared
 * evenly among ties, as PyTorch's `amax`.
 *
 * @example
 * ```ts
 * amax(tensor([[1, 5], [7, 2]]), [0, 1]); // 7
 * ```
 */
export function amax(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return extreme('max', x, dimList(dim), keepdim, 'amax');
}

/**
 * Smallest value over `dim` (a dim or a list; all elements when omitted), the gradient shared
 * evenly among ties, as PyTorch's `amin`.
 *
 * @example
 * ```ts
 * amin(tensor([[1, 5], [7, 2]]), 1); // [1, 2]
 * ```
 */
export function amin(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return extreme('min', x, dimList(dim), keepdim, 'amin');
}

/** ‖x‖_p over `axes` for a finite p other than 0 and 1, with the gradient masked at 0. */
function pnorm(x: Tensor, p: number, axes: readonly number[], keepdim: boolean): Tensor {
  const y = noGrad(() => {
    const s = p === 2 ? sum(x.mul(x), axes, keepdim) : sum(x.abs().pow(p), axes, keepdim);
    return p === 2 ? s.sqrt() : s.pow(1 / p);
  });
  const kept = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
  return record(y, 'norm', [x], [x, y], (g) => {
    const n = y.reshape(kept);
    const zero = n.eq(0);
    const safe = where(zero, 1, n);
    const scale = where(zero, 0, g.reshape(kept).div(p === 2 ? safe : safe.pow(p - 1)));
    const dir = p === 2 ? x : x.sign().mul(x.abs().pow(p - 1));
    return [dir.mul(scale)];
  });
}

/**
 * The vector p-norm over `dim` (all elements when omitted), as `torch.linalg.vector_norm`:
 * p = 2 by default (or `'fro'`), any real p, `Infinity` (largest |x|), `-Infinity` (smallest
 * |x|), 0 (number of nonzero elements). The gradient of the 2-norm at 0 is 0, as in PyTorch.
 *
 * @example
 * ```ts
 * norm(tensor([3, 4])); // 5
 * norm(tensor([[1, -2], [3, 4]]), 1, 1); // [3, 7]
 * ```
 */
export function norm(
  x: Tensor,
  p: number | 'fro' = 2,
  dim?: number | readonly number[],
  keepdim = false,
): Tensor {
  if (!isFloating(x.dtype)) {
    throw new DTypeError(
      `norm: needs a floating tensor, got ${x.dtype} ${formatShape(x.shape)}; convert with .to('float32')`,
    );
  }
  const q = p === 'fro' ? 2 : p;
  if (typeof q !== 'number' || Number.isNaN(q)) {
    throw new ValueError(`norm: p must be a number, Infinity, -Infinity or 'fro', got ${String(p)}`);
  }
  const axes = reduceAxes(x, dimList(dim), 'norm');
  if (q === Number.POSITIVE_INFINITY) return extreme('max', x.abs(), axes, keepdim, 'norm');
  if (q === Number.NEGATIVE_INFINITY) return extreme('min', x.abs(), axes, keepdim, 'norm');
  if (q === 1) return sum(x.abs(), axes, keepdim);
  if (q === 0) {
    const y = castTo(sum(x.ne(0), axes, keepdim), x.dtype);
    const shape = x.shape;
    return record(y, 'norm', [x], [], (g) => [filled(g.device, shape, 0, g.dtype)]);
  }
  return pnorm(x, q, axes, keepdim);
}

/**
 * Whether any element over `dim` is nonzero (true, or NaN); bool result.
 *
 * @example
 * ```ts
 * any(tensor([[0, 1], [0, 0]]), 1); // [true, false]
 * ```
 */
export function any(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return sum(x.ne(0), dimList(dim), keepdim).gt(0);
}

/**
 * Whether every element over `dim` is nonzero (true, or NaN); bool result.
 *
 * @example
 * ```ts
 * all(tensor([[0, 1], [1, 1]]), 1); // [false, true]
 * ```
 */
export function all(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return sum(x.eq(0), dimList(dim), keepdim).eq(0);
}

/**
 * Number of nonzero elements over `dim` (all elements when omitted); int32 result (PyTorch's
 * is int64).
 *
 * @example
 * ```ts
 * countNonzero(tensor([[0, 1], [2, 3]]), 1); // [1, 2]
 * ```
 */
export function countNonzero(x: Tensor, dim?: number | readonly number[]): Tensor {
  return sum(x.ne(0), dimList(dim));
}

/**
 * Layer norm over the last `size` elements of each row of x (the normalised dims, flattened):
 * (x − μ)/√(σ² + eps) with the biased variance, times `weight` and plus `bias` when given
 * (each of the normalised shape, `dims` naming those dims of x). Runs the backend's fused
 * kernel where it has one (one pass per row, forward and backward), else the composite; the
 * composite is the reference, and the gradient of a pass that builds a graph.
 *
 * @example
 * ```ts
 * layerNorm(tensor([[1, 2, 3]]), [1], null, null, 1e-5); // [[-1.2247, 0, 1.2247]]
 * ```
 */
export function layerNorm(
  x: Tensor,
  dims: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): Tensor {
  const backend = backendOf(x);
  const kernels = backend.fused;
  const size = dims.reduce((n, d) => n * x.shape[d]!, 1);
  const fits = (p: Tensor | null) =>
    p === null || (p.dtype === x.dtype && backendOf(p) === backend && p.numel === size);
  if (
    kernels?.layerNorm === undefined ||
    !isFloating(x.dtype) ||
    size === 0 ||
    isTracing() ||
    !fits(weight) ||
    !fits(bias)
  ) {
    return layerNormComposite(x, dims, weight, bias, eps);
  }
  const view = (t: Tensor | null) => (t === null ? null : t.contiguous()._view('layerNorm'));
  const xc = x.contiguous();
  const r = kernels.layerNorm(xc._view('layerNorm'), view(weight), view(bias), size, eps);
  if (xc !== x) xc.dispose();
  const y = fromStorage(backend, r.y, x.shape, x.dtype);
  const stats = fromStorage(backend, r.stats, [x.numel / size, 2], x.dtype);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(y, 'layerNorm', inputs, inputs, (g) => {
    if (isGradEnabled() || kernels.layerNormBackward === undefined) {
      return layerNormGrads(g, x, dims, weight, bias, eps);
    }
    const gc = g.contiguous();
    const xg = x.contiguous();
    const want = { weight: weight?.requiresGrad === true, bias: bias?.requiresGrad === true };
    const d = kernels.layerNormBackward(
      gc._view('layerNorm'),
      xg._view('layerNorm'),
      view(weight),
      stats._view('layerNorm'),
      size,
      want,
    );
    if (gc !== g) gc.dispose();
    if (xg !== x) xg.dispose();
    const grads: (Tensor | null)[] = [fromStorage(backend, d.dx, x.shape, x.dtype)];
    if (weight)
      grads.push(d.dWeight === null ? null : fromStorage(backend, d.dWeight, weight.shape, x.dtype));
    if (bias) grads.push(d.dBias === null ? null : fromStorage(backend, d.dBias, bias.shape, x.dtype));
    return grads;
  });
}

/** Layer norm from means, a product and rsqrt: the reference of the fused kernel. */
function layerNormComposite(
  x: Tensor,
  dims: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): Tensor {
  const mean = x.mean(dims, true);
  const xc = x.sub(mean);
  const v = xc.mul(xc).mean(dims, true);
  let y = xc.mul(v.add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/**
 * The gradients of layer norm for the gradient g of its output, in tensor ops (so a pass
 * that builds a graph can differentiate them): with x̂ = (x − μ)·r, r = 1/√(σ² + eps) and
 * ĝ = g·weight, dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); the weight gets Σ g·x̂ and the bias Σ g
 * over the other dims. One entry per input of the node (x, then weight and bias when given).
 */
function layerNormGrads(
  g: Tensor,
  x: Tensor,
  dims: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): (Tensor | null)[] {
  const xc = x.sub(x.mean(dims, true));
  const r = xc.mul(xc).mean(dims, true).add(eps).rsqrt();
  const xh = xc.mul(r);
  const gh = weight ? g.mul(weight) : g;
  const dx = gh
    .sub(gh.mean(dims, true))
    .sub(xh.mul(gh.mul(xh).mean(dims, true)))
    .mul(r);
  const grads: (Tensor | null)[] = [x.requiresGrad ? dx : null];
  if (weight) grads.push(weight.requiresGrad ? sumTo(g.mul(xh), weight.shape) : null);
  if (bias) grads.push(bias.requiresGrad ? sumTo(g, bias.shape) : null);
  return grads;
}
