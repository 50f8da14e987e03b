/**
 * The optimizers on the WebGPU backend: the same updates, written with tensor ops, run on the
 * GPU unchanged, against PyTorch's trajectories in optim.json and parity-optim.json. Skipped where no adapter exists (TSGRAD_REQUIRE_WEBGPU=1 makes that a failure).
 */
import { memory, Tensor, tensor, tidy } from '@tsgrad/core';
import { Adam } from '@tsgrad/optim';
import { describe, expect, test } from 'vitest';
// optim's own reference helpers: the cases of optim.json and parity-optim.json, each optimizer's
// constructor, and the trajectory each case is expected to follow.
import { expectedParams, makers, type RefTensor, refs } from '../../packages/optim/test/reference.js';
import { allDevices, deviceTitle } from '../src/devices.js';

const available = allDevices.find((d) => d.device === 'webgpu')!.available;

const gpu = (t: RefTensor) => tensor(t.data, { dtype: 'float32', device: 'webgpu' }).reshape(t.shape);

describe.skipIf(!available)(deviceTitle('optimizers', 'webgpu', available), () => {
  const cases = Object.entries(refs).flatMap(([file, r]) =>
    r.cases.map((c) => [`${file} ${c.name}`, c, r.meta.generator] as const),
  );
  test.each(cases)('%s (float32, rel 1e-4)', async (_n, c, generator) => {
    const expectedAll = expectedParams(generator, c);
    const p = gpu(c.param0).requiresGrad_();
    const opt = makers[c.optimizer]!([p], c.options);
    for (const [step, g] of c.grads.entries()) {
      p.grad = gpu(g);
      opt.step();
      const actual = await p.data();
      const expected = expectedAll[step]!;
      expected.forEach((e, i) => {
        expect(Math.abs(actual[i]! - e), `step ${step + 1}, element ${i}`).toBeLessThan(
          1e-4 * Math.abs(e) + 1e-7,
        );
      });
    }
    expect(p.device).toBe('webgpu');
    for (const s of opt.state.values()) {
      for (const v of Object.values(s)) if (v instanceof Tensor) expect(v.device).toBe('webgpu');
    }
  });

  test('state dict round trip and a loop that does not grow GPU memory', async () => {
    const p = tensor([0.5, -1, 2], { device: 'webgpu', requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1, amsgrad: true });
    const loop = () => {
      const g = tidy(() => p.detach().mul(2).sub(1));
      p.grad = g;
      opt.step();
      opt.zeroGrad();
      g.dispose(); // a gradient the caller assigned stays the caller's to free
    };
    loop();
    const saved = opt.stateDict();
    const q = tensor(Array.from(await p.data()), { device: 'webgpu', requiresGrad: true });
    const opt2 = new Adam([q], { lr: 0.1, amsgrad: true });
    opt2.loadStateDict(saved);
    const live = memory().webgpu!.tensors;
    for (let i = 0; i < 3; i++) loop();
    expect(memory().webgpu!.tensors).toBe(live);
    for (let i = 0; i < 3; i++) {
      q.grad = q.detach().mul(2).sub(1);
      opt2.step();
      opt2.zeroGrad();
    }
    expect(Array.from(await q.data())).toEqual(Array.from(await p.data()));
  });
});
