/**
 * Core tensors on the 'webgpu' device: creation, moves, errors, and a property test that
 * random ops agree with the CPU.
 */
import { DeviceError, DTypeError, moveToAsync, type Tensor, tensor } from '@tsgrad/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { available, expectClose } from './helpers.js';

describe.skipIf(!available)('core tensors on webgpu', () => {
  it('creates, computes and reads tensors on the GPU', async () => {
    const x = tensor([[1, 2, 3]], { device: 'webgpu' });
    expect(x.device).toBe('webgpu');
    expect(Array.from(await x.mul(2).add(1).data())).toEqual([3, 5, 7]);
    expect(await x.sum().item()).toBe(6);
    expect(await x.transpose(0, 1).matmul(x).toArray()).toEqual([
      [1, 2, 3],
      [2, 4, 6],
      [3, 6, 9],
    ]);
    expect(() => x.dataSync()).toThrow(/use await t.data\(\)/);
  });

  it('moves tensors between devices and refuses to mix them', async () => {
    const c = tensor([1, 2, 3]);
    const g = c.to('webgpu');
    expect(g.device).toBe('webgpu');
    const back = await moveToAsync(g.mul(3), 'cpu');
    expect(back.device).toBe('cpu');
    expect(Array.from(back.dataSync())).toEqual([3, 6, 9]);
    expect(() => c.add(g)).toThrow(DeviceError);
    expect(() => g.to('cpu')).toThrow(/use await moveToAsync\(t, 'cpu'\)/);
    expect(() => tensor([1], { dtype: 'float64' }).to('webgpu')).toThrow(DTypeError);
  });

  it('agrees with the CPU on random shapes and values (property test)', async () => {
    const shape = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 });
    const unaryOps = [
      'exp',
      'tanh',
      'sigmoid',
      'relu',
      'abs',
      'neg',
      'sin',
      'erf',
      'softmax',
      'sum',
      'max',
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        shape,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(...unaryOps),
        fc.constantFrom('add', 'mul', 'sub', 'maximum', 'div'),
        async (s, seed, u, b) => {
          const n = s.reduce((p, q) => p * q, 1);
          let state = seed;
          const next = () => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            return (state / 2 ** 32) * 4 - 2;
          };
          const a = tensor(Array.from({ length: n }, next)).reshape(s);
          const c = tensor(Array.from({ length: s[s.length - 1]! }, () => next() + 3)); // broadcast, nonzero
          const run = (t: Tensor, d: Tensor): Tensor => {
            const last = t.shape.length - 1;
            const v =
              u === 'softmax' ? t.softmax(last) : u === 'sum' || u === 'max' ? t[u](last, true) : t[u]();
            return v[b](d).transpose(0, last).contiguous();
          };
          const cpu = run(a, c);
          const gpu = run(a.to('webgpu'), c.to('webgpu'));
          expectClose(Array.from(await gpu.data()), Array.from(cpu.dataSync()), 1e-5, 1e-5);
        },
      ),
      { numRuns: 60 },
    );
  });
});
