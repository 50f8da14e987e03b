/**
 * Every op of the registry on every device, in float32, against the float64 CPU result of the
 * same sample: forward values and the gradients of Σ(out · gradOut), with contiguous operands
 * and with strided views at an offset. The reference test covers the cases PyTorch computed;
 * this one covers every op, those without a reference case included.
 */
import { type Device, grad, type Tensor, tensor } from '@tsgrad/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allDevices, deviceTitle, webgpuRequired, webgpuUnavailableReason } from '../src/devices.js';
import { isFloatTensor } from '../src/reference.js';
import { type OpInfo, registry, type Sample } from '../src/registry/index.js';
import { isTensor, strided } from '../src/views.js';

/** What one run produced: the output's values and each floating argument's gradient. */
interface Result {
  values: number[];
  dtype: string;
  grads: (number[] | null)[];
}

async function run(
  op: OpInfo,
  s: Sample,
  device: Device,
  dtype: 'float32' | 'float64',
  layout: (x: Tensor) => Tensor,
): Promise<Result> {
  const args = s.args.map((a) => {
    if (!isTensor(a)) return a;
    const moved = (isFloatTensor(a) ? a.detach().to(dtype) : a).to(device);
    return layout(moved);
  });
  const leaves = args.filter(isFloatTensor).map((x) => x.requiresGrad_());
  const out = op.callAsync ? await op.callAsync(args, s.kwargs) : op.call(args, s.kwargs);
  const values = Array.from(await out.data(), Number);
  if (!out.requiresGrad) return { values, dtype: out.dtype, grads: [] };
  // A fixed, non-uniform weighting of the outputs, so that every output's gradient counts.
  const gradOut = tensor(
    Array.from({ length: values.length }, (_, i) => Math.sin(i + 1)),
    { shape: [...out.shape], dtype: out.dtype, device },
  );
  const gs = grad(out.mul(gradOut).sum(), leaves, { allowUnused: true });
  const grads: (number[] | null)[] = [];
  for (const g of gs) grads.push(g === null ? null : Array.from(await g.data()));
  return { values, dtype: out.dtype, grads };
}

/**
 * |actual − expected| ≤ 1e-4·(|expected| + max(the largest |expected|, 1)) element-wise:
 * float32 rounding of inputs of order one (subnormals flush to zero) and of sums over a few
 * dozen terms stays well inside it. Integer and bool results must match exactly.
 */
function expectClose(actual: number[], expected: number[], exact: boolean, what: string): void {
  expect(actual.length, `${what}: element count`).toBe(expected.length);
  if (exact) {
    expect(actual, what).toEqual(expected);
    return;
  }
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  expected.forEach((e, i) => {
    const err = Math.abs(actual[i]! - e);
    const bound = 1e-4 * (Math.abs(e) + scale);
    expect(
      err <= bound,
      `${what}: element ${i} is ${actual[i]}, expected ${e} (error ${err} > ${bound})`,
    ).toBe(true);
  });
}

it('a WebGPU adapter exists where one is required', () => {
  if (webgpuRequired) expect(webgpuUnavailableReason).toBeNull();
});

for (const { device, available } of allDevices) {
  describe.skipIf(!available)(deviceTitle('every op in float32', device, available), () => {
    it.each(registry.map((o) => [o.name, o] as const))('%s', async (_name, op) => {
      await fc.assert(
        fc.asyncProperty(op.sample, fc.boolean(), async (s, asView) => {
          const want = await run(op, s, 'cpu', 'float64', (x) => x);
          const got = await run(op, s, device, 'float32', asView ? strided : (x) => x);
          const exact = want.dtype === 'int32' || want.dtype === 'bool';
          expect(got.dtype).toBe(exact ? want.dtype : 'float32');
          expectClose(got.values, want.values, exact, 'forward');
          expect(got.grads.length, 'gradients').toBe(want.grads.length);
          got.grads.forEach((g, i) => {
            expect(g === null, `gradient ${i} reaches its argument`).toBe(want.grads[i] === null);
            if (g !== null) expectClose(g, want.grads[i]!, false, `gradient of float argument ${i}`);
          });
        }),
        { numRuns: 8 },
      );
    });
  });
}
