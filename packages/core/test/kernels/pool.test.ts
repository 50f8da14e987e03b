/**
 * The worker pool's calls jobs: every call runs once, whichever thread takes it, and a call that
 * traps ends the job with an error instead of leaving the caller waiting for the worker.
 */
import { initCpuKernels } from '@tsgrad/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arenaAlloc, scratch } from '../../src/backend/cpu/arena.js';
import { getSharedEngine } from '../../src/backend/cpu/kernels/wasm/engine.js';
import { canRunInParallel, runCalls } from '../../src/backend/cpu/kernels/wasm/pool.js';

describe('worker pool calls', () => {
  beforeAll(async () => {
    await initCpuKernels();
  });

  it('runs every call once, on whichever thread takes it', () => {
    const e = getSharedEngine();
    if (e === null || !canRunInParallel(e)) return expect(e === null || !e.shared).toBe(true);
    const out = arenaAlloc('float32', 64 * 16) as Float32Array;
    const calls = Array.from({ length: 64 }, (_, i) => [out.byteOffset + 64 * i, 64, i + 1]);
    for (let round = 0; round < 20; round++) {
      out.fill(0);
      runCalls(e, 'fill', calls, 0, scratch(4 * 3 * 64)!);
      // fill writes the 32-bit pattern i + 1 over call i's 64 bytes.
      const words = new Int32Array(out.buffer, out.byteOffset, 64 * 16);
      for (let i = 0; i < 64; i++) for (let j = 0; j < 16; j++) expect(words[16 * i + j]).toBe(i + 1);
    }
  });

  it('runs every call exactly once when the threads take calls from both ends', () => {
    const e = getSharedEngine();
    if (e === null || !canRunInParallel(e)) return expect(e === null || !e.shared).toBe(true);
    // Adam in place changes its arrays each time it runs: a call run twice, or not at all,
    // leaves its segment unlike the one updated once on this thread.
    const seg = 64;
    const count = 512;
    const arrays = () => [0, 1, 2, 3].map(() => arenaAlloc('float32', seg * count) as Float32Array);
    const shared = arrays();
    const alone = arrays();
    for (const set of [shared, alone]) {
      set.forEach((a, k) => {
        for (let i = 0; i < a.length; i++) a[i] = k === 3 ? 0.5 + (i % 7) / 10 : Math.sin(i + 10 * k);
      });
    }
    const coefficients = [0.1, 0.999, 0.001, 1e-8, 0.01, 31.6];
    const callsOf = (set: Float32Array[]) =>
      Array.from({ length: count }, (_, i) => [
        ...set.map((a) => a.byteOffset + 4 * seg * i),
        seg,
        ...coefficients,
      ]);
    const adam = e.elementwise.adam!;
    for (let round = 0; round < 40; round++) {
      runCalls(e, 'adam', callsOf(shared), 0b11111100000, scratch(4 * 11 * count)!);
      for (const args of callsOf(alone)) (adam as (...a: number[]) => void)(...args);
      for (let k = 0; k < 4; k++) expect(Array.from(shared[k]!)).toEqual(Array.from(alone[k]!));
    }
  });

  it('ends a job whose calls trap with an error, and runs the next job', () => {
    const e = getSharedEngine();
    if (e === null || !canRunInParallel(e)) return expect(e === null || !e.shared).toBe(true);
    // Past the end of memory: every call traps, on this thread or a worker.
    const far = e.memory.buffer.byteLength - 16;
    const bad = Array.from({ length: 32 }, () => [far, 1 << 20, 7]);
    expect(() => runCalls(e, 'fill', bad, 0, scratch(4 * 3 * 32)!)).toThrow();
    const out = arenaAlloc('float32', 1024) as Float32Array;
    runCalls(
      e,
      'fill',
      [
        [out.byteOffset, 128, 5],
        [out.byteOffset + 128, 128, 6],
      ],
      0,
      scratch(24)!,
    );
    expect(new Int32Array(out.buffer, out.byteOffset, 64)[63]).toBe(6);
  });
});
