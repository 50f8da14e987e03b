/**
 * Activations of `@tsgrad/nn`'s functional API beyond the core unary ops (which the
 * elementwise family covers), called as `F.<name>(x)`.
 */
import { functional as F } from '@tsgrad/nn';
import type { OpInfo } from './op-info.js';
import { t, unarySample, type ValueOptions } from './samples.js';

function activation(
  name: string,
  f: (x: ReturnType<typeof t>) => ReturnType<typeof t>,
  o: ValueOptions & { domain?: string } = {},
): OpInfo {
  return { name, call: (a) => f(t(a[0])), domain: o.domain, sample: unarySample(o) };
}

/** Activations called through `functional`. */
export const activationOps: OpInfo[] = [
  activation('logSigmoid', (x) => F.logSigmoid(x), { min: -8, max: 8 }),
  activation('selu', (x) => F.selu(x), { avoid: [0], domain: 'kink at 0' }),
  activation('relu6', (x) => F.relu6(x), { min: -2, max: 8, avoid: [0, 6], domain: 'kinks at 0 and 6' }),
  activation('hardtanh', (x) => F.hardtanh(x), { avoid: [-1, 1], domain: 'kinks at −1 and 1' }),
  activation('hardswish', (x) => F.hardswish(x), { min: -5, max: 5, avoid: [-3, 3], domain: 'kinks at ±3' }),
  activation('hardsigmoid', (x) => F.hardsigmoid(x), {
    min: -5,
    max: 5,
    avoid: [-3, 3],
    domain: 'kinks at ±3',
  }),
  activation('mish', (x) => F.mish(x)),
  activation('softsign', (x) => F.softsign(x), { avoid: [0], domain: 'second derivative jumps at 0' }),
];
