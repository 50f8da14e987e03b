import { manualSeed, tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { sampleNext, samplingError } from './sample.js';

// 4 rows of the same logits, so one call draws 4 tokens; 500 calls draw 2000.
const logits = tensor([[2, 0, 1, -1, 0.5]])
  .expand([4, 5])
  .contiguous();

function counts(temperature: number, topK: number): number[] {
  manualSeed(3);
  const c = [0, 0, 0, 0, 0];
  for (let i = 0; i < 500; i++) for (const t of sampleNext(logits, { temperature, topK }).dataSync()) c[t]!++;
  return c;
}

describe('sampleNext', () => {
  it('is greedy at temperature 0 and with top-k 1', () => {
    expect([...sampleNext(logits, { temperature: 0, topK: 0 }).dataSync()]).toEqual([0, 0, 0, 0]);
    expect(counts(5, 1)).toEqual([2000, 0, 0, 0, 0]);
  });

  it('draws only among the top k, in proportion to their softmax', () => {
    const c = counts(1, 2); // logits 2 and 1: probabilities e/(e+1) ≈ 0.731 and 0.269
    expect(c[1]! + c[3]! + c[4]!).toBe(0);
    expect(c[0]! / 2000).toBeCloseTo(Math.E / (Math.E + 1), 1);
  });

  it('sharpens below temperature 1 and flattens above it', () => {
    const p0 = (T: number) => Math.exp(2 / T) / [2, 0, 1, -1, 0.5].reduce((s, l) => s + Math.exp(l / T), 0);
    for (const T of [0.5, 1, 3]) expect(counts(T, 0)[0]! / 2000).toBeCloseTo(p0(T), 1);
  });

  it('repeats its draws for the same seed', () => {
    expect(counts(1, 0)).toEqual(counts(1, 0));
  });

  it('names a bad flag', () => {
    expect(samplingError({ temperature: -1, topK: 0 })).toMatch(/--temperature/);
    expect(samplingError({ temperature: 1, topK: 1.5 })).toMatch(/--top-k/);
    expect(samplingError({ temperature: 1, topK: 0 })).toBeNull();
  });
});
