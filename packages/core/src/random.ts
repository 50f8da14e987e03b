/**
 * The counter-based random generator shared by every backend.
 *
 * Element `i` of a draw is a pure function of the generator's key and counter `c + i`, so the
 * CPU and WebGPU backends produce the same numbers for the same seed, and the whole state is
 * two integers (easy to checkpoint). The mixing function is the "lowbias32" integer hash
 * (Chris Wellons' hash-prospector).
 *
 * - bits(key, c)   = hash32(hash32(c) ^ key)
 * - uniform(key, c) = (bits(key, c) >>> 8) * 2^-24            in [0, 1)
 * - normal(key, c)  = sqrt(-2 ln(1 - u1)) * cos(2π u2), u1 = uniform(key, c),
 *                     u2 = uniform(key ^ 0x5bd1e995, c)          (Box–Muller)
 *
 * @example
 * ```ts
 * manualSeed(42);
 * const a = rand([3]);
 * manualSeed(42);
 * const b = rand([3]); // same numbers as a
 * ```
 */
import { ValueError } from './errors.js';

/** lowbias32: a fast 32-bit integer hash with low bias. */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The second key a normal draw uses for its angle. */
export const NORMAL_KEY_XOR = 0x5bd1e995;

/** 32 random bits for counter `c` under `key`. */
export function randomBits(key: number, c: number): number {
  return hash32((hash32(c >>> 0) ^ key) >>> 0);
}

/** A uniform number in [0, 1) with 24 random bits. */
export function uniformAt(key: number, c: number): number {
  return (randomBits(key, c) >>> 8) / 16777216;
}

/** A standard normal number (Box–Muller over two uniforms with different keys). */
export function normalAt(key: number, c: number): number {
  const u1 = uniformAt(key, c);
  const u2 = uniformAt((key ^ NORMAL_KEY_XOR) >>> 0, c);
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** The global generator state: a key derived from the seed, and the next unused counter. */
export interface GeneratorState {
  seed: number;
  counter: number;
}

const state: GeneratorState = { seed: 0, counter: 0 };
let key = keyOf(0);

function keyOf(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return hash32((lo ^ hash32(hi ^ 0x9e3779b9)) >>> 0);
}

/**
 * Seeds the global generator: the same seed gives the same numbers on every backend.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * ```
 */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new ValueError(`manualSeed: the seed must be an integer (a safe one), got ${String(seed)}`);
  }
  state.seed = seed;
  state.counter = 0;
  key = keyOf(seed);
}

/**
 * A copy of the generator state, for checkpoints.
 *
 * @example
 * ```ts
 * const s = getRngState(); rand([2]); setRngState(s); // rand([2]) now repeats
 * ```
 */
export function getRngState(): GeneratorState {
  return { seed: state.seed, counter: state.counter };
}

/**
 * Restores a state from {@link getRngState}; `seed` must be an integer and `counter` a
 * non-negative integer (a `ValueError` otherwise, and the state is left as it was).
 *
 * @example
 * ```ts
 * const s = getRngState(); rand([2]); setRngState(s);
 * ```
 */
export function setRngState(s: GeneratorState): void {
  if (
    s === null ||
    typeof s !== 'object' ||
    !Number.isSafeInteger(s.seed) ||
    !Number.isSafeInteger(s.counter) ||
    s.counter < 0
  ) {
    const got =
      s !== null && typeof s === 'object'
        ? `{ seed: ${String(s.seed)}, counter: ${String(s.counter)} }`
        : String(s);
    throw new ValueError(
      `setRngState: expected { seed, counter } with integer seed and counter >= 0, got ${got}`,
    );
  }
  manualSeed(s.seed);
  state.counter = s.counter;
}

/** Reserves `n` counters and returns the key and first counter of the reservation. */
export function takeCounters(n: number): { key: number; counter: number } {
  const c = state.counter;
  state.counter += n;
  return { key, counter: c % 4294967296 };
}
