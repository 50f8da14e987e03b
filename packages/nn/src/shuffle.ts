/**
 * The seeded uniform numbers behind a seeded `DataLoader`'s shuffling: a pure function of
 * (seed, epoch, i), so an order can be reproduced without replaying earlier epochs. It is core's
 * counter-based generator under a key derived from the seed and the epoch.
 */
import { hash32, uniformAt } from '@tsgrad/core/internal';

/** A uniform number in [0, 1) for (seed, epoch, i). */
export function hash32Uniform(seed: number, epoch: number, i: number): number {
  const key = hash32((hash32(seed >>> 0) ^ Math.floor(seed / 4294967296) ^ hash32(epoch ^ 0x9e3779b9)) >>> 0);
  return uniformAt(key, i >>> 0);
}
