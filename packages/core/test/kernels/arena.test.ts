/**
 * The arena: float32 and bool storages in WebAssembly memory, which the kernels read and
 * write in place. These tests check where storages go, that release is deterministic under
 * `dispose`/`tidy`, that the limits send storages back to the heap (with the same results),
 * that freed blocks of other sizes are reused, that collected views give their blocks back,
 * and that in-place kernels write nothing past their tensors.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { manualSeed, randn, setCpuMemoryLimit, type Tensor, tensor, tidy, zeros } from '@tsgrad/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ArenaLimits,
  arenaAlloc,
  arenaRelease,
  arenaStats,
  inArena,
  setArenaLimits,
} from '../../src/backend/cpu/arena.js';
import { type MatOperand, matmul, setMatmulImpl } from '../../src/backend/cpu/kernels/matmul.js';
import { adamWasm, setElementwiseImpl } from '../../src/backend/cpu/kernels/wasm/elementwise-wasm.js';
import { DATA_START } from '../../src/backend/cpu/kernels/wasm/engine.js';

const storageOf = (t: Tensor) => t._view('test').storage as Float32Array | Uint8Array;

let saved: ArenaLimits | null = null;
afterEach(() => {
  if (saved) setArenaLimits(saved);
  saved = null;
  setElementwiseImpl('auto');
  setMatmulImpl('auto');
});

/** The same computation on heap storages through the TypeScript loops. */
function onHeap<T>(f: () => T): T {
  const limits = setArenaLimits({ limit: 0 });
  setElementwiseImpl('ts');
  setMatmulImpl('ts');
  try {
    return f();
  } finally {
    setArenaLimits(limits);
    setElementwiseImpl('auto');
    setMatmulImpl('auto');
  }
}

describe('the arena', () => {
  it('holds float32 and bool storages of 1024 elements and more, nothing else', () => {
    manualSeed(1);
    const big = randn([32, 32]);
    expect(inArena(storageOf(big))).toBe(true);
    expect(inArena(storageOf(big.gt(0)))).toBe(true);
    expect(inArena(storageOf(randn([1023])))).toBe(false);
    expect(inArena(storageOf(randn([1024]).to('float64')))).toBe(false);
    expect(inArena(storageOf(zeros([2048], { dtype: 'int32' })))).toBe(false);
  });

  it('stays at a training loop’s working set when each step runs in tidy', () => {
    manualSeed(2);
    const w = randn([64, 64], { requiresGrad: true });
    const x = randn([128, 64]);
    const step = () =>
      tidy(() => {
        // As an optimizer's zeroGrad does: a gradient is kept out of tidy, so it is disposed.
        w.grad?.dispose();
        w.grad = null;
        x.matmul(w).relu().mul(2).sum().backward();
        return w.grad!.sum().itemSync();
      });
    for (let i = 0; i < 3; i++) step();
    const used = arenaStats().used;
    for (let i = 0; i < 100; i++) step();
    expect(arenaStats().used).toBe(used);
  });

  it('sends storages to the heap when it has no room, with the same results', () => {
    manualSeed(3);
    const a = randn([48, 40]);
    const b = randn([40, 56]);
    const f = () => a.matmul(b).add(a.sum(1, true)).exp().dataSync();
    const inside = f();
    saved = setArenaLimits({ limit: 0 });
    const c = randn([40, 40]);
    expect(inArena(storageOf(c))).toBe(false);
    // Arena operands with heap results: the same kernels, the same bits.
    expect(Array.from(f())).toEqual(Array.from(inside));
    // Heap everything through the TypeScript loops: Math.exp and another summation order.
    const ts = onHeap(f);
    for (let i = 0; i < ts.length; i++)
      expect(Math.abs(ts[i]! - inside[i]!)).toBeLessThan(1e-5 * Math.abs(ts[i]!));
  });

  it('takes its limit from setCpuMemoryLimit, which rejects what is not a byte count', () => {
    const before = setCpuMemoryLimit(0);
    try {
      expect(before).toBe(1024 ** 3);
      expect(inArena(storageOf(randn([2048])))).toBe(false);
      expect(setCpuMemoryLimit(before)).toBe(0);
      expect(inArena(storageOf(randn([2048])))).toBe(true);
      for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => setCpuMemoryLimit(bad)).toThrow(/setCpuMemoryLimit: expected a byte count >= 0/);
      }
      expect(setCpuMemoryLimit(before)).toBe(before);
    } finally {
      setCpuMemoryLimit(before);
    }
  });

  it('merges freed blocks of sizes nobody asks for to serve a larger one', () => {
    // Sizes no other test uses, so the pool has none of them waiting.
    const used = arenaStats().used;
    // Room for four blocks of 1031 floats (4124 bytes and slack: 4160) and no more.
    saved = setArenaLimits({ limit: used + 4 * 4160 });
    const small = [0, 1, 2, 3].map(() => zeros([1031]));
    for (const t of small) expect(inArena(storageOf(t))).toBe(true);
    expect(inArena(storageOf(zeros([4100])))).toBe(false);
    for (const t of small) t.dispose();
    const large = zeros([4100]);
    expect(inArena(storageOf(large))).toBe(true);
    large.dispose();
  });

  it('never hands out a block twice while sizes churn past its limit', () => {
    // Allocations of mixed sizes and frees in any order, with room for a few blocks only: the
    // arena splits and merges free blocks, falls back to the heap when full, and every view
    // it hands out stays inside its memory, apart from every other live one, with its values.
    const op = fc.oneof(
      fc.record({ alloc: fc.integer({ min: 1024, max: 9000 }) }),
      fc.record({ free: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 12 }),
        (ops, room) => {
          const limits = setArenaLimits({ limit: arenaStats().used + room * 16384 });
          const live: { view: Float32Array; stamp: number }[] = [];
          try {
            let stamp = 0;
            for (const o of ops) {
              if ('alloc' in o) {
                const view = arenaAlloc('float32', o.alloc) as Float32Array | null;
                if (view === null) continue;
                expect(view.byteOffset).toBeGreaterThanOrEqual(DATA_START);
                expect(view.length).toBe(o.alloc);
                view.fill(++stamp);
                live.push({ view, stamp });
              } else if (live.length > 0) {
                const [gone] = live.splice(o.free % live.length, 1);
                arenaRelease(gone!.view);
              }
              for (const { view, stamp: v } of live)
                expect(view[0] === v && view[view.length - 1] === v).toBe(true);
            }
            const spans = live
              .map(({ view }) => [view.byteOffset, view.byteOffset + view.byteLength])
              .sort((x, y) => x[0]! - y[0]!);
            for (let i = 1; i < spans.length; i++)
              expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]! + 16);
          } finally {
            for (const { view } of live) arenaRelease(view);
            setArenaLimits(limits);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reuses idle memory for sizes that keep growing instead of growing with them', () => {
    // As a sequence that grows token by token: every step asks for sizes larger than all
    // before it, which no pooled view or free block of exactly that size can serve.
    saved = setArenaLimits({ reclaimStep: 1 << 20 });
    const start = arenaStats().top;
    let peak = start;
    for (let n = 2048; n < 2048 + 400 * 64; n += 64) {
      tidy(() => zeros([n]).add(1).mul(2).sum().itemSync());
      peak = Math.max(peak, arenaStats().top);
    }
    // Every size's blocks kept apart would come to about 70 MiB.
    expect(peak - start).toBeLessThan(8 << 20);
  });

  it('takes back the blocks of views the garbage collector took, once finalizers run', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = `
      import { randn } from './src/index.ts';
      import { arenaStats } from './src/backend/cpu/arena.ts';
      const before = arenaStats().used;
      for (let i = 0; i < 50; i++) randn([4096]).mul(2);
      const grown = arenaStats().used - before;
      for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
      console.log(grown, arenaStats().used - before);
    `;
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const [grown, left] = r.stdout.trim().split(' ').map(Number) as [number, number];
    expect(grown).toBeGreaterThan(100 * 4096 * 4 * 0.9);
    expect(left).toBeLessThan(grown / 10);
  });
});

describe('kernels on arena storage', () => {
  beforeEach(() => {
    saved = setArenaLimits({ minElements: 1 });
  });

  /** An arena array of `n` values from `seed`, followed by `guard` values that must stay untouched. */
  function guarded(n: number, seed: number, guard = 8): { whole: Float32Array; data: Float32Array } {
    const whole = arenaAlloc('float32', n + guard) as Float32Array;
    let s = seed;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      whole[i] = (s / 1073741824 - 1) * 2;
    }
    whole.fill(42, n);
    return { whole, data: whole.subarray(0, n) };
  }

  it('adam updates a parameter in place and leaves the values past it alone', () => {
    for (const n of [1024, 1025, 1027, 1030]) {
      const [p, g, m, v] = [1, 2, 3, 4].map((s) => guarded(n, s));
      for (const x of [m!, v!]) x.data.fill(0.01);
      const expected = [p, g, m, v].map((x) => Float32Array.from(x!.data));
      const c = { w1: 0.1, beta2: 0.999, w2: 0.001, eps: 1e-8, stepSize: 0.01, invBias2Sqrt: 31.6 };
      adamWasm(expected[0]!, expected[1]!, expected[2]!, expected[3]!, c);
      expect(adamWasm(p!.data, g!.data, m!.data, v!.data, c)).toBe(true);
      for (const [i, x] of [p, m, v].entries()) {
        expect(Array.from(x!.data)).toEqual(Array.from(expected[[0, 2, 3][i]!]!));
        expect(Array.from(x!.whole.subarray(n))).toEqual(new Array(8).fill(42));
      }
    }
  });

  it('matmul reads arena operands in place and writes in place only whole tiles', () => {
    setMatmulImpl('wasm');
    const op = (data: Float32Array, rs: number, cs: number): MatOperand => ({
      data,
      offset: 0,
      batchStride: 0,
      rowStride: rs,
      colStride: cs,
    });
    for (const [M, N, K] of [
      [8, 16, 20],
      [7, 13, 9],
      [12, 12, 33],
    ] as const) {
      const a = guarded(M * K, 5);
      const b = guarded(K * N, 6);
      const bias = tensor(Array.from({ length: N }, (_, j) => j / 7));
      for (const withBias of [false, true]) {
        const out = guarded(M * N, 7);
        const addend = withBias ? { data: storageOf(bias) as Float32Array, offset: 0, stride: 1 } : null;
        matmul(op(a.data, K, 1), op(b.data, 1, K), out.data, { batch: 1, m: M, n: N, k: K }, addend);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let sum = 0;
            for (let k = 0; k < K; k++) sum += a.data[i * K + k]! * b.data[j * K + k]!;
            if (withBias) sum += j / 7;
            expect(Math.abs(out.data[i * N + j]! - sum)).toBeLessThan(1e-4);
          }
        }
        expect(Array.from(out.whole.subarray(M * N))).toEqual(new Array(8).fill(42));
      }
    }
  });
});
