/**
 * The arena: float32 and bool storages of the CPU backend live in the WebAssembly memory
 * its kernels run on, so a kernel reads its operands and writes its result where they are,
 * with no copy in or out (TF.js's wasm backend keeps its tensors there too).
 *
 * The memory is the shared engine's (`engine.ts`): a shared `WebAssembly.Memory` never moves
 * and growing it leaves earlier views valid, so a storage can be a plain `Float32Array` (or
 * `Uint8Array`) view of it that every TypeScript loop uses as before. Where memory cannot
 * be shared (a browser page that is not cross-origin isolated, or no WebAssembly), or once
 * the arena holds `limit` bytes, storages are ordinary typed arrays: the JavaScript fallback,
 * which the kernels copy in and out as they always have.
 *
 * Release is deterministic where the tensors are: `dispose()`, `tidy`, and a backward pass
 * freeing its gradients hand a storage back (`alloc.ts` pools it by size). A view nobody
 * disposed goes back when the garbage collector has taken it and the event loop runs its
 * finalizer; until then its block stays taken, which is what the limit bounds. A training
 * loop that runs each step in `tidy` (as the examples do) keeps the arena at its working set.
 *
 * Blocks are 64-byte aligned, with at least 16 bytes past the end that belong to the block:
 * the 4-lane kernels may write a vector that runs up to three values past a row.
 */
import type { DType, TypedArray } from '../../dtype.js';
import { DATA_START, type Engine, ensureBytes, getSharedEngine } from './kernels/wasm/engine.js';

const ALIGN = 64;
const SLACK = 16;

/**
 * Bytes the arena may hold before new storages fall back to ordinary arrays. A training step's
 * working set stays here whole, the pool's views of earlier steps included: an LSTM step over
 * 128 time steps (batch 64, hidden 256) holds about 230 MiB, and models stepped by turns (one
 * per sequence length, say) hold the sum of theirs. Past the limit storages are ordinary
 * arrays the kernels copy in and out, and such a step runs at about half the speed (under a
 * limit of 256 MiB, sequence lengths 16 to 128 by turns cost twice as much per time step as each
 * alone).
 * WebAssembly memory does not shrink: what a program once held stays reserved for its next steps.
 */
let limit = 1024 * 1024 * 1024;
/**
 * Storages larger than this are ordinary arrays (a data set has no business in the arena). Big
 * enough for a convolution's window buffer: im2col of 64 images of 32 channels, 26×26, 3×3 taps
 * is 42 MiB, and out of the arena it is laid out in TypeScript and copied into WebAssembly
 * memory for the product (that convolution's training step took 110 ms instead of 76).
 */
let maxBlock = 64 * 1024 * 1024;
/** Storages of fewer elements are ordinary arrays: the kernels leave them to TypeScript loops anyway. */
let minElements = 1024;

interface State {
  e: Engine;
  /** First byte not yet handed out. */
  top: number;
  /** Free blocks whose view is gone (collected, or dropped from the pool): bytes → addresses. */
  loose: Map<number, number[]>;
  /** Every `ArrayBuffer` the memory has had (one per growth): what tells an arena view. */
  buffers: WeakSet<ArrayBufferLike>;
  /** Bytes in blocks handed out and not returned (pooled views count as handed out). */
  used: number;
  /** Whether blocks came back since the last `coalesce` (else merging again finds nothing new). */
  returned: boolean;
  /** Growing `top` past this first reuses idle memory (see `reclaimStep`). */
  reclaimAt: number;
}

let state: State | null | undefined;

/** What a collected view's finalizer needs: its block. */
interface Block {
  addr: number;
  bytes: number;
}

const collected = new FinalizationRegistry<Block>((b) => {
  if (state) giveBack(state, b.addr, b.bytes);
});

function arena(): State | null {
  if (state !== undefined) return state;
  const e = getSharedEngine();
  state =
    e === null
      ? null
      : {
          e,
          top: DATA_START,
          loose: new Map(),
          buffers: new WeakSet(),
          used: 0,
          returned: false,
          reclaimAt: DATA_START + reclaimStep,
        };
  if (state) state.buffers.add(state.e.f32.buffer);
  return state;
}

/** Bytes of the block for `bytes` of elements. */
function blockBytes(bytes: number): number {
  return Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
}

/** Files a free block under its size. */
function putLoose(s: State, addr: number, bytes: number): void {
  const list = s.loose.get(bytes);
  if (list === undefined) s.loose.set(bytes, [addr]);
  else list.push(addr);
}

/** A free block of exactly `bytes`, or undefined; a size whose last block goes leaves the map. */
function popLoose(s: State, bytes: number): number | undefined {
  const list = s.loose.get(bytes);
  if (list === undefined) return undefined;
  const a = list.pop();
  if (list.length === 0) s.loose.delete(bytes);
  return a;
}

function giveBack(s: State, addr: number, bytes: number): void {
  putLoose(s, addr, bytes);
  s.used -= bytes;
  s.returned = true;
}

/** The memory's current views, noting its buffer (growth makes a new one). */
function grow(s: State, end: number): boolean {
  if (!ensureBytes(s.e, end)) return false;
  s.buffers.add(s.e.f32.buffer);
  return true;
}

/**
 * Merges adjacent loose blocks and lowers `top` over a free tail, so that blocks of sizes
 * nobody asks for any more serve other sizes.
 */
function coalesce(s: State): void {
  if (!s.returned) return;
  s.returned = false;
  const blocks: [number, number][] = [];
  for (const [bytes, addrs] of s.loose) for (const a of addrs) blocks.push([a, bytes]);
  blocks.sort((x, y) => x[0] - y[0]);
  s.loose.clear();
  const merged: [number, number][] = [];
  for (const b of blocks) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last[0] + last[1] === b[0]) last[1] += b[1];
    else merged.push([b[0], b[1]]);
  }
  const tail = merged[merged.length - 1];
  if (tail !== undefined && tail[0] + tail[1] === s.top) {
    s.top = tail[0];
    merged.pop();
  }
  for (const [a, bytes] of merged) putLoose(s, a, bytes);
}

/** The pool of `alloc.ts`, as the arena sees it: the views waiting there. */
export interface PoolHook {
  /** Hands every pooled arena view back. */
  drain(): void;
  /** Hands back the pooled arena views of lengths nobody asked for since the last call. */
  drainStale(): void;
}

let pool: PoolHook | null = null;

/** Lets the arena take the pool's views back when it runs out of room or grows far. */
export function setPoolHook(hook: PoolHook): void {
  pool = hook;
}

/**
 * How far the arena grows before it reuses idle memory for new sizes. Blocks are pooled and
 * freed by exact size, which a training loop asks for again step after step; sizes that
 * change (a sequence that grows token by token, a smaller last batch) leave blocks nobody asks
 * for. Each time the memory would grow past the mark, the pooled views of sizes not asked for
 * since the last mark go back, free blocks merge, and new blocks are cut from them where they
 * fit; the next mark lies this far above the new top. A loop over 1,500 growing lengths held
 * 1 GiB without this (every length larger than all before it) and about 210 MiB with it; a
 * working set that has settled stops growing, so it is left alone.
 */
let reclaimStep = 64 * 1024 * 1024;

/** A new block of `bytes` at the top, or null past the limit or where memory cannot grow. */
function atTop(s: State, bytes: number): number | null {
  if (s.top + bytes > DATA_START + limit || !grow(s, s.top + bytes)) return null;
  const a = s.top;
  s.top += bytes;
  return a;
}

/** The smallest free block that holds `bytes`, cut to it; or null. */
function bestFit(s: State, bytes: number): number | null {
  let best = -1;
  for (const size of s.loose.keys()) if (size >= bytes && (best < 0 || size < best)) best = size;
  if (best < 0) return null;
  const a = popLoose(s, best)!;
  if (best > bytes) putLoose(s, a + bytes, best - bytes);
  return a;
}

/**
 * A free block of exactly `bytes`: a loose one of that size, else a piece of a larger one
 * (after handing back stale pooled views and merging free blocks, where the memory would grow
 * past its mark), else a new one at the top; when full, a piece of whatever is free.
 */
function take(s: State, bytes: number): number | null {
  const exact = popLoose(s, bytes);
  if (exact !== undefined) return exact;
  if (s.top + bytes > s.reclaimAt) {
    pool?.drainStale();
    coalesce(s);
    s.reclaimAt = s.top + reclaimStep;
  }
  const a = bestFit(s, bytes) ?? atTop(s, bytes);
  if (a !== null) return a;
  // Full: every pooled view and collected block serves other sizes.
  pool?.drain();
  coalesce(s);
  return bestFit(s, bytes) ?? atTop(s, bytes);
}

/**
 * A new view of `n` elements of `dtype` in the arena (float32 and bool only), or null where
 * there is no arena, the dtype is another, the array is too large, or the arena is full.
 * Its contents are unspecified.
 */
export function arenaAlloc(dtype: DType, n: number): TypedArray | null {
  if (n < minElements || (dtype !== 'float32' && dtype !== 'bool')) return null;
  const size = dtype === 'float32' ? 4 * n : n;
  if (size > maxBlock) return null;
  const s = arena();
  if (s === null) return null;
  const bytes = blockBytes(size);
  if (s.used + bytes > limit) {
    // Full, counting the views waiting in the pool: those go back first.
    pool?.drain();
    if (s.used + bytes > limit) return null;
  }
  const addr = take(s, bytes);
  if (addr === null) return null;
  s.used += bytes;
  const buf = s.e.f32.buffer;
  const view = dtype === 'float32' ? new Float32Array(buf, addr, n) : new Uint8Array(buf, addr, n);
  collected.register(view, { addr, bytes }, view);
  return view;
}

/** Whether `a` is a view of the arena (kernels then use it where it is). */
export function inArena(a: TypedArray): boolean {
  return state?.buffers.has(a.buffer) === true;
}

/** Gives the block of arena view `a` back at once (the pool drops it); `a` must not be used again. */
export function arenaRelease(a: TypedArray): void {
  const s = state;
  if (!s) return;
  collected.unregister(a);
  giveBack(s, a.byteOffset, blockBytes(a.byteLength));
}

/** The shared engine when the arena is on: the memory every kernel then runs in. */
export function arenaEngine(): Engine | null {
  return arena()?.e ?? null;
}

let scratchAt = 0;
let scratchBytes = 0;

/**
 * The byte address of a scratch block of at least `bytes` in the arena's memory, for a
 * kernel's copies and tables: valid until the next call (kernels run one at a time). Null
 * where there is no arena or it cannot hold the block.
 */
export function scratch(bytes: number): number | null {
  const s = arena();
  if (s === null) return null;
  if (bytes <= scratchBytes) return scratchAt;
  const want = blockBytes(Math.max(bytes, 2 * scratchBytes));
  if (scratchBytes > 0) giveBack(s, scratchAt, scratchBytes);
  scratchBytes = 0;
  // Scratch may exceed the limit: it is one block, reused by every kernel call.
  const saved = limit;
  limit = Math.max(limit, s.top + want);
  const addr = take(s, want);
  limit = saved;
  if (addr === null) return null;
  s.used += want;
  scratchAt = addr;
  scratchBytes = want;
  return addr;
}

/** Bytes the arena has handed out (storages and pooled views included), and the memory's size. */
export function arenaStats(): { used: number; top: number; memory: number } {
  const s = state;
  return s
    ? { used: s.used, top: s.top, memory: s.e.memory.buffer.byteLength }
    : { used: 0, top: 0, memory: 0 };
}

/** The arena's settings (see {@link setArenaLimits}). */
export interface ArenaLimits {
  /** Bytes it may hand out (default 1 GiB); 0 turns it off for new storages. */
  limit: number;
  /** Largest storage it takes, in bytes (default 64 MiB). */
  maxBlock: number;
  /** Fewest elements of a storage it takes (default 1024). */
  minElements: number;
  /** Growth between reuses of idle memory, in bytes (default 64 MiB; see `reclaimStep`). */
  reclaimStep: number;
}

/** Changes the arena's settings; storages that do not fit them become ordinary arrays. Returns the old ones. */
export function setArenaLimits(opts: Partial<ArenaLimits>): ArenaLimits {
  const old = { limit, maxBlock, minElements, reclaimStep };
  if (opts.limit !== undefined) limit = Math.max(0, opts.limit);
  if (opts.maxBlock !== undefined) maxBlock = Math.max(0, opts.maxBlock);
  if (opts.minElements !== undefined) minElements = Math.max(1, opts.minElements);
  if (opts.reclaimStep !== undefined) {
    reclaimStep = Math.max(0, opts.reclaimStep);
    if (state) state.reclaimAt = Math.min(state.reclaimAt, state.top + reclaimStep);
  }
  return old;
}
