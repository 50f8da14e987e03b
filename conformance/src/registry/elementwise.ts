/**
 * Elementwise ops: unary, binary with broadcasting, with a scalar, clamp and where.
 */
import type { Tensor } from '@tsgrad/core';
import { where } from '@tsgrad/core';
import { arbBroadcastableShapes } from '@tsgrad/core/testing';
import fc from 'fast-check';
import type { OpInfo } from './op-info.js';
import { arbFloat, arbValues, binarySample, num, t, unarySample, type ValueOptions } from './samples.js';

function unary(name: string, f: (x: Tensor) => Tensor, o: ValueOptions & { domain?: string } = {}): OpInfo {
  return { name, call: (a) => f(t(a[0])), domain: o.domain, sample: unarySample(o) };
}

function binary(
  name: string,
  f: (a: Tensor, b: Tensor) => Tensor,
  a: ValueOptions = {},
  b: ValueOptions = a,
): OpInfo {
  return { name, call: (args) => f(t(args[0]), t(args[1])), sample: binarySample(a, b) };
}

const INTEGERS = [-3, -2, -1, 0, 1, 2, 3];
const HALVES = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5];

/** Elementwise ops of `@tsgrad/core`. */
export const elementwiseOps: OpInfo[] = [
  // Unary.
  unary('neg', (x) => x.neg()),
  unary('exp', (x) => x.exp()),
  unary('abs', (x) => x.abs(), { avoid: [0], domain: 'kink at 0' }),
  unary('sin', (x) => x.sin()),
  unary('cos', (x) => x.cos()),
  unary('tanh', (x) => x.tanh()),
  unary('sigmoid', (x) => x.sigmoid()),
  unary('relu', (x) => x.relu(), { avoid: [0], domain: 'kink at 0' }),
  unary('erf', (x) => x.erf()),
  unary('gelu', (x) => x.gelu()),
  unary('geluTanh', (x) => x.gelu('tanh')),
  unary('leakyRelu', (x) => x.leakyRelu(), { avoid: [0], domain: 'kink at 0' }),
  unary('elu', (x) => x.elu(), { avoid: [0], domain: 'second derivative jumps at 0' }),
  unary('silu', (x) => x.silu()),
  unary('softplus', (x) => x.softplus(), { min: -6, max: 6 }),
  unary('square', (x) => x.square()),
  unary('log', (x) => x.log(), { min: 0.1, max: 5, domain: 'x > 0' }),
  unary('sqrt', (x) => x.sqrt(), { min: 0.1, max: 5, domain: 'x > 0' }),
  unary('reciprocal', (x) => x.reciprocal(), { avoid: [0], margin: 0.2, domain: 'x ≠ 0' }),
  unary('rsqrt', (x) => x.rsqrt(), { min: 0.1, max: 5, domain: 'x > 0' }),
  unary('log1p', (x) => x.log1p(), { min: -0.9, max: 5, domain: 'x > -1' }),
  unary('expm1', (x) => x.expm1()),
  unary('tan', (x) => x.tan(), { min: -1.3, max: 1.3, domain: '|x| < π/2' }),
  unary('atan', (x) => x.atan()),
  unary('asin', (x) => x.asin(), { min: -0.95, max: 0.95, domain: '|x| < 1' }),
  unary('acos', (x) => x.acos(), { min: -0.95, max: 0.95, domain: '|x| < 1' }),
  unary('sinh', (x) => x.sinh()),
  unary('cosh', (x) => x.cosh()),
  // Rounding ops: a zero gradient, checked away from the jumps.
  unary('round', (x) => x.round(), { avoid: HALVES, margin: 0.05, domain: 'away from the jumps at n + ½' }),
  unary('ceil', (x) => x.ceil(), {
    avoid: INTEGERS,
    margin: 0.05,
    domain: 'away from the jumps at integers',
  }),
  unary('trunc', (x) => x.trunc(), {
    avoid: INTEGERS,
    margin: 0.05,
    domain: 'away from the jumps at integers',
  }),
  unary('floor', (x) => x.floor(), {
    avoid: INTEGERS,
    margin: 0.05,
    domain: 'away from the jumps at integers',
  }),
  unary('sign', (x) => x.sign(), { avoid: [0], margin: 0.05, domain: 'away from the jump at 0' }),
  unary('frac', (x) => x.frac(), {
    avoid: INTEGERS,
    margin: 0.05,
    domain: 'away from the jumps at integers',
  }),

  // Binary elementwise with broadcasting.
  binary('add', (a, b) => a.add(b)),
  binary('sub', (a, b) => a.sub(b)),
  binary('mul', (a, b) => a.mul(b)),
  binary('div', (a, b) => a.div(b), {}, { avoid: [0], margin: 0.2 }),
  binary('maximum', (a, b) => a.maximum(b), { distinct: true }),
  binary('minimum', (a, b) => a.minimum(b), { distinct: true }),
  {
    name: 'remainder',
    call: (a) => t(a[0]).remainder(t(a[1])),
    domain: 'b ≠ 0, a/b away from the integers where the result jumps',
    // a = q·b with q away from the integers, so a/b stays away from the jumps.
    sample: arbBroadcastableShapes({ maxRank: 3, maxDim: 4 }).chain(([sq, sb]) =>
      fc
        .tuple(arbValues(sq!, { avoid: INTEGERS, margin: 0.1 }), arbValues(sb!, { avoid: [0], margin: 0.3 }))
        .map(([q, b]) => ({ args: [q.mul(b), b], kwargs: {} })),
    ),
  },
  {
    ...binary('atan2', (a, b) => a.atan2(b), { avoid: [0], margin: 0.2 }),
    domain: 'away from the origin and the branch cut (a = 0, b < 0)',
  },
  { ...binary('hypot', (a, b) => a.hypot(b), { avoid: [0], margin: 0.1 }, {}), domain: 'away from (0, 0)' },
  {
    ...binary('xlogy', (a, b) => a.xlogy(b), { avoid: [0], margin: 0.05 }, { min: 0.1, max: 5 }),
    domain: 'y > 0, x ≠ 0 (the gradient is defined as 0 at x = 0)',
  },
  {
    name: 'lerp',
    call: (a) => t(a[0]).lerp(t(a[1]), a[2] as Tensor | number),
    sample: fc.oneof(
      arbBroadcastableShapes({ count: 3, maxRank: 3, maxDim: 4 }).chain(([sa, sb, sw]) =>
        fc
          .tuple(arbValues(sa!), arbValues(sb!), arbValues(sw!, { min: -1, max: 2 }))
          .map(([a, b, w]) => ({ args: [a, b, w], kwargs: {} })),
      ),
      arbBroadcastableShapes({ maxRank: 3, maxDim: 4 }).chain(([sa, sb]) =>
        fc
          .tuple(arbValues(sa!), arbValues(sb!), fc.constantFrom(0.3, 0.7, -0.5, 1, 1.5))
          .map(([a, b, w]) => ({ args: [a, b, w], kwargs: {} })),
      ),
    ),
  },
  {
    ...binary('pow', (a, b) => a.pow(b), { min: 0.2, max: 3 }, { min: -2, max: 2, avoid: [0] }),
    // At a zero exponent the base's gradient is 0 by PyTorch's convention, so its derivative in
    // the exponent jumps there.
    domain: 'base > 0, exponent ≠ 0',
  },
  {
    name: 'powScalar',
    call: (a) => t(a[0]).pow(num(a[1])),
    domain: 'base > 0',
    sample: fc
      .tuple(arbFloat({ min: 0.2, max: 3 }), fc.constantFrom(2, 3, 2.5, 0.5, -1.5, 0))
      .map(([x, p]) => ({ args: [x, p], kwargs: {} })),
  },
  {
    name: 'mulScalar',
    call: (a) => t(a[0]).mul(num(a[1])),
    sample: fc
      .tuple(arbFloat(), fc.double({ min: -3, max: 3, noNaN: true }))
      .map(([x, s]) => ({ args: [x, s], kwargs: {} })),
  },
  {
    name: 'addScalar',
    call: (a) => t(a[0]).add(num(a[1])),
    sample: fc
      .tuple(arbFloat(), fc.double({ min: -3, max: 3, noNaN: true }))
      .map(([x, s]) => ({ args: [x, s], kwargs: {} })),
  },
  {
    name: 'clamp',
    call: (a) => t(a[0]).clamp(a[1] as number | undefined, a[2] as number | undefined),
    domain: 'kinks at min and max',
    sample: arbFloat({ avoid: [-0.5, 0.7] }).map((x) => ({ args: [x, -0.5, 0.7], kwargs: {} })),
  },
  {
    name: 'where',
    call: (a) => where(t(a[0]), t(a[1]), t(a[2])),
    sample: arbBroadcastableShapes({ count: 3, maxRank: 3, maxDim: 4 }).chain(([sc, sa, sb]) =>
      fc
        .tuple(arbValues(sc!), arbValues(sa!), arbValues(sb!))
        .map(([c, a, b]) => ({ args: [c.gt(0), a, b], kwargs: {} })),
    ),
  },
];
