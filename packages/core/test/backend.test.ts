/**
 * The seam is open: a backend registered under a name core has never heard of runs tensors,
 * ops, backward passes and device moves, and core reaches its optional parts (fused kernels,
 * memory policy) only through the seam.
 */
import {
  type AdamStepOptions,
  adamStep_,
  addmm,
  type Backend,
  DeviceError,
  getBackend,
  hasBackend,
  logSoftmax,
  matmul,
  memory,
  ones,
  randn,
  registerBackend,
  registeredDevices,
  type Tensor,
  tensor,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

const cpu = getBackend('cpu');
const calls = { addmm: 0, adamStep: 0, matmulNested: 0, free: 0 };

/** The CPU kernels under another name, counting what core asks of the optional parts. */
const mock: Backend = {
  ...cpu,
  dtypes: ['float32', 'int32', 'bool'],
  free(s) {
    calls.free++;
    cpu.free(s);
  },
  memory: { untrackedBelow: 0, byteSize: (size) => size * 8 },
  fused: {
    addmm(bias, a, b) {
      calls.addmm++;
      return cpu.fused!.addmm!(bias, a, b);
    },
    adamStep(...args) {
      calls.adamStep++;
      cpu.fused!.adamStep!(...args);
    },
    matmulNested(a, b) {
      calls.matmulNested++;
      return cpu.fused!.matmulNested!(a, b);
    },
  },
};
registerBackend('mock', mock);

/** The CPU kernels under a third name, with neither fused kernels nor a memory policy. */
const plain: Backend = { ...cpu, memory: undefined, fused: undefined };
registerBackend('plain', plain);

const close = (a: Tensor, b: Tensor) =>
  expect(Array.from(a.to('cpu').dataSync())).toEqual(
    Array.from(b.to('cpu').dataSync()).map((v) => expect.closeTo(v, 5)),
  );

describe('registering a backend', () => {
  it('lists registered devices and finds them by name', () => {
    expect(registeredDevices()).toEqual(expect.arrayContaining(['cpu', 'mock', 'plain']));
    expect(hasBackend('mock')).toBe(true);
    expect(getBackend('mock')).toBe(mock);
  });

  it('runs ops and backward on the new device, matching the CPU', () => {
    const x = randn([4, 3]);
    const w = randn([3, 5]);
    const loss = (xs: Tensor, ws: Tensor) => logSoftmax(matmul(xs, ws).tanh(), 1).mul(-1).mean();
    const xm = x.to('mock');
    const wm = w.to('mock').detach();
    wm.requiresGrad = true;
    const wc = w.clone().detach();
    wc.requiresGrad = true;
    const lm = loss(xm, wm);
    const lc = loss(x, wc);
    expect(lm.device).toBe('mock');
    lm.backward();
    lc.backward();
    expect(wm.grad!.device).toBe('mock');
    close(lm, lc);
    close(wm.grad!, wc.grad!);
  });

  it('moves tensors in and out, and gradients flow back through the move', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.to('mock');
    expect(y.device).toBe('mock');
    expect(y.to('mock')).toBe(y);
    expect(tensor([1], { device: 'mock' }).device).toBe('mock');
    y.mul(y).sum().backward();
    expect(x.grad!.device).toBe('cpu');
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6]);
    expect(() => y.add(x)).toThrow(/add: expected all tensors on the same device, got mock and cpu/);
  });

  it('uses the fused kernels of the group when present and the composites when not', () => {
    const bias = tensor([1, -1]);
    const a = randn([3, 4]);
    const b = randn([4, 2]);
    const before = calls.addmm;
    const product = a.to('mock').matmul(b.to('mock')); // no bias: the plain matmul
    expect(calls.addmm).toBe(before);
    const composite = product.add(bias.to('mock'));
    const viaKernel = addmmOn('mock', bias, a, b);
    expect(calls.addmm).toBe(before + 1);
    close(viaKernel, composite);
    close(addmmOn('plain', bias, a, b), composite);

    const step = (device: string) => {
      const p = tensor([1, 2, 3], { device });
      const g = tensor([0.5, -1, 2], { device });
      adamStep_(p, g, zeros([3], { device }), zeros([3], { device }), null, ADAM);
      return p;
    };
    const n = calls.adamStep;
    const withKernel = step('mock');
    expect(calls.adamStep).toBe(n + 1);
    close(withKernel, step('plain'));
  });

  it('multiplies batches with two-level strides through matmulNested, as the composite does', () => {
    // Heads of [B, T, H, D]: q·kᵀ and w·v read [B, H] batches whose dims do not merge.
    const [B, T, H, D] = [2, 5, 3, 4];
    const x = randn([B, T, 3, H, D]);
    const w = randn([B, H, T, T]);
    const run = (device: string) => {
      const xs = x.to(device).detach();
      xs.requiresGrad = true;
      const ws = w.to(device).detach();
      ws.requiresGrad = true;
      const [q, k, v] = [0, 1, 2].map((i) => xs.select(2, i).transpose(1, 2));
      const scores = q!.matmul(k!.transpose(-2, -1));
      const out = ws.matmul(v!);
      scores.mul(out.sum(-1, true)).sum().backward();
      return [scores, out, xs.grad!, ws.grad!].map((t) => Array.from(t.to('cpu').dataSync()));
    };
    const before = calls.matmulNested;
    const nested = run('mock');
    // q·kᵀ and w·v, and the gradients of q, k and w; v's, wᵀ·g, has one-level batches.
    expect(calls.matmulNested - before).toBe(5);
    // The same products from contiguous copies, bit for bit.
    expect(nested).toEqual(run('plain'));
    expect(nested).toEqual(run('cpu'));
    // Three levels do not fit: that operand is copied, and the product is a plain one.
    const three = randn([2, 3, 4, 5, 6]).permute([1, 0, 3, 2, 4]).narrow(2, 0, 4);
    const n = calls.matmulNested;
    const y = three.to('mock').matmul(ones([6, 2], { device: 'mock' }));
    expect(calls.matmulNested).toBe(n);
    close(y, three.matmul(ones([6, 2])));
  });

  it('follows the memory policy: tracked at its byte size, freed through the backend', () => {
    const before = memory().mock!;
    const x = ones([10], { device: 'mock' });
    expect(memory().mock).toEqual({
      tensors: before.tensors + 1,
      buffers: before.buffers + 1,
      bytes: before.bytes + 80,
    });
    const freed = calls.free;
    x.dispose();
    expect(calls.free).toBe(freed + 1);
    expect(memory().mock).toEqual(before);
    // Without a policy every storage is tracked at its dtype's size.
    const p = memory().plain!;
    const y = ones([3], { device: 'plain', dtype: 'float64' });
    expect(memory().plain!.bytes).toBe(p.bytes + 24);
    y.dispose();
  });
});

describe('unknown devices and bad names', () => {
  it('moving to an unknown device names the registered ones', () => {
    expect(() => ones([2]).to('nope')).toThrow(DeviceError);
    expect(() => ones([2]).to('nope')).toThrow(
      /to: unknown device 'nope' \(registered: 'cpu', 'mock', 'plain'/,
    );
    expect(() => zeros([2], { device: 'nope' })).toThrow(/zeros: unknown device 'nope'/);
  });

  it('a dtype name is a dtype, never a device', () => {
    expect(ones([2]).to('int32').dtype).toBe('int32');
    expect(() => registerBackend('float32', { ...cpu })).toThrow(/'float32' is a dtype/);
    expect(() => registerBackend('', { ...cpu })).toThrow(DeviceError);
  });

  it('one backend object has one name', () => {
    expect(() => registerBackend('mock2', mock)).toThrow(
      /registered as 'mock'; register a copy of it under 'mock2'/,
    );
    registerBackend('mock', mock); // the same name again is harmless
    expect(getBackend('mock')).toBe(mock);
  });
});

function addmmOn(device: string, bias: Tensor, a: Tensor, b: Tensor): Tensor {
  return addmm(bias.to(device), a.to(device), b.to(device));
}

const ADAM: AdamStepOptions = {
  lr: 0.1,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
  step: 1,
};
