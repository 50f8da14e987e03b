/**
 * What each op's local derivative is, in words and symbols, keyed by the name its node
 * records: the text `explain()` prints beside the numbers. The backward rules themselves live
 * beside each op's forward (`ops/`); this table only says what they compute.
 *
 * x is the input of a one-input op, a and b the inputs of a two-input op, c a plain number
 * operand, G the gradient arriving from above (dL/d output). Elementwise ops state the
 * derivative of one element; the rest state what the gradient of each input becomes.
 */

/** The local derivative of one op. */
export interface LocalDerivative {
  /** One line per tensor input, in the order of the node's inputs (one line for all of `cat`'s). */
  readonly inputs: readonly string[];
  /** The line for `tensor op number`, whose node has one input and a `scalar` attribute. */
  readonly scalar?: string;
  /**
   * Output element i depends only on element i of each input (up to broadcasting), so the
   * local derivative is one number per element and the gradient is G times it, element by
   * element.
   */
  readonly elementwise?: boolean;
}

const unary = (line: string): LocalDerivative => ({ inputs: [line], elementwise: true });
const binary = (a: string, b: string, scalar?: string): LocalDerivative => ({
  inputs: [a, b],
  elementwise: true,
  ...(scalar === undefined ? {} : { scalar }),
});
const other = (...inputs: string[]): LocalDerivative => ({ inputs });
const piecewiseConstant = (f: string) => unary(`d/dx ${f}(x) = 0 (piecewise constant)`);
const reshaped = other('a view: G is reshaped back to the shape of x');
const sliced = (what: string) => other(`a view: G goes to the ${what} it took, 0 elsewhere`);

/** The local derivative of every op that records a node, keyed by the node's name. */
export const localDerivatives: Readonly<Record<string, LocalDerivative>> = {
  // Unary elementwise.
  neg: unary('d/dx (−x) = −1'),
  exp: unary('d/dx eˣ = eˣ'),
  log: unary('d/dx log(x) = 1/x'),
  sqrt: unary('d/dx √x = 1/(2√x)'),
  abs: unary('d/dx |x| = sign(x)'),
  sin: unary('d/dx sin(x) = cos(x)'),
  cos: unary('d/dx cos(x) = −sin(x)'),
  tanh: unary('d/dx tanh(x) = 1 − tanh²(x)'),
  erf: unary('d/dx erf(x) = 2/√π · e^(−x²)'),
  sigmoid: unary('d/dx σ(x) = σ(x)·(1 − σ(x))'),
  relu: unary('d/dx relu(x) = 1 if x > 0, else 0'),
  reciprocal: unary('d/dx (1/x) = −1/x²'),
  log1p: unary('d/dx log(1 + x) = 1/(1 + x)'),
  expm1: unary('d/dx (eˣ − 1) = eˣ'),
  tan: unary('d/dx tan(x) = 1 + tan²(x)'),
  atan: unary('d/dx atan(x) = 1/(1 + x²)'),
  asin: unary('d/dx asin(x) = 1/√(1 − x²)'),
  acos: unary('d/dx acos(x) = −1/√(1 − x²)'),
  sinh: unary('d/dx sinh(x) = cosh(x)'),
  cosh: unary('d/dx cosh(x) = sinh(x)'),
  sign: piecewiseConstant('sign'),
  floor: piecewiseConstant('floor'),
  ceil: piecewiseConstant('ceil'),
  trunc: piecewiseConstant('trunc'),
  round: piecewiseConstant('round'),
  cast: unary('d/dx cast(x) = 1 (G is cast back to the dtype of x)'),
  to: unary('d/dx to(x) = 1 (G is moved back to the device of x)'),
  clone: unary('d/dx clone(x) = 1'),

  // Binary elementwise, with broadcasting: an input that was broadcast gets G summed back to its shape.
  add: binary('∂(a + b)/∂a = 1', '∂(a + b)/∂b = 1', 'd/dx (x + c) = 1'),
  sub: binary('∂(a − b)/∂a = 1', '∂(a − b)/∂b = −1', 'd/dx (x − c) = 1'),
  mul: binary('∂(a·b)/∂a = b', '∂(a·b)/∂b = a', 'd/dx (x·c) = c'),
  div: binary('∂(a/b)/∂a = 1/b', '∂(a/b)/∂b = −a/b²', 'd/dx (x/c) = 1/c'),
  pow: binary('∂(aᵇ)/∂a = b·aᵇ⁻¹', '∂(aᵇ)/∂b = aᵇ·log(a)', 'd/dx xᶜ = c·xᶜ⁻¹'),
  maximum: binary(
    '∂max(a, b)/∂a = 1 where a > b, ½ on ties, else 0',
    '∂max(a, b)/∂b = 1 where b > a, ½ on ties, else 0',
    'd/dx max(x, c) = 1 where x > c, ½ if x = c, else 0',
  ),
  minimum: binary(
    '∂min(a, b)/∂a = 1 where a < b, ½ on ties, else 0',
    '∂min(a, b)/∂b = 1 where b < a, ½ on ties, else 0',
    'd/dx min(x, c) = 1 where x < c, ½ if x = c, else 0',
  ),
  remainder: binary('∂(a mod b)/∂a = 1', '∂(a mod b)/∂b = −⌊a/b⌋', 'd/dx (x mod c) = 1'),
  atan2: binary(
    '∂atan2(a, b)/∂a = b/(a² + b²)',
    '∂atan2(a, b)/∂b = −a/(a² + b²)',
    'd/dx atan2(x, c) = c/(x² + c²)',
  ),
  hypot: binary(
    '∂hypot(a, b)/∂a = a/hypot(a, b)',
    '∂hypot(a, b)/∂b = b/hypot(a, b)',
    'd/dx hypot(x, c) = x/hypot(x, c)',
  ),
  where: binary(
    '∂where(cond, a, b)/∂a = 1 where cond, else 0',
    '∂where(cond, a, b)/∂b = 0 where cond, else 1',
  ),

  // Products and reductions.
  matmul: other('∂(A·B)/∂A = B, so dL/dA = G·Bᵀ', '∂(A·B)/∂B = A, so dL/dB = Aᵀ·G'),
  addmm: other(
    '∂(bias + A·B)/∂bias = 1, so dL/dbias = G summed over rows',
    '∂(bias + A·B)/∂A = B, so dL/dA = G·Bᵀ',
    '∂(bias + A·B)/∂B = A, so dL/dB = Aᵀ·G',
  ),
  softmax: other('∂yᵢ/∂xⱼ = yᵢ·(δᵢⱼ − yⱼ) along the last dim, so dL/dx = y·(G − Σ G·y)'),
  logSoftmax: other('∂yᵢ/∂xⱼ = δᵢⱼ − e^yⱼ along the last dim, so dL/dx = G − e^y·Σ G'),
  // One line for x and the optional weight and bias.
  layerNorm: other(
    'with x̂ = (x − μ)/√(σ² + ε) and Ĝ = G·weight: dL/dx = (Ĝ − mean(Ĝ) − x̂·mean(Ĝ·x̂))/√(σ² + ε); ' +
      'dL/dweight = Σ G·x̂ and dL/dbias = Σ G over the other dims',
  ),
  lstmCell: other(
    'with gates i, f, g, o and t = tanh(c′): dc′ = G_c + G_h·o·(1 − t²); dL/dgates = (dc′·g·i(1 − i), dc′·c·f(1 − f), dc′·i·(1 − g²), G_h·t·o(1 − o)) for both gate inputs',
    'dL/dgates again (the two gate inputs are summed)',
    '∂c′/∂c = f, so dL/dc = dc′·f',
  ),
  sum: other('∂(Σ x)/∂xᵢ = 1: G is copied to every element summed'),
  prod: other('∂(Π x)/∂xᵢ = Π of the other elements'),
  max: other('∂max(x)/∂xᵢ = 1 at the largest element (shared evenly among ties), else 0'),
  min: other('∂min(x)/∂xᵢ = 1 at the smallest element (shared evenly among ties), else 0'),
  norm: other('∂‖x‖ₚ/∂x = sign(x)·|x|ᵖ⁻¹ / ‖x‖ₚᵖ⁻¹ (x/‖x‖ for p = 2)'),
  cumsum: other('∂(cumsum x)ⱼ/∂xᵢ = 1 for i ≤ j: dL/dx is the reversed cumsum of G'),
  cumprod: other('∂(cumprod x)ⱼ/∂xᵢ = (cumprod x)ⱼ / xᵢ for i ≤ j'),
  logcumsumexp: other('∂(logcumsumexp x)ⱼ/∂xᵢ = e^(xᵢ − yⱼ) for i ≤ j'),

  // Views and moves: every element of the output is one element of the input, so G goes back
  // to where that element came from.
  reshape: reshaped,
  view: reshaped,
  permute: other('a view: G is permuted back to the order of the dims of x'),
  expand: other('a view: G is summed over the expanded dims'),
  narrow: sliced('slice'),
  select: sliced('index'),
  slice: sliced('strided slice'),
  diagonal: sliced('diagonal'),
  unfold: other('a view: G is summed back into every window position it was read from'),
  cat: other('each input gets its own slice of G'),
  gather: other('G is added back at the positions gathered from, 0 elsewhere'),
  scatterAdd: other('∂/∂base = 1', '∂/∂src = 1 at each index: dL/dsrc = G gathered at the index'),
  sort: other('G is sent back to the position each value came from'),
  im2col: other('each window tap is one input element: G is summed back into the image (col2im)'),
  col2im: other('each output element sums window taps: G is read out per tap (im2col)'),
};

/**
 * Ops that record a node but have no line of their own above: `explain()` shows the generic
 * text for them. `joinGradients` is bookkeeping: it hands each tensor the gradient its
 * callback chose, which no formula describes.
 */
export const withoutLocalDerivative: ReadonlySet<string> = new Set(['joinGradients']);

/**
 * The line describing input `i` of a node named `op` (`scalar`: it was `tensor op number`).
 * An op with one line and several inputs (`cat`) says the same of each.
 */
export function describeLocalDerivative(op: string, i: number, scalar: boolean): string {
  const d = localDerivatives[op];
  let line: string | undefined;
  if (d !== undefined) line = scalar ? d.scalar : d.inputs.length === 1 ? d.inputs[0] : d.inputs[i];
  return line ?? `the backward rule of '${op}' for input ${i + 1}`;
}
