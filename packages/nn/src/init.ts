/**
 * Weight initialisers with PyTorch's formulas (`torch.nn.init`). Each fills its tensor in
 * place, without recording a graph, from the global generator (see `manualSeed`), and
 * returns it.
 */
import { formatShape, noGrad, rand, randn, ShapeError, type Tensor, tensor, ValueError } from '@tsgrad/core';

/** Nonlinearities known to {@link calculateGain}. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'leakyRelu'
  | 'selu';

/**
 * The recommended gain for a nonlinearity: 1 for linear/sigmoid, 5/3 for tanh, √2 for relu,
 * √(2 / (1 + slope²)) for leaky relu (slope 0.01 by default), 3/4 for selu.
 *
 * @example
 * ```ts
 * calculateGain('relu'); // 1.4142…
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity '${nonlinearity}'`);
  }
}

/**
 * fanIn and fanOut of a weight: dim 1 and dim 0 times the receptive field (the product of
 * the remaining dims), as PyTorch computes them.
 *
 * @example
 * ```ts
 * calculateFanInAndFanOut(zeros([5, 3])); // { fanIn: 3, fanOut: 5 }
 * ```
 */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new ShapeError(`init: fan in and fan out need at least 2 dims, got ${formatShape(t.shape)}`);
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

function fill(t: Tensor, make: () => Tensor): Tensor {
  noGrad(() => {
    const v = make();
    t.copy_(v);
    v.dispose();
  });
  return t;
}

/**
 * Fills with U(a, b).
 *
 * @example
 * ```ts
 * uniform_(w, -0.1, 0.1);
 * ```
 */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return fill(t, () =>
    rand(t.shape, { dtype: t.dtype, device: t.device })
      .mul(b - a)
      .add(a),
  );
}

/**
 * Fills with N(mean, std²).
 *
 * @example
 * ```ts
 * normal_(w, 0, 0.02);
 * ```
 */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, () => randn(t.shape, { dtype: t.dtype, device: t.device }).mul(std).add(mean));
}

/** Fills with `value`. @example `constant_(b, 0.1)` */
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill_(value));
  return t;
}

/** Fills with zeros. @example `zeros_(linear.bias!)` */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills with ones. @example `ones_(norm.weight!)` */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * xavierUniform_(w);
 * ```
 */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/**
 * Glorot normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * xavierNormal_(w);
 * ```
 */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of the Kaiming initialisers. */
export interface KaimingOptions {
  /** Negative slope of the leaky relu that follows (0 by default). */
  a?: number;
  /** Preserve the variance of the forward pass ('fanIn', default) or of backward ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  /** The nonlinearity that follows ('leaky_relu' by default, as in PyTorch). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut')
    throw new ValueError(`kaiming: mode must be 'fanIn' or 'fanOut', got '${mode}'`);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/**
 * He uniform: U(−b, b) with b = gain·√(3 / fan).
 *
 * @example
 * ```ts
 * kaimingUniform_(w, { nonlinearity: 'relu' });
 * ```
 */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound);
}

/**
 * He normal: N(0, (gain / √fan)²).
 *
 * @example
 * ```ts
 * kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' });
 * ```
 */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts));
}

/**
 * A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal matrix with
 * the signs fixed by R's diagonal (as PyTorch). Dims after the first are flattened.
 *
 * @example
 * ```ts
 * orthogonal_(rnn.weight_hh_l0);
 * ```
 */
export function orthogonal_(t: Tensor, gain = 1): Tensor {
  if (t.ndim < 2) throw new ShapeError(`orthogonal_: needs at least 2 dims, got ${formatShape(t.shape)}`);
  const rows = t.shape[0]!;
  const cols = t.numel / rows;
  const g = randn([rows, cols], { dtype: 'float64' });
  const flat = g.dataSync() as Float64Array;
  g.dispose();
  // Work on the tall orientation (m ≥ n), then transpose back.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) a[tall ? i * n + j : j * n + i] = flat[i * cols + j]!;
  const q = householderQ(a, m, n);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (tall ? q[i * n + j]! : q[j * n + i]!);
  return fill(t, () => tensor(out, { shape: t.shape, dtype: t.dtype, device: t.device }));
}

/** The m×n Q of a Householder QR of a (m ≥ n), columns multiplied by sign(R's diagonal). */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    const alpha = r[k * n + k]! >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k]!;
    v[k] = v[k]! - alpha;
    // v[k] = r[k][k] ± norm with the sign of r[k][k], so v ≠ 0 (a Gaussian column is never zero).
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i]! ** 2;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i]! * r[i * n + j]!;
      const f = (2 * s) / vn;
      for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - f * v[i]!;
    }
    vs.push(v);
  }
  // Q = H0 H1 … H(n−1) applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i]! ** 2;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i]! * q[i * n + j]!;
      const f = (2 * s) / vn;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - f * v[i]!;
    }
  }
  for (let j = 0; j < n; j++) {
    if (r[j * n + j]! < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j]!;
  }
  return q;
}
