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
import { arenaAlloc, arenaRelease, inArena, setPoolDrain } from './arena.js';

/** Arrays shorter than this are left to the garbage collector. */
export const POOL_MIN_LENGTH = 1024;
const POOL_MAX_BYTES = 256 * 1024 * 1024;

const pool = new Map<string, TypedArray[]>();
let pooledBytes = 0;

const keyOf = (dtype: DType, n: number) => `${dtype}:${n}`;

/** An array of `n` elements of `dtype`; its contents are unspecified. */
export function alloc(dtype: DType, n: number): TypedArray {
  if (n >= POOL_MIN_LENGTH) {
    const a = pool.get(keyOf(dtype, n))?.pop();
    if (a !== undefined) {
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
  let list = pool.get(key);
  if (list === undefined) {
    list = [];
    pool.set(key, list);
  }
  list.push(a);
  pooledBytes += a.byteLength;
}

// When the arena is full, the views waiting here go back to it, so it can coalesce them.
setPoolDrain(() => {
  for (const list of pool.values()) {
    let kept = 0;
    for (const a of list) {
      if (inArena(a)) {
        arenaRelease(a);
        pooledBytes -= a.byteLength;
      } else list[kept++] = a;
    }
    list.length = kept;
  }
});

/** Arrays and bytes waiting in the pool. */
export function poolStats(): { buffers: number; bytes: number } {
  let buffers = 0;
  for (const l of pool.values()) buffers += l.length;
  return { buffers, bytes: pooledBytes };
}
