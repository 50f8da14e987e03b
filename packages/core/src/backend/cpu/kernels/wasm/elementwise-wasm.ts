/**
 * Runs the float32 elementwise and optimizer kernels of `elementwise-wat.mjs`.
 *
 * Each call runs one export over operands in the engine's memory (see `engine.ts`), on the
 * calling thread, or for large work in pieces shared with the worker threads (`pool.ts`). An
 * operand arrives as rows (`Rows` from `strided.ts`: its storage and where its rows start). One that lives in the arena (`arena.ts`) is read where it is, and a result
 * array there is written in place; any other is laid out in scratch memory first: rows that
 * step by one element are copied as one span when they are dense enough, or row by row; a row
 * that repeats one value (a broadcast along the last dim) is filled out. Then the result is
 * copied out. Any other layout or storage type is left to the TypeScript loops, as is
 * everything below `minElements` elements, where a kernel call costs more than it saves.
 *
 * The functions return false when they do not apply (or wasm memory cannot grow); the
 * caller then computes the whole result itself. A result array is one `alloc` gave: in the
 * arena a kernel may write up to three values past its end, into the block's slack.
 */

import type { TypedArray } from '../../../../dtype.js';
import type { WindowSpec } from '../../../backend.js';
import { arenaEngine, inArena, scratch } from '../../arena.js';
import type { Rows } from '../../strided.js';
import { DATA_START, type Engine, ensureBytes, getEngine } from './engine.js';
import { canRunInParallel, getThreads, runCalls } from './pool.js';

/** Which loops the CPU kernels use for float32: `'auto'` picks WebAssembly above a size. */
export type ElementwiseImpl = 'auto' | 'ts' | 'wasm';

let impl: ElementwiseImpl = 'auto';
let minElements = 512;
let calls = 0;

/** How many kernel calls have run in WebAssembly so far (tests check the fast path ran). */
export function elementwiseWasmCalls(): number {
  return calls;
}

/** Forces the TypeScript loops (`'ts'`) or WebAssembly at every size (`'wasm'`). */
export function setElementwiseImpl(next: ElementwiseImpl): void {
  impl = next;
}

/** Sets the size from which `'auto'` uses WebAssembly. */
export function setElementwiseMinElements(n: number): void {
  minElements = Math.max(1, n);
}

/**
 * Work (elements times a per-kernel weight, see `parts`) from which a kernel over operands in
 * the arena is shared with the worker threads: below it, waking a worker costs more than its
 * half of the work saves.
 */
let parallelMin = 1 << 18;

/** Sets the work from which kernels run on the worker threads too (tests lower it). */
export function setElementwiseParallelMin(n: number): void {
  parallelMin = Math.max(1, n);
}

/**
 * Where `n` elements of work of `weight` per element go to the worker pool: the starts of the
 * pieces (each a multiple of 64 elements long, so no piece's last vector runs into the next
 * one), then n; null to run on this thread alone.
 */
function parts(e: Engine, n: number, weight: number): number[] | null {
  if (n * weight < parallelMin || !canRunInParallel(e)) return null;
  const count = Math.min(4 * getThreads(), Math.ceil(n / 4096));
  const size = Math.ceil(n / count / 64) * 64;
  const cuts: number[] = [];
  for (let lo = 0; lo < n; lo += size) cuts.push(lo);
  cuts.push(n);
  return cuts.length > 2 ? cuts : null;
}

/** Per-element cost of a unary kernel relative to an add: the polynomial ones cost more. */
const unaryWeight = (op: string) => (op === 'exp' || op === 'sigmoid' || op === 'tanh' ? 8 : 1);

const SLACK = 16;
const align = (x: number) => (x + 15) & ~15;

/**
 * The engine when a float32 kernel of `n` elements should use it, else null: the arena's
 * (shared) one where the arena is on, the private one otherwise.
 */
function engineFor(n: number): Engine | null {
  if (impl === 'ts' || n === 0 || (impl === 'auto' && n < minElements)) return null;
  return arenaEngine() ?? getEngine();
}

/**
 * The byte address of `bytes` of scratch memory in `e`: an arena block on the arena's
 * engine, the start of the data area on the private one. Null when memory cannot grow.
 */
function scratchIn(e: Engine, bytes: number): number | null {
  if (e.shared) return scratch(bytes);
  return ensureBytes(e, DATA_START + bytes) ? DATA_START : null;
}

/** The byte address of element `i` of an arena view. */
const addressOf = (a: Float32Array | Uint8Array, i: number) => a.byteOffset + i * a.BYTES_PER_ELEMENT;

type Source = Float32Array | Uint8Array;

/** How an operand of a handled layout (see `handled`) is laid out in wasm memory. */
interface Plan {
  src: Source;
  rows: Rows;
  /** In the arena with rows that step by one element: read in place, nothing copied. */
  direct: boolean;
  /** Rows step by one element; otherwise each row repeats the value at its start. */
  dense: boolean;
  /** Copy [lo, lo + span) as one piece; otherwise row by row. */
  lo: number;
  span: number;
  /** Every row starts at the same element. */
  same: boolean;
  /**
   * A broadcast scalar (one value, every row at the same element) read by a `_s<i>` kernel
   * variant from one vector holding it in every lane.
   */
  splat: boolean;
  bytes: number;
}

/** The step of an operand's rows as the kernels see it: 1, 0 (a repeated value) or unhandled. */
function stepOf(rows: Rows): number {
  return rows.length === 1 ? 1 : rows.step;
}

const handled = (rows: Rows) => stepOf(rows) === 0 || stepOf(rows) === 1;

function plan(rows: Rows): Plan {
  const src = rows.data as Source;
  const L = rows.length;
  const R = rows.starts.length;
  const step = stepOf(rows);
  if (step === 1 && inArena(src)) {
    return { src, rows, direct: true, dense: true, lo: 0, span: 0, same: false, splat: false, bytes: 0 };
  }
  let lo = rows.starts[0]!;
  let hi = lo;
  for (let r = 1; r < R; r++) {
    const s = rows.starts[r]!;
    if (s < lo) lo = s;
    else if (s > hi) hi = s;
  }
  const size = src.BYTES_PER_ELEMENT;
  const same = lo === hi;
  if (step === 0) {
    return {
      src,
      rows,
      direct: false,
      dense: false,
      lo,
      span: 0,
      same,
      splat: false,
      bytes: align((same ? L : R * L) * size + SLACK),
    };
  }
  const span = hi - lo + L;
  const asSpan = span <= 2 * R * L + 1024;
  const elems = asSpan ? span : R * L;
  return {
    src,
    rows,
    direct: false,
    dense: true,
    lo,
    span: asSpan ? span : 0,
    same,
    splat: false,
    bytes: align(elems * size + SLACK),
  };
}

/**
 * Writes an operand's row table (byte addresses) at `table`: of its rows where they are
 * (`direct`), or of the copy this makes at `base`.
 */
function place(e: Engine, p: Plan, base: number, table: number): void {
  const { src, rows } = p;
  const L = rows.length;
  const R = rows.starts.length;
  const size = src.BYTES_PER_ELEMENT;
  const mem = size === 4 ? e.f32 : e.u8;
  const at = base / size;
  const t = table >> 2;
  if (p.direct) {
    const b = src.byteOffset;
    for (let r = 0; r < R; r++) e.i32[t + r] = b + rows.starts[r]! * size;
  } else if (p.splat) {
    mem.fill(src[rows.starts[0]!]!, at, at + 16 / size);
    e.i32.fill(base, t, t + R);
  } else if (!p.dense) {
    const rowsOut = p.same ? 1 : R;
    for (let r = 0; r < rowsOut; r++) fillRow(e, src, src[rows.starts[r]!]!, base + r * L * size, L);
    for (let r = 0; r < R; r++) e.i32[t + r] = p.same ? base : base + r * L * size;
  } else if (p.span > 0) {
    mem.set(src.subarray(p.lo, p.lo + p.span), at);
    for (let r = 0; r < R; r++) e.i32[t + r] = base + (rows.starts[r]! - p.lo) * size;
  } else {
    for (let r = 0; r < R; r++) {
      const s = rows.starts[r]!;
      mem.set(src.subarray(s, s + L), at + r * L);
      e.i32[t + r] = base + r * L * size;
    }
  }
}

/** Scratch for `fill`'s pattern: a float32's bits. */
const patternF32 = new Float32Array(1);
const patternI32 = new Int32Array(patternF32.buffer);

/**
 * Writes `n` copies of `value` (an element of `src`'s type) at byte address `at`, in whole
 * vectors: up to 15 bytes past the row, which the next row overwrites or the slack takes.
 */
function fillRow(e: Engine, src: Source, value: number, at: number, n: number): void {
  let pattern: number;
  if (src.BYTES_PER_ELEMENT === 4) {
    patternF32[0] = value;
    pattern = patternI32[0]!;
  } else {
    pattern = (value & 255) * 0x01010101;
  }
  e.elementwise.fill!(at, n * src.BYTES_PER_ELEMENT, pattern | 0);
}

/**
 * Fills `out`, an array `alloc` gave in the arena, with `value` in WebAssembly: a typed array's
 * `fill` writes element by element over shared memory. Writes whole vectors, into the block's
 * slack. False (nothing written) where `out` is not in the arena.
 */
export function fillWasm(out: Float32Array | Uint8Array, value: number): boolean {
  const e = engineFor(out.length);
  if (e === null || e.elementwise.fill === undefined || !inArena(out)) return false;
  fillRow(e, out, value, out.byteOffset, out.length);
  calls++;
  return true;
}

/**
 * Elements one kernel call handles at most. Larger operations go through wasm memory in
 * pieces of this size, so what a piece copies in is still in cache when the kernel reads it
 * and when its result is copied out.
 */
const PIECE = 32768;

/**
 * Runs a row kernel over operands `rows` (all with the same number of rows and row
 * length) into `out`, in pieces of whole rows or, for long rows, of parts of
 * a row. Returns false when a layout is not handled.
 */
function runRows(e: Engine, kernel: string, rows: Rows[], out: Float32Array | Uint8Array): boolean {
  if (e.elementwise[kernel] === undefined || !rows.every(handled)) return false;
  const R = rows[0]!.starts.length;
  const L = rows[0]!.length;
  // Nothing to copy: one call over every row.
  if (inArena(out) && rows.every((r) => stepOf(r) === 1 && inArena(r.data)))
    return runPiece(e, kernel, rows, out, 0);
  if (L <= PIECE) {
    const group = Math.max(1, Math.floor(PIECE / L));
    for (let r0 = 0; r0 < R; r0 += group) {
      const r1 = Math.min(R, r0 + group);
      const piece =
        r0 === 0 && r1 === R ? rows : rows.map((r) => ({ ...r, starts: r.starts.subarray(r0, r1) }));
      if (!runPiece(e, kernel, piece, out, r0 * L)) return false;
    }
    return true;
  }
  for (let r = 0; r < R; r++) {
    for (let c0 = 0; c0 < L; c0 += PIECE) {
      const piece = rows.map((x) => ({
        data: x.data,
        starts: Int32Array.of(x.starts[r]! + c0 * x.step),
        length: Math.min(PIECE, L - c0),
        step: x.step,
      }));
      if (!runPiece(e, kernel, piece, out, r * L + c0)) return false;
    }
  }
  return true;
}

/** One kernel call over rows that fit in a piece, written to `out` from element `outOff`. */
function runPiece(
  e: Engine,
  kernel: string,
  rows: Rows[],
  out: Float32Array | Uint8Array,
  outOff: number,
): boolean {
  const plans = rows.map(plan);
  // One broadcast scalar among the operands: the kernel variant that reads it as one vector.
  const scalars = plans.flatMap((p, i) => (!p.dense && p.same ? [i] : []));
  if (scalars.length === 1 && e.elementwise[`${kernel}_s${scalars[0]}`] !== undefined) {
    const i = scalars[0]!;
    plans[i] = { ...plans[i]!, splat: true, bytes: align(16 + SLACK) };
    kernel = `${kernel}_s${i}`;
  }
  const fn = e.elementwise[kernel]!;
  const R = rows[0]!.starts.length;
  const L = rows[0]!.length;
  const n = R * L;
  // A result in the arena is written in place: the kernel's overshoot past a row lands on
  // the next row, or past the last one in the slack every arena block has.
  const outDirect = inArena(out);
  let bytes = 0;
  for (const p of plans) bytes += p.bytes + align(4 * R);
  bytes += outDirect ? PARALLEL_BYTES : align(n * out.BYTES_PER_ELEMENT + SLACK);
  const base = scratchIn(e, bytes);
  if (base === null) return false;
  let at = base;
  const bases = plans.map((p) => {
    const b = at;
    at += p.bytes;
    return b;
  });
  const tables = plans.map(() => {
    const b = at;
    at += align(4 * R);
    return b;
  });
  const outAt = outDirect ? addressOf(out, outOff) : at;
  for (let i = 0; i < plans.length; i++) place(e, plans[i]!, bases[i]!, tables[i]!);
  if (
    outDirect &&
    plans.every((p) => p.direct || p.splat) &&
    runRowsParallel(e, kernel, plans, tables, at, outAt, out, R, L)
  ) {
    return true;
  }
  fn(...tables, outAt, R, L);
  calls++;
  if (outDirect) return true;
  if (out instanceof Float32Array) out.set(e.f32.subarray(outAt >> 2, (outAt >> 2) + n), outOff);
  else out.set(e.u8.subarray(outAt, outAt + n), outOff);
  return true;
}

/**
 * Scratch bytes a row kernel keeps past its row tables for `runRowsParallel`: the argument
 * table and one-entry row tables of at most 4 pieces per thread (8 threads) of 3 operands.
 */
const PARALLEL_BYTES = align(4 * 32 * 6) + 4 * 32 * 3;

/**
 * A row kernel over operands read in place or splat (row tables at `tables`) into `outAt`, shared with
 * the worker threads when the work is large enough: whole rows per call when rows are whole
 * vectors (a row's last vector then writes nothing past it), pieces of the one row otherwise.
 * `table` is `PARALLEL_BYTES` of scratch for the calls' arguments. False (nothing run) where
 * it stays on this thread.
 */
function runRowsParallel(
  e: Engine,
  kernel: string,
  plans: Plan[],
  tables: number[],
  table: number,
  outAt: number,
  out: Float32Array | Uint8Array,
  R: number,
  L: number,
): boolean {
  if (R > 1 && L % 4 !== 0) return false;
  const cuts = parts(e, R * L, 1);
  if (cuts === null) return false;
  const size = out.BYTES_PER_ELEMENT;
  const args: number[][] = [];
  if (R === 1) {
    // One row: a one-entry row table per piece and operand, after the argument table.
    const pieces = cuts.length - 1;
    const argBytes = align(4 * pieces * (tables.length + 3));
    const rowTables = table + argBytes;
    for (let t = 0; t < pieces; t++) {
      const lo = cuts[t]!;
      const call = plans.map((p, i) => {
        const at = rowTables + 4 * (i * pieces + t);
        e.i32[at >> 2] = e.i32[tables[i]! >> 2]! + (p.splat ? 0 : lo * p.src.BYTES_PER_ELEMENT);
        return at;
      });
      args.push([...call, outAt + lo * size, 1, cuts[t + 1]! - lo]);
    }
  } else {
    // Whole rows: pieces of the existing row tables.
    const rowCuts = [...new Set(cuts.map((c) => Math.min(R, Math.ceil(c / L))))];
    if (rowCuts.length < 3) return false;
    for (let t = 0; t + 1 < rowCuts.length; t++) {
      const r0 = rowCuts[t]!;
      args.push([...tables.map((tb) => tb + 4 * r0), outAt + r0 * L * size, rowCuts[t + 1]! - r0, L]);
    }
  }
  runCalls(e, kernel, args, 0, table);
  calls += args.length;
  return true;
}

/**
 * out = op(x) for float32 rows of x that step by one element (a contiguous x is one row),
 * gathered into wasm memory a piece at a time.
 */
export function unaryWasm(op: string, rows: Rows, out: Float32Array): boolean {
  const x = rows.data;
  const L = rows.length;
  const R = rows.starts.length;
  const n = R * L;
  if (!(x instanceof Float32Array)) return false;
  const e = engineFor(n);
  const fn = e?.elementwise[`u_${op}`];
  if (!e || fn === undefined || stepOf(rows) !== 1) return false;
  if (inArena(x) && inArena(out) && (R === 1 || L >= 256)) {
    const cuts = R === 1 || L % 4 === 0 ? parts(e, n, unaryWeight(op)) : null;
    const args: number[][] = [];
    if (cuts !== null && R === 1) {
      // Pieces of the one row, on the worker threads too.
      for (let t = 0; t + 1 < cuts.length; t++) {
        const lo = cuts[t]!;
        args.push([addressOf(x, rows.starts[0]! + lo), addressOf(out, lo), cuts[t + 1]! - lo]);
      }
    } else if (cuts !== null) {
      // Whole rows of whole vectors: no call writes past its row.
      for (let r = 0; r < R; r++) args.push([addressOf(x, rows.starts[r]!), addressOf(out, r * L), L]);
    }
    const table = args.length > 0 ? scratch(12 * args.length) : null;
    if (table !== null) {
      runCalls(e, `u_${op}`, args, 0, table);
      calls += args.length;
      return true;
    }
    // In place, a row per call (the next row overwrites a row's overshoot).
    for (let r = 0; r < R; r++) fn(addressOf(x, rows.starts[r]!), addressOf(out, r * L), L);
    calls += R;
    return true;
  }
  // Rows longer than a piece are cut into parts: (row, column) pieces of at most PIECE.
  const part = Math.min(L, PIECE);
  const group = Math.max(1, Math.floor(PIECE / part));
  const xAt = scratchIn(e, 2 * align(4 * group * part + SLACK));
  if (xAt === null) return false;
  const outAt = xAt + align(4 * group * part + SLACK);
  const xw = xAt >> 2;
  for (let r0 = 0; r0 < R; r0 += group) {
    const r1 = Math.min(R, r0 + group);
    for (let c0 = 0; c0 < L; c0 += part) {
      const len = Math.min(part, L - c0);
      for (let r = r0; r < r1; r++) {
        const s = rows.starts[r]! + c0;
        e.f32.set(x.subarray(s, s + len), xw + (r - r0) * len);
      }
      fn(xAt, outAt, (r1 - r0) * len);
      calls++;
      const res = e.f32.subarray(outAt >> 2, (outAt >> 2) + (r1 - r0) * len);
      if (len === L) out.set(res, r0 * L);
      else
        for (let r = r0; r < r1; r++) out.set(res.subarray((r - r0) * len, (r - r0 + 1) * len), r * L + c0);
    }
  }
  return true;
}

/**
 * out = a op b over float32 operands split alike (`jointRows`); `out` is float32, or bool
 * (bytes) for comparisons.
 */
export function binaryWasm(op: string, a: Rows, b: Rows, out: Float32Array | Uint8Array): boolean {
  if (!(a.data instanceof Float32Array && b.data instanceof Float32Array)) return false;
  const e = engineFor(a.starts.length * a.length);
  return e !== null && runRows(e, `b_${op}`, [a, b], out);
}

/** out = cond ? a : b over operands split alike; `cond` holds bool bytes, `a` and `b` float32. */
export function whereWasm(cond: Rows, a: Rows, b: Rows, out: Float32Array): boolean {
  if (
    !(cond.data instanceof Uint8Array && a.data instanceof Float32Array && b.data instanceof Float32Array)
  ) {
    return false;
  }
  const e = engineFor(a.starts.length * a.length);
  return e !== null && runRows(e, 'where', [cond, a, b], out);
}

/**
 * out[j] = sum over rows of x[off + r * width + j] for a contiguous float32 block,
 * accumulated in float64 in row order, a piece of whole rows at a time.
 */
export function colsumWasm(
  x: Float32Array,
  off: number,
  rows: number,
  width: number,
  out: Float32Array,
): boolean {
  const e = engineFor(rows * width);
  if (!e || rows === 0 || width === 0 || width > PIECE) return false;
  const direct = inArena(x);
  const group = direct ? rows : Math.max(1, Math.floor(PIECE / width));
  const xBytes = direct ? 0 : align(4 * Math.min(rows, group) * width + SLACK);
  const xAt = scratchIn(e, xBytes + align(8 * width + 32) + align(4 * width + SLACK));
  if (xAt === null) return false;
  const accAt = xAt + xBytes;
  const outAt = accAt + align(8 * width + 32);
  if (direct) {
    e.elementwise.colsum!(addressOf(x, off), rows, width, accAt, outAt, 1);
    calls++;
    out.set(e.f32.subarray(outAt >> 2, (outAt >> 2) + width));
    return true;
  }
  for (let r0 = 0; r0 < rows; r0 += group) {
    const r1 = Math.min(rows, r0 + group);
    e.f32.set(x.subarray(off + r0 * width, off + r1 * width), xAt >> 2);
    e.elementwise.colsum!(xAt, r1 - r0, width, accAt, outAt, r0 === 0 ? 1 : 0);
    calls++;
  }
  out.set(e.f32.subarray(outAt >> 2, (outAt >> 2) + width));
  return true;
}

/** Coefficients of the plain Adam update; see the `adam` kernel. */
export interface AdamCoefficients {
  w1: number;
  beta2: number;
  w2: number;
  eps: number;
  stepSize: number;
  invBias2Sqrt: number;
}

/** An Adam element's cost relative to an add's (a square root and a division per element). */
const ADAM_WEIGHT = 8;

/** Elements of each array an Adam call moves through wasm memory at a time. */
const ADAM_CHUNK = 16384;

/**
 * Plain Adam in place on four float32 arrays of the same length. The arrays go through
 * wasm memory in chunks small enough to stay in cache between copying in, updating and
 * copying out.
 */
export function adamWasm(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  c: AdamCoefficients,
): boolean {
  const n = p.length;
  const e = engineFor(n);
  if (!e) return false;
  const adam = e.elementwise.adam!;
  // In place where all four live in the arena, but for the last n mod 4 values: the kernel
  // writes whole vectors, and past n may lie another tensor's values. Those go through
  // scratch memory, which is found first so that a failure leaves everything unchanged.
  const start = inArena(p) && inArena(g) && inArena(m) && inArena(v) ? n & ~3 : 0;
  const chunk = Math.max(1, Math.min(n - start, ADAM_CHUNK));
  const bytes = align(4 * chunk + SLACK);
  // Large updates in place are shared with the worker threads, in pieces of whole vectors.
  const cuts = start > 0 ? parts(e, start, ADAM_WEIGHT) : null;
  const argBytes = cuts === null ? 0 : align(44 * (cuts.length - 1));
  const tail = start === n ? 0 : 4 * bytes;
  const at = tail + argBytes === 0 ? 0 : scratchIn(e, tail + argBytes);
  if (at === null) return false;
  const coefficients = [c.w1, c.beta2, c.w2, c.eps, c.stepSize, c.invBias2Sqrt];
  if (cuts !== null) {
    const args: number[][] = [];
    for (let t = 0; t + 1 < cuts.length; t++) {
      const lo = cuts[t]!;
      const addresses = [p, g, m, v].map((a) => addressOf(a, lo));
      args.push([...addresses, cuts[t + 1]! - lo, ...coefficients]);
    }
    // Arguments 5 to 10 are the float32 coefficients.
    runCalls(e, 'adam', args, 0b11111100000, at + tail);
    calls += args.length;
  } else if (start > 0) {
    const [pa, ga, ma, va] = [p, g, m, v].map((a) => addressOf(a, 0)) as [number, number, number, number];
    adam(pa, ga, ma, va, start, c.w1, c.beta2, c.w2, c.eps, c.stepSize, c.invBias2Sqrt);
    calls++;
  }
  const f32 = e.f32;
  const [pw, gw, mw, vw] = [0, 1, 2, 3].map((i) => (at + i * bytes) >> 2) as [number, number, number, number];
  for (let lo = start; lo < n; lo += chunk) {
    const hi = Math.min(n, lo + chunk);
    const len = hi - lo;
    f32.set(p.subarray(lo, hi), pw);
    f32.set(g.subarray(lo, hi), gw);
    f32.set(m.subarray(lo, hi), mw);
    f32.set(v.subarray(lo, hi), vw);
    adam(pw << 2, gw << 2, mw << 2, vw << 2, len, c.w1, c.beta2, c.w2, c.eps, c.stepSize, c.invBias2Sqrt);
    calls++;
    p.set(f32.subarray(pw, pw + len), lo);
    m.set(f32.subarray(mw, mw + len), lo);
    v.set(f32.subarray(vw, vw + len), lo);
  }
  return true;
}

/** A float32 block a row kernel reads (`in`), writes (`out`) or adds into (`acc`). */
interface Block {
  data: Float32Array;
  /** First element. */
  offset: number;
  length: number;
  use: 'in' | 'out' | 'acc';
}

/**
 * Calls `run` with the byte address of each block in wasm memory: where it is for a block in
 * the arena (but an `acc` block, which the kernel may write past its end), else a copy in
 * scratch memory (with slack after it), copied in before for `in` and `acc` and out after
 * for `out` and `acc`; `table` is the address of `TABLE_BYTES` of scratch memory past the
 * copies, for {@link overRows}. False (nothing run) when no kernel applies or memory cannot
 * grow.
 */
function withBlocks(blocks: Block[], run: (e: Engine, addresses: number[], table: number) => void): boolean {
  const e = engineFor(blocks[0]!.length);
  if (!e) return false;
  const direct = blocks.map((b) => b.use !== 'acc' && inArena(b.data));
  let bytes = 0;
  for (let i = 0; i < blocks.length; i++) if (!direct[i]) bytes += align(4 * blocks[i]!.length + SLACK);
  const base = scratchIn(e, bytes + TABLE_BYTES);
  if (base === null) return false;
  let at = base;
  const addresses = blocks.map((b, i) => {
    if (direct[i]) return addressOf(b.data, b.offset);
    const a = at;
    at += align(4 * b.length + SLACK);
    if (b.use !== 'out') e.f32.set(b.data.subarray(b.offset, b.offset + b.length), a >> 2);
    return a;
  });
  run(e, addresses, base + bytes);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (direct[i] || b.use === 'in') continue;
    const a = addresses[i]! >> 2;
    b.data.set(e.f32.subarray(a, a + b.length), b.offset);
  }
  return true;
}

/** Most pieces {@link overRows} cuts a kernel's rows into. */
const MAX_PIECES = 32;
/** Bytes of its argument table: up to twenty arguments a call. */
const TABLE_BYTES = 4 * 20 * MAX_PIECES;

/**
 * Runs `kernel` over `rows` independent rows: `piece(r0, n)` gives the arguments of a call over
 * rows r0 to r0 + n (bit i of `floats` marks argument i as a float32). When the work (`rows *
 * rowWork`, counted in adds) is large enough the rows go in pieces to this thread and the
 * worker threads; pieces run at once and in any order, so no row may write into another's
 * memory (rows of whole vectors). Their arguments go to `table` (`TABLE_BYTES` of scratch
 * memory; null: scratch memory is free, take it). Else one call on this thread.
 */
function overRows(
  e: Engine,
  kernel: string,
  rows: number,
  rowWork: number,
  table: number | null,
  piece: (r0: number, n: number) => number[],
  floats = 0,
): void {
  const at =
    e.shared && rows > 1 && rows * rowWork >= parallelMin && canRunInParallel(e)
      ? (table ?? scratch(TABLE_BYTES))
      : null;
  if (at === null) {
    e.elementwise[kernel]!(...piece(0, rows));
    calls++;
    return;
  }
  const count = Math.min(MAX_PIECES, 4 * getThreads(), rows);
  const args: number[][] = [];
  for (let t = 0; t < count; t++) {
    const r0 = Math.floor((t * rows) / count);
    args.push(piece(r0, Math.floor(((t + 1) * rows) / count) - r0));
  }
  runCalls(e, kernel, args, floats, at);
  calls += count;
}

/** An operand of a copy: rows, or an array whose elements are rows one after another. */
type RowsOrArray = Rows | TypedArray;

const storageOf = (x: RowsOrArray) => ('starts' in x ? x.data : x);
/**
 * Writes the byte address of each of the `R` rows of `x` (at byte `at`) from Int32 slot `t` of
 * `i32`: `bytes` apart for an array, from its row starts for rows.
 */
function writeRowTable(
  i32: Int32Array,
  t: number,
  x: RowsOrArray,
  at: number,
  R: number,
  bytes: number,
  size: number,
) {
  if ('starts' in x) {
    const starts = x.starts;
    for (let r = 0; r < R; r++) i32[t + r] = at + starts[r]! * size;
  } else for (let r = 0; r < R; r++) i32[t + r] = at + r * bytes;
}
/** Whether each row's values are adjacent. */
const adjacent = (x: RowsOrArray) => !('starts' in x) || stepOf(x) === 1;

/**
 * Copies the rows of `src` to the rows of `dst` (`rows` of them, the shape of whichever is
 * `Rows`), float32 or bool values between storages in the arena, with `memory.copy`, shared
 * with the worker threads when large: typed arrays copy element by element over shared
 * memory, several times slower. False (nothing copied) where a storage is outside the arena
 * or values are not adjacent; the caller then copies in TypeScript.
 */
export function copyRowsWasm(src: RowsOrArray, dst: RowsOrArray, rows: Rows): boolean {
  const R = rows.starts.length;
  const L = rows.length;
  const [from, to] = [storageOf(src), storageOf(dst)];
  const size = from.BYTES_PER_ELEMENT;
  const e = engineFor(R * L);
  if (e === null || e.elementwise.copy_rows === undefined || to.BYTES_PER_ELEMENT !== size) return false;
  if (!(inArena(from) && inArena(to) && adjacent(src) && adjacent(dst))) return false;
  const tables = align(8 * R);
  const base = scratch(tables + TABLE_BYTES);
  if (base === null) return false;
  writeRowTable(e.i32, base >> 2, dst, to.byteOffset, R, L * size, size);
  writeRowTable(e.i32, (base >> 2) + R, src, from.byteOffset, R, L * size, size);
  overRows(e, 'copy_rows', R, L, base + tables, (r0, n) => [base + 4 * r0, base + 4 * (R + r0), n, L * size]);
  return true;
}

/**
 * The geometry of a convolution's windows for `im2colWasm` and `col2imWasm`: for each kernel
 * column, the window columns [lo, hi) whose tap lies inside the input row and the byte offset
 * of the first of those taps (three values each); for each (kernel row, window row), the byte
 * offset of the row it reads, or -1 in the padding.
 */
export interface WindowPlan {
  cols: Int32Array;
  rows: Int32Array;
}

/**
 * A window kernel's operand and geometry: N·C planes of `data` from element `offset`, `sn` and
 * `sc` elements apart by image and channel, and the windows' spec and plan.
 */
export interface Windows {
  data: Float32Array;
  offset: number;
  sn: number;
  sc: number;
  N: number;
  C: number;
  spec: WindowSpec;
  plan: WindowPlan;
}

/**
 * Runs a window kernel over the N·C planes of `w` into `out` (both in the arena), its plan's
 * tables in scratch memory, shared with the worker threads by planes when large. A call's
 * arguments: src, out, the planes [p0, p1), C, sn, sc, kH, kW, oH, oW (bytes for strides), then
 * `before`, the two tables, `after`. False (nothing run) where an operand is outside the arena.
 */
function runWindows(
  kernel: 'im2col' | 'col2im',
  w: Windows,
  out: Float32Array,
  before: number[],
  after: number[],
  floats = 0,
): boolean {
  const { plan, spec } = w;
  const [KH, KW] = spec.kernel;
  const [OH, OW] = spec.out;
  const planes = w.N * w.C;
  const e = engineFor(planes * KH * KW * OH * OW);
  if (e === null || e.elementwise[kernel] === undefined || !inArena(w.data) || !inArena(out)) return false;
  const colBytes = 4 * plan.cols.length;
  const rowBytes = 4 * plan.rows.length;
  const base = scratch(colBytes + rowBytes + TABLE_BYTES);
  if (base === null) return false;
  e.i32.set(plan.cols, base >> 2);
  e.i32.set(plan.rows, (base + colBytes) >> 2);
  const head = [addressOf(w.data, w.offset), addressOf(out, 0)];
  const shape = [w.C, 4 * w.sn, 4 * w.sc, KH, KW, OH, OW, ...before, base, base + colBytes, ...after];
  const piece = (p0: number, n: number) => [...head, p0, p0 + n, ...shape];
  overRows(e, kernel, planes, KH * KW * OH * OW, base + colBytes + rowBytes, piece, floats);
  return true;
}

/**
 * im2col in WebAssembly (see `im2col` in `elementwise-wat.mjs`): the [H, W] planes of `w` (taps
 * `step` elements apart along a row) to contiguous [kH·kW, oH·oW] planes of `out`, `pad` where
 * a tap lies in the padding.
 */
export function im2colWasm(w: Windows, out: Float32Array, step: number, pad: number): boolean {
  // Argument 14, the pad value, is a float32.
  return runWindows('im2col', w, out, [4 * step], [pad], 1 << 14);
}

/**
 * col2im in WebAssembly (see `col2im` in `elementwise-wat.mjs`): the planes of taps of `w` (tap
 * rows `sk`, taps `sp` elements apart) added into the contiguous [H, W] planes of `out`, in the
 * order of the TypeScript loop.
 */
export function col2imWasm(w: Windows, out: Float32Array, sk: number, sp: number): boolean {
  const [H, W] = w.spec.size;
  return runWindows('col2im', w, out, [4 * sk, 4 * sp], [4 * w.spec.stride[1], 4 * H * W]);
}

/**
 * A reduction in WebAssembly over the m values at src[outer[o] + inner[j]] for each output o
 * (element offsets into `src`; `inner` null, for sums: m adjacent values), in the TypeScript loop's
 * order, so with the same bits: 'sum' (see `sum_at`: added in float64, rounded once) into a
 * float32 `out`, 'argmax' / 'argmin' (see `arg_at`) into an int32 one. Shared with the worker
 * threads by outputs. False (nothing written) where `src` is outside the arena.
 */
export function reduceAtWasm(
  op: 'sum' | 'argmax' | 'argmin',
  src: Float32Array,
  outer: Int32Array,
  inner: Int32Array | null,
  m: number,
  out: Float32Array | Int32Array,
): boolean {
  const n = outer.length;
  const e = engineFor(n * m);
  const kernel = op === 'sum' ? 'sum_at' : 'arg_at';
  if (e === null || e.elementwise[kernel] === undefined || !inArena(src) || m === 0) return false;
  // `arg_at` reads its values through a table only.
  if (inner === null && op !== 'sum') return false;
  // Sums write float32 results where they are; indices (int32, never in the arena) go through scratch.
  const direct = out instanceof Float32Array && inArena(out);
  const outerBytes = align(4 * n);
  const innerBytes = inner === null ? 0 : align(4 * m);
  const outBytes = direct ? 0 : align(4 * n);
  const base = scratch(outerBytes + innerBytes + outBytes + TABLE_BYTES);
  if (base === null) return false;
  const i32 = e.i32;
  const t = base >> 2;
  for (let o = 0; o < n; o++) i32[t + o] = 4 * outer[o]!;
  const innerAt = inner === null ? 0 : base + outerBytes;
  if (inner !== null) for (let j = 0, u = innerAt >> 2; j < m; j++) i32[u + j] = 4 * inner[j]!;
  const outAt = direct ? addressOf(out, 0) : base + outerBytes + innerBytes;
  const at = addressOf(src, 0);
  const args = (o0: number, k: number) =>
    op === 'sum'
      ? [at, outAt, base, o0, o0 + k, innerAt, m]
      : [at, outAt, base, o0, o0 + k, innerAt, m, op === 'argmax' ? 1 : 0];
  overRows(e, kernel, n, m, base + outerBytes + innerBytes + outBytes, args);
  if (!direct)
    out.set(
      out instanceof Int32Array
        ? i32.subarray(outAt >> 2, (outAt >> 2) + n)
        : e.f32.subarray(outAt >> 2, (outAt >> 2) + n),
    );
  return true;
}

/**
 * argmax / argmin along one dim of a contiguous [outer, m, inner] block of `src` from element
 * `offset`, into `out` ([outer, inner]), in WebAssembly (see `arg_dim`), shared with the worker
 * threads by outer rows. False (nothing written) where `src` is outside the arena.
 */
export function argDimWasm(
  op: 'argmax' | 'argmin',
  src: Float32Array,
  offset: number,
  outer: number,
  m: number,
  inner: number,
  out: Int32Array,
): boolean {
  const n = outer * inner;
  const e = engineFor(n * m);
  if (e === null || e.elementwise.arg_dim === undefined || !inArena(src) || m === 0 || n === 0) return false;
  const base = scratch(align(4 * n) + TABLE_BYTES);
  if (base === null) return false;
  const at = addressOf(src, offset);
  const max = op === 'argmax' ? 1 : 0;
  overRows(e, 'arg_dim', outer, m * inner, base + align(4 * n), (a0, k) => [
    at,
    base,
    a0,
    a0 + k,
    m,
    inner,
    max,
  ]);
  out.set(e.i32.subarray(base >> 2, (base >> 2) + n));
  return true;
}

/** A contiguous float32 operand: its storage and first element. */
export interface Span {
  data: Float32Array;
  offset: number;
}

/** The row kernels {@link rowKernelWasm} runs, and their inputs: x, or y and g. */
export type RowKernel = 'softmax' | 'softmax_bw' | 'logsoftmax' | 'logsoftmax_bw';

/** Work per value of each row kernel, in adds (an exp costs about eight). */
const ROW_WORK: Record<RowKernel, number> = { softmax: 10, softmax_bw: 3, logsoftmax: 10, logsoftmax_bw: 10 };

/**
 * Runs the row kernel `kernel` over `rows` rows of L contiguous values of each input, into
 * `out`: `softmax` (x), `softmax_bw` (y, g), `logsoftmax` (x) or `logsoftmax_bw` (y, g); see
 * each in `elementwise-wat.mjs`.
 */
export function rowKernelWasm(
  kernel: RowKernel,
  inputs: readonly Span[],
  rows: number,
  L: number,
  out: Float32Array,
): boolean {
  const n = rows * L;
  return withBlocks(
    [
      ...inputs.map((x): Block => ({ data: x.data, offset: x.offset, length: n, use: 'in' })),
      { data: out, offset: 0, length: n, use: 'out' },
    ],
    (e, addresses, table) =>
      // Rows of whole vectors only (work 0 keeps the rest on this thread): a row's last
      // vector writes all four lanes.
      overRows(e, kernel, rows, L % 4 === 0 ? ROW_WORK[kernel] * L : 0, table, (r0, n) => [
        ...addresses.map((a) => a + 4 * r0 * L),
        n,
        L,
      ]),
  );
}

/**
 * Layer norm over rows of L (see the `layernorm` kernel): into `out`, with each row's mean
 * and 1/√(σ² + eps) into `stats` (two values a row).
 */
export function layerNormWasm(
  x: Span,
  w: Span | null,
  b: Span | null,
  rows: number,
  L: number,
  eps: number,
  out: Float32Array,
  stats: Float32Array,
): boolean {
  const n = rows * L;
  const blocks: Block[] = [
    { data: x.data, offset: x.offset, length: n, use: 'in' },
    { data: out, offset: 0, length: n, use: 'out' },
    { data: stats, offset: 0, length: 2 * rows, use: 'out' },
  ];
  if (w) blocks.push({ data: w.data, offset: w.offset, length: L, use: 'in' });
  if (b) blocks.push({ data: b.data, offset: b.offset, length: L, use: 'in' });
  return withBlocks(blocks, (e, [xa, oa, sa, ...rest], table) => {
    const wa = w ? rest.shift()! : 0;
    const ba = b ? rest.shift()! : 0;
    // Argument 7, eps, is a float32.
    const piece = (r0: number, n: number) => [
      xa! + 4 * r0 * L,
      wa,
      ba,
      oa! + 4 * r0 * L,
      sa! + 8 * r0,
      n,
      L,
      eps,
    ];
    overRows(e, 'layernorm', rows, L % 4 === 0 ? 4 * L : 0, table, piece, 1 << 7);
  });
}

/**
 * The gradient of layer norm over rows of L from the forward's `stats` (see `layernorm_bw`):
 * dx into `dx`, and summed over rows, g·x̂ into `gw` and g into `gb` (each L values, zeroed
 * first) when given.
 */
export function layerNormBackwardWasm(
  g: Span,
  x: Span,
  w: Span | null,
  stats: Float32Array,
  rows: number,
  L: number,
  dx: Float32Array,
  gw: Float32Array | null,
  gb: Float32Array | null,
): boolean {
  const n = rows * L;
  const blocks: Block[] = [
    { data: g.data, offset: g.offset, length: n, use: 'in' },
    { data: x.data, offset: x.offset, length: n, use: 'in' },
    { data: stats, offset: 0, length: 2 * rows, use: 'in' },
    { data: dx, offset: 0, length: n, use: 'out' },
  ];
  if (w) blocks.push({ data: w.data, offset: w.offset, length: L, use: 'in' });
  if (gw) blocks.push({ data: gw.fill(0), offset: 0, length: L, use: 'acc' });
  if (gb) blocks.push({ data: gb.fill(0), offset: 0, length: L, use: 'acc' });
  return withBlocks(blocks, (e, [ga, xa, sa, da, ...rest]) => {
    const wa = w ? rest.shift()! : 0;
    const gwa = gw ? rest.shift()! : 0;
    const gba = gb ? rest.shift()! : 0;
    // One call: every row adds into gw and gb.
    e.elementwise.layernorm_bw!(ga!, xa!, wa, sa!, da!, gwa, gba, rows, L);
    calls++;
  });
}

/** A float32 matrix operand read in place: its storage, first element and row stride. */
export interface RowsAt {
  data: Float32Array;
  offset: number;
  stride: number;
}

/** Whether row kernels can read every operand in place (all in the arena) and rows are whole vectors. */
function inPlace(ops: readonly { data: Float32Array }[], H: number): Engine | null {
  if (H % 4 !== 0 || !ops.every((o) => inArena(o.data))) return null;
  return engineFor(H * 4);
}

/** Work per hidden unit of an LSTM step, in adds: five sigmoids and tanhs. */
const LSTM_WORK = 40;
/** And of its gradient: a tanh and a dozen products. */
const LSTM_BACKWARD_WORK = 20;

/**
 * One LSTM step over B rows (see the `lstm_fwd` kernel): hc = [h | c'] (rows of 2H) and the
 * gate activations (rows of 4H). Runs only on arena operands with H a multiple of 4.
 */
export function lstmCellWasm(
  gx: RowsAt,
  gh: RowsAt,
  c: RowsAt,
  B: number,
  H: number,
  hc: Float32Array,
  acts: Float32Array,
): boolean {
  const e = inPlace([gx, gh, c, { data: hc }, { data: acts }], H);
  if (e === null) return false;
  const row = (x: RowsAt, r0: number) => addressOf(x.data, x.offset + r0 * x.stride);
  overRows(e, 'lstm_fwd', B, LSTM_WORK * H, null, (r0, n) => [
    row(gx, r0),
    gx.stride,
    row(gh, r0),
    gh.stride,
    row(c, r0),
    c.stride,
    addressOf(hc, 2 * H * r0),
    addressOf(acts, 4 * H * r0),
    n,
    H,
  ]);
  return true;
}

/**
 * The gradient of one LSTM step (see `lstm_bwd`): of the gates (rows of 4H) and of the
 * previous c (rows of H), from the activations, the previous c, the output hc and its
 * gradient g. Runs only on arena operands with H a multiple of 4.
 */
export function lstmCellBackwardWasm(
  acts: RowsAt,
  c: RowsAt,
  hc: RowsAt,
  g: RowsAt,
  B: number,
  H: number,
  dGates: Float32Array,
  dc: Float32Array,
): boolean {
  if (acts.stride !== 4 * H || hc.stride !== 2 * H) return false;
  const e = inPlace([acts, c, hc, g, { data: dGates }, { data: dc }], H);
  if (e === null) return false;
  const row = (x: RowsAt, r0: number) => addressOf(x.data, x.offset + r0 * x.stride);
  overRows(e, 'lstm_bwd', B, LSTM_BACKWARD_WORK * H, null, (r0, n) => [
    row(acts, r0),
    row(c, r0),
    c.stride,
    row(hc, r0),
    row(g, r0),
    g.stride,
    addressOf(dGates, 4 * H * r0),
    addressOf(dc, H * r0),
    n,
    H,
  ]);
  return true;
}
