/**
 * Where CPU kernels get their output arrays. Float32 and bool arrays come from the arena
 * (`arena.ts`: WebAssembly memory, where the kernels use them in place) when it is on and
 * has room, every other array from the JavaScript heap. Arrays freed explicitly (`dispose`,
 * `tidy`) go back to a pool and are handed out again, because on many machines touching
 * fresh memory costs more than the arithmetic of a whole elementwise op. Pooled arrays are
 * not zeroed: every kernel writes each element of its output.
 */
import type { DType, TypedArray } from '../../dtype.js';
import { arrayType } from '../../dtype.js';
import { arenaAlloc, arenaRelease, inArena, setPoolHook } from './arena.js';

/** Arrays shorter than this are left to the garbage collector. */
export const POOL_MIN_LENGTH = 1024;
const POOL_MAX_BYTES = 256 * 1024 * 1024;

/** The arrays of one dtype and length waiting to be handed out again. */
interface Bin {
  arrays: TypedArray[];
  /** Whether `alloc` took one since the arena last reclaimed stale bins. */
  hit: boolean;
}

const pool = new Map<string, Bin>();
let pooledBytes = 0;

const keyOf = (dtype: DType, n: number) => `${dtype}:${n}`;

/** An array of `n` elements of `dtype`; its contents are unspecified. */
export function alloc(dtype: DType, n: number): TypedArray {
  if (n >= POOL_MIN_LENGTH) {
    const bin = pool.get(keyOf(dtype, n));
    const a = bin?.arrays.pop();
    if (a !== undefined) {
      bin!.hit = true;
      pooledBytes -= a.byteLength;
      return a;
    }
  }
  return arenaAlloc(dtype, n) ?? new (arrayType(dtype))(n);
}

/** Takes back an array nobody uses any more. */
export function recycle(a: TypedArray, dtype: DType): void {
  if (a.length < POOL_MIN_LENGTH || pooledBytes + a.byteLength > POOL_MAX_BYTES) {
    // A small array, or one past the pool's size, is dropped: an arena block is returned
    // now, not when the garbage collector gets to its view.
    if (inArena(a)) arenaRelease(a);
    return;
  }
  const key = keyOf(dtype, a.length);
  let bin = pool.get(key);
  if (bin === undefined) {
    bin = { arrays: [], hit: false };
    pool.set(key, bin);
  }
  bin.arrays.push(a);
  pooledBytes += a.byteLength;
}

/** Hands the arena views of the bins that `keep` rejects back to the arena. */
function release(keep: (bin: Bin) => boolean): void {
  for (const [key, bin] of pool) {
    if (keep(bin)) {
      bin.hit = false;
      continue;
    }
    let kept = 0;
    for (const a of bin.arrays) {
      if (inArena(a)) {
        arenaRelease(a);
        pooledBytes -= a.byteLength;
      } else bin.arrays[kept++] = a;
    }
    if (kept === 0) pool.delete(key);
    else bin.arrays.length = kept;
  }
}

// The arena takes pooled views back when it is full (all of them), and before it grows far
// (those of lengths nobody asked for since last time), to merge them into blocks of the
// lengths asked for now.
setPoolHook({
  drain: () => release(() => false),
  drainStale: () => release((bin) => bin.hit),
});

/** Arrays and bytes waiting in the pool. */
export function poolStats(): { buffers: number; bytes: number } {
  let buffers = 0;
  for (const b of pool.values()) buffers += b.arrays.length;
  return { buffers, bytes: pooledBytes };
}
