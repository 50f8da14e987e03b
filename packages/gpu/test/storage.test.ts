import { DeviceError, DTypeError, ShapeError } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import type { GpuStorage } from '../src/storage.js';
import { available, contiguous, gpu, readAll } from './helpers.js';

describe.skipIf(!available)('webgpu storage, pool and batching', () => {
  it('round-trips every dtype through fromArray and read', async () => {
    const f = new Float32Array([1.5, -2, Number.NaN, Number.POSITIVE_INFINITY, 3e-40]);
    expect(Array.from(await gpu.read(gpu.fromArray(f, 'float32'), 'float32', 5))).toEqual(Array.from(f));
    const i = new Int32Array([0, -1, 2147483647, -2147483648]);
    const got = await gpu.read(gpu.fromArray(i, 'int32'), 'int32', 4);
    expect(got).toBeInstanceOf(Int32Array);
    expect(Array.from(got)).toEqual(Array.from(i));
    const b = await gpu.read(gpu.fromArray(new Uint8Array([1, 0, 0, 1, 1]), 'bool'), 'bool', 5);
    expect(b).toBeInstanceOf(Uint8Array);
    expect(Array.from(b)).toEqual([1, 0, 0, 1, 1]);
    // A prefix, and nothing.
    expect(Array.from(await gpu.read(gpu.fromArray(f, 'float32'), 'float32', 2))).toEqual([1.5, -2]);
    expect((await gpu.read(gpu.fromArray(new Float32Array(0), 'float32'), 'float32', 0)).length).toBe(0);
  });

  it('fills with zeros, floats, ints and bools', async () => {
    expect(await readAll(gpu.fill(5, 0, 'float32'), 'float32', 5)).toEqual([0, 0, 0, 0, 0]);
    expect(await readAll(gpu.fill(3, -2.5, 'float32'), 'float32', 3)).toEqual([-2.5, -2.5, -2.5]);
    expect(await readAll(gpu.fill(3, 7.9, 'int32'), 'int32', 3)).toEqual([7, 7, 7]);
    expect(await readAll(gpu.fill(3, 1, 'bool'), 'bool', 3)).toEqual([1, 1, 1]);
    expect(await readAll(gpu.fill(300, Number.NEGATIVE_INFINITY, 'float32'), 'float32', 300)).toEqual(
      new Array(300).fill(Number.NEGATIVE_INFINITY),
    );
    expect(await readAll(gpu.fill(0, 1, 'float32'), 'float32', 0)).toEqual([]);
  });

  it('counts live buffers and bytes, and frees each storage once', () => {
    const before = gpu.memory.usage();
    const a = gpu.fill(10, 1, 'float32');
    const b = gpu.fromArray(new Int32Array(3), 'int32');
    expect(gpu.memory.usage()).toEqual({ buffers: before.buffers + 2, bytes: before.bytes + 52 });
    expect(gpu.memory.byteSize(10, 'bool')).toBe(40);
    gpu.free(a);
    gpu.free(a);
    gpu.free(b);
    expect(gpu.memory.usage()).toEqual(before);
    expect(() =>
      gpu.unary('neg', { storage: a, dtype: 'float32', layout: contiguous([10]) }, 'float32'),
    ).toThrow(DeviceError);
  });

  it('reuses freed buffers instead of creating new ones', () => {
    const x = gpu.fill(1000, 1, 'float32');
    gpu.free(gpu.unary('exp', { storage: x, dtype: 'float32', layout: contiguous([1000]) }, 'float32'));
    const allocated = gpu.stats().allocatedBytes;
    for (let i = 0; i < 50; i++) {
      const y = gpu.unary('exp', { storage: x, dtype: 'float32', layout: contiguous([1000]) }, 'float32');
      const z = gpu.fill(999, 2, 'float32'); // same size class
      gpu.free(y);
      gpu.free(z);
    }
    expect(gpu.stats().allocatedBytes).toBeLessThanOrEqual(allocated + 4096);
    gpu.free(x);
  });

  it('does not overwrite a freed buffer that a recorded command still reads', async () => {
    const x = gpu.fromArray(new Float32Array([1, 2, 3, 4]), 'float32');
    const y = gpu.unary('neg', { storage: x, dtype: 'float32', layout: contiguous([4]) }, 'float32');
    gpu.free(x);
    // Same size class: the pool hands x's buffer back, and new data goes into it.
    const z = gpu.fromArray(new Float32Array([10, 20, 30, 40]), 'float32');
    expect((z as GpuStorage).buffer).toBe((x as GpuStorage).buffer);
    expect(await readAll(y, 'float32', 4)).toEqual([-1, -2, -3, -4]);
    expect(await readAll(z, 'float32', 4)).toEqual([10, 20, 30, 40]);
  });

  it('records many dispatches per submit and submits when data is read', async () => {
    const chain = () => {
      let x = gpu.fill(64, 1, 'float32');
      for (let i = 0; i < 100; i++) {
        const y = gpu.binary(
          'add',
          { storage: x, dtype: 'float32', layout: contiguous([64]) },
          { storage: x, dtype: 'float32', layout: contiguous([64]) },
          'float32',
        );
        gpu.free(x);
        x = y;
      }
      return x;
    };
    // The first run creates programs, buffers and bind groups; an op that creates one is
    // submitted on its own (see recorder.ts). The second run finds them all cached.
    const first = chain();
    await gpu.read(first, 'float32', 64);
    gpu.free(first);
    const s0 = gpu.stats();
    const x = chain();
    const s1 = gpu.stats();
    expect(s1.dispatches - s0.dispatches).toBe(101);
    expect(s1.submits).toBe(s0.submits);
    const got = await gpu.read(x, 'float32', 64);
    expect(got[0]).toBe(2 ** 100);
    expect(gpu.stats().submits).toBe(s0.submits + 1);
    // A long queue is submitted in batches without waiting for a read.
    const v = { storage: x, dtype: 'float32' as const, layout: contiguous([64]) };
    const outs = Array.from({ length: 1000 }, () => gpu.unary('neg', v, 'float32'));
    expect(gpu.stats().submits).toBeGreaterThanOrEqual(s0.submits + 1 + 3);
    expect((await gpu.read(outs[999], 'float32', 1))[0]).toBe(-(2 ** 100));
    for (const o of outs) gpu.free(o);
  });

  it('says what is wrong: float64, oversize buffers, over-long reads', async () => {
    expect(() => gpu.fromArray(new Float64Array([1]), 'float64')).toThrow(DTypeError);
    expect(() => gpu.fill(1, 0, 'float64')).toThrow(/WebGPU has no float64; use float32/);
    const x = gpu.fill(2, 0, 'float32');
    expect(() => gpu.cast({ storage: x, dtype: 'float32', layout: contiguous([2]) }, 'float64')).toThrow(
      DTypeError,
    );
    expect(() => gpu.random('uniform', 2, 'float64', 0, 0)).toThrow(DTypeError);
    expect(() => gpu.fill(2 ** 31, 0, 'float32')).toThrow(/maxStorageBufferBindingSize/);
    await expect(gpu.read(x, 'float32', 3)).rejects.toThrow(ShapeError);
    await expect(gpu.read({}, 'float32', 1)).rejects.toThrow(DeviceError);
  });

  it('empties its cache on request', () => {
    gpu.free(gpu.fill(12345, 1, 'float32'));
    expect(gpu.stats().pooledBytes).toBeGreaterThan(0);
    gpu.emptyCache();
    expect(gpu.stats().pooledBytes).toBe(0);
    expect(gpu.stats().pooledBuffers).toBe(0);
  });
});
