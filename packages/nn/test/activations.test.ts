/**
 * The activation modules and functions with PyTorch's names: each module's forward equals its
 * functional form, the functional forms match their definitions, and defaults are PyTorch's.
 */
import { type Tensor, tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import * as F from '../src/functional.js';
import {
  Hardsigmoid,
  Hardswish,
  Hardtanh,
  LogSigmoid,
  Mish,
  ReLU6,
  SELU,
  Softsign,
} from '../src/layers/activations.js';
import type { Module } from '../src/module.js';

const xs = [-7, -3, -2.5, -1, -0.25, 0, 0.25, 1, 2.5, 3, 6, 7];
const x = () => tensor(xs, { dtype: 'float64' });
const softplus = (v: number) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);
const ALPHA = 1.6732632423543772; // PyTorch: 1.6732632423543772848170429916717
const SCALE = 1.0507009873554805; // PyTorch: 1.0507009873554804934193349852946

const cases: [string, Module, (t: Tensor) => Tensor, (v: number) => number][] = [
  ['LogSigmoid', new LogSigmoid(), F.logSigmoid, (v) => -softplus(-v)],
  ['SELU', new SELU(), F.selu, (v) => SCALE * (v > 0 ? v : ALPHA * Math.expm1(v))],
  ['ReLU6', new ReLU6(), F.relu6, (v) => Math.min(Math.max(v, 0), 6)],
  ['Hardtanh', new Hardtanh(), (t) => F.hardtanh(t), (v) => Math.min(Math.max(v, -1), 1)],
  ['Hardswish', new Hardswish(), F.hardswish, (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6],
  ['Hardsigmoid', new Hardsigmoid(), F.hardsigmoid, (v) => Math.min(Math.max(v + 3, 0), 6) / 6],
  ['Mish', new Mish(), F.mish, (v) => v * Math.tanh(softplus(v))],
  ['Softsign', new Softsign(), F.softsign, (v) => v / (1 + Math.abs(v))],
];

describe('activation modules and functions', () => {
  it.each(cases)('%s matches its definition, as a module and as a function', (name, m, f, ref) => {
    const want = xs.map(ref);
    for (const got of [m.forward(x()).dataSync(), f(x()).dataSync()]) {
      want.forEach((w, i) => {
        expect(Math.abs(got[i]! - w), `${name}(${xs[i]})`).toBeLessThanOrEqual(
          1e-15 * Math.max(1, Math.abs(w)),
        );
      });
    }
    expect(m.toString()).toMatch(new RegExp(`^${name}\\(`));
  });

  it('Hardtanh takes its limits, and names them in its repr', () => {
    const m = new Hardtanh(-2, 0.5);
    expect(Array.from(m.forward(tensor([-3, 0, 1])).dataSync())).toEqual([-2, 0, 0.5]);
    expect(m.toString()).toBe('Hardtanh(minVal=-2, maxVal=0.5)');
    expect(() => F.hardtanh(tensor([0]), 1, -1)).toThrow(
      /hardtanh: minVal \(1\) must not exceed maxVal \(-1\)/,
    );
  });

  it('logSigmoid stays finite and exact far from 0', () => {
    const got = F.logSigmoid(tensor([-800, 800, 40], { dtype: 'float64' })).dataSync();
    expect(got[0]).toBe(-800);
    expect(got[1]).toBe(-0);
    expect(got[2]).toBeCloseTo(-Math.exp(-40), 30);
  });

  it('F.relu, F.sigmoid and F.tanh are the Tensor methods as functions', () => {
    const t = tensor([-1, 0, 2]);
    expect(Array.from(F.relu(t).dataSync())).toEqual([0, 0, 2]);
    expect(Array.from(F.sigmoid(t).dataSync())).toEqual(Array.from(t.sigmoid().dataSync()));
    expect(Array.from(F.tanh(t).dataSync())).toEqual(Array.from(t.tanh().dataSync()));
    expect(Array.from(F.softmax(tensor([0, 0]), 0).dataSync())).toEqual([0.5, 0.5]);
  });
});
