/**
 * A failure on the GPU spoils the results it touches and nothing else: reading a failed op's
 * result, or anything computed from it, throws a DeviceError naming the op, never returns
 * zeros; results computed before and after read fine. Failures are injected by wrapping the
 * device a second backend runs on: one program made not to compile, limits that let a buffer
 * larger than the device allows through, a command whose recording throws, and a dispatch
 * that fails validation at submit.
 */
import { DeviceError, registerBackend, tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { WebGPUBackend, type WebGPUBackendOptions } from '../src/index.js';
import { available, contiguous, gpu, readAll, required } from './helpers.js';

const run = available || required;

/** `target` with some members replaced; everything else is the real object's, bound to it. */
function wrap<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(t, p) {
      if (typeof p === 'string' && p in overrides) return overrides[p];
      const v = Reflect.get(t, p, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

interface Faults {
  /** Programs whose label matches are compiled from source that does not compile. */
  brokenProgram?: RegExp;
  /** Reports this as maxBufferSize and maxStorageBufferBindingSize, above what the device has. */
  claimedMaxBytes?: number;
  /** setPipeline throws for programs whose label matches. */
  throwingProgram?: RegExp;
  /** Dispatches of programs whose label matches ask for more workgroups than allowed. */
  oversizedDispatch?: RegExp;
}

/** A second backend on the shared device, with the failures `faults` names (read at each call). */
function faultyBackend(faults: Faults, options: WebGPUBackendOptions = {}): WebGPUBackend {
  const device = gpu.gpu;
  const limits =
    faults.claimedMaxBytes === undefined
      ? device.limits
      : wrap(device.limits, {
          maxBufferSize: faults.claimedMaxBytes,
          maxStorageBufferBindingSize: faults.claimedMaxBytes,
        });
  const pass = (real: GPUComputePassEncoder) => {
    let label = '';
    return wrap(real, {
      setPipeline(p: GPUComputePipeline) {
        label = p.label;
        if (faults.throwingProgram?.test(label)) throw new TypeError(`injected failure in ${label}`);
        real.setPipeline(p);
      },
      dispatchWorkgroups(x: number, y?: number, z?: number) {
        const tooMany = device.limits.maxComputeWorkgroupsPerDimension + 1;
        real.dispatchWorkgroups(faults.oversizedDispatch?.test(label) ? tooMany : x, y, z);
      },
    });
  };
  const wrapped = wrap(device, {
    limits,
    createShaderModule(d: GPUShaderModuleDescriptor) {
      const broken = faults.brokenProgram?.test(d.label ?? '') === true;
      return device.createShaderModule(broken ? { ...d, code: 'this is not WGSL' } : d);
    },
    createCommandEncoder(d?: GPUCommandEncoderDescriptor) {
      const enc = device.createCommandEncoder(d);
      return wrap(enc, {
        beginComputePass: (pd?: GPUComputePassDescriptor) => pass(enc.beginComputePass(pd)),
      });
    },
  });
  return new WebGPUBackend(wrapped, options);
}

const v = (storage: unknown, shape: number[]) => ({
  storage,
  dtype: 'float32' as const,
  layout: contiguous(shape),
});

describe.runIf(run)('webgpu failures spoil only the results they touch', () => {
  it('a program that does not compile: its result and what is computed from it throw', async () => {
    const bad = faultyBackend({ brokenProgram: /exp\(/ });
    const x = v(bad.fromArray(Float32Array.of(1, 2, 3, 4), 'float32'), [4]);
    const before = bad.binary('mul', x, x, 'float32');
    const failed = bad.unary('exp', x, 'float32');
    const derived = bad.binary('add', v(failed, [4]), x, 'float32');
    const total = bad.reduce('sum', v(derived, [4]), [0]);
    const after = bad.binary('add', x, x, 'float32');
    // Read in an order that puts unrelated reads between the failed ones.
    expect(await values(bad, before, 4)).toEqual([1, 4, 9, 16]);
    await expect(bad.read(derived, 'float32', 4)).rejects.toThrow(
      /^add of \[4\] and \[4\]: not computed: its inputs come from exp of \[4\], which failed on the GPU \(/,
    );
    await expect(bad.read(failed, 'float32', 4)).rejects.toThrow(DeviceError);
    await expect(bad.read(failed, 'float32', 4)).rejects.toThrow(/^exp of \[4\]: failed on the GPU \(.*\S/);
    await expect(bad.read(total, 'float32', 1)).rejects.toThrow(
      /^sum of \[4\]: not computed: .* exp of \[4\]/,
    );
    expect(await values(bad, after, 4)).toEqual([2, 4, 6, 8]);
    // The program stays broken; a later call fails on its own, the rest of the batch does not.
    const again = bad.unary('exp', x, 'float32');
    const beside = bad.binary('mul', x, x, 'float32');
    await expect(bad.read(again, 'float32', 4)).rejects.toThrow(/^exp of \[4\]: failed on the GPU/);
    expect(await values(bad, beside, 4)).toEqual([1, 4, 9, 16]);
    // The shared backend on the same device never hears of it.
    expect(await readAll(gpu.fromArray(Float32Array.of(5), 'float32'), 'float32', 1)).toEqual([5]);
  });

  it('as tensors: the op the user called is named, other tensors read fine', async () => {
    registerBackend('webgpu-faulty', faultyBackend({ brokenProgram: /exp\(/ }));
    const x = tensor([0, 1, 2], { device: 'webgpu-faulty' });
    const y = x.mul(2);
    const e = x.exp();
    const loss = e.add(1).sum();
    expect(Array.from(await y.data())).toEqual([0, 2, 4]);
    await expect(loss.item()).rejects.toThrow(/exp of \[3\], which failed on the GPU/);
    await expect(e.data()).rejects.toThrow(/^exp of \[3\]: failed on the GPU/);
    expect(Array.from(await x.add(y).data())).toEqual([0, 3, 6]);
  });

  it('a buffer larger than the device allows: the op that made it fails, the pool drops it', async () => {
    const device = gpu.gpu;
    // A pool large enough to keep the freed buffer (by default it would release it at once).
    const bad = faultyBackend(
      { claimedMaxBytes: 2 * device.limits.maxBufferSize },
      { maxPooledBytes: 2 ** 40 },
    );
    const n = Math.floor(device.limits.maxBufferSize / 4) + 1024;
    const x = v(bad.fromArray(Float32Array.of(1, 2), 'float32'), [2]);
    expect(await values(bad, bad.fill(2, 7, 'float32'), 2)).toEqual([7, 7]); // compiles fill
    const before = bad.binary('add', x, x, 'float32');
    const huge = bad.fill(n, 2, 'float32');
    const small = bad.reduce('max', v(huge, [n]), [0]);
    const after = bad.binary('mul', x, x, 'float32');
    await expect(bad.read(huge, 'float32', 1)).rejects.toThrow(
      new RegExp(`^fill of \\[${n}\\]: failed on the GPU`),
    );
    await expect(bad.read(small, 'float32', 1)).rejects.toThrow(/^max of \[\d+\]: not computed: .*fill of/);
    expect(await values(bad, before, 2)).toEqual([2, 4]);
    expect(await values(bad, after, 2)).toEqual([1, 4]);
    // Freed, the invalid buffer must not be handed out as a good one: an op given it would
    // share a batch with its neighbours and spoil them. (The neighbours reuse pooled buffers,
    // so nothing but that would split the batch.)
    bad.free(before);
    bad.free(after);
    bad.free(huge);
    const left = bad.binary('add', x, x, 'float32');
    const again = bad.fill(n, 3, 'float32');
    const right = bad.binary('mul', x, x, 'float32');
    expect(await values(bad, left, 2)).toEqual([2, 4]);
    expect(await values(bad, right, 2)).toEqual([1, 4]);
    await expect(bad.read(again, 'float32', 1)).rejects.toThrow(/^fill of/);
  });

  it('a command whose recording throws: only that op fails, its batch runs', async () => {
    const faults: Faults = {};
    const bad = faultyBackend(faults);
    const x = v(bad.fromArray(Float32Array.of(1, 4, 9), 'float32'), [3]);
    await warm(bad, x);
    faults.throwingProgram = /sqrt_f\(/;
    const submits = bad.stats().submits;
    const before = bad.binary('add', x, x, 'float32');
    const failed = bad.unary('sqrt', x, 'float32');
    const derived = bad.binary('mul', v(failed, [3]), x, 'float32');
    const after = bad.binary('mul', x, x, 'float32');
    expect(await values(bad, after, 3)).toEqual([1, 16, 81]);
    expect(bad.stats().submits).toBe(submits + 1);
    expect(await values(bad, before, 3)).toEqual([2, 8, 18]);
    await expect(bad.read(failed, 'float32', 3)).rejects.toThrow(
      /^sqrt of \[3\]: failed on the GPU \(recording its command threw: injected failure/,
    );
    await expect(bad.read(derived, 'float32', 3)).rejects.toThrow(
      /^mul of \[3\] and \[3\]: not computed: its inputs come from sqrt of \[3\]/,
    );
  });

  it('a dispatch that fails validation spoils its batch, and the error names the batch’s ops', async () => {
    const faults: Faults = {};
    const bad = faultyBackend(faults);
    const x = v(bad.fromArray(Float32Array.of(1, 4, 9), 'float32'), [3]);
    await warm(bad, x);
    faults.oversizedDispatch = /sqrt_f\(/;
    const earlier = bad.binary('mul', x, x, 'float32');
    bad.flush();
    const sum = bad.binary('add', x, x, 'float32');
    const failed = bad.unary('sqrt', x, 'float32');
    await expect(bad.read(failed, 'float32', 3)).rejects.toThrow(
      /^sqrt of \[3\]: not computed: the GPU rejected the batch of commands holding it and add of \[3\] and \[3\] \(/,
    );
    await expect(bad.read(sum, 'float32', 3)).rejects.toThrow(
      /^add of \[3\] and \[3\]: not computed: the GPU rejected the batch of commands holding it and sqrt of \[3\]/,
    );
    faults.oversizedDispatch = undefined;
    const later = bad.binary('add', x, x, 'float32');
    expect(await values(bad, earlier, 3)).toEqual([1, 16, 81]);
    expect(await values(bad, later, 3)).toEqual([2, 8, 18]);
  });
});

/** A float32 storage of `n` elements read back as numbers. */
async function values(b: WebGPUBackend, s: unknown, n: number): Promise<number[]> {
  return Array.from(await b.read(s, 'float32', n));
}

/** Runs the ops the tests use, so that their programs, buffers and read buffers are cached. */
async function warm(b: WebGPUBackend, x: ReturnType<typeof v>): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const outs = [
      b.binary('add', x, x, 'float32'),
      b.unary('sqrt', x, 'float32'),
      b.binary('mul', x, x, 'float32'),
      b.binary('mul', x, x, 'float32'),
    ];
    for (const s of outs) await b.read(s, 'float32', 3);
    for (const s of outs) b.free(s);
  }
}
