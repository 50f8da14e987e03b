/**
 * Elementwise primitives — forward through the backend, backward rule beside it.
 *
 * | op | d/dx |
 * |---|---|
 * | neg | −g |
 * | exp | g·y |
 * | log | g / x |
 * | sqrt | g / (2y) |
 * | abs | g·sign(x) |
 * | sin / cos | g·cos(x) / −g·sin(x) |
 * | tanh | g·(1 − y²) |
 * | erf | g·2/√π·e^(−x²) |
 * | sigmoid | g·y·(1 − y) |
 * | relu | g where y > 0 |
 * | reciprocal | −g·y² |
 * | log1p / expm1 | g / (1 + x), g·(y + 1) |
 * | tan | g·(1 + y²) |
 * | atan / asin / acos | g / (1 + x²), ±g / √(1 − x²) |
 * | sinh / cosh | g·cosh(x), g·sinh(x) |
 * | sign / floor / ceil / trunc / round | 0 (piecewise constant) |
 * | add / sub | g, ±g |
 * | mul | g·b, g·a |
 * | div | g / b, −g·y / b |
 * | pow | g·b·a^(b−1) (0 where b = 0), g·y·log(a) (0 where a = 0 and b ≥ 0) |
 * | maximum / minimum | g to the winner, split evenly on ties |
 * | remainder | g, −g·⌊a/b⌋ |
 * | atan2 | g·b / (a² + b²), −g·a / (a² + b²) |
 * | hypot | g·a / y, g·b / y |
 * | where | g where cond, g where not cond |
 */
import { isGradEnabled, isTracing } from '../autograd/grad-mode.js';
import { record, recordTraceOnly } from '../autograd/node.js';
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import type { DType } from '../dtype.js';
import { isFloating, promoteTypes, promoteWithScalar } from '../dtype.js';
import { DTypeError, ValueError } from '../errors.js';
import { broadcastShapes, expandLayout, sameShape } from '../layout.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { castTo } from './convert.js';
import { backendOf, checkTensor, filled, fromStorage, sameDevice, scalarLike } from './make.js';
import { sumTo } from './reduce.js';

type UnaryRule = (g: Tensor, x: Tensor, y: Tensor) => Tensor | null;

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The rule of a piecewise-constant op (sign, floor, and any rounding op): its gradient is
 * zero wherever it is defined, as PyTorch defines it, so an input used only through it gets
 * zeros rather than no gradient at all. Such an op saves nothing.
 */
const zeroGrad: UnaryRule = (g) => filled(g.device, g.shape, 0, g.dtype);

/**
 * g where y > 0, else 0: in one pass where the backend has the fused kernel and the gradient
 * itself needs no graph (not differentiated again, not traced); else the composite.
 */
function reluRule(g: Tensor, _x: Tensor, y: Tensor): Tensor {
  const b = backendOf(y);
  const fused = b.fused;
  if (
    fused?.reluBackward === undefined ||
    isGradEnabled() ||
    isTracing() ||
    g.dtype !== y.dtype ||
    !sameShape(g.shape, y.shape)
  )
    return where(y.gt(0), g, 0);
  return fromStorage(b, fused.reluBackward(y._view('relu'), g._view('relu')), y.shape, y.dtype);
}

/** Gradient rules of the unary primitives: g is the output's gradient, x the input, y the output. */
const unaryRules: Record<UnaryOp, UnaryRule> = {
  neg: (g) => g.neg(),
  exp: (g, _x, y) => g.mul(y),
  log: (g, x) => g.div(x),
  sqrt: (g, _x, y) => g.div(y.mul(2)),
  abs: (g, x) => g.mul(x.sign()),
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin()).neg(),
  tanh: (g, _x, y) => g.mul(y.mul(y).neg().add(1)),
  erf: (g, x) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)),
  sigmoid: (g, _x, y) => g.mul(y.mul(y.neg().add(1))),
  relu: reluRule,
  sign: zeroGrad,
  floor: zeroGrad,
  reciprocal: (g, _x, y) => g.mul(y.mul(y)).neg(),
  ceil: zeroGrad,
  trunc: zeroGrad,
  round: zeroGrad,
  log1p: (g, x) => g.div(x.add(1)),
  expm1: (g, _x, y) => g.mul(y.add(1)),
  tan: (g, _x, y) => g.mul(y.mul(y).add(1)),
  atan: (g, x) => g.div(x.mul(x).add(1)),
  asin: (g, x) => g.div(x.mul(x).neg().add(1).sqrt()),
  acos: (g, x) => g.div(x.mul(x).neg().add(1).sqrt()).neg(),
  sinh: (g, x) => g.mul(x.cosh()),
  cosh: (g, x) => g.mul(x.sinh()),
  not: () => null,
};

/** Ops whose result is float even for integer input (PyTorch promotes ints to float32). */
const floatOnly = new Set<UnaryOp>([
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

/**
 * Applies a unary primitive.
 *
 * @example
 * ```ts
 * unaryOp('exp', tensor([0, 1])); // [1, 2.7183]
 * ```
 */
export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  if (floatOnly.has(op) && !isFloating(x.dtype)) x = castTo(x, 'float32');
  if (x.dtype === 'bool' && op !== 'not') x = castTo(x, 'int32');
  const b = backendOf(x);
  const y = fromStorage(b, b.unary(op, x._view(op), x.dtype), x.shape, x.dtype);
  const rule = unaryRules[op];
  const saved = op === 'neg' || rule === zeroGrad ? [] : [x, y];
  return record(y, op, [x], saved, (g) => [rule(g, x, y)]);
}

/** Logical not of a tensor (bool result). */
export function logicalNot(x: Tensor): Tensor {
  const b = backendOf(x);
  return recordTraceOnly(
    fromStorage(b, b.unary('not', x._view('logicalNot'), 'bool'), x.shape, 'bool'),
    'not',
    [x],
  );
}

/** Logical and (`'and'`) or or of two tensors, nonzero meaning true. */
export function logical(op: 'and' | 'or', a: Tensor, other: Tensor): Tensor {
  const name = op === 'and' ? 'logicalAnd' : 'logicalOr';
  checkTensor(other, name, 'the other operand');
  broadcastShapes(a.shape, other.shape, name);
  return binaryOp(op === 'and' ? 'minimum' : 'maximum', a.ne(0), other.ne(0));
}

type BinaryRule = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

function halfOnTies(g: Tensor, win: Tensor, tie: Tensor): Tensor {
  return where(win, g, where(tie, g.mul(0.5), 0));
}

/** Only inputs that require grad get one; the others get null. */
const needs = (t: Tensor, f: () => Tensor): Tensor | null => (t.requiresGrad ? f() : null);

/** Gradient rules of the binary primitives (before summing back over broadcast dims). */
const binaryRules: Partial<Record<BinaryOp, BinaryRule>> = {
  add: (g, a, b) => [needs(a, () => g), needs(b, () => g)],
  sub: (g, a, b) => [needs(a, () => g), needs(b, () => g.neg())],
  mul: (g, a, b) => [needs(a, () => g.mul(b)), needs(b, () => g.mul(a))],
  div: (g, a, b, y) => [needs(a, () => g.div(b)), needs(b, () => g.mul(y).div(b).neg())],
  pow: (g, a, b, y) => [
    // b·a^(b−1) is 0·0⁻¹ = NaN at 0⁰; the limit along b = 0 is 0, which PyTorch takes.
    needs(a, () => where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1))))),
    needs(b, () => where(a.eq(0).logicalAnd(b.ge(0)), 0, g.mul(y).mul(a.log()))),
  ],
  maximum: (g, a, b) => [
    needs(a, () => halfOnTies(g, a.gt(b), a.eq(b))),
    needs(b, () => halfOnTies(g, b.gt(a), a.eq(b))),
  ],
  minimum: (g, a, b) => [
    needs(a, () => halfOnTies(g, a.lt(b), a.eq(b))),
    needs(b, () => halfOnTies(g, b.lt(a), a.eq(b))),
  ],
  remainder: (g, a, b) => [needs(a, () => g), needs(b, () => g.mul(a.div(b).floor()).neg())],
  atan2: (g, a, b) => {
    const r2 = a.mul(a).add(b.mul(b));
    return [needs(a, () => g.mul(b).div(r2)), needs(b, () => g.mul(a).div(r2).neg())];
  },
  hypot: (g, a, b, y) => [needs(a, () => g.mul(a).div(y)), needs(b, () => g.mul(b).div(y))],
};

const comparisons = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

const category: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * The result dtype of two tensor operands, as PyTorch's `result_type`: a zero-dim tensor
 * beside a dimensioned one is like a scalar — it does not widen the other's dtype within the
 * same category (float32 tensor + float64 0-dim → float32), only lifts its category.
 */
export function promoteOperands(a: Tensor, b: Tensor): DType {
  if (a.dtype === b.dtype) return a.dtype;
  const za = a.ndim === 0;
  const zb = b.ndim === 0;
  if (za !== zb) {
    const dim = za ? b.dtype : a.dtype;
    const zero = za ? a.dtype : b.dtype;
    if (category[zero] <= category[dim]) return dim;
  }
  return promoteTypes(a.dtype, b.dtype);
}

function resultDType(op: BinaryOp, a: Tensor, other: TensorLike): DType {
  const t = typeof other === 'number' ? promoteWithScalar(a.dtype, other) : promoteOperands(a, other);
  if ((op === 'div' || op === 'atan2' || op === 'hypot') && !isFloating(t)) return 'float32';
  if (op === 'pow' && t !== 'bool' && !isFloating(t) && typeof other === 'number' && other < 0)
    return 'float32';
  return t;
}

/**
 * Applies a binary primitive with broadcasting and type promotion. A number operand becomes
 * a scalar of the promoted dtype.
 *
 * @example
 * ```ts
 * binaryOp('add', tensor([[1], [2]]), tensor([10, 20])); // [[11, 21], [12, 22]]
 * ```
 */
export function binaryOp(op: BinaryOp, a: Tensor, other: TensorLike): Tensor {
  if (typeof other !== 'number') checkTensor(other, op, 'the other operand (or a number)');
  const dtype = resultDType(op, a, other);
  if (dtype === 'int32' && typeof other === 'number' && (other > INT32_MAX || other < INT32_MIN)) {
    if (!comparisons.has(op)) {
      throw new ValueError(
        `${op}: ${other} does not fit the int32 result of a ${a.dtype} tensor and an integer; ` +
          "convert the tensor first, e.g. t.to('float64')",
      );
    }
    [op, other] = beyondInt32(op, other);
  }
  if (dtype === 'bool' && (op === 'add' || op === 'mul' || op === 'sub')) {
    // Bools hold 0/1: + is or, · is and (as in PyTorch); − has no meaning.
    if (op === 'sub') {
      throw new DTypeError(
        'sub: subtracting bool tensors is not supported; use a.ne(b) (exclusive or) or cast to int32',
      );
    }
    op = op === 'add' ? 'maximum' : 'minimum';
  }
  if (typeof other === 'number') return scalarOp(op, a.dtype === dtype ? a : castTo(a, dtype), other);
  let b = other;
  const backend = sameDevice(op, a, b);
  if (a.dtype !== dtype) a = castTo(a, dtype);
  if (b.dtype !== dtype) b = castTo(b, dtype);
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op);
  const va = a._view(op);
  const vb = b._view(op);
  const outDtype: DType = comparisons.has(op) ? 'bool' : dtype;
  const storage = backend.binary(
    op,
    shape === a.shape ? va : { ...va, layout: expandLayout(va.layout, shape, op) },
    sameShape(shape, b.shape) ? vb : { ...vb, layout: expandLayout(vb.layout, shape, op) },
    outDtype,
  );
  const y = fromStorage(backend, storage, shape, outDtype);
  const rule = binaryRules[op];
  if (rule === undefined) return recordTraceOnly(y, op, [a, b]);
  const saved = op === 'add' || op === 'sub' ? [] : [a, b, y];
  const A = a;
  const B = b;
  return record(y, op, [A, B], saved, (g) => {
    const [ga, gb] = rule(g, A, B, y);
    return [ga && sumTo(ga, A.shape), gb && sumTo(gb, B.shape)];
  });
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/**
 * An int32 tensor compared with an integer beyond int32 gives the same answer everywhere:
 * the comparison with the nearest int32 bound that gives it (every x has x ≤ MAX and x ≥ MIN,
 * none has x > MAX or x < MIN).
 */
function beyondInt32(op: BinaryOp, n: number): [BinaryOp, number] {
  if (n > INT32_MAX) return [op === 'lt' || op === 'le' || op === 'ne' ? 'le' : 'gt', INT32_MAX];
  return [op === 'gt' || op === 'ge' || op === 'ne' ? 'ge' : 'lt', INT32_MIN];
}

type ScalarRule = (g: Tensor, a: Tensor, n: number, y: Tensor) => Tensor;

/** Gradient rules for `tensor op number`: the number is a constant, so only `a` gets one. */
const scalarRules: Partial<Record<BinaryOp, ScalarRule>> = {
  add: (g) => g,
  sub: (g) => g,
  mul: (g, _a, n) => g.mul(n),
  div: (g, _a, n) => g.div(n),
  pow: (g, a, n) => (n === 0 ? g.mul(0) : n === 2 ? g.mul(a.mul(2)) : g.mul(a.pow(n - 1).mul(n))),
  maximum: (g, a, n) => halfOnTies(g, a.gt(n), a.eq(n)),
  minimum: (g, a, n) => halfOnTies(g, a.lt(n), a.eq(n)),
  remainder: (g) => g,
  atan2: (g, a, n) => g.mul(n).div(a.mul(a).add(n * n)),
  hypot: (g, a, _n, y) => g.mul(a).div(y),
};

/** `a op n` for a plain number: the number reaches the kernel as a broadcast one-element view. */
function scalarOp(op: BinaryOp, a: Tensor, n: number): Tensor {
  const backend = backendOf(a);
  const one = backend.fill(1, n, a.dtype);
  const outDtype: DType = comparisons.has(op) ? 'bool' : a.dtype;
  const scalar = {
    storage: one,
    dtype: a.dtype,
    layout: { shape: a.shape, strides: zeroStrides(a.ndim), offset: 0 },
  };
  // x² is x·x, bit for bit (the product of two floats is exact in float64), in one fast pass.
  const square = op === 'pow' && n === 2 && isFloating(a.dtype);
  const storage = square
    ? backend.binary('mul', a._view(op), a._view(op), outDtype)
    : backend.binary(op, a._view(op), scalar, outDtype);
  backend.free(one);
  const y = fromStorage(backend, storage, a.shape, outDtype);
  const rule = scalarRules[op];
  if (rule === undefined) return recordTraceOnly(y, op, [a], { scalar: n });
  const saved = op === 'add' || op === 'sub' || op === 'mul' || op === 'div' ? [] : [a, y];
  return record(y, op, [a], saved, (g) => [rule(g, a, n, y)], { scalar: n });
}

const zeroStrideCache: number[][] = [];
function zeroStrides(n: number): number[] {
  let z = zeroStrideCache[n];
  if (z === undefined) {
    z = new Array<number>(n).fill(0);
    zeroStrideCache[n] = z;
  }
  return z;
}

/**
 * Elementwise choice: `a` where `cond` is true, else `b` (with broadcasting; numbers allowed).
 *
 * @example
 * ```ts
 * where(x.gt(0), x, 0); // relu
 * ```
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor(cond, 'where', 'the condition');
  if (typeof a !== 'number') checkTensor(a, 'where', 'the first choice (or a number)');
  if (typeof b !== 'number') checkTensor(b, 'where', 'the second choice (or a number)');
  const ref = typeof a === 'number' ? (typeof b === 'number' ? cond : b) : a;
  let dtype: DType;
  if (typeof a === 'number' && typeof b === 'number')
    dtype = Number.isInteger(a) && Number.isInteger(b) ? 'int32' : 'float32';
  else if (typeof a === 'number') dtype = promoteWithScalar((b as Tensor).dtype, a);
  else if (typeof b === 'number') dtype = promoteWithScalar(a.dtype, b);
  else dtype = promoteOperands(a, b);
  for (const v of [a, b]) {
    if (dtype === 'int32' && typeof v === 'number' && (v > INT32_MAX || v < INT32_MIN)) {
      throw new ValueError(`where: ${v} does not fit the int32 result; pass float tensors or numbers`);
    }
  }
  let ta = typeof a === 'number' ? scalarLike(ref, a, dtype) : a;
  let tb = typeof b === 'number' ? scalarLike(ref, b, dtype) : b;
  const backend = sameDevice('where', cond, ta, tb);
  if (cond.dtype !== 'bool') {
    throw new DTypeError(`where: condition must be bool, got ${cond.dtype}`);
  }
  if (ta.dtype !== dtype) ta = castTo(ta, dtype);
  if (tb.dtype !== dtype) tb = castTo(tb, dtype);
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, 'where'), tb.shape, 'where');
  const vc = cond._view('where');
  const va = ta._view('where');
  const vb = tb._view('where');
  const y = fromStorage(
    backend,
    backend.where(
      { ...vc, layout: expandLayout(vc.layout, shape) },
      { ...va, layout: expandLayout(va.layout, shape) },
      { ...vb, layout: expandLayout(vb.layout, shape) },
    ),
    shape,
    dtype,
  );
  const A = ta;
  const B = tb;
  return record(
    y,
    'where',
    [A, B],
    [cond],
    (g) => [
      A.requiresGrad ? sumTo(where(cond, g, 0), A.shape) : null,
      B.requiresGrad ? sumTo(where(cond, 0, g), B.shape) : null,
    ],
    { cond },
  );
}
