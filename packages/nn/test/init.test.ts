/**
 * Initialisers: PyTorch's gains and fans, the distributions' ranges and moments, and each
 * module's default initialisation.
 */
import { manualSeed, ShapeError, type Tensor, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d, Embedding, GRU, init, LayerNorm, Linear, MultiheadAttention } from '../src/index.js';

const stats = (t: Tensor) => {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
};

describe('init', () => {
  it('gains and fans as PyTorch', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(init.calculateFanInAndFanOut(zeros([5, 3, 2, 2]))).toEqual({ fanIn: 12, fanOut: 20 });
    expect(() => init.xavierUniform_(zeros([4]))).toThrow(ShapeError);
  });

  it('uniform and normal initialisers have the right range and spread', () => {
    manualSeed(0);
    const w = zeros([200, 300]);
    init.xavierUniform_(w);
    const a = Math.sqrt(6 / 500);
    let s = stats(w);
    expect(s.min).toBeGreaterThanOrEqual(-a);
    expect(s.max).toBeLessThanOrEqual(a);
    expect(s.std).toBeCloseTo(a / Math.sqrt(3), 3);
    init.kaimingNormal_(w, { nonlinearity: 'relu' });
    s = stats(w);
    expect(Math.abs(s.mean)).toBeLessThan(0.003);
    expect(s.std / (Math.SQRT2 / Math.sqrt(300))).toBeCloseTo(1, 1);
    init.kaimingUniform_(w, { mode: 'fanOut', nonlinearity: 'relu' });
    s = stats(w);
    expect(s.max).toBeLessThanOrEqual(Math.sqrt(3) * (Math.SQRT2 / Math.sqrt(200)));
    init.xavierNormal_(w, 2);
    expect(stats(w).std / (2 * Math.sqrt(2 / 500))).toBeCloseTo(1, 1);
    init.constant_(w, 0.5);
    expect(stats(w)).toEqual({ mean: 0.5, std: 0, min: 0.5, max: 0.5 });
  });

  it('orthogonal_ gives orthonormal rows or columns times gain', () => {
    manualSeed(1);
    for (const shape of [
      [6, 4],
      [3, 7],
    ]) {
      const w = zeros(shape, { dtype: 'float64' });
      init.orthogonal_(w, 2);
      const [r, c] = shape as [number, number];
      const g = r >= c ? w.T.matmul(w) : w.matmul(w.T);
      const n = Math.min(r, c);
      const v = g.dataSync();
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) expect(v[i * n + j]).toBeCloseTo(i === j ? 4 : 0, 10);
    }
  });

  it('modules initialise as PyTorch does', () => {
    manualSeed(2);
    const lin = new Linear(400, 300);
    const b = 1 / Math.sqrt(400);
    const sw = stats(lin.weight);
    expect(sw.max).toBeLessThanOrEqual(b);
    expect(sw.min).toBeGreaterThanOrEqual(-b);
    expect(sw.std).toBeCloseTo(b / Math.sqrt(3), 3);
    expect(stats(lin.bias!).max).toBeLessThanOrEqual(b);
    const emb = stats(new Embedding(300, 200).weight);
    expect(emb.std).toBeCloseTo(1, 1);
    const pad = new Embedding(10, 4, { paddingIdx: 3 });
    expect(Array.from(pad.weight.narrow(0, 3, 1).dataSync())).toEqual([0, 0, 0, 0]);
    const gru = new GRU(10, 50);
    for (const p of gru.parameters()) expect(stats(p).max).toBeLessThanOrEqual(1 / Math.sqrt(50));
    const mha = new MultiheadAttention(64, 4);
    expect(stats(mha.in_proj_weight!).max).toBeLessThanOrEqual(Math.sqrt(6 / (64 + 192)));
    expect(stats(mha.in_proj_bias!)).toEqual({ mean: 0, std: 0, min: 0, max: 0 });
    expect(stats(mha.out_proj.bias!).max).toBe(0);
    expect(stats(mha.out_proj.weight).max).toBeLessThanOrEqual(1 / 8);
    const ln = new LayerNorm([5]);
    expect(stats(ln.weight!).min).toBe(1);
    const bn = new BatchNorm1d(5);
    expect(stats(bn.running_var!).min).toBe(1);
  });
});
