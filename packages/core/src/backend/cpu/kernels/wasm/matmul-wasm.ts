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
import type { Bias, FloatArray, MatmulDims, MatOperand } from '../mat-operand.js';
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

/** An operand as placed in wasm memory: the address of element (0, 0, 0) and byte strides. */
interface Placed {
  ptr: number;
  bs: number;
  rs: number;
  cs: number;
}

/** How many batches of an operand are stored: 1 when its batch is broadcast (or there is one). */
function storedBatches(x: MatOperand, batch: number): number {
  return x.batchStride === 0 || batch === 1 ? 1 : batch;
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
  if (e.shared && inArena(src)) return { ptr: src.byteOffset + off * 4, bs: bs * 4, rs: rs * 4, cs: cs * 4 };
  const lo = off + Math.min(0, bs * (nb - 1)) + Math.min(0, rs * (rows - 1)) + Math.min(0, cs * (cols - 1));
  const hi = off + Math.max(0, bs * (nb - 1)) + Math.max(0, rs * (rows - 1)) + Math.max(0, cs * (cols - 1));
  const span = hi - lo + 1;
  const f32 = e.f32;
  const base = dst >> 2;
  if (span <= 2 * nb * rows * cols + 1024) {
    f32.set(src.subarray(lo, hi + 1), base);
    return { ptr: dst + (off - lo) * 4, bs: bs * 4, rs: rs * 4, cs: cs * 4 };
  }
  let d = base;
  for (let bt = 0; bt < nb; bt++) {
    for (let i = 0; i < rows; i++) {
      let s = off + bt * bs + i * rs;
      if (cs === 1) {
        f32.set(src.subarray(s, s + cols), d);
        d += cols;
      } else {
        for (let j = 0; j < cols; j++, s += cs) f32[d++] = src[s];
      }
    }
  }
  return { ptr: dst, bs: rows * cols * 4, rs: cols * 4, cs: 4 };
}

/** Bytes `placeOperand` writes for `nb` stored batches of [rows, cols] (none for an operand it reads in place). */
function spanBytes(x: MatOperand, nb: number, rows: number, cols: number, direct: boolean): number {
  if (direct) return 0;
  const span =
    Math.abs(x.batchStride) * (nb - 1) +
    Math.abs(x.rowStride) * (rows - 1) +
    Math.abs(x.colStride) * (cols - 1) +
    1;
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

/** The operand from batch `b0` on. */
function fromBatch(x: MatOperand, b0: number): MatOperand {
  return { ...x, offset: x.offset + b0 * x.batchStride };
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
  // and a result there whose shape needs no padding is written in place (with a bias, the
  // epilogue writes it, when rows are whole vectors: nothing is written past `out`).
  const arena = arenaEngine();
  const mp = Math.ceil(M / MR) * MR;
  const np = Math.ceil(N / NR) * NR;
  const outHere = arena !== null && inArena(out) && N % 4 === 0;
  const direct = {
    a: arena !== null && inArena(a.data),
    b: arena !== null && inArena(b.data),
    c: outHere && bias === null && mp === M && np === N,
  };
  const bytes = layoutBytes(a, b, dims, direct) + (bias ? biasBytes(batch * M, N, outHere) : 0);
  if (bytes > maxBytes) {
    if (batch === 1) return false;
    // Split the batch into pieces that fit.
    const per = Math.max(1, Math.floor(batch / Math.ceil(bytes / maxBytes)));
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

  if (bias !== null) {
    addBias(e, c, batch, mp, M, np, N, bias, c + align(batch * mp * np * 4), out, outHere);
    return true;
  }
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

/** Bytes the bias epilogue needs past the output: the bias, two row tables, the result unless written in place. */
function biasBytes(rows: number, N: number, inPlace: boolean): number {
  return align(4 * N + 16) + 2 * align(4 * rows) + (inPlace ? 0 : align(4 * rows * N + 16));
}

/**
 * The bias epilogue: adds the bias row to each of the M rows of every batch of the padded
 * output at `c` (rows `np` floats apart, `mp` rows per batch) with the elementwise `b_add`
 * kernel, which also compacts the rows, and copies the result out (or writes it in place,
 * `inPlace`, when `out` lives in the arena).
 */
function addBias(
  e: Engine,
  c: number,
  batch: number,
  mp: number,
  M: number,
  np: number,
  N: number,
  bias: Bias,
  at: number,
  out: Float32Array,
  inPlace: boolean,
): void {
  const rows = batch * M;
  const biasAt = at;
  const aTable = biasAt + align(4 * N + 16);
  const bTable = aTable + align(4 * rows);
  const result = inPlace ? out.byteOffset : bTable + align(4 * rows);
  const f32 = e.f32;
  const { data, offset, stride } = bias;
  if (stride === 1) f32.set(data.subarray(offset, offset + N), biasAt >> 2);
  else for (let j = 0; j < N; j++) f32[(biasAt >> 2) + j] = data[offset + j * stride]!;
  const i32 = e.i32;
  for (let r = 0; r < rows; r++) {
    const bt = Math.floor(r / M);
    i32[(aTable >> 2) + r] = c + (bt * mp + (r - bt * M)) * np * 4;
    i32[(bTable >> 2) + r] = biasAt;
  }
  e.elementwise.b_add!(aTable, bTable, result, rows, N);
  if (!inPlace) out.set(e.f32.subarray(result >> 2, (result >> 2) + rows * N));
}

export { KC, MR, NR };
