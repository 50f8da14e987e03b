/**
 * The WGSL expression of each unary and binary op, and the type each is computed in.
 *
 * An op runs in a "domain": f32 when an input or the result is float (or the op only makes
 * sense on reals, like exp), i32 otherwise (bools are widened to i32 first). Comparisons
 * produce bool. The result is then converted to the requested dtype. Edge cases follow the
 * CPU backend: relu(NaN) = 0, sign(NaN) = NaN, integer division truncates and x / 0 = 0 for
 * int32, maximum/minimum propagate NaN, remainder takes the divisor's sign (x % 0 = NaN for
 * floats, 0 for int32), round sends ties to even.
 */
import type { BinaryOp, DType, UnaryOp } from '@tsgrad/core';
import { convert, truthy } from './wgsl-types.js';

const FLOAT_ONLY = new Set<UnaryOp>([
  'exp',
  'log',
  'sqrt',
  'sin',
  'cos',
  'tanh',
  'erf',
  'sigmoid',
  'reciprocal',
  'log1p',
  'expm1',
  'tan',
  'atan',
  'asin',
  'acos',
  'sinh',
  'cosh',
]);

const unaryF32: Record<Exclude<UnaryOp, 'not'>, string> = {
  neg: '-x',
  exp: 'exp(x)',
  log: 'log_f(x)',
  sqrt: 'sqrt_f(x)',
  abs: 'abs(x)',
  sin: 'sin(x)',
  cos: 'cos(x)',
  tanh: 'tanh_f(x)',
  erf: 'erf_f(x)',
  sigmoid: 'sigmoid_f(x)',
  relu: 'select(0.0, x, x > 0.0)',
  sign: 'select(sign(x), x, isnan_f(x))',
  reciprocal: '1.0 / x',
  floor: 'floor(x)',
  ceil: 'ceil(x)',
  trunc: 'trunc(x)',
  round: 'round(x)',
  log1p: 'log1p_f(x)',
  expm1: 'expm1_f(x)',
  tan: 'tan(x)',
  atan: 'atan_f(x)',
  asin: 'asin_f(x)',
  acos: 'acos_f(x)',
  sinh: 'sinh_f(x)',
  cosh: 'cosh_f(x)',
};

const unaryI32: Partial<Record<UnaryOp, string>> = {
  neg: '-x',
  abs: 'abs(x)',
  sign: 'sign(x)',
  relu: 'max(x, 0i)',
  floor: 'x',
  ceil: 'x',
  trunc: 'x',
  round: 'x',
};

/** The expression of a unary op over `v0` of dtype `inDtype`, converted to `outDtype`. */
export const unaryExpr = memoized(buildUnary);

/** An expression builder that builds each (op, dtypes) once: ops are recorded many times a step. */
function memoized<Op extends string>(
  build: (op: Op, inDtype: DType, outDtype: DType) => string,
): (op: Op, inDtype: DType, outDtype: DType) => string {
  const cache = new Map<string, string>();
  return (op, inDtype, outDtype) => {
    const key = `${op}|${inDtype}|${outDtype}`;
    let e = cache.get(key);
    if (e === undefined) {
      e = build(op, inDtype, outDtype);
      cache.set(key, e);
    }
    return e;
  };
}

function buildUnary(op: UnaryOp, inDtype: DType, outDtype: DType): string {
  if (op === 'not') return convert(`select(1u, 0u, ${truthy('v0', inDtype)})`, 'bool', outDtype);
  const float = inDtype === 'float32' || outDtype === 'float32' || FLOAT_ONLY.has(op);
  const domain: DType = float ? 'float32' : 'int32';
  const x = `(${convert('v0', inDtype, domain)})`;
  const body = float ? unaryF32[op] : unaryI32[op]!;
  return convert(body.replace(/\bx\b/g, x), domain, outDtype);
}

const COMPARISON: Partial<Record<BinaryOp, string>> = {
  eq: '==',
  ne: '!=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};

/** Float comparisons with NaN spelled out (false, except `ne`), whatever the driver assumes. */
function floatComparison(op: BinaryOp, a: string, b: string): string {
  const nan = `isnan_f(${a}) || isnan_f(${b})`;
  if (op === 'ne') return `(${nan} || !(${a} == ${b}))`;
  return `(!(${nan}) && ${a} ${COMPARISON[op]} ${b})`;
}

const binaryF32: Partial<Record<BinaryOp, string>> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_f(a, b)',
  maximum: 'max_f(a, b)',
  minimum: 'min_f(a, b)',
  remainder: 'rem_f(a, b)',
  atan2: 'atan2_f(a, b)',
  hypot: 'hypot_f(a, b)',
};

const binaryI32: Partial<Record<BinaryOp, string>> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'div_i(a, b)',
  pow: 'pow_i(a, b)',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
  remainder: 'rem_i(a, b)',
};

/** The expression of a binary op over `v0`, `v1` of dtype `inDtype`, converted to `outDtype`. */
export const binaryExpr = memoized(buildBinary);

function buildBinary(op: BinaryOp, inDtype: DType, outDtype: DType): string {
  const cmp = COMPARISON[op];
  if (cmp !== undefined) {
    if (inDtype === 'float32')
      return convert(`select(0u, 1u, ${floatComparison(op, 'v0', 'v1')})`, 'bool', outDtype);
    const a = convert('v0', inDtype, 'int32');
    const b = convert('v1', inDtype, 'int32');
    return convert(`select(0u, 1u, (${a}) ${cmp} (${b}))`, 'bool', outDtype);
  }
  const float = inDtype === 'float32' || outDtype === 'float32' || op === 'atan2' || op === 'hypot';
  const domain: DType = float ? 'float32' : 'int32';
  const body = (float ? binaryF32 : binaryI32)[op]!;
  const a = `(${convert('v0', inDtype, domain)})`;
  const b = `(${convert('v1', inDtype, domain)})`;
  return convert(body.replace(/\ba\b/g, a).replace(/\bb\b/g, b), domain, outDtype);
}
