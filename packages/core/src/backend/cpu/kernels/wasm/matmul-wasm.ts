/**
 * Runs the WebAssembly SIMD128 float32 matmul (source: `matmul-wat.mjs`) on one or more
 * threads.
 *
 * Operands in the arena are read in place (others are copied into the module's linear
 * memory), packed by `pack_tile`, and multiplied tile by tile by `compute_tile`; the result
 * is written in place or copied out. A call is two jobs of the worker pool (`pool.ts`): pack,
 * then compute. Each output element is computed by the same code in the same order whichever
 * thread claims its tile, so results are identical for any number of threads.
 */

import { arenaEngine, inArena, scratch } from '../../arena.js';
import { type Bias, batchOffset, type FloatArray, type MatmulDims, type MatOperand } from '../mat-operand.js';
import { DATA_START, type Engine, ensureBytes, getEngine, getSharedEngine, initEngine } from './engine.js';
import { FIELD, KC, MR, NR } from './matmul-wasm.gen.js';
import {
  canBlock,
  readyWorkers as poolReady,
  getThreads as poolThreads,
  runJob,
  setThreads as setPoolThreads,
  startWorkers,
  startWorkersAndWait,
} from './pool.js';

export { setSpinMs } from './pool.js';

/** Largest working set handled in one piece; bigger batched problems are split. */
let maxBytes = 1 << 30;

/**
 * Compiles the modules off the main thread and starts the worker threads, resolving once
 * they are ready. Optional: without it the first large matmul compiles synchronously and
 * runs on one thread while the workers start.
 */
export async function initMatmulWasm(): Promise<boolean> {
  if (!(await initEngine())) return false;
  const e = getSharedEngine();
  if (e) await startWorkersAndWait(e);
  return true;
}

/** Whether products accumulate with relaxed SIMD's fused multiply-add where the engine has it. */
let fma = true;

/**
 * Uses the fused multiply-add kernel where relaxed SIMD is available (`true`, the default) or
 * the plain SIMD one (`false`). Results differ in rounding only: see `matmul`.
 */
export function setFma(on: boolean): void {
  fma = on;
}

/** Whether products run through the fused multiply-add kernel. */
export function fmaInUse(): boolean {
  const e = getEngine();
  return fma && e !== null && e.matmul.compute_tile_fma !== undefined;
}

/** Whether the WebAssembly kernel can run here. */
export function wasmAvailable(): boolean {
  return getEngine() !== null;
}

/** Number of threads (the caller included) used for large float32 matmuls. */
export function getThreads(): number {
  return getSharedEngine() ? poolThreads() : 1;
}

/** Sets the thread count (1 = the calling thread only). Stops surplus workers. */
export function setThreads(n: number): void {
  setPoolThreads(n, getSharedEngine());
}

/** Workers currently started and ready. */
export function readyWorkers(): number {
  return poolReady(getSharedEngine());
}

const align = (x: number) => Math.ceil(x / 64) * 64;

/**
 * An operand as placed in wasm memory: the address of element (0, 0, 0) and byte strides,
 * with `ib` batches per outer batch `is` bytes apart (`ib` = 1: one level).
 */
interface Placed {
  ptr: number;
  bs: number;
  rs: number;
  cs: number;
  ib: number;
  is: number;
}

/** Batches per outer batch of an operand (1: its batch has one level). */
function innerOf(x: MatOperand): number {
  return Math.max(1, x.innerBatch ?? 1);
}

/** How many batches of an operand are stored: 1 when its batch is broadcast (or there is one). */
function storedBatches(x: MatOperand, batch: number): number {
  const flat = x.batchStride === 0 && (innerOf(x) === 1 || (x.innerStride ?? 0) === 0);
  return flat || batch === 1 ? 1 : batch;
}

/** The lowest and highest element of `nb` batches of [rows, cols], relative to the offset. */
function extent(x: MatOperand, nb: number, rows: number, cols: number): [number, number] {
  const ib = nb === 1 ? 1 : innerOf(x);
  const steps: [number, number][] = [
    [nb === 1 ? 0 : x.batchStride, Math.ceil(nb / ib)],
    [ib === 1 ? 0 : (x.innerStride ?? 0), Math.min(ib, nb)],
    [x.rowStride, rows],
    [x.colStride, cols],
  ];
  let lo = 0;
  let hi = 0;
  for (const [stride, count] of steps) {
    lo += Math.min(0, stride * (count - 1));
    hi += Math.max(0, stride * (count - 1));
  }
  return [lo, hi];
}

/**
 * Where the kernel reads a float32 operand's `nb` stored batches of [rows, cols]: in place
 * when it lives in the arena, else copied into wasm memory at `dst`. Dense-enough layouts are
 * copied as one span, keeping their strides; sparse ones are gathered into a contiguous block.
 */
function placeOperand(e: Engine, x: MatOperand, nb: number, rows: number, cols: number, dst: number): Placed {
  const src = x.data;
  const { offset: off, rowStride: rs, colStride: cs } = x;
  const bs = nb === 1 ? 0 : x.batchStride;
  const ib = nb === 1 ? 1 : innerOf(x);
  const is = ib === 1 ? 0 : (x.innerStride ?? 0);
  const strides = { bs: bs * 4, rs: rs * 4, cs: cs * 4, ib, is: is * 4 };
  if (e.shared && inArena(src)) return { ptr: src.byteOffset + off * 4, ...strides };
  const [lo, hi] = extent(x, nb, rows, cols);
  const span = hi - lo + 1;
  const f32 = e.f32;
  const base = dst >> 2;
  if (span <= 2 * nb * rows * cols + 1024) {
    f32.set(src.subarray(off + lo, off + hi + 1), base);
    return { ptr: dst - lo * 4, ...strides };
  }
  let d = base;
  for (let bt = 0; bt < nb; bt++) {
    for (let i = 0; i < rows; i++) {
      let s = (nb === 1 ? off : batchOffset(x, bt)) + i * rs;
      if (cs === 1) {
        f32.set(src.subarray(s, s + cols), d);
        d += cols;
      } else {
        for (let j = 0; j < cols; j++, s += cs) f32[d++] = src[s];
      }
    }
  }
  return { ptr: dst, bs: rows * cols * 4, rs: cols * 4, cs: 4, ib: 1, is: 0 };
}

/** Bytes `placeOperand` writes for `nb` stored batches of [rows, cols] (none for an operand it reads in place). */
function spanBytes(x: MatOperand, nb: number, rows: number, cols: number, direct: boolean): number {
  if (direct) return 0;
  const [lo, hi] = extent(x, nb, rows, cols);
  const span = hi - lo + 1;
  return align(4 * Math.min(span, 2 * nb * rows * cols + 1024));
}

/**
 * Bytes of wasm memory a problem needs past the control block: copies of the operands not
 * read in place (`direct`), the packed panels, the padded output unless written in place.
 */
function layoutBytes(
  a: MatOperand,
  b: MatOperand,
  dims: MatmulDims,
  direct: { a: boolean; b: boolean; c: boolean },
): number {
  const { batch, m: M, n: N, k: K } = dims;
  const mp = Math.ceil(M / MR) * MR;
  const np = Math.ceil(N / NR) * NR;
  const aNb = storedBatches(a, batch);
  const bNb = storedBatches(b, batch);
  return (
    spanBytes(a, aNb, M, K, direct.a) +
    spanBytes(b, bNb, K, N, direct.b) +
    align(aNb * mp * K * 4) +
    align(bNb * np * K * 4) +
    (direct.c ? 0 : align(batch * mp * np * 4))
  );
}

/**
 * Problems at least this big (multiply-adds) use the worker threads. Browsers hand a page's
 * workers less of the machine and copy into shared memory more slowly than Node, so there
 * only large products (about 320³ and up) are split.
 */
let parallelMacs = canBlock ? 1 << 19 : 1 << 25;

export function setParallelThreshold(macs: number): void {
  parallelMacs = macs;
}

/** Sets the largest wasm working set of one call (bytes); batches are split to fit. */
export function setMaxBytes(bytes: number): void {
  maxBytes = Math.max(1 << 16, Math.min(bytes, 2 ** 31));
}

/** The operand from batch `b0` on (for a two-level batch, `b0` is a multiple of its inner count). */
function fromBatch(x: MatOperand, b0: number): MatOperand {
  return { ...x, offset: batchOffset(x, b0) };
}

function gcd(x: number, y: number): number {
  return y === 0 ? x : gcd(y, x % y);
}

/**
 * Float32 matmul through WebAssembly (see `matmul` for the convention). Returns false
 * (having written nothing) when the kernel is unavailable, an operand is not float32, or
 * the problem does not fit in wasm memory.
 */
export function matmulWasm(
  a: MatOperand,
  b: MatOperand,
  out: FloatArray,
  dims: MatmulDims,
  bias: Bias | null = null,
): boolean {
  if (!(a.data instanceof Float32Array && b.data instanceof Float32Array && out instanceof Float32Array)) {
    return false;
  }
  const local = getEngine();
  if (!local) return false;
  const { batch, m: M, n: N, k: K } = dims;
  // Where the arena is on, everything runs in its memory: operands there are read in place,
  // and a result there whose shape needs no padding is written in place, the bias (added as
  // the last block of each tile is stored) included.
  const arena = arenaEngine();
  const mp = Math.ceil(M / MR) * MR;
  const np = Math.ceil(N / NR) * NR;
  const outHere = arena !== null && inArena(out) && N % 4 === 0;
  const direct = {
    a: arena !== null && inArena(a.data),
    b: arena !== null && inArena(b.data),
    c: outHere && mp === M && np === N,
  };
  const bytes = layoutBytes(a, b, dims, direct) + (bias ? align(4 * np) : 0);
  if (bytes > maxBytes) {
    if (batch === 1) return false;
    // Split the batch into pieces that fit, each starting at whole outer batches of both operands.
    const unit = (innerOf(a) * innerOf(b)) / gcd(innerOf(a), innerOf(b));
    const per = Math.max(unit, Math.floor(batch / Math.ceil(bytes / maxBytes) / unit) * unit);
    if (layoutBytes(a, b, { ...dims, batch: per }, direct) > maxBytes) return false;
    for (let b0 = 0; b0 < batch; b0 += per) {
      const nb = Math.min(per, batch - b0);
      const piece = out.subarray(b0 * M * N, (b0 + nb) * M * N);
      if (!matmulWasm(fromBatch(a, b0), fromBatch(b, b0), piece, { ...dims, batch: nb }, bias)) return false;
    }
    return true;
  }
  // Big problems run on the shared memory, where the worker threads can help; without the
  // arena the rest run on the private one, which operands are copied into faster.
  const macs = batch * M * N * K;
  const threads = poolThreads();
  const shared = arena ?? (threads > 1 && macs >= parallelMacs ? getSharedEngine() : null);
  const parallel = threads > 1 && macs >= parallelMacs && shared !== null;
  if (parallel) startWorkers(shared!);
  const ready = parallel ? poolReady(shared) : 0;
  const useWorkers = ready > 0;
  const e = shared ?? local;
  const nThreads = useWorkers ? Math.min(threads, ready + 1) : 1;
  let p: number;
  if (e.shared) {
    const at = scratch(bytes);
    if (at === null) return false;
    p = at;
  } else {
    if (!ensureBytes(e, DATA_START + bytes)) return false;
    p = DATA_START;
  }

  const aNb = storedBatches(a, batch);
  const bNb = storedBatches(b, batch);
  const A = placeOperand(e, a, aNb, M, K, p);
  p += spanBytes(a, aNb, M, K, direct.a);
  const B = placeOperand(e, b, bNb, K, N, p);
  p += spanBytes(b, bNb, K, N, direct.b);
  const pa = p;
  p += align(aNb * mp * K * 4);
  const pb = p;
  p += align(bNb * np * K * 4);
  const pBias = bias ? p : 0;
  if (bias) {
    // The row the kernel adds, padded with zeros to NP floats.
    const { data, offset, stride } = bias;
    const at = p >> 2;
    for (let j = 0; j < N; j++) e.f32[at + j] = data[offset + j * stride]!;
    e.f32.fill(0, at + N, at + np);
    p += align(4 * np);
  }
  const c = direct.c ? out.byteOffset : p;

  // Tiling. Pack tiles: groups of panels. Compute tiles: blocks of the padded output;
  // with several threads, small enough that every thread gets a few.
  const aPanels = mp / MR;
  const bPanels = np / NR;
  const paGroup = Math.max(1, Math.ceil(16384 / K));
  const pbGroup = Math.max(1, Math.ceil(8192 / K));
  let tm = Math.min(mp, 128);
  let tn = Math.min(np, 256);
  if (nThreads > 1) {
    const want = 4 * nThreads;
    while (batch * Math.ceil(mp / tm) * Math.ceil(np / tn) < want && (tm > 32 || tn > 64)) {
      if (tn >= 2 * tm && tn > 64) tn = Math.ceil(tn / 2 / NR) * NR;
      else if (tm > 32) tm = Math.ceil(tm / 2 / MR) * MR;
      else tn = Math.ceil(tn / 2 / NR) * NR;
    }
  }
  const tilesM = Math.ceil(mp / tm);
  const tilesN = Math.ceil(np / tn);
  const aPtiles = Math.ceil(aPanels / paGroup);
  const bPtiles = Math.ceil(bPanels / pbGroup);

  const d = e.i32;
  d[FIELD.A >> 2] = A.ptr;
  d[FIELD.A_BS >> 2] = A.bs;
  d[FIELD.A_RS >> 2] = A.rs;
  d[FIELD.A_CS >> 2] = A.cs;
  d[FIELD.B >> 2] = B.ptr;
  d[FIELD.B_BS >> 2] = B.bs;
  d[FIELD.B_RS >> 2] = B.rs;
  d[FIELD.B_CS >> 2] = B.cs;
  d[FIELD.A_IB >> 2] = A.ib;
  d[FIELD.A_IS >> 2] = A.is;
  d[FIELD.B_IB >> 2] = B.ib;
  d[FIELD.B_IS >> 2] = B.is;
  d[FIELD.BIAS >> 2] = pBias;
  d[FIELD.PA >> 2] = pa;
  d[FIELD.PA_BS >> 2] = mp * K * 4;
  d[FIELD.PB >> 2] = pb;
  d[FIELD.PB_BS >> 2] = np * K * 4;
  d[FIELD.C >> 2] = c;
  d[FIELD.C_BS >> 2] = mp * np * 4;
  d[FIELD.LDC >> 2] = np * 4;
  d[FIELD.M >> 2] = M;
  d[FIELD.N >> 2] = N;
  d[FIELD.K >> 2] = K;
  d[FIELD.MP >> 2] = mp;
  d[FIELD.NP >> 2] = np;
  d[FIELD.A_BATCHES >> 2] = aNb;
  d[FIELD.B_BATCHES >> 2] = bNb;
  d[FIELD.PA_GROUP >> 2] = paGroup;
  d[FIELD.PB_GROUP >> 2] = pbGroup;
  d[FIELD.A_PTILES >> 2] = aPtiles;
  d[FIELD.B_PTILES >> 2] = bPtiles;
  d[FIELD.TM >> 2] = tm;
  d[FIELD.TN >> 2] = tn;
  d[FIELD.TILES_M >> 2] = tilesM;
  d[FIELD.TILES_N >> 2] = tilesN;

  runJob(e, 0, aNb * aPtiles + bNb * bPtiles, useWorkers, e.matmul.pack_tile);
  const fused = fma && e.matmul.compute_tile_fma !== undefined;
  const compute = fused ? e.matmul.compute_tile_fma! : e.matmul.compute_tile;
  runJob(e, fused ? 2 : 1, batch * tilesM * tilesN, useWorkers, compute);

  if (direct.c) return true;
  const f32 = e.f32;
  const cw = c >> 2;
  if (np !== N) {
    // Compact the padded rows in place (each moves down, so front to back is safe).
    for (let bt = 0; bt < batch; bt++) {
      const src = cw + bt * mp * np;
      const dst = cw + bt * M * N;
      for (let i = 0; i < M; i++) f32.copyWithin(dst + i * N, src + i * np, src + i * np + N);
    }
    out.set(f32.subarray(cw, cw + batch * M * N), 0);
  } else if (mp === M || batch === 1) {
    out.set(f32.subarray(cw, cw + batch * M * N), 0);
  } else {
    for (let bt = 0; bt < batch; bt++) {
      const cb = cw + bt * mp * np;
      out.set(f32.subarray(cb, cb + M * N), bt * M * N);
    }
  }
  return true;
}

export { KC, MR, NR };
