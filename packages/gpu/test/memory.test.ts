/**
 * A training loop on the GPU frees everything each step makes: after 1000 steps the live
 * buffers and bytes are what they were after the first few. (In a file of its own, so that no
 * garbage of other tests is collected, and freed, while it counts.)
 */
import { memory, noGrad, randn, type Tensor, tensor, tidy } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { available } from './helpers.js';

describe.skipIf(!available)('webgpu memory over a training loop', () => {
  it('trains a small network, and its memory stays flat over 1000 steps', async () => {
    // XOR with a 2-8-1 tanh network, plain gradient descent, on the GPU.
    const x = tensor(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      { device: 'webgpu' },
    );
    const y = tensor([[0], [1], [1], [0]], { device: 'webgpu' });
    const w1 = randn([2, 8]).mul(0.8).to('webgpu').detach().requiresGrad_();
    const b1 = tensor(new Array(8).fill(0), { device: 'webgpu' }).requiresGrad_();
    const w2 = randn([8, 1]).mul(0.8).to('webgpu').detach().requiresGrad_();
    const b2 = tensor([0], { device: 'webgpu' }).requiresGrad_();
    const params = [w1, b1, w2, b2];
    const step = (): Tensor =>
      tidy(() => {
        const h = x.matmul(w1).add(b1).tanh();
        const p = h.matmul(w2).add(b2).sigmoid();
        const loss = p.sub(y).square().mean();
        loss.backward();
        noGrad(() => {
          for (const q of params) {
            q.sub_(q.grad!.mul(0.5));
            q.grad!.dispose();
            q.grad = null;
          }
        });
        return loss;
      });
    const first = step();
    const firstLoss = await first.item();
    first.dispose();
    for (let i = 0; i < 5; i++) step().dispose();
    const after = memory().webgpu!;
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const loss = step();
      if (i % 250 === 249) last = await loss.item();
      loss.dispose();
    }
    const end = memory().webgpu!;
    expect(end.buffers).toBe(after.buffers);
    expect(end.bytes).toBe(after.bytes);
    // Fewer is fine: the detached intermediates of the set-up (`.to('webgpu')` before
    // `.detach()`) stop counting whenever the garbage collector takes them.
    expect(end.tensors).toBeLessThanOrEqual(after.tensors);
    expect(last).toBeLessThan(firstLoss / 5);
  });
});
