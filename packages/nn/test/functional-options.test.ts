/**
 * Options of the functional layers checked value by value: linear at every input rank,
 * batchNorm's running statistics (momentum, unbiased variance) and its eval path, embedding's
 * negative paddingIdx, dropout's scaling and boundaries, attention dropout only in training,
 * and the causal mask for queries and keys of different lengths.
 */
import { manualSeed, ones, rand, randn, type Tensor, tensor, zeros } from '@tsgrad/core';
import { functional as F } from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

const f64 = (v: unknown) => tensor(v as number[], { dtype: 'float64' });
const values = (t: Tensor) => Array.from(t.dataSync());

test('linear: x·Wᵀ + b for 1-D, 2-D and 3-D inputs, with and without bias', () => {
  const W = [
    [1, 2],
    [0, -1],
    [3, 0.5],
  ];
  const B = [0.5, 1, -1];
  const w = f64(W);
  const b = f64(B);
  const row = (x: number[]) => W.map((wo) => x[0]! * wo[0]! + x[1]! * wo[1]!);
  const biased = (x: number[]) => row(x).map((v, o) => v + B[o]!);
  const xs = [
    [1, 2],
    [-1, 0.5],
  ];
  expect(values(F.linear(f64(xs[0]), w, b))).toEqual(biased(xs[0]!));
  expect(F.linear(f64(xs), w, b).toArraySync()).toEqual(xs.map(biased));
  const y3 = F.linear(f64([xs, xs]), w, b);
  expect(y3.shape).toEqual([2, 2, 3]);
  expect(values(y3)).toEqual([...xs.map(biased), ...xs.map(biased)].flat());
  expect(F.linear(f64(xs), w).toArraySync()).toEqual(xs.map(row));
  expect(() => F.linear(f64(xs), f64([[1, 2, 3]]))).toThrow(
    /linear: input \[2,2\] does not end in 3 features/,
  );
  expect(() => F.linear(f64(1), w)).toThrow(/does not end in 2 features/);
});

describe('batchNorm', () => {
  const x = f64([
    [1, 10],
    [3, 20],
    [8, 60],
  ]);
  const mean = [4, 30];
  const biased = [26 / 3, 1400 / 3];
  const unbiased = [13, 700];

  test('training: batch statistics; running stats move by momentum with the unbiased variance', () => {
    const rm = f64([0.5, -1]);
    const rv = f64([2, 3]);
    const y = F.batchNorm(x, rm, rv, { training: true, momentum: 0.25, eps: 0 });
    const X = [
      [1, 10],
      [3, 20],
      [8, 60],
    ];
    const want = X.flatMap((r) => r.map((v, c) => (v - mean[c]!) / Math.sqrt(biased[c]!)));
    values(y).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 12);
    });
    values(rm).forEach((v, c) => {
      expect(v).toBeCloseTo(0.75 * [0.5, -1][c]! + 0.25 * mean[c]!, 12);
    });
    values(rv).forEach((v, c) => {
      expect(v).toBeCloseTo(0.75 * [2, 3][c]! + 0.25 * unbiased[c]!, 10);
    });
  });

  test('momentum defaults to 0.1; two values per channel are enough', () => {
    const rm = f64([0, 0]);
    F.batchNorm(x, rm, null, { training: true });
    values(rm).forEach((v, c) => {
      expect(v).toBeCloseTo(0.1 * mean[c]!, 12);
    });
    expect(F.batchNorm(f64([[1], [2]]), null, null, { training: true }).shape).toEqual([2, 1]);
  });

  test('eval: the running statistics, then weight and bias, per channel of [N, C, L]', () => {
    const x3 = f64([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    const y = F.batchNorm(x3, f64([1, 2]), f64([4, 0.25]), {
      weight: f64([2, 3]),
      bias: f64([0.5, -1]),
      eps: 0,
    });
    expect(y.toArraySync()).toEqual([
      [
        [0.5, 1.5],
        [5, 11],
      ],
    ]);
  });
});

test('embedding: a negative paddingIdx counts from the end and stops the gradient there', () => {
  const w = randn([4, 2], { dtype: 'float64', requiresGrad: true });
  const ids = tensor([3, 1, 3, 0], { dtype: 'int32' });
  const out = F.embedding(ids, w, { paddingIdx: -1 });
  expect(out.toArraySync()).toEqual(F.embedding(ids, w).toArraySync());
  out.sum().backward();
  expect(w.grad!.toArraySync()).toEqual([
    [1, 1],
    [1, 1],
    [0, 0],
    [0, 0],
  ]);
});

test('layerNorm over every dim of the input', () => {
  const x = f64([
    [1, 2],
    [3, 6],
  ]);
  const mean = 3;
  const sd = Math.sqrt((4 + 1 + 0 + 9) / 4);
  expect(values(F.layerNorm(x, [2, 2], { eps: 0 }))).toEqual([1, 2, 3, 6].map((v) => (v - mean) / sd));
});

test('embedding: paddingIdx 0 stops the gradient of row 0', () => {
  const w = randn([3, 2], { dtype: 'float64', requiresGrad: true });
  F.embedding([0, 2, 0], w, { paddingIdx: 0 }).sum().backward();
  expect(w.grad!.toArraySync()).toEqual([
    [0, 0],
    [0, 0],
    [1, 1],
  ]);
});

describe('dropout', () => {
  test('the mask is rand(shape) ≥ p in the input dtype, from the global generator', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      manualSeed(7);
      const kept = values(F.dropout(ones([64], { dtype }), { p: 0.4 })).map((v) => v !== 0);
      manualSeed(7);
      expect(kept).toEqual(values(rand([64], { dtype }).ge(0.4)).map(Boolean));
    }
  });

  test('keeps each element with probability 1 − p, scaled by 1/(1 − p) in the input dtype', () => {
    manualSeed(0);
    const x = ones([4000], { dtype: 'float64' });
    const y = values(F.dropout(x, { p: 0.3 }));
    const kept = y.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([1 / 0.7]));
    expect(Math.abs(kept.length / 4000 - 0.7)).toBeLessThan(0.03);
    const ints = F.dropout(tensor([2, 2, 2, 2], { dtype: 'int32' }), { p: 0.5 });
    expect(ints.dtype).toBe('float32');
    for (const v of values(ints)) expect([0, 4]).toContain(v);
  });

  test('p = 0, p = 1 and training false', () => {
    const x = randn([10]);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    expect(F.dropout(x, { p: 0.9, training: false })).toBe(x);
    expect(values(F.dropout(x, { p: 1 })).every((v) => v === 0)).toBe(true);
    expect(() => F.dropout(x, { p: -0.01 })).toThrow(/p must be in \[0, 1\], got -0.01/);
    expect(() => F.dropout(x, { p: Number.NaN })).toThrow(/got NaN/);
  });

  test('the default p is 0.5', () => {
    manualSeed(1);
    const y = values(F.dropout(ones([4000])));
    expect(new Set(y)).toEqual(new Set([0, 2]));
    expect(Math.abs(y.filter((v) => v === 0).length / 4000 - 0.5)).toBeLessThan(0.03);
  });
});

describe('attention', () => {
  test('dropout on the weights applies in training (the default) and not otherwise', () => {
    manualSeed(2);
    const q = randn([1, 3, 4]);
    const k = randn([1, 5, 4]);
    const v = randn([1, 5, 4]);
    const plain = F.attention(q, k, v, {});
    const evalOut = F.attention(q, k, v, { dropoutP: 0.5, training: false });
    expect(evalOut.weights.toArraySync()).toEqual(plain.weights.toArraySync());
    const train = F.attention(q, k, v, { dropoutP: 0.25 });
    const w = values(train.weights);
    const p = values(plain.weights);
    w.forEach((x, i) => {
      expect([0, Math.fround(p[i]! * Math.fround(1 / 0.75))]).toContain(Math.fround(x));
    });
    expect(w.some((x) => x === 0)).toBe(true);
  });

  test('causal masks for more keys than queries and more queries than keys', () => {
    expect(F.causalMask(2, 4).toArraySync()).toEqual([
      [true, false, false, false],
      [true, true, false, false],
    ]);
    expect(F.causalMask(4, 2).toArraySync()).toEqual([
      [true, false],
      [true, true],
      [true, true],
      [true, true],
    ]);
    const q = randn([3, 2]);
    const kv = randn([3, 2]);
    const y = F.scaledDotProductAttention(q, kv, kv, { isCausal: true });
    // The first query sees only the first key: its output is the first value.
    expect(values(y.narrow(0, 0, 1))).toEqual(values(kv.narrow(0, 0, 1)));
    expect(values(F.scaledDotProductAttention(q, kv, kv, { attnMask: zeros([3, 3]) }))).toEqual(
      values(F.scaledDotProductAttention(q, kv, kv)),
    );
  });
});
