import {
  getRngState,
  manualSeed,
  rand,
  randint,
  randn,
  randperm,
  setRngState,
  ValueError,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

const arr = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

describe('random generator', () => {
  it('same seed, same numbers; different seeds differ', () => {
    manualSeed(42);
    const a = [arr(rand([5])), arr(randn([5])), arr(randint(0, 10, [5])), arr(randperm(6))];
    manualSeed(42);
    const b = [arr(rand([5])), arr(randn([5])), arr(randint(0, 10, [5])), arr(randperm(6))];
    expect(b).toEqual(a);
    manualSeed(43);
    expect(arr(rand([5]))).not.toEqual(a[0]);
  });

  it('draws continue the stream: one draw of 6 equals draws of 2 and 4', () => {
    manualSeed(7);
    const whole = arr(rand([6]));
    manualSeed(7);
    expect([...arr(rand([2])), ...arr(rand([4]))]).toEqual(whole);
  });

  it('getRngState / setRngState replay draws', () => {
    manualSeed(1);
    rand([3]);
    const s = getRngState();
    const first = arr(randn([4]));
    setRngState(s);
    expect(arr(randn([4]))).toEqual(first);
    expect(getRngState()).toEqual({ seed: 1, counter: s.counter + 4 });
    // The state is a copy, not a live view.
    s.counter = 0;
    expect(getRngState().counter).not.toBe(0);
  });

  it('float64 draws hold the same values as float32 ones, widened', () => {
    manualSeed(3);
    const f32 = arr(rand([4]));
    manualSeed(3);
    const f64 = arr(rand([4], { dtype: 'float64' }));
    expect(f64.map(Math.fround)).toEqual(f32);
  });

  it('distributions look right', () => {
    manualSeed(0);
    const u = arr(rand([20000]));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const n = randn([20000], { dtype: 'float64' });
    expect(Math.abs(n.mean().itemSync())).toBeLessThan(0.03);
    expect(Math.abs(n.std().itemSync() - 1)).toBeLessThan(0.03);
    const r = arr(randint(-2, 3, [5000]));
    expect(new Set(r)).toEqual(new Set([-2, -1, 0, 1, 2]));
    const p = arr(randperm(50));
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('rejects bad arguments', () => {
    expect(() => randint(3, 3, [2])).toThrow(/high \(3\) must be greater than low \(3\)/);
    expect(() => randperm(-1)).toThrow(/non-negative integer/);
    expect(() => rand([2], { dtype: 'int32' })).toThrow(/floating dtype/);
    expect(() => rand([-1])).toThrow(/invalid shape/);
  });

  it('manualSeed and setRngState refuse non-integers and leave the state as it was', () => {
    manualSeed(7);
    rand([3]);
    const s = getRngState();
    for (const seed of [0.5, Number.NaN, Infinity, 2 ** 53, '3' as unknown as number]) {
      expect(() => manualSeed(seed)).toThrow(ValueError);
      expect(() => manualSeed(seed)).toThrow(/manualSeed: the seed must be an integer/);
    }
    const bad = [
      { seed: 1.5, counter: 0 },
      { seed: 1, counter: 0.5 },
      { seed: 1, counter: -1 },
      { seed: 1, counter: Number.NaN },
      { seed: 1 },
      null,
    ] as unknown as Parameters<typeof setRngState>[0][];
    for (const b of bad) expect(() => setRngState(b)).toThrow(/setRngState: expected \{ seed, counter \}/);
    expect(getRngState()).toEqual(s);
    manualSeed(-3); // negative integer seeds are fine, as in PyTorch
    expect(getRngState()).toEqual({ seed: -3, counter: 0 });
  });
});
