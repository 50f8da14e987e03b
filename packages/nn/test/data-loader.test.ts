/**
 * DataLoader batching (sizes, dropLast, the dataset's own batch method, epochs and seeds),
 * the index checks of the datasets, randomSplit's length rules and the batches defaultCollate
 * makes, each pinned to what PyTorch's torch.utils.data does where tsgrad follows it.
 */
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

const range = (n: number): Dataset<number> => ({ length: n, get: (i) => i });
const flat = (batches: Tensor[]) => batches.map((b) => Array.from(b.dataSync()));

describe('DataLoader', () => {
  test.each([
    [10, 3, false, [3, 3, 3, 1]],
    [10, 3, true, [3, 3, 3]],
    [9, 3, true, [3, 3, 3]],
    [2, 3, true, []],
    [2, 3, false, [2]],
  ])('%d samples in batches of %d (dropLast %s): batch sizes %j', (n, batchSize, dropLast, sizes) => {
    const loader = new DataLoader(range(n), { batchSize, dropLast });
    const batches = [...loader];
    expect(batches.map((b) => b.shape[0])).toEqual(sizes);
    expect(loader.length).toBe(sizes.length);
    expect(batches.flatMap((b) => Array.from(b.dataSync()))).toEqual(
      Array.from({ length: sizes.reduce((a, b) => a + b, 0) }, (_, i) => i),
    );
  });

  test('batch size 1 by default, in dataset order without shuffle', () => {
    const loader = new DataLoader(range(3));
    expect([loader.batchSize, loader.shuffle, loader.dropLast]).toEqual([1, false, false]);
    expect(flat([...loader])).toEqual([[0], [1], [2]]);
  });

  test("uses the dataset's batch method (one gather) unless a collateFn is given", () => {
    let gets = 0;
    const ds = {
      length: 4,
      get: (i: number) => {
        gets++;
        return i;
      },
      batch: (idx: Int32Array) => tensor(Array.from(idx, (i) => 10 * i)),
    };
    expect(flat([...new DataLoader(ds, { batchSize: 3 })])).toEqual([[0, 10, 20], [30]]);
    expect(gets).toBe(0);
    const sums = [
      ...new DataLoader(ds, { batchSize: 3, collateFn: (s: number[]) => s.reduce((a, b) => a + b) }),
    ];
    expect(sums).toEqual([3, 3]);
    expect(gets).toBe(4);
  });

  test('a TensorDataset batches by gathering rows of each tensor', () => {
    const ds = new TensorDataset(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      tensor([7, 8, 9]),
    );
    const [[x, y]] = [...new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 5 })] as Tensor[][];
    const rows = x!.toArraySync() as number[][];
    const labels = Array.from(y!.dataSync());
    // Rows and labels are gathered in the same shuffled order.
    expect(rows.map((r) => (r[0]! + 1) / 2 + 6)).toEqual(labels);
    expect([...labels].sort()).toEqual([7, 8, 9]);
  });

  test('each pass over the loader is one epoch; a seeded order depends on (seed, epoch) only', () => {
    const loader = new DataLoader(range(12), { batchSize: 12, shuffle: true, seed: 3 });
    const first = flat([...loader])[0];
    expect(loader.epoch).toBe(1);
    const second = flat([...loader])[0];
    expect(loader.epoch).toBe(2);
    expect(second).not.toEqual(first);
    const again = new DataLoader(range(12), { batchSize: 12, shuffle: true, seed: 3 });
    again.epoch = 1;
    expect(flat([...again])[0]).toEqual(second);
    expect([...first!].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  test('seeds that differ only above 32 bits give different orders', () => {
    const order = (seed: number) =>
      flat([...new DataLoader(range(16), { batchSize: 16, shuffle: true, seed })])[0];
    expect(order(2 ** 32)).not.toEqual(order(0));
    expect(order(2 ** 32 + 1)).not.toEqual(order(1));
    expect(order(7)).toEqual(order(7));
  });

  test('unseeded shuffling draws from the global generator', () => {
    const order = () => flat([...new DataLoader(range(16), { batchSize: 16, shuffle: true })])[0];
    manualSeed(1);
    const a = order();
    manualSeed(1);
    expect(order()).toEqual(a);
    manualSeed(2);
    expect(order()).not.toEqual(a);
  });
});

describe('dataset index checks', () => {
  const base = range(4);
  test.each([-1, 4, 1.5, Number.NaN])(
    'index %d is refused by Subset, ConcatDataset and TensorDataset',
    (i) => {
      expect(() => new Subset(base, [0, i])).toThrow(
        `Subset: index ${i} out of range for a dataset of 4 samples`,
      );
      const sub = new Subset(base, [3, 1]);
      const j = i === 4 ? 2 : i;
      expect(() => sub.get(j)).toThrow(`Subset.get: index ${j} out of range for 2 samples`);
      const cat = new ConcatDataset([base, range(2)]);
      const k = i === 4 ? 6 : i;
      expect(() => cat.get(k)).toThrow(`ConcatDataset.get: index ${k} out of range for 6 samples`);
      expect(() => new TensorDataset(tensor([1, 2, 3, 4])).get(i)).toThrow('TensorDataset.get');
    },
  );

  test('the last valid index of each is accepted', () => {
    expect(new Subset(base, [3, 1]).get(1)).toBe(1);
    expect(new ConcatDataset([base, range(2)]).get(5)).toBe(1);
    expect(new TensorDataset(tensor([1, 2, 3, 4])).get(3)[0]!.itemSync()).toBe(4);
    expect(() => new ConcatDataset([])).toThrow('ConcatDataset: needs at least one dataset');
  });
});

describe('randomSplit lengths', () => {
  const ds = range(10);
  const sizes = (lengths: number[]) => randomSplit(ds, lengths, { seed: 0 }).map((s) => s.length);

  test('whole numbers may be zero; fractions may be 0 or 1', () => {
    expect(sizes([0, 10])).toEqual([0, 10]);
    expect(sizes([10, 0])).toEqual([10, 0]);
    expect(sizes([0, 1])).toEqual([0, 10]);
    expect(sizes([1, 0])).toEqual([10, 0]);
    expect(sizes([1])).toEqual([10]);
  });

  test('fractions must sum to 1 (not more, even by a hair), whole numbers to the length', () => {
    const msg = /must be whole numbers summing to the dataset's length 10, or fractions summing to 1/;
    expect(() => sizes([0.5, 0.3])).toThrow(msg);
    expect(() => sizes([0.5, 0.5 + 5e-10])).toThrow(msg);
    expect(sizes([0.5, 0.5 - 5e-10])).toEqual([6, 4]); // ⌊4.999…⌋ = 4, the remainder to the first
    expect(() => sizes([-1, 11])).toThrow(msg);
    expect(() => sizes([2.5, 7.5])).toThrow(msg);
    expect(() => sizes([])).toThrow(/lengths \[\] must be whole numbers/);
    expect(() => sizes([1.5, -0.5])).toThrow('randomSplit: fraction at index 0 is 1.5, not between 0 and 1');
    expect(() => sizes([-0.5, 1.5])).toThrow('randomSplit: fraction at index 0 is -0.5, not between 0 and 1');
    expect(() => sizes([0.5, 0.3])).toThrow(
      "randomSplit: lengths [0.5, 0.3] must be whole numbers summing to the dataset's length 10, or fractions summing to 1",
    );
  });
});

describe('defaultCollate', () => {
  test('arrays of integers give int32, any fraction or a float typed array float32', () => {
    const dtype = (samples: unknown[]) => (defaultCollate(samples) as Tensor).dtype;
    expect(
      dtype([
        [1, 2],
        [3, 4],
      ]),
    ).toBe('int32');
    expect(
      dtype([
        [1, 2],
        [3, 4.5],
      ]),
    ).toBe('float32');
    expect(dtype([new Float32Array([1, 2]), new Float32Array([3, 4])])).toBe('float32');
    expect(dtype([new Float64Array([1, 2]), new Float64Array([3, 4])])).toBe('float32');
    expect(dtype([new Int32Array([1, 2]), new Int32Array([3, 4])])).toBe('int32');
    expect(
      (
        defaultCollate([
          [1, 2],
          [3, 4],
        ]) as Tensor
      ).toArraySync(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  test('an empty array is a tuple of nothing; tuples need the same length in every sample', () => {
    expect(defaultCollate([[], []])).toEqual([]);
    expect(() => defaultCollate([[1, 'a'], 5] as never[])).toThrow(
      /tuple of 2 in the first sample but not in every/,
    );
  });

  test('errors name the nested place and the first sample that differs', () => {
    expect(() =>
      defaultCollate([
        [tensor([1]), 1],
        [tensor([2]), 2],
        [tensor([3]), 'x'],
      ] as never[]),
    ).toThrow('defaultCollate: sample[1] is a number in the first sample but string in another');
    expect(() => defaultCollate([{ a: { b: 1 } }, { a: 5 }] as never[])).toThrow(
      'defaultCollate: sample.a.b is missing from a sample',
    );
    expect(() => defaultCollate([{ a: 1 }, null] as never[])).toThrow('sample.a is missing from a sample');
    expect(() => defaultCollate([1, Object.create(null)] as never[])).toThrow('but an object in another');
    expect(() => defaultCollate([Object.create(null)] as never[])).toThrow(
      'cannot batch sample of type an object',
    );
    expect(() => defaultCollate([null] as never[])).toThrow(
      'defaultCollate: cannot batch sample of type null',
    );
    expect(() => defaultCollate([undefined] as never[])).toThrow('cannot batch sample of type undefined');
  });
});
