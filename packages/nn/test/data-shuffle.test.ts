/**
 * DataLoader shuffling is a uniform random permutation: elements stay in place at the rate
 * 1/n (a shuffle that never leaves one in place is not uniform), every order of a small set
 * occurs about equally often, epochs differ, and `shuffle: true` without a seed shuffles.
 */
import { manualSeed } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { DataLoader, type Dataset, randomSplit } from '../src/index.js';

/** A dataset whose i-th sample is i. */
const range = (n: number): Dataset<number> => ({ length: n, get: (i) => i });

/** The order of one epoch of `loader` (batches of the sample indices). */
function epoch(loader: DataLoader<number, number[]>): number[] {
  return [...loader].flat();
}

function loader(n: number, seed?: number): DataLoader<number, number[]> {
  return new DataLoader(range(n), {
    batchSize: 4,
    shuffle: true,
    ...(seed === undefined ? {} : { seed }),
    collateFn: (s) => s,
  });
}

const isPermutation = (p: number[], n: number) =>
  p.length === n && [...p].sort((a, b) => a - b).every((v, i) => v === i);

/** Fixed points per position and counts of each order over `runs` orders of 0…n−1. */
function tally(n: number, runs: number, next: (run: number) => number[]) {
  const fixed = new Array<number>(n).fill(0);
  const orders = new Map<string, number>();
  for (let r = 0; r < runs; r++) {
    const p = next(r);
    expect(isPermutation(p, n)).toBe(true);
    for (let i = 0; i < n; i++) if (p[i] === i) fixed[i]!++;
    const k = p.join(',');
    orders.set(k, (orders.get(k) ?? 0) + 1);
  }
  return { fixed, orders };
}

/** Asserts each position is fixed at rate 1/n and all n! orders occur near-uniformly. */
function expectUniform(n: number, runs: number, next: (run: number) => number[]): void {
  const { fixed, orders } = tally(n, runs, next);
  const rate = 1 / n;
  const sd = Math.sqrt((rate * (1 - rate)) / runs);
  for (const f of fixed) expect(Math.abs(f / runs - rate)).toBeLessThan(5 * sd);
  let fact = 1;
  for (let i = 2; i <= n; i++) fact *= i;
  expect(orders.size).toBe(fact);
  // Pearson's chi-square over the n! orders; 5 standard deviations above its mean fact − 1.
  const e = runs / fact;
  let chi2 = 0;
  for (const c of orders.values()) chi2 += (c - e) ** 2 / e;
  expect(chi2).toBeLessThan(fact - 1 + 5 * Math.sqrt(2 * (fact - 1)));
}

describe('DataLoader shuffling', () => {
  it('seeded orders are uniform over seeds, fixed points included', () => {
    expectUniform(4, 2400, (s) => epoch(loader(4, s)));
  });

  it('seeded orders are uniform over the epochs of one loader', () => {
    const l = loader(4, 7);
    expectUniform(4, 2400, () => epoch(l));
  });

  it('unseeded orders (the global generator) are uniform', () => {
    manualSeed(11);
    const l = loader(4);
    expectUniform(4, 2400, () => epoch(l));
  });

  it('leaves about one element in place per permutation on average for larger n', () => {
    const n = 30;
    let total = 0;
    const runs = 400;
    for (let s = 0; s < runs; s++) total += epoch(loader(n, s)).filter((v, i) => v === i).length;
    // The number of fixed points of a uniform permutation has mean 1 and variance 1.
    expect(Math.abs(total / runs - 1)).toBeLessThan(5 / Math.sqrt(runs));
  });

  it('unseeded shuffle: true changes the order, and from epoch to epoch', () => {
    manualSeed(0);
    const n = 40;
    const l = loader(n);
    const a = epoch(l);
    const b = epoch(l);
    const identity = Array.from({ length: n }, (_, i) => i);
    expect(isPermutation(a, n)).toBe(true);
    expect(a).not.toEqual(identity);
    expect(b).not.toEqual(identity);
    expect(a).not.toEqual(b);
    // Two loaders after the same manualSeed give the same orders.
    manualSeed(0);
    const l2 = loader(n);
    expect(epoch(l2)).toEqual(a);
    expect(epoch(l2)).toEqual(b);
  });

  it('seeded: the same (seed, epoch) gives the same order, another epoch or seed another', () => {
    const n = 40;
    const l = loader(n, 5);
    const a = epoch(l);
    const b = epoch(l);
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(Array.from({ length: n }, (_, i) => i));
    const again = loader(n, 5);
    expect(epoch(again)).toEqual(a);
    expect(epoch(again)).toEqual(b);
    expect(epoch(loader(n, 6))).not.toEqual(a);
    // Seeded orders do not touch the global generator.
    manualSeed(1);
    const u = epoch(loader(n));
    manualSeed(1);
    epoch(loader(n, 9));
    expect(epoch(loader(n))).toEqual(u);
  });

  it('shuffle: false keeps the dataset order', () => {
    const l = new DataLoader(range(10), { batchSize: 3, collateFn: (s) => s });
    expect(epoch(l)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch(l)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('randomSplit draws a uniform permutation', () => {
    expectUniform(4, 2400, (s) => {
      const [a, b] = randomSplit(range(4), [2, 2], { seed: s });
      return [
        ...Array.from({ length: 2 }, (_, i) => a!.get(i)),
        ...Array.from({ length: 2 }, (_, i) => b!.get(i)),
      ];
    });
  });
});
