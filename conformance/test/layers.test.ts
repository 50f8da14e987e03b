/**
 * Every case of `parity-layers.json` whose module `@tsgrad/nn` exports: the module built from
 * the case's config, its parameters loaded by PyTorch's names, `forward(...args, ...extraArgs)`
 * compared with PyTorch's output, then `backward(gradOut)` compared with the gradient of the
 * first argument and of every parameter — in float64 (rel 1e-10) and float32 (rel 1e-4) on the
 * CPU and float32 on WebGPU. Cases whose class is missing are left to `parity.test.ts`'s report.
 */
import type { Device, DType, Tensor } from '@tsgrad/core';
import type { Module } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';
import { layerClass } from '../src/classes.js';
import { allDevices, deviceTitle, dtypesFor } from '../src/devices.js';
import { fromRef, type LayerCase, type RefTensor, readReference } from '../src/reference.js';

const cases = readReference<{ cases: LayerCase[] }>('parity-layers.json').cases;

/** The config keys each module takes positionally, in PyTorch's order; the rest go in an options object. */
const positional: Record<string, readonly string[]> = {
  Conv1d: ['inChannels', 'outChannels', 'kernelSize'],
  Conv2d: ['inChannels', 'outChannels', 'kernelSize'],
  ConvTranspose2d: ['inChannels', 'outChannels', 'kernelSize'],
  BatchNorm2d: ['numFeatures'],
  GroupNorm: ['numGroups', 'numChannels'],
  MultiheadAttention: ['embedDim', 'numHeads'],
};

function build(c: LayerCase): Module {
  const Cls = layerClass(c.module)! as unknown as new (...args: unknown[]) => Module;
  const names = positional[c.module] ?? [];
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.config)) if (!names.includes(k)) opts[k] = v;
  return new Cls(...names.map((n) => c.config[n]), opts);
}

const tolerance: Record<'float32' | 'float64', number> = { float64: 1e-10, float32: 1e-4 };

/** Elementwise |actual − expected| ≤ rtol·max(|expected|, 1). */
async function expectClose(actual: Tensor, expected: RefTensor, rtol: number, what: string): Promise<void> {
  expect([...actual.shape], `${what}: shape`).toEqual(expected.shape);
  const got = await actual.data();
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const want = Number(expected.data[i]);
    const err = Math.abs(got[i]! - want) / Math.max(Math.abs(want), 1);
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: element ${at} is ${got[at]}, expected ${expected.data[at]} (relative error ${worst} > ${rtol})`,
  ).toBeLessThanOrEqual(rtol);
}

async function runCase(c: LayerCase, device: Device, dtype: DType & ('float32' | 'float64')): Promise<void> {
  const rtol = tolerance[dtype];
  const m = build(c).to(dtype).to(device);
  const state: Record<string, Tensor> = {};
  for (const [n, p] of Object.entries(c.params)) state[n] = fromRef(p, dtype, device);
  m.loadStateDict(state, { strict: false });
  const params = new Map(m.namedParameters());
  const [first, ...rest] = c.args.map((a, i) => fromRef(a, dtype, device, i === 0));
  const extra = (c.extraArgs ?? []).map((a) => fromRef(a, dtype, device));
  const result = m.forward(first!, ...rest, ...extra) as Tensor | Tensor[];
  const out = Array.isArray(result) ? result[0]! : result;
  await expectClose(out, c.out, rtol, `${c.name} forward`);
  expect(out.dtype).toBe(dtype);
  out.backward(fromRef(c.gradOut, dtype, device));
  expect(first!.grad, `${c.name}: no gradient reached the input`).not.toBeNull();
  await expectClose(first!.grad!, c.gradInput, rtol, `${c.name} input gradient`);
  for (const [n, g] of Object.entries(c.paramGrads)) {
    const p = params.get(n);
    expect(p?.grad, `${c.name}: no gradient reached parameter ${n}`).toBeTruthy();
    await expectClose(p!.grad!, g, rtol, `${c.name} gradient of ${n}`);
  }
}

describe('parity-layers.json', () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: the module exists and has every parameter by its PyTorch name',
    (_name, c) => {
      expect(layerClass(c.module), `@tsgrad/nn exports ${c.module}`).toBeDefined();
      const have = new Set([...build(c).namedParameters()].map(([n]) => n));
      for (const n of Object.keys(c.params)) expect(have.has(n), `${c.module} has parameter ${n}`).toBe(true);
    },
  );
});

for (const { device, available } of allDevices) {
  describe.skipIf(!available)(deviceTitle('parity-layers.json', device, available), () => {
    for (const dtype of dtypesFor(device)) {
      describe(dtype, () => {
        it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
          await runCase(c, device, dtype as 'float32' | 'float64');
        });
      });
    }
  });
}
