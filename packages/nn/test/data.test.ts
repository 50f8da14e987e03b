import { manualSeed, type Tensor, tensor } from '@tsgrad/core';
import {
  ConcatDataset,
  DataLoader,
  type Dataset,
  defaultCollate,
  randomSplit,
  Subset,
  TensorDataset,
} from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

/** A dataset of plain values: sample i is whatever `make(i)` returns. */
function plain<T>(n: number, make: (i: number) => T): Dataset<T> {
  return { length: n, get: (i) => make(i) };
}

const ids = (ds: Dataset<number>) => Array.from({ length: ds.length }, (_, i) => ds.get(i));

describe('Subset and ConcatDataset', () => {
  test('a subset reads the dataset at its indices', () => {
    const s = new Subset(
      plain(10, (i) => i * 10),
      [7, 2, 2, 9],
    );
    expect(s.length).toBe(4);
    expect(ids(s)).toEqual([70, 20, 20, 90]);
    expect(() => s.get(4)).toThrow(/out of range/);
    expect(
      () =>
        new Subset(
          plain(3, (i) => i),
          [3],
        ),
    ).toThrow(/index 3 out of range/);
  });

  test('a concatenation indexes through its datasets in order', () => {
    const c = new ConcatDataset([plain(2, (i) => i), plain(0, (i) => 100 + i), plain(3, (i) => 10 + i)]);
    expect(c.length).toBe(5);
    expect(c.cumulativeSizes).toEqual([2, 2, 5]);
    expect(ids(c)).toEqual([0, 1, 10, 11, 12]);
    expect(() => c.get(5)).toThrow(/out of range/);
    expect(() => new ConcatDataset([])).toThrow(/at least one/);
  });
});

describe('randomSplit', () => {
  const ds = plain(10, (i) => i);

  test('splits into disjoint subsets covering the dataset, reproducibly with a seed', () => {
    const parts = randomSplit(ds, [3, 7], { seed: 1 });
    expect(parts.map((p) => p.length)).toEqual([3, 7]);
    const all = parts.flatMap(ids);
    expect([...all].sort((a, b) => a - b)).toEqual(ids(ds));
    expect(randomSplit(ds, [3, 7], { seed: 1 }).map(ids)).toEqual(parts.map(ids));
    expect(randomSplit(ds, [3, 7], { seed: 2 }).map(ids)).not.toEqual(parts.map(ids));
  });

  test('unseeded, it follows the global generator', () => {
    manualSeed(5);
    const a = randomSplit(ds, [5, 5]).map(ids);
    manualSeed(5);
    expect(randomSplit(ds, [5, 5]).map(ids)).toEqual(a);
  });

  test("fractions: floor(n·f) each, the remainder dealt round robin (PyTorch's rule)", () => {
    // 10 · [0.33, 0.33, 0.34] = floor → [3, 3, 3]; one left over goes to the first.
    expect(randomSplit(ds, [0.33, 0.33, 0.34], { seed: 0 }).map((p) => p.length)).toEqual([4, 3, 3]);
    // 11 · [0.25 ×4] → [2, 2, 2, 2], three left over → [3, 3, 3, 2].
    const eleven = plain(11, (i) => i);
    expect(randomSplit(eleven, [0.25, 0.25, 0.25, 0.25], { seed: 0 }).map((p) => p.length)).toEqual([
      3, 3, 3, 2,
    ]);
    expect(randomSplit(ds, [0.8, 0.2], { seed: 0 }).map((p) => p.length)).toEqual([8, 2]);
  });

  test('lengths must add up', () => {
    expect(() => randomSplit(ds, [3, 3])).toThrow(/summing to the dataset's length 10/);
    expect(() => randomSplit(ds, [0.5, 0.6])).toThrow(/fractions summing to 1/);
    expect(() => randomSplit(ds, [1.5, -0.5])).toThrow(/fraction at index 0/);
  });
});

describe('defaultCollate', () => {
  test('numbers become a tensor: int32 when all are integers, else float32', () => {
    const ints = defaultCollate([1, 2, 3]);
    expect([ints.dtype, ints.toArraySync()]).toEqual(['int32', [1, 2, 3]]);
    const floats = defaultCollate([0.5, 2]);
    expect([floats.dtype, floats.shape]).toEqual(['float32', [2]]);
    expect(defaultCollate([true, false]).dtype).toBe('bool');
  });

  test('arrays of numbers and typed arrays stack into [batch, length]', () => {
    expect(
      defaultCollate([
        [1, 2],
        [3, 4.5],
      ]).toArraySync(),
    ).toEqual([
      [1, 2],
      [3, 4.5],
    ]);
    const t = defaultCollate([new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])]);
    expect([t.dtype, t.shape]).toEqual(['float32', [2, 3]]);
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(/array of 2 numbers in the first sample but of 1/);
  });

  test('tensors stack; tuples and objects are collated field by field, recursively', () => {
    const batch = defaultCollate([
      { x: tensor([1, 2]), meta: { id: 7, tags: ['a', 'b'] as [string, string] }, name: 'p' },
      { x: tensor([3, 4]), meta: { id: 8, tags: ['c', 'd'] as [string, string] }, name: 'q' },
    ]);
    expect(batch.x.shape).toEqual([2, 2]);
    expect(batch.meta.id.toArraySync()).toEqual([7, 8]);
    expect(batch.meta.tags).toEqual([
      ['a', 'c'],
      ['b', 'd'],
    ]);
    expect(batch.name).toEqual(['p', 'q']);
    const [x, y] = defaultCollate([
      [[0.5, 1], 0],
      [[2, 3], 1],
    ] as [number[], number][]);
    expect(x.shape).toEqual([2, 2]);
    expect(y.toArraySync()).toEqual([0, 1]);
  });

  test('mismatched or unknown samples throw, naming where', () => {
    expect(() => defaultCollate([{ a: 1 }, { a: 'x' }] as { a: unknown }[])).toThrow(/sample\.a is a number/);
    expect(() => defaultCollate([new Map()])).toThrow(/cannot batch sample of type Map/);
    expect(() => defaultCollate([])).toThrow(/no samples/);
  });
});

describe('DataLoader with plain samples and collateFn', () => {
  test('a dataset returning plain arrays batches through the default collate', () => {
    const ds = plain(5, (i): [number[], number] => [[i, i + 0.5], i % 2]);
    const batches = [...new DataLoader(ds, { batchSize: 2 })];
    expect(batches).toHaveLength(3);
    const [x, y] = batches[0]!;
    expect(x.toArraySync()).toEqual([
      [0, 0.5],
      [1, 1.5],
    ]);
    expect(y.toArraySync()).toEqual([0, 1]);
    expect(batches[2]![0].shape).toEqual([1, 2]);
  });

  test('a dataset returning a number array per sample gives one tensor per batch', () => {
    const ds = plain(4, (i) => [i, i, i]);
    const first = [...new DataLoader(ds, { batchSize: 4 })][0]!;
    expect(first.shape).toEqual([4, 3]);
  });

  test('collateFn makes the batches, also for a TensorDataset', () => {
    const ds = new TensorDataset(tensor([1, 2, 3, 4]), tensor([10, 20, 30, 40]));
    const loader = new DataLoader(ds, {
      batchSize: 3,
      collateFn: (samples: Tensor[][]) => samples.map(([x, y]) => x!.itemSync() + y!.itemSync()),
    });
    expect([...loader]).toEqual([[11, 22, 33], [44]]);
  });

  test('subsets from randomSplit load like any dataset', async () => {
    const ds = new TensorDataset(tensor([0, 1, 2, 3, 4, 5]));
    const [train] = randomSplit(ds, [4, 2], { seed: 3 });
    const seen: number[] = [];
    for await (const [x] of new DataLoader(train!, { batchSize: 3 })) seen.push(...Array.from(x!.dataSync()));
    expect(seen).toEqual(
      ids(
        new Subset(
          plain(6, (i) => i),
          train!.indices,
        ),
      ),
    );
  });
});
