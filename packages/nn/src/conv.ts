/**
 * Convolution, pooling and resampling, as `torch.nn.functional` has them, for 1-D ([N, C, L])
 * and 2-D ([N, C, H, W]) inputs (unbatched [C, …] inputs too).
 *
 * Every op here is built on core's primitives, so it runs on every backend and its gradients
 * are differentiable again:
 * - windows: the backend's `im2col` primitive lays out every window (taps in the padding
 *   reading a constant); its gradient is `col2im`, whose gradient is `im2col` again. The
 *   reflect, replicate and circular padding modes pad the input first (`pad`), as PyTorch does;
 * - convolution is then one batched matmul of the weight [O, C·kH·kW] by the windows
 *   [N, C·kH·kW, oH·oW]; the transposed convolution is the matmul of the weight's transpose by
 *   the input followed by `col2im`;
 * - max pooling takes the max over each window (its gradient reaches the first maximum, as
 *   PyTorch's), average pooling the sum over each window divided by the window's count;
 * - adaptive average pooling and interpolation are separable: a matmul by a fixed [out, in]
 *   averaging (or selection, or linear-weight) matrix along each spatial dim.
 */
import {
  cat,
  formatShape,
  isGradEnabled,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
  type WindowSpec,
} from '@tsgrad/core';
import { col2im, im2col, isTracing } from '@tsgrad/core/internal';
import { pad } from './pad.js';

/** Padding of a convolution: per-dim sizes, or `'same'` (output as long as the input, stride 1) or `'valid'` (none). */
export type ConvPadding = number | readonly number[] | 'same' | 'valid';

/** How a convolution fills the border: zeros (default) or a copy of the input's edge. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of {@link conv1d} and {@link conv2d}, as `torch.nn.functional.conv2d` names them. */
export interface ConvOptions {
  /** Step between windows, one number or one per spatial dim (1). */
  stride?: number | readonly number[];
  /** Padding on both sides of each spatial dim, `'same'` or `'valid'` (0). */
  padding?: ConvPadding;
  /** Spacing between kernel taps (1). */
  dilation?: number | readonly number[];
  /** Input and output channels split into this many independent groups (1). */
  groups?: number;
  /** The value of the border: `'zeros'` (default), or reflected, replicated or wrapped input. */
  paddingMode?: PaddingMode;
}

/** Options of {@link convTranspose2d}, as `torch.nn.functional.conv_transpose2d` names them. */
export interface ConvTransposeOptions {
  /** Step of the matching forward convolution (1). */
  stride?: number | readonly number[];
  /** Padding of the matching forward convolution, removed from the output's border (0). */
  padding?: number | readonly number[];
  /** Extra size added to one side of the output, to pick among the sizes a stride allows (0). */
  outputPadding?: number | readonly number[];
  /** Spacing between kernel taps (1). */
  dilation?: number | readonly number[];
  /** Channel groups (1). */
  groups?: number;
}

/** Options of {@link maxPool1d} and {@link maxPool2d}. */
export interface MaxPoolOptions {
  /** Step between windows (the kernel size). */
  stride?: number | readonly number[] | null;
  /** Implicit −∞ padding on both sides, at most half the kernel (0). */
  padding?: number | readonly number[];
  /** Spacing between window taps (1). */
  dilation?: number | readonly number[];
  /** Round the output size up rather than down (false). */
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d}. */
export interface AvgPoolOptions {
  /** Step between windows (the kernel size). */
  stride?: number | readonly number[] | null;
  /** Implicit zero padding on both sides, at most half the kernel (0). */
  padding?: number | readonly number[];
  /** Round the output size up rather than down (false). */
  ceilMode?: boolean;
  /** Count the padding zeros in each window's divisor (true). */
  countIncludePad?: boolean;
  /** Divide every window by this number instead. */
  divisorOverride?: number;
}

/** Options of {@link interpolate}: exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** Output spatial size, one number or one per spatial dim. */
  size?: number | readonly number[];
  /** Output size = floor(input size × factor), one number or one per spatial dim. */
  scaleFactor?: number | readonly number[];
  /** `'nearest'` (default), `'linear'` (3-D input) or `'bilinear'` (4-D input). */
  mode?: 'nearest' | 'linear' | 'bilinear';
  /** Linear modes: map the corner pixels' centres onto each other (false). */
  alignCorners?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Shapes and windows

function pair(v: number | readonly number[], n: number, what: string, op: string): number[] {
  const a = typeof v === 'number' ? Array<number>(n).fill(v) : [...v];
  if (a.length === 1 && n > 1) return Array<number>(n).fill(a[0]!);
  if (a.length !== n || a.some((x) => !Number.isInteger(x) || x < 0)) {
    throw new ValueError(
      `${op}: ${what} must be a non-negative integer or ${n} of them, got ${JSON.stringify(v)}`,
    );
  }
  return a;
}

/** The 4-D [N, C, H, W] form of a 1-D or 2-D (batched or not) input, and how to undo it. */
function as4d(x: Tensor, spatial: 1 | 2, op: string): { x4: Tensor; back: (y: Tensor) => Tensor } {
  const want = spatial + 2;
  if (x.ndim !== want && x.ndim !== want - 1) {
    const form = spatial === 1 ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
    throw new ShapeError(`${op}: expected a ${form} input, got ${formatShape(x.shape)}`);
  }
  const batched = x.ndim === want ? x : x.unsqueeze(0);
  const x4 = spatial === 1 ? batched.unsqueeze(2) : batched;
  return {
    x4,
    back: (y) => {
      const y1 = spatial === 1 ? y.squeeze(2) : y;
      return x.ndim === want ? y1 : y1.squeeze(0);
    },
  };
}

/** One spatial dim's window geometry. */
interface Axis {
  size: number;
  kernel: number;
  stride: number;
  /** Padding before the first element. */
  before: number;
  dilation: number;
  out: number;
}

function outSize(
  size: number,
  k: number,
  s: number,
  p0: number,
  p1: number,
  d: number,
  ceil: boolean,
): number {
  const span = size + p0 + p1 - d * (k - 1) - 1;
  if (!ceil) return Math.floor(span / s) + 1;
  let o = Math.ceil(span / s) + 1;
  // PyTorch: the last window must start inside the input or its left padding.
  if ((o - 1) * s >= size + p0) o--;
  return o;
}

/** The window geometry of two axes, as the `im2col` primitive takes it. */
function specOf(h: Axis, w: Axis): WindowSpec {
  return {
    size: [h.size, w.size],
    kernel: [h.kernel, w.kernel],
    stride: [h.stride, w.stride],
    padding: [h.before, w.before],
    dilation: [h.dilation, w.dilation],
    out: [h.out, w.out],
  };
}

/**
 * Every window of x [N, C, H, W] as [N, C, kH·kW, oH·oW] (im2col), taps outside the input
 * reading `padValue`. The other padding modes follow PyTorch's rule: pad the input by the
 * mode (reflected, replicated or wrapped borders), then lay out the windows without padding.
 */
function windows(x: Tensor, h: Axis, w: Axis, padValue: number, mode: PaddingMode): Tensor {
  if (mode === 'zeros') return im2col(x, specOf(h, w), padValue);
  // Padding after the input: as far as the last window reaches.
  const after = (a: Axis) =>
    Math.max(0, (a.out - 1) * a.stride + (a.kernel - 1) * a.dilation + 1 - a.before - a.size);
  const padded = pad(x, [w.before, after(w), h.before, after(h)], { mode });
  const inside = (a: Axis): Axis => ({ ...a, size: a.size + a.before + after(a), before: 0 });
  return im2col(padded, specOf(inside(h), inside(w)), padValue);
}

/**
 * The adjoint of {@link windows} for zero padding (col2im): cols [N, C, kH·kW, oH·oW] summed
 * into an [N, C, H, W] plane, taps in the padding dropped.
 */
function unwindows(cols: Tensor, h: Axis, w: Axis): Tensor {
  return col2im(cols, specOf(h, w));
}

function checkFloat(x: Tensor, op: string, what = 'input'): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new ValueError(`${op}: ${what} must be float32 or float64, got ${x.dtype}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Convolution

/** Window elements laid out at once by a convolution that records no gradient (2 MiB of float32). */
const CHUNK_ELEMENTS = 1 << 19;

function convNd(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvOptions,
  spatial: 1 | 2,
): Tensor {
  const op = spatial === 1 ? 'conv1d' : 'conv2d';
  checkFloat(x, op);
  const { x4, back } = as4d(x, spatial, op);
  if (weight.ndim !== spatial + 2) {
    throw new ShapeError(
      `${op}: weight must be ${spatial + 2}-D [out, in/groups, …kernel], got ${formatShape(weight.shape)}`,
    );
  }
  const w4 = spatial === 1 ? weight.unsqueeze(2) : weight;
  const [N, C, H, W] = x4.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w4.shape as [number, number, number, number];
  const G = opts.groups ?? 1;
  if (!Number.isInteger(G) || G < 1 || C % G !== 0 || O % G !== 0 || Cg !== C / G) {
    throw new ShapeError(
      `${op}: input ${formatShape(x.shape)} and weight ${formatShape(weight.shape)} do not fit groups=${G} (input channels must be groups × weight.shape[1], output channels divisible by groups)`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(`${op}: bias must be [${O}], got ${formatShape(bias.shape)}`);
  }
  const stride = [1, ...pair(opts.stride ?? 1, spatial, 'stride', op)].slice(-2);
  const dil = [1, ...pair(opts.dilation ?? 1, spatial, 'dilation', op)].slice(-2);
  if (stride.some((s) => s < 1) || dil.some((d) => d < 1)) {
    throw new ValueError(`${op}: stride and dilation must be positive`);
  }
  const ks = [KH, KW];
  let before: number[];
  let after: number[];
  const padding = opts.padding ?? 0;
  if (padding === 'valid') {
    before = [0, 0];
    after = [0, 0];
  } else if (padding === 'same') {
    if (stride.some((s) => s !== 1))
      throw new ValueError(`${op}: padding='same' is not supported for strided convolutions`);
    const total = ks.map((k, i) => dil[i]! * (k - 1));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, i) => t - before[i]!);
  } else if (typeof padding === 'string') {
    throw new ValueError(
      `${op}: padding must be a number, a list of numbers, 'same' or 'valid', got '${padding}'`,
    );
  } else {
    before = [0, ...pair(padding, spatial, 'padding', op)].slice(-2);
    after = before;
  }
  const sizes = [H, W];
  const axes = sizes.map(
    (size, i): Axis => ({
      size,
      kernel: ks[i]!,
      stride: stride[i]!,
      before: before[i]!,
      dilation: dil[i]!,
      out: outSize(size, ks[i]!, stride[i]!, before[i]!, after[i]!, dil[i]!, false),
    }),
  ) as [Axis, Axis];
  if (axes.some((a) => a.out < 1)) {
    throw new ShapeError(
      `${op}: input ${formatShape(x.shape)} is smaller than the (dilated) kernel ${formatShape(weight.shape.slice(2))}`,
    );
  }
  const K = KH * KW;
  const P = axes[0].out * axes[1].out;
  const mode = opts.paddingMode ?? 'zeros';
  const recording =
    isTracing() || (isGradEnabled() && (x4.requiresGrad || weight.requiresGrad || !!bias?.requiresGrad));
  if (!recording && mode === 'zeros' && G === 1 && x4.device === 'cpu') {
    // No gradient: lay out and multiply the windows of a few samples at a time, so the
    // window buffer is small, reused from the pool and still in cache when the matmul reads it.
    const per = Math.max(1, Math.floor(CHUNK_ELEMENTS / (C * K * P)));
    if (per < N) {
      const wMat = w4.reshape([O, C * K]);
      const parts: Tensor[] = [];
      for (let n0 = 0; n0 < N; n0 += per) {
        const xs = x4.narrow(0, n0, Math.min(per, N - n0));
        const cols = windows(xs, axes[0], axes[1], 0, mode);
        const colsMat = cols.reshape([xs.shape[0]!, C * K, P]);
        parts.push(wMat.matmul(colsMat));
        colsMat.dispose();
        cols.dispose();
        xs.dispose();
      }
      const y = cat(parts, 0);
      for (const part of parts) part.dispose();
      const shaped = y.reshape([N, O, axes[0].out, axes[1].out]);
      if (!bias) return back(shaped);
      const out = shaped.add(bias.reshape([1, O, 1, 1]));
      shaped.dispose();
      y.dispose();
      return back(out);
    }
  }
  const cols = windows(x4, axes[0], axes[1], 0, mode); // [N, C, K, P]
  const colsMat = G === 1 ? cols.reshape([N, C * K, P]) : cols.reshape([N, G, Cg * K, P]);
  const wMat = G === 1 ? w4.reshape([O, C * K]) : w4.reshape([G, O / G, Cg * K]);
  const y = wMat.matmul(colsMat); // [N, O, P] or [N, G, O/G, P]
  // Nothing records the windows or the product when no gradient is taken: hand their large
  // buffers back to the allocator's pool now, so the next convolution reuses them instead of
  // touching fresh memory (which costs as much as laying the windows out).
  if (!recording) {
    colsMat.dispose();
    cols.dispose();
  }
  const shaped = y.reshape([N, O, axes[0].out, axes[1].out]);
  if (!bias) return back(shaped);
  const out = shaped.add(bias.reshape([1, O, 1, 1]));
  if (!recording) {
    shaped.dispose();
    y.dispose();
  }
  return back(out);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch's) of x [N, C, H, W] with weight
 * [O, C/groups, kH, kW] and an optional bias [O]: [N, O, oH, oW].
 *
 * @example
 * ```ts
 * const y = F.conv2d(randn([8, 1, 28, 28]), randn([16, 1, 3, 3]), null, { padding: 1 });
 * y.shape; // [8, 16, 28, 28]
 * ```
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(x, weight, bias, opts, 2);
}

/**
 * 1-D convolution of x [N, C, L] with weight [O, C/groups, k] and an optional bias [O].
 *
 * @example
 * ```ts
 * F.conv1d(randn([2, 3, 10]), randn([4, 3, 3]), null, { padding: 'same' }).shape; // [2, 4, 10]
 * ```
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(x, weight, bias, opts, 1);
}

/**
 * 2-D transposed convolution (the gradient of {@link conv2d} with respect to its input) of
 * x [N, Cin, H, W] with weight [Cin, Cout/groups, kH, kW]: [N, Cout, oH, oW] where
 * oH = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1.
 *
 * @example
 * ```ts
 * F.convTranspose2d(randn([1, 3, 4, 5]), randn([3, 4, 3, 3]), null, { stride: 2, padding: 1 }).shape;
 * // [1, 4, 7, 9]
 * ```
 */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  const op = 'convTranspose2d';
  checkFloat(x, op);
  const { x4, back } = as4d(x, 2, op);
  if (weight.ndim !== 4) {
    throw new ShapeError(
      `${op}: weight must be 4-D [in, out/groups, kH, kW], got ${formatShape(weight.shape)}`,
    );
  }
  const [N, C, H, W] = x4.shape as [number, number, number, number];
  const [Cw, Og, KH, KW] = weight.shape as [number, number, number, number];
  const G = opts.groups ?? 1;
  if (!Number.isInteger(G) || G < 1 || Cw !== C || C % G !== 0) {
    throw new ShapeError(
      `${op}: input ${formatShape(x.shape)} and weight ${formatShape(weight.shape)} do not fit groups=${G} (weight.shape[0] must be the input channels, divisible by groups)`,
    );
  }
  const O = Og * G;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(`${op}: bias must be [${O}], got ${formatShape(bias.shape)}`);
  }
  const stride = pair(opts.stride ?? 1, 2, 'stride', op);
  const pad = pair(opts.padding ?? 0, 2, 'padding', op);
  const outPad = pair(opts.outputPadding ?? 0, 2, 'outputPadding', op);
  const dil = pair(opts.dilation ?? 1, 2, 'dilation', op);
  if (stride.some((s) => s < 1) || dil.some((d) => d < 1))
    throw new ValueError(`${op}: stride and dilation must be positive`);
  if (outPad.some((p, i) => p >= Math.max(stride[i]!, dil[i]!))) {
    throw new ValueError(
      `${op}: outputPadding must be smaller than stride or dilation, got ${JSON.stringify(opts.outputPadding)}`,
    );
  }
  const ks = [KH, KW];
  const inSizes = [H, W];
  const outs = inSizes.map(
    (n, i) => (n - 1) * stride[i]! - 2 * pad[i]! + dil[i]! * (ks[i]! - 1) + outPad[i]! + 1,
  );
  if (outs.some((o) => o < 1))
    throw new ShapeError(`${op}: padding ${JSON.stringify(opts.padding)} leaves an empty output`);
  // The matching forward convolution maps an [oH, oW] plane to [H, W]: its windows, summed back.
  const axes = outs.map(
    (size, i): Axis => ({
      size,
      kernel: ks[i]!,
      stride: stride[i]!,
      before: pad[i]!,
      dilation: dil[i]!,
      out: inSizes[i]!,
    }),
  ) as [Axis, Axis];
  const K = KH * KW;
  const P = H * W;
  let cols: Tensor;
  if (G === 1) {
    cols = weight
      .reshape([C, O * K])
      .transpose(0, 1)
      .matmul(x4.reshape([N, C, P])); // [N, O·K, P]
  } else {
    const wg = weight.reshape([G, C / G, Og * K]).transpose(1, 2); // [G, Og·K, C/G]
    cols = wg.matmul(x4.reshape([N, G, C / G, P])); // [N, G, Og·K, P]
  }
  let out = unwindows(cols.reshape([N, O, K, P]), axes[0], axes[1]);
  if (bias) out = out.add(bias.reshape([1, O, 1, 1]));
  return back(out);
}

// ---------------------------------------------------------------------------------------------
// Pooling

function poolAxes(
  x4: Tensor,
  kernelSize: number | readonly number[],
  stride: number | readonly number[] | null | undefined,
  padding: number | readonly number[] | undefined,
  dilation: number | readonly number[] | undefined,
  ceilMode: boolean,
  spatial: 1 | 2,
  op: string,
): [Axis, Axis] {
  const k = [1, ...pair(kernelSize, spatial, 'kernelSize', op)].slice(-2);
  const s =
    stride === undefined || stride === null || (Array.isArray(stride) && stride.length === 0)
      ? k
      : [1, ...pair(stride, spatial, 'stride', op)].slice(-2);
  const p = [0, ...pair(padding ?? 0, spatial, 'padding', op)].slice(-2);
  const d = [1, ...pair(dilation ?? 1, spatial, 'dilation', op)].slice(-2);
  if (k.some((v) => v < 1) || s.some((v) => v < 1) || d.some((v) => v < 1)) {
    throw new ValueError(`${op}: kernelSize, stride and dilation must be positive`);
  }
  if (p.some((v, i) => v > k[i]! / 2)) {
    throw new ValueError(
      `${op}: padding should be at most half the kernel size, got padding ${JSON.stringify(padding)} for kernel ${JSON.stringify(kernelSize)}`,
    );
  }
  const sizes = x4.shape.slice(2);
  const axes = sizes.map(
    (size, i): Axis => ({
      size,
      kernel: k[i]!,
      stride: s[i]!,
      before: p[i]!,
      dilation: d[i]!,
      out: outSize(size, k[i]!, s[i]!, p[i]!, p[i]!, d[i]!, ceilMode),
    }),
  ) as [Axis, Axis];
  if (axes.some((a) => a.out < 1)) {
    throw new ShapeError(
      `${op}: input ${formatShape(x4.shape)} is smaller than the window ${JSON.stringify(kernelSize)}`,
    );
  }
  return axes;
}

function maxPoolNd(
  x: Tensor,
  kernelSize: number | readonly number[],
  opts: MaxPoolOptions,
  spatial: 1 | 2,
): Tensor {
  const op = spatial === 1 ? 'maxPool1d' : 'maxPool2d';
  checkFloat(x, op);
  const { x4, back } = as4d(x, spatial, op);
  const [h, w] = poolAxes(
    x4,
    kernelSize,
    opts.stride,
    opts.padding,
    opts.dilation,
    opts.ceilMode ?? false,
    spatial,
    op,
  );
  const [N, C] = x4.shape as [number, number];
  const cols = windows(x4, h, w, Number.NEGATIVE_INFINITY, 'zeros');
  return back(cols.max(2).reshape([N, C, h.out, w.out]));
}

/**
 * 2-D max pooling of x [N, C, H, W]; the gradient reaches the first maximum of each window.
 *
 * @example
 * ```ts
 * F.maxPool2d(randn([8, 16, 28, 28]), 2).shape; // [8, 16, 14, 14]
 * ```
 */
export function maxPool2d(
  x: Tensor,
  kernelSize: number | readonly number[],
  opts: MaxPoolOptions = {},
): Tensor {
  return maxPoolNd(x, kernelSize, opts, 2);
}

/**
 * 1-D max pooling of x [N, C, L].
 *
 * @example
 * ```ts
 * F.maxPool1d(randn([2, 3, 10]), 2).shape; // [2, 3, 5]
 * ```
 */
export function maxPool1d(
  x: Tensor,
  kernelSize: number | readonly number[],
  opts: MaxPoolOptions = {},
): Tensor {
  return maxPoolNd(x, kernelSize, opts, 1);
}

/**
 * 2-D average pooling of x [N, C, H, W]. With `countIncludePad` (the default) padding zeros
 * count in each window's divisor; without, only input elements do.
 *
 * @example
 * ```ts
 * F.avgPool2d(randn([1, 3, 7, 6]), 3, { stride: 2, padding: 1 }).shape; // [1, 3, 4, 3]
 * ```
 */
export function avgPool2d(
  x: Tensor,
  kernelSize: number | readonly number[],
  opts: AvgPoolOptions = {},
): Tensor {
  const op = 'avgPool2d';
  checkFloat(x, op);
  const { x4, back } = as4d(x, 2, op);
  const [h, w] = poolAxes(x4, kernelSize, opts.stride, opts.padding, 1, opts.ceilMode ?? false, 2, op);
  const [N, C] = x4.shape as [number, number];
  const summed = windows(x4, h, w, 0, 'zeros').sum(2); // [N, C, P]
  const divisor = new Float64Array(h.out * w.out);
  const include = opts.countIncludePad ?? true;
  const span = (a: Axis, o: number): number => {
    const start = o * a.stride - a.before;
    const end = Math.min(start + a.kernel, a.size + a.before);
    return include ? end - start : Math.min(end, a.size) - Math.max(start, 0);
  };
  for (let i = 0; i < h.out; i++) {
    for (let j = 0; j < w.out; j++) divisor[i * w.out + j] = opts.divisorOverride ?? span(h, i) * span(w, j);
  }
  const div = tensor(divisor, { dtype: x.dtype, device: x.device });
  return back(summed.div(div).reshape([N, C, h.out, w.out]));
}

/** [out, in] matrix of adaptive pooling's window averages along one dim. */
function adaptiveMatrix(n: number, out: number): Float64Array {
  const m = new Float64Array(out * n);
  for (let o = 0; o < out; o++) {
    const start = Math.floor((o * n) / out);
    const end = Math.ceil(((o + 1) * n) / out);
    for (let i = start; i < end; i++) m[o * n + i] = 1 / (end - start);
  }
  return m;
}

/** x [N, C, H, W] times A [oH, H] along H and B [oW, W] along W: A·x·Bᵀ. */
function separable(x4: Tensor, a: Float64Array, oh: number, b: Float64Array, ow: number): Tensor {
  const [, , H, W] = x4.shape as [number, number, number, number];
  const A = tensor(a, { shape: [oh, H], dtype: x4.dtype, device: x4.device });
  const Bt = tensor(b, { shape: [ow, W], dtype: x4.dtype, device: x4.device }).transpose(0, 1);
  return A.matmul(x4).matmul(Bt);
}

/**
 * 2-D adaptive average pooling of x [N, C, H, W] to `outputSize` ([oH, oW], one number for
 * both, null to keep a dim): output (i, j) averages rows ⌊iH/oH⌋ … ⌈(i+1)H/oH⌉ − 1 (and alike
 * for columns).
 *
 * @example
 * ```ts
 * F.adaptiveAvgPool2d(randn([2, 512, 7, 7]), 1).shape; // [2, 512, 1, 1]
 * ```
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkFloat(x, op);
  const { x4, back } = as4d(x, 2, op);
  const [, , H, W] = x4.shape as [number, number, number, number];
  const size = typeof outputSize === 'number' ? [outputSize, outputSize] : [...outputSize];
  if (size.length === 1) size.push(size[0]!);
  const [oh, ow] = [size[0] ?? H, size[1] ?? W];
  if (size.length !== 2 || !Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new ValueError(
      `${op}: outputSize must be a positive integer or two, got ${JSON.stringify(outputSize)}`,
    );
  }
  return back(separable(x4, adaptiveMatrix(H, oh), oh, adaptiveMatrix(W, ow), ow));
}

/** [out, in] matrix resampling one dim. */
function resampleMatrix(
  n: number,
  out: number,
  scale: number,
  mode: 'nearest' | 'linear',
  alignCorners: boolean,
): Float64Array {
  const m = new Float64Array(out * n);
  for (let o = 0; o < out; o++) {
    if (mode === 'nearest') {
      m[o * n + Math.min(Math.floor(o * scale), n - 1)] = 1;
      continue;
    }
    let src: number;
    if (alignCorners) src = out > 1 ? (o * (n - 1)) / (out - 1) : 0;
    else src = Math.max((o + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    const l = src - i0;
    m[o * n + i0] += 1 - l;
    m[o * n + i1] += l;
  }
  return m;
}

/**
 * Resizes x [N, C, L] or [N, C, H, W] to `size` or by `scaleFactor`, by nearest neighbour
 * (PyTorch's `'nearest'`: source index ⌊dst · in/out⌋) or (bi)linearly.
 *
 * @example
 * ```ts
 * F.interpolate(randn([1, 3, 4, 4]), { scaleFactor: 2 }).shape; // [1, 3, 8, 8]
 * F.interpolate(img, { size: [32, 32], mode: 'bilinear', alignCorners: false });
 * ```
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  const op = 'interpolate';
  checkFloat(x, op);
  const spatial = x.ndim - 2;
  if (spatial !== 1 && spatial !== 2) {
    throw new ShapeError(
      `interpolate: expected a [N, C, L] or [N, C, H, W] input, got ${formatShape(x.shape)}`,
    );
  }
  const mode = opts.mode ?? 'nearest';
  if (mode === 'bilinear' && spatial !== 2)
    throw new ValueError(`interpolate: mode 'bilinear' needs a 4-D input, got ${formatShape(x.shape)}`);
  if (mode === 'linear' && spatial !== 1)
    throw new ValueError(`interpolate: mode 'linear' needs a 3-D input, got ${formatShape(x.shape)}`);
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') {
    throw new ValueError(
      `interpolate: mode must be 'nearest', 'linear' or 'bilinear', got '${mode as string}'`,
    );
  }
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    throw new ValueError('interpolate: give exactly one of size and scaleFactor');
  }
  const { x4, back } = as4d(x, spatial, op);
  const inSizes = x4.shape.slice(2);
  let outs: number[];
  let scales: number[];
  if (opts.size !== undefined) {
    outs = [1, ...pair(opts.size, spatial, 'size', op)].slice(-2);
    scales = outs.map((o, i) => inSizes[i]! / o);
  } else {
    const f =
      typeof opts.scaleFactor === 'number'
        ? Array<number>(spatial).fill(opts.scaleFactor!)
        : [...opts.scaleFactor!];
    if (f.length !== spatial || f.some((v) => !(v > 0))) {
      throw new ValueError(
        `interpolate: scaleFactor must be positive, one or ${spatial} of them, got ${JSON.stringify(opts.scaleFactor)}`,
      );
    }
    const f2 = [1, ...f].slice(-2);
    outs = inSizes.map((n, i) => Math.floor(n * f2[i]!));
    scales = f2.map((v) => 1 / v);
  }
  if (outs.some((o) => o < 1))
    throw new ValueError(`interpolate: output size ${JSON.stringify(outs)} is empty`);
  const kind = mode === 'nearest' ? 'nearest' : 'linear';
  const align = kind === 'linear' && (opts.alignCorners ?? false);
  const [H, W] = inSizes as [number, number];
  const [oh, ow] = outs as [number, number];
  // A 1-D input keeps its unit height.
  const a = spatial === 1 ? new Float64Array([1]) : resampleMatrix(H, oh, scales[0]!, kind, align);
  const b = resampleMatrix(W, ow, scales[1]!, kind, align);
  return back(separable(x4, a, oh, b, ow));
}
