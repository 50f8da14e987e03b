/**
 * The BatchNorm2d, GroupNorm and MultiheadAttention (kdim/vdim) cases of
 * `parity-layers.json`: parameters loaded by PyTorch's names, forward, backward of
 * Σ(out · gradOut), then the output, the input's gradient and every parameter's gradient
 * against PyTorch's, in float64 and float32 on the CPU and float32 on WebGPU.
 */
import type { Device, DType, Tensor } from '@tsgrad/core';
import { BatchNorm2d, GroupNorm, type Module, MultiheadAttention } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';
import { allDevices, deviceTitle, dtypesFor } from '../src/devices.js';
import { fromRef, type RefTensor, readReference } from '../src/reference.js';

interface LayerCase {
  name: string;
  module: string;
  config: Record<string, number | boolean>;
  params: Record<string, RefTensor>;
  args: RefTensor[];
  extraArgs?: RefTensor[];
  out: RefTensor;
  gradOut: RefTensor;
  gradInput: RefTensor;
  paramGrads: Record<string, RefTensor>;
}

const mine = ['BatchNorm2d', 'GroupNorm', 'MultiheadAttention'];
const cases = readReference<{ cases: LayerCase[] }>('parity-layers.json').cases.filter((c) =>
  mine.includes(c.module),
);

function build(c: LayerCase): Module {
  const k = c.config as Record<string, number> & { batchFirst?: boolean };
  switch (c.module) {
    case 'BatchNorm2d':
      return new BatchNorm2d(k.numFeatures);
    case 'GroupNorm':
      return new GroupNorm(k.numGroups, k.numChannels);
    case 'MultiheadAttention':
      return new MultiheadAttention(k.embedDim, k.numHeads, k);
    default:
      throw new Error(`unknown module ${c.module}`);
  }
}

async function expectClose(actual: Tensor, expected: RefTensor, rtol: number, what: string): Promise<void> {
  expect([...actual.shape], `${what}: shape`).toEqual(expected.shape);
  const got = await actual.data();
  expected.data.forEach((w, i) => {
    const err = Math.abs(got[i]! - Number(w)) / Math.max(Math.abs(Number(w)), 1);
    expect(err, `${what}: element ${i} is ${got[i]}, expected ${w}`).toBeLessThanOrEqual(rtol);
  });
}

it('the three cases are in parity-layers.json', () => {
  expect(cases.map((c) => c.module).sort()).toEqual([...mine].sort());
});

for (const { device, available } of allDevices) {
  describe.skipIf(!available)(
    deviceTitle('parity-layers.json norms and attention', device, available),
    () => {
      for (const dtype of dtypesFor(device) as ('float32' | 'float64')[]) {
        it.each(cases.map((c) => [c.name, c] as const))(`%s (${dtype})`, async (_n, c) => {
          await runCase(c, device, dtype);
        });
      }
    },
  );
}

async function runCase(c: LayerCase, device: Device, dtype: DType & ('float32' | 'float64')): Promise<void> {
  const rtol = dtype === 'float64' ? 1e-10 : 1e-4;
  const m = build(c).to(dtype).to(device);
  const params: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.params)) params[k] = fromRef(v, dtype, device);
  // Buffers (running statistics) stay as initialised; only the parameters come from PyTorch.
  m.loadStateDict(params, { strict: false });
  const named = Object.fromEntries(m.namedParameters());
  expect(Object.keys(named).sort()).toEqual(Object.keys(c.params).sort());
  const x = fromRef(c.args[0]!, dtype, device, true);
  const extra = (c.extraArgs ?? []).map((a) => fromRef(a, dtype, device));
  const y = m.forward(x, ...extra);
  const out = (Array.isArray(y) ? y[0] : y) as Tensor;
  await expectClose(out, c.out, rtol, `${c.name} out`);
  out
    .mul(fromRef(c.gradOut, dtype, device))
    .sum()
    .backward();
  await expectClose(x.grad!, c.gradInput, rtol, `${c.name} gradInput`);
  for (const [k, g] of Object.entries(c.paramGrads)) {
    expect(named[k]?.grad, `${c.name}: no gradient for ${k}`).toBeTruthy();
    await expectClose(named[k]!.grad!, g, rtol, `${c.name} grad of ${k}`);
  }
}
