import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addmm, getNumThreads, initCpuKernels, manualSeed, randn, setNumThreads } from '@tsgrad/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bias,
  type FloatArray,
  getMatmulThreads,
  initMatmul,
  type MatOperand,
  matmul,
  matmulInfo,
  setMatmulImpl,
  setMatmulThreads,
  setMatmulTuning,
} from '../../src/backend/cpu/kernels/matmul.js';

interface Case {
  batch: number;
  M: number;
  N: number;
  K: number;
  a: MatOperand;
  b: MatOperand;
  /** A row added to every output row (the `addmm` epilogue). */
  bias?: Bias;
}

type Layout = 'row' | 'col' | 'padded' | 'flipped' | 'sparse';

/** Lays out a [nb, rows, cols] matrix in one of several strided forms, with values from `rand`. */
function makeOperand(
  ctor: Float32ArrayConstructor | Float64ArrayConstructor,
  nb: number,
  rows: number,
  cols: number,
  layout: Layout,
  broadcast: boolean,
  rand: () => number,
): MatOperand {
  const stored = broadcast ? 1 : nb;
  const off = 3;
  let rs: number;
  let cs: number;
  let bs: number;
  let size: number;
  switch (layout) {
    case 'row':
      rs = cols;
      cs = 1;
      bs = rows * cols;
      size = stored * bs;
      break;
    case 'col':
      rs = 1;
      cs = rows;
      bs = rows * cols;
      size = stored * bs;
      break;
    case 'padded':
      rs = cols + 5;
      cs = 1;
      bs = rows * rs + 7;
      size = stored * bs;
      break;
    case 'sparse':
      rs = 3 * cols + 1;
      cs = 3;
      bs = rows * rs;
      size = stored * bs;
      break;
    case 'flipped':
      // Rows in reverse order: a negative row stride.
      rs = -cols;
      cs = 1;
      bs = rows * cols;
      size = stored * bs;
      break;
  }
  const data = new ctor(off + size + 8);
  for (let i = 0; i < data.length; i++) data[i] = rand();
  const start = layout === 'flipped' ? off + (rows - 1) * cols : off;
  return { data, offset: start, batchStride: broadcast ? 0 : bs, rowStride: rs, colStride: cs };
}

/** Where batch `bt` of `x` starts: outer batch ⌊bt / innerBatch⌋, inner batch bt mod innerBatch. */
function startOf(x: MatOperand, bt: number): number {
  const n = x.innerBatch ?? 1;
  if (n === 1) return x.offset + bt * x.batchStride;
  return x.offset + Math.floor(bt / n) * x.batchStride + (bt % n) * x.innerStride!;
}

function reference(c: Case): { value: Float64Array; scale: Float64Array } {
  const { batch, M, N, K, a, b } = c;
  const value = new Float64Array(batch * M * N);
  const scale = new Float64Array(batch * M * N);
  for (let bt = 0; bt < batch; bt++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        let m = 0;
        for (let k = 0; k < K; k++) {
          const x = a.data[startOf(a, bt) + i * a.rowStride + k * a.colStride];
          const y = b.data[startOf(b, bt) + k * b.rowStride + j * b.colStride];
          s += x * y;
          m += Math.abs(x * y);
        }
        const bias = c.bias ? c.bias.data[c.bias.offset + j * c.bias.stride]! : 0;
        value[(bt * M + i) * N + j] = s + bias;
        scale[(bt * M + i) * N + j] = m + Math.abs(bias);
      }
    }
  }
  return { value, scale };
}

function run(c: Case, ctor: Float32ArrayConstructor | Float64ArrayConstructor): FloatArray {
  const out = new ctor(c.batch * c.M * c.N).fill(Number.NaN);
  matmul(c.a, c.b, out, { batch: c.batch, m: c.M, n: c.N, k: c.K }, c.bias);
  return out;
}

/** Largest error relative to the error bound of a float sum of K products. */
function worstError(c: Case, out: FloatArray, eps: number): number {
  const { value, scale } = reference(c);
  let worst = 0;
  for (let i = 0; i < value.length; i++) {
    const bound = (c.K + 2) * eps * scale[i] + 1e-300;
    const e = Math.abs(out[i] - value[i]) / bound;
    if (!(e <= worst)) worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  }
  return worst;
}

const EPS32 = 2 ** -24;
const EPS64 = 2 ** -53;

const dims = fc.oneof(
  fc.constantFrom(1, 3, 4, 5, 8, 9, 16, 17, 33, 65, 130),
  fc.integer({ min: 1, max: 80 }),
);
const layoutArb = fc.constantFrom<Layout>('row', 'col', 'padded', 'flipped', 'sparse');

const caseArb = (ctor: Float32ArrayConstructor | Float64ArrayConstructor) =>
  fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      M: dims,
      N: dims,
      K: dims,
      la: layoutArb,
      lb: layoutArb,
      bcastA: fc.boolean(),
      bcastB: fc.boolean(),
      biasStride: fc.constantFrom(0, 0, 1, 2),
      seed: fc.integer(),
    })
    .map(({ batch, M, N, K, la, lb, bcastA, bcastB, biasStride, seed }): Case => {
      let s = seed >>> 0 || 1;
      const rand = () => {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        return ((s >>> 0) / 2 ** 32) * 2 - 1;
      };
      return {
        batch,
        M,
        N,
        K,
        a: makeOperand(ctor, batch, M, K, la, bcastA, rand),
        b: makeOperand(ctor, batch, K, N, lb, bcastB, rand),
        bias: biasStride === 0 ? undefined : makeBias(ctor, N, biasStride, rand),
      };
    });

/** A bias row of N values `stride` apart, after a few values of padding. */
function makeBias(
  ctor: Float32ArrayConstructor | Float64ArrayConstructor,
  N: number,
  stride: number,
  rand: () => number,
): Bias {
  const data = new ctor(2 + N * stride);
  for (let i = 0; i < data.length; i++) data[i] = rand();
  return { data, offset: 2, stride };
}

const fixed: [number, number, number, number][] = [
  [1, 1, 1, 1],
  [1, 1, 130, 65],
  [1, 130, 1, 65],
  [2, 3, 17, 33],
  [1, 65, 130, 300],
  [3, 33, 17, 513],
  [1, 128, 128, 128],
  [2, 130, 65, 257],
];

function fixedCase(
  ctor: Float32ArrayConstructor | Float64ArrayConstructor,
  [batch, M, N, K]: [number, number, number, number],
  la: Layout,
  lb: Layout,
  bcastA = false,
): Case {
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  };
  return {
    batch,
    M,
    N,
    K,
    a: makeOperand(ctor, batch, M, K, la, bcastA, rand),
    b: makeOperand(ctor, batch, K, N, lb, false, rand),
  };
}

afterAll(() => {
  setMatmulImpl('auto');
  setMatmulTuning({ wasmMaxBytes: 1 << 30 });
});

describe.each([
  ['ts', 1],
  ['wasm', 1],
  ['wasm', 2],
] as const)('float32 matmul, %s kernel, %i thread(s)', (impl, threads) => {
  beforeAll(async () => {
    setMatmulImpl(impl);
    setMatmulThreads(threads);
    if (threads > 1) {
      await initMatmul();
      // Use the workers even for the small shapes in these tests.
      setMatmulTuning({ parallelMinMacs: 1 });
    }
  });
  afterAll(() => {
    setMatmulTuning({ parallelMinMacs: 1 << 19 });
  });

  it('matches a float64 triple loop on random shapes, strides and broadcasts', () => {
    fc.assert(
      fc.property(caseArb(Float32Array), (c) => worstError(c, run(c, Float32Array), EPS32) <= 1),
      { numRuns: 150 },
    );
  });

  it.each([
    ['row', 'row'],
    ['col', 'row'],
    ['row', 'col'],
    ['col', 'col'],
    ['padded', 'sparse'],
    ['flipped', 'padded'],
  ] as const)('handles odd sizes with A %s-major and B %s-major', (la, lb) => {
    for (const dimsCase of fixed) {
      const c = fixedCase(Float32Array, dimsCase, la, lb, dimsCase[0] > 1);
      expect(worstError(c, run(c, Float32Array), EPS32)).toBeLessThanOrEqual(1);
    }
  });

  it('writes zeros when K = 0 and nothing when M or N is 0', () => {
    const a = { data: new Float32Array(4), offset: 0, batchStride: 0, rowStride: 0, colStride: 1 };
    const b = { data: new Float32Array(4), offset: 0, batchStride: 0, rowStride: 3, colStride: 1 };
    const out = new Float32Array(6).fill(7);
    matmul(a, b, out, { batch: 1, m: 2, n: 3, k: 0 });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    out.fill(7);
    matmul(a, b, out, { batch: 1, m: 0, n: 3, k: 2 });
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7, 7]);
  });
});

describe('float32 matmul, wasm kernel, details', () => {
  beforeAll(() => setMatmulImpl('wasm'));

  it('is available in Node', () => {
    expect(matmulInfo().wasm).toBe(true);
  });

  it('gives bit-identical results on one thread and on several', async () => {
    const c = fixedCase(Float32Array, [3, 257, 190, 600], 'row', 'col');
    setMatmulThreads(1);
    const one = run(c, Float32Array);
    setMatmulThreads(2);
    await initMatmul();
    setMatmulTuning({ parallelMinMacs: 1 });
    const two = run(c, Float32Array);
    setMatmulTuning({ parallelMinMacs: 1 << 19 });
    expect(matmulInfo().readyWorkers).toBeGreaterThanOrEqual(1);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expect(worstError(c, one, EPS32)).toBeLessThanOrEqual(1);
  });

  it('splits batches that do not fit in one working set', () => {
    setMatmulTuning({ wasmMaxBytes: 1 << 17 });
    try {
      const c = fixedCase(Float32Array, [7, 40, 30, 50], 'row', 'padded');
      expect(worstError(c, run(c, Float32Array), EPS32)).toBeLessThanOrEqual(1);
      c.bias = makeBias(Float32Array, 30, 1, Math.random);
      expect(worstError(c, run(c, Float32Array), EPS32)).toBeLessThanOrEqual(1);
      const big = fixedCase(Float32Array, [1, 200, 200, 200], 'row', 'row');
      // Too big for one piece and not splittable: falls back to TypeScript, still right.
      expect(worstError(big, run(big, Float32Array), EPS32)).toBeLessThanOrEqual(1);
    } finally {
      setMatmulTuning({ wasmMaxBytes: 1 << 30 });
    }
  });

  it('adds the bias once, after the last block of k, as the product plus the bias does', async () => {
    // K past one block (256); results in place (64 × 64) and padded then copied out (37 × 45).
    manualSeed(6);
    for (const threads of [1, 2]) {
      setMatmulThreads(threads);
      await initMatmul();
      setMatmulTuning({ parallelMinMacs: 1 });
      for (const [M, N] of [
        [64, 64],
        [37, 45],
      ] as const) {
        const a = randn([M, 600]);
        const b = randn([600, N]);
        for (const bias of [randn([N]), randn([N, 2]).select(1, 1)]) {
          const fused = addmm(bias, a, b).dataSync();
          const composite = a.matmul(b).add(bias).dataSync();
          expect(Buffer.from(fused.buffer).equals(Buffer.from(composite.buffer))).toBe(true);
        }
      }
    }
    setMatmulTuning({ parallelMinMacs: 1 << 19 });
  });

  it('chooses TypeScript for tiny problems in auto mode and agrees with it', () => {
    setMatmulImpl('auto');
    const c = fixedCase(Float32Array, [1, 2, 3, 4], 'row', 'row');
    expect(worstError(c, run(c, Float32Array), EPS32)).toBeLessThanOrEqual(1);
    setMatmulImpl('wasm');
  });

  it('thread count can be lowered and raised again', async () => {
    setMatmulThreads(1);
    expect(getMatmulThreads()).toBe(1);
    expect(matmulInfo().readyWorkers).toBe(0);
    setMatmulThreads(2);
    await initMatmul();
    expect(getMatmulThreads()).toBe(2);
  });
});

type Nested = 'heads' | 'headsT' | 'outerBroadcast' | 'innerBroadcast' | 'flat';

/**
 * A batch of outer × inner matrices [rows, cols] with a two-level batch: 'heads' reads them
 * from a [outer, rows, inner, cols] array (the heads of a [B, T, H, D] tensor), 'headsT' is
 * the transpose of such a view (rows contiguous), 'outerBroadcast' and 'innerBroadcast' repeat
 * one level, 'flat' is a plain contiguous one-level batch.
 */
function makeNested(
  ctor: Float32ArrayConstructor | Float64ArrayConstructor,
  outer: number,
  inner: number,
  rows: number,
  cols: number,
  kind: Nested,
  rand: () => number,
): MatOperand {
  const off = 5;
  let op: Omit<MatOperand, 'data' | 'offset'>;
  let size: number;
  switch (kind) {
    case 'heads':
      op = {
        batchStride: rows * inner * cols,
        innerBatch: inner,
        innerStride: cols,
        rowStride: inner * cols,
        colStride: 1,
      };
      size = outer * rows * inner * cols;
      break;
    case 'headsT':
      op = {
        batchStride: cols * inner * rows,
        innerBatch: inner,
        innerStride: rows,
        rowStride: 1,
        colStride: inner * rows,
      };
      size = outer * rows * inner * cols;
      break;
    case 'outerBroadcast':
      op = { batchStride: 0, innerBatch: inner, innerStride: rows * cols, rowStride: cols, colStride: 1 };
      size = inner * rows * cols;
      break;
    case 'innerBroadcast':
      op = { batchStride: rows * cols, innerBatch: inner, innerStride: 0, rowStride: cols, colStride: 1 };
      size = outer * rows * cols;
      break;
    case 'flat':
      op = { batchStride: rows * cols, rowStride: cols, colStride: 1 };
      size = outer * inner * rows * cols;
      break;
  }
  const data = new ctor(off + size + 3);
  for (let i = 0; i < data.length; i++) data[i] = rand();
  return { data, offset: off, ...op };
}

/** The same batch of matrices gathered into a contiguous one-level operand. */
function gathered(x: MatOperand, batch: number, rows: number, cols: number): MatOperand {
  const data = new (x.data.constructor as Float32ArrayConstructor)(batch * rows * cols);
  let d = 0;
  for (let bt = 0; bt < batch; bt++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) data[d++] = x.data[startOf(x, bt) + r * x.rowStride + c * x.colStride]!;
    }
  }
  return { data, offset: 0, batchStride: rows * cols, rowStride: cols, colStride: 1 };
}

const nestedArb = (ctor: Float32ArrayConstructor | Float64ArrayConstructor) =>
  fc
    .record({
      outer: fc.integer({ min: 1, max: 3 }),
      inner: fc.integer({ min: 1, max: 4 }),
      M: dims,
      N: dims,
      K: dims,
      ka: fc.constantFrom<Nested>('heads', 'headsT', 'outerBroadcast', 'innerBroadcast', 'flat'),
      kb: fc.constantFrom<Nested>('heads', 'headsT', 'outerBroadcast', 'innerBroadcast', 'flat'),
      seed: fc.integer(),
    })
    .map(({ outer, inner, M, N, K, ka, kb, seed }): Case => {
      let s = seed >>> 0 || 1;
      const rand = () => {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        return ((s >>> 0) / 2 ** 32) * 2 - 1;
      };
      return {
        batch: outer * inner,
        M,
        N,
        K,
        a: makeNested(ctor, outer, inner, M, K, ka, rand),
        b: makeNested(ctor, outer, inner, K, N, kb, rand),
      };
    });

/** The product of a nested case, and whether it is bit for bit the product of contiguous copies. */
function nestedAgrees(
  c: Case,
  ctor: Float32ArrayConstructor | Float64ArrayConstructor,
  eps: number,
): boolean {
  const out = run(c, ctor);
  const copies = run(
    { ...c, a: gathered(c.a, c.batch, c.M, c.K), b: gathered(c.b, c.batch, c.K, c.N) },
    ctor,
  );
  return worstError(c, out, eps) <= 1 && out.every((v, i) => Object.is(v, copies[i]));
}

describe.each([
  ['ts', 1, Float32Array, EPS32],
  ['wasm', 1, Float32Array, EPS32],
  ['wasm', 2, Float32Array, EPS32],
  ['ts', 1, Float64Array, EPS64],
  ['wasm', 1, Float64Array, EPS64],
] as const)('two-level batches, %s kernel, %i thread(s), %o', (impl, threads, ctor, eps) => {
  beforeAll(async () => {
    setMatmulImpl(impl);
    setMatmulThreads(threads);
    if (threads > 1) {
      await initMatmul();
      setMatmulTuning({ parallelMinMacs: 1 });
    }
  });
  afterAll(() => {
    setMatmulTuning({ parallelMinMacs: 1 << 19 });
  });

  it('matches a triple loop and, bit for bit, the product of contiguous copies', () => {
    fc.assert(
      fc.property(nestedArb(ctor), (c) => nestedAgrees(c, ctor, eps)),
      { numRuns: 120 },
    );
  });

  it('reads attention-shaped views: heads of [B, T, H, D] times their transposes', () => {
    let s = 99;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 1073741824 - 1;
    };
    const [B, T, H, D] = [3, 37, 4, 16];
    const q = makeNested(ctor, B, H, T, D, 'heads', rand);
    const kT = makeNested(ctor, B, H, D, T, 'headsT', rand);
    const scores: Case = { batch: B * H, M: T, N: T, K: D, a: q, b: kT };
    expect(nestedAgrees(scores, ctor, eps)).toBe(true);
    const w = makeNested(ctor, B, H, T, T, 'flat', rand);
    const v = makeNested(ctor, B, H, T, D, 'heads', rand);
    expect(nestedAgrees({ batch: B * H, M: T, N: D, K: T, a: w, b: v }, ctor, eps)).toBe(true);
  });
});

describe('two-level batches, wasm kernel, split working sets', () => {
  beforeAll(() => setMatmulImpl('wasm'));

  it('splits at whole outer batches of both operands', () => {
    let s = 7;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 1073741824 - 1;
    };
    // A has 3 batches per outer batch and B 2: pieces start at multiples of 6.
    const a = makeNested(Float32Array, 8, 3, 30, 20, 'heads', rand);
    const b = makeNested(Float32Array, 12, 2, 20, 24, 'headsT', rand);
    const c: Case = { batch: 24, M: 30, N: 24, K: 20, a, b };
    const whole = run(c, Float32Array);
    // About 12 kB a batch: 24 need three pieces of 100 kB, which would be 8 batches each;
    // pieces of 6 fit.
    setMatmulTuning({ wasmMaxBytes: 100_000 });
    try {
      const split = run(c, Float32Array);
      expect(worstError(c, split, EPS32)).toBeLessThanOrEqual(1);
      expect(Buffer.from(split.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
      expect(nestedAgrees(c, Float32Array, EPS32)).toBe(true);
    } finally {
      setMatmulTuning({ wasmMaxBytes: 1 << 30 });
    }
  });
});

describe.each(['ts', 'wasm'] as const)('float64 matmul (%s setting)', (impl) => {
  beforeAll(() => setMatmulImpl(impl));

  it('matches a triple loop to float64 accuracy', () => {
    fc.assert(
      fc.property(caseArb(Float64Array), (c) => worstError(c, run(c, Float64Array), EPS64) <= 1),
      { numRuns: 60 },
    );
  });

  it('handles transposed and broadcast operands at odd sizes', () => {
    for (const dimsCase of fixed) {
      const c = fixedCase(Float64Array, dimsCase, 'col', 'flipped', true);
      expect(worstError(c, run(c, Float64Array), EPS64)).toBeLessThanOrEqual(1);
    }
  });
});

describe('build', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));

  it('the generated wasm module is up to date with its source', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('worker threads do not keep the process alive', () => {
    const script = `
      import { matmul, initMatmul, matmulInfo } from './src/backend/cpu/kernels/matmul.ts';
      await initMatmul();
      const n = 300;
      const a = { data: new Float32Array(n * n).fill(1), offset: 0, batchStride: 0, rowStride: n, colStride: 1 };
      const c = new Float32Array(n * n);
      matmul(a, a, c, { batch: 1, m: n, n, k: n });
      console.log(c[0], matmulInfo().readyWorkers);
    `;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const [value, workers] = r.stdout.trim().split(' ').map(Number);
    expect(value).toBe(300);
    if (getMatmulThreads() > 1) expect(workers).toBeGreaterThanOrEqual(1);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

describe('relaxed SIMD fused multiply-add', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));

  /** Runs `script` in a Node with relaxed SIMD (on by default from Node 22, behind a flag in 20). */
  function withRelaxedSimd(script: string): string {
    const r = spawnSync(
      process.execPath,
      ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  }

  it('is detected where the engine has it, and agrees with the plain kernel within 2·k·ε·Σ|a·b|', () => {
    const out = withRelaxedSimd(`
      import { initMatmul, matmul, matmulInfo, setMatmulImpl, setMatmulThreads, setMatmulTuning } from './src/backend/cpu/kernels/matmul.ts';
      await initMatmul();
      setMatmulImpl('wasm');
      const [M, N, K] = [37, 45, 600];
      let s = 7;
      const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 1073741824 - 1);
      const a = new Float32Array(M * K).map(rand);
      const b = new Float32Array(K * N).map(rand);
      const run = (fma, threads) => {
        setMatmulTuning({ fma, parallelMinMacs: 1 });
        setMatmulThreads(threads);
        const c = new Float32Array(M * N);
        matmul({ data: a, offset: 0, batchStride: 0, rowStride: K, colStride: 1 },
               { data: b, offset: 0, batchStride: 0, rowStride: 1, colStride: K }, c, { batch: 1, m: M, n: N, k: K });
        return c;
      };
      const plain = run(false, 1);
      const fused = run(true, 1);
      await initMatmul();
      const fused2 = run(true, 2);
      let worst = 0, differ = 0;
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let abs = 0;
        for (let k = 0; k < K; k++) abs += Math.abs(a[i * K + k] * b[j * K + k]);
        const d = Math.abs(fused[i * N + j] - plain[i * N + j]);
        if (d > 0) differ++;
        worst = Math.max(worst, d / (2 * K * 2 ** -24 * abs));
      }
      const same = fused.every((v, i) => Object.is(v, fused2[i]));
      console.log(JSON.stringify({ info: matmulInfo().relaxedSimd, worst, differ, same }));
    `);
    const r = JSON.parse(out) as { info: boolean; worst: number; differ: number; same: boolean };
    expect(r.info).toBe(true);
    // Fused: one rounding per step instead of two, so some sums differ, all within the bound.
    expect(r.differ).toBeGreaterThan(0);
    expect(r.worst).toBeLessThanOrEqual(1);
    expect(r.same).toBe(true);
  });

  it('runs when asked for where relaxed SIMD is available, and not when turned off', () => {
    const out = withRelaxedSimd(`
      import { initMatmul, matmulInfo, setMatmulTuning } from './src/backend/cpu/kernels/matmul.ts';
      await initMatmul();
      const on = matmulInfo().fma;
      setMatmulTuning({ fma: false });
      console.log(on, matmulInfo().fma);
    `);
    expect(out).toBe('true false');
  });
});

describe('public thread controls', () => {
  it('initCpuKernels starts the kernels; setNumThreads changes the count, not the results', async () => {
    expect(await initCpuKernels()).toBe(true);
    manualSeed(4);
    const a = randn([300, 200]);
    const b = randn([200, 150]);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    const one = a.matmul(b).dataSync();
    setNumThreads(2);
    await initCpuKernels();
    expect(getNumThreads()).toBe(2);
    const two = a.matmul(b).dataSync();
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });
});
