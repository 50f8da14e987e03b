/**
 * The seeded uniform numbers behind a seeded `DataLoader`'s shuffling: a pure function of
 * (seed, epoch, i), so an order can be reproduced without replaying earlier epochs.
 */

function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A uniform number in [0, 1) for (seed, epoch, i). */
export function hash32Uniform(seed: number, epoch: number, i: number): number {
  const k = mix((mix(seed >>> 0) ^ Math.floor(seed / 4294967296) ^ mix(epoch ^ 0x9e3779b9)) >>> 0);
  return (mix((mix(i >>> 0) ^ k) >>> 0) >>> 8) / 16777216;
}
