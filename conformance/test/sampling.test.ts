/**
 * The samplers (multinomial, bernoulli, normal_, uniform_) on every device: chi-square
 * goodness-of-fit tests with fixed seeds, rejecting only at p < 1e-6 so a correct sampler
 * practically never fails, and the same draws on the CPU and WebGPU for the same seed.
 */
import {
  bernoulli,
  type Device,
  DeviceError,
  manualSeed,
  maskedSelect,
  multinomial,
  nonzero,
  type Tensor,
  tensor,
  ValueError,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { allDevices, deviceTitle } from '../src/devices.js';

/** The chi-square statistic's critical value at p = 1e-6 (Wilson–Hilferty; z = 4.7534). */
function critical(df: number): number {
  const a = 2 / (9 * df);
  return df * (1 - a + 4.7534 * Math.sqrt(a)) ** 3;
}

/** Pearson's statistic of observed counts against expected probabilities (all positive). */
function chiSquare(counts: number[], probs: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((s, c, i) => s + (c - n * probs[i]!) ** 2 / (n * probs[i]!), 0);
}

function expectFits(counts: number[], probs: number[], what: string): void {
  const stat = chiSquare(counts, probs);
  const crit = critical(probs.length - 1);
  expect(
    stat,
    `${what}: chi-square ${stat.toFixed(2)} > ${crit.toFixed(2)} (df ${probs.length - 1})`,
  ).toBeLessThan(crit);
}

function histogram(values: ArrayLike<number>, bins: number): number[] {
  const c = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) c[values[i]!]!++;
  return c;
}

const P = [0.1, 0.2, 0, 0.4, 0.3];

async function ints(t: Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

for (const { device, available } of allDevices) {
  describe.skipIf(!available)(deviceTitle('samplers', device, available), () => {
    const w = (data: number[] | number[][]) => tensor(data, { device });

    it('multinomial with replacement follows the weights', async () => {
      manualSeed(1);
      const draws = await ints(multinomial(w(P.map((p) => p * 3)), 20000, { replacement: true }));
      const counts = histogram(draws, P.length);
      expect(counts[2], 'a zero weight is never drawn').toBe(0);
      const keep = [0, 1, 3, 4];
      expectFits(
        keep.map((i) => counts[i]!),
        keep.map((i) => P[i]!),
        'multinomial with replacement',
      );
    });

    it('multinomial without replacement: distinct draws; first and second draws follow their laws', async () => {
      manualSeed(2);
      const R = 4000;
      const rows = w(Array.from({ length: R }, () => P));
      const d = await ints(multinomial(rows, 3));
      const first: number[] = [];
      const second: number[] = [];
      for (let r = 0; r < R; r++) {
        const row = d.slice(3 * r, 3 * r + 3);
        expect(new Set(row).size, `row ${r} draws ${row} are distinct`).toBe(3);
        expect(row.includes(2), 'a zero weight is never drawn').toBe(false);
        first.push(row[0]!);
        second.push(row[1]!);
      }
      const keep = [0, 1, 3, 4];
      const c1 = histogram(first, 5);
      expectFits(
        keep.map((i) => c1[i]!),
        keep.map((i) => P[i]!),
        'first draw',
      );
      // P(second = j) = Σ_{i≠j} p_i · p_j / (1 − p_i).
      const p2 = keep.map((j) => keep.reduce((s, i) => (i === j ? s : s + (P[i]! * P[j]!) / (1 - P[i]!)), 0));
      const c2 = histogram(second, 5);
      expectFits(
        keep.map((i) => c2[i]!),
        p2,
        'second draw',
      );
    });

    it('bernoulli follows its probabilities', async () => {
      manualSeed(3);
      const probs = [0.05, 0.3, 0.5, 0.9];
      const n = 5000;
      const p = w(probs.flatMap((q) => new Array<number>(n).fill(q)));
      const out = await p.bernoulli().data();
      probs.forEach((q, k) => {
        let ones = 0;
        for (let i = k * n; i < (k + 1) * n; i++) {
          expect(out[i] === 0 || out[i] === 1).toBe(true);
          ones += out[i]!;
        }
        expectFits([n - ones, ones], [1 - q, q], `bernoulli(${q})`);
      });
      manualSeed(3);
      const s = await zeros([n], { device }).bernoulli(0.3).data();
      const ones = Array.from(s).reduce((a, b) => a + b, 0);
      expectFits([n - ones, ones], [0.7, 0.3], 'x.bernoulli(0.3)');
    });

    it('uniform_ fills [from, to) uniformly', async () => {
      manualSeed(4);
      const x = zeros([20000], { device }).uniform_(-2, 3);
      const v = await x.data();
      const bins = new Array<number>(10).fill(0);
      for (const e of v) {
        expect(e >= -2 && e < 3).toBe(true);
        bins[Math.floor((e + 2) / 0.5)]!++;
      }
      expectFits(bins, new Array<number>(10).fill(0.1), 'uniform_');
    });

    it('normal_ fills with N(mean, std²)', async () => {
      manualSeed(5);
      const x = zeros([20000], { device }).normal_(1, 2);
      const v = await x.data();
      // Decile boundaries of the standard normal.
      const z = [-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816];
      const bins = new Array<number>(10).fill(0);
      for (const e of v) bins[z.filter((q) => (e - 1) / 2 >= q).length]!++;
      expectFits(bins, new Array<number>(10).fill(0.1), 'normal_');
    });
  });
}

const gpu = allDevices.find((d) => d.device === 'webgpu')!;

describe.skipIf(!gpu.available)(deviceTitle('the same draws on the CPU and', 'webgpu', gpu.available), () => {
  async function both<T>(draw: (device: Device) => Promise<T>): Promise<[T, T]> {
    manualSeed(11);
    const a = await draw('cpu');
    manualSeed(11);
    const b = await draw('webgpu');
    return [a, b];
  }
  const probs = [
    [0.05, 0.25, 0, 0.3, 0.4, 1e-3],
    [1, 1, 1, 1, 1, 1],
    [0, 0, 3, 0, 0.001, 2],
  ];

  it('multinomial with and without replacement', async () => {
    for (const replacement of [true, false]) {
      const [a, b] = await both(async (device) =>
        Array.from(await multinomial(tensor(probs, { device }), 3, { replacement }).data()),
      );
      expect(b).toEqual(a);
    }
    const [a, b] = await both(async (device) =>
      Array.from(await multinomial(tensor(probs[0]!, { device }), 500, { replacement: true }).data()),
    );
    expect(b).toEqual(a);
  });

  it('bernoulli and uniform_', async () => {
    const [a, b] = await both(async (device) => {
      const p = tensor(
        Array.from({ length: 300 }, (_, i) => (i % 10) / 9),
        { device },
      );
      return [...(await bernoulli(p).data()), ...(await zeros([300], { device }).uniform_(-1, 4).data())];
    });
    expect(b).toEqual(a);
  });

  it('normal_ up to float32 rounding of log and cos', async () => {
    const [a, b] = await both(async (device) =>
      Array.from(await zeros([500], { device }).normal_(0.5, 3).data()),
    );
    a.forEach((v, i) => {
      expect(Math.abs(b[i]! - v)).toBeLessThan(1e-4 * (1 + Math.abs(v)));
    });
  });

  it('the sync forms of data-dependent ops name the async ones', () => {
    const x = tensor([1, 0, 2], { device: 'webgpu' });
    expect(() => maskedSelect(x, x.gt(0))).toThrow(DeviceError);
    expect(() => maskedSelect(x, x.gt(0))).toThrow(/maskedSelectAsync/);
    expect(() => nonzero(x)).toThrow(/nonzeroAsync/);
  });
});

describe('multinomial checks its weights', () => {
  it('throws on too few nonzero categories, negative weights and empty rows', () => {
    expect(() => multinomial(tensor(P), 5)).toThrow(ValueError);
    expect(() => multinomial(tensor(P), 5)).toThrow(/4 nonzero categories/);
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(/non-negative/);
    expect(() =>
      multinomial(
        tensor([
          [0, 0],
          [1, 1],
        ]),
        1,
      ),
    ).toThrow(/row 0 has no positive weight/);
    expect(() => multinomial(tensor(P), 0)).toThrow(ValueError);
    expect(multinomial(tensor(P), 9, { replacement: true }).shape).toEqual([9]);
  });
});
