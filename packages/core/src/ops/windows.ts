/**
 * Convolution windows, built on the backend's `im2col` and `col2im` primitives: the two are
 * each other's adjoint, so each one's gradient is the other (and both are linear, so gradients
 * of every order follow).
 *
 * | op | d/dx |
 * |---|---|
 * | im2col | col2im of g (taps in the padding are constants) |
 * | col2im | im2col of g, zero padding |
 */
import { record } from '../autograd/node.js';
import type { WindowSpec } from '../backend/backend.js';
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { backendOf, fromStorage } from './make.js';

function checkSpec(spec: WindowSpec, op: string): void {
  const all = [spec.size, spec.kernel, spec.stride, spec.padding, spec.dilation, spec.out];
  if (all.some((pair) => pair.length !== 2 || pair.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new ValueError(`${op}: window sizes must be pairs of non-negative integers`);
  }
  if ([...spec.stride, ...spec.dilation, ...spec.kernel].some((v) => v < 1)) {
    throw new ValueError(`${op}: kernel, stride and dilation must be positive`);
  }
}

/**
 * Every window of x [N, C, H, W] as [N, C, kH·kW, oH·oW] (im2col): element (n, c, kh·kW + kw,
 * oh·oW + ow) is x[n, c, oh·sH − pH + kh·dH, ow·sW − pW + kw·dW], or `padValue` where that
 * falls outside the plane. Differentiable (its gradient is {@link col2im}).
 *
 * @example
 * ```ts
 * const spec = { size: [28, 28], kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], out: [28, 28] } as const;
 * im2col(randn([8, 1, 28, 28]), spec).shape; // [8, 1, 9, 784]
 * ```
 */
export function im2col(x: Tensor, spec: WindowSpec, padValue = 0): Tensor {
  const op = 'im2col';
  checkSpec(spec, op);
  if (x.ndim !== 4 || x.shape[2] !== spec.size[0] || x.shape[3] !== spec.size[1]) {
    throw new ShapeError(
      `${op}: expected an [N, C, ${spec.size.join(', ')}] input, got [${x.shape.join(', ')}]`,
    );
  }
  const [N, C] = x.shape as [number, number];
  const K = spec.kernel[0] * spec.kernel[1];
  const P = spec.out[0] * spec.out[1];
  const b = backendOf(x);
  const y = fromStorage(b, b.im2col(x._view(op), spec, padValue), [N, C, K, P], x.dtype);
  const { size, kernel, stride, padding, dilation, out } = spec;
  return record(y, op, [x], [], (g) => [col2im(g, spec)], {
    size,
    kernel,
    stride,
    padding,
    dilation,
    out,
    padValue,
  });
}

/**
 * The adjoint of {@link im2col} (col2im): cols [N, C, kH·kW, oH·oW] summed into
 * [N, C, H, W], each window tap added at the position it reads, taps in the padding dropped.
 *
 * @example
 * ```ts
 * const spec = { size: [4, 4], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], out: [2, 2] } as const;
 * col2im(ones([1, 1, 4, 4]), spec).shape; // [1, 1, 4, 4], all ones
 * ```
 */
export function col2im(cols: Tensor, spec: WindowSpec): Tensor {
  const op = 'col2im';
  checkSpec(spec, op);
  const K = spec.kernel[0] * spec.kernel[1];
  const P = spec.out[0] * spec.out[1];
  if (cols.ndim !== 4 || cols.shape[2] !== K || cols.shape[3] !== P) {
    throw new ShapeError(`${op}: expected an [N, C, ${K}, ${P}] input, got [${cols.shape.join(', ')}]`);
  }
  const [N, C] = cols.shape as [number, number];
  const b = backendOf(cols);
  const y = fromStorage(b, b.col2im(cols._view(op), spec), [N, C, spec.size[0], spec.size[1]], cols.dtype);
  return record(y, op, [cols], [], (g) => [im2col(g, spec, 0)]);
}
