/**
 * Datasets (tensor-backed, subsets, concatenations, random splits), the default collate that
 * turns a list of samples into a batch, and a deterministic, async-iterable `DataLoader`.
 */

import { formatShape, randperm, ShapeError, stack, Tensor, tensor, ValueError } from '@tsgrad/core';
import { hash32Uniform } from './shuffle.js';

/** Anything indexable with a length; `get(i)` returns one sample (a tensor or a tuple). */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/**
 * Samples are the i-th rows of the given tensors (which share their first dim).
 *
 * @example
 * ```ts
 * const ds = new TensorDataset(images, labels);
 * const [x, y] = ds.get(0);
 * ```
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError('TensorDataset: needs at least one tensor');
    const n = tensors[0]!.shape[0];
    for (const t of tensors) {
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new ShapeError(
          `TensorDataset: all tensors need the same first dim, got ${tensors.map((x) => formatShape(x.shape)).join(', ')}`,
        );
      }
    }
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
  get(index: number): Tensor[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new ValueError(`TensorDataset.get: index ${index} out of range for ${this.length} samples`);
    }
    return this.tensors.map((t) => t.narrow(0, index, 1).squeeze(0));
  }
  /** The rows at `indices`, one gather per tensor. */
  batch(indices: Int32Array): Tensor[] {
    const idx = tensor(indices); // int32, from the Int32Array
    const out = this.tensors.map((t) => t.indexSelect(0, idx.to(t.device)));
    idx.dispose();
    return out;
  }
}

/** Options of {@link DataLoader}; `T` is a sample, `B` a batch. */
export interface DataLoaderOptions<T = unknown, B = Collated<T>> {
  /** Samples per batch (1). */
  batchSize?: number;
  /** Visit samples in a new random order each epoch (false). */
  shuffle?: boolean;
  /** Drop the last batch if it is smaller than batchSize (false). */
  dropLast?: boolean;
  /**
   * Seed of the shuffling order: epoch e of a loader with seed s always has the same order.
   * Without a seed, shuffling draws from the global generator (see `manualSeed`).
   */
  seed?: number;
  /**
   * Makes a batch from a list of samples (default {@link defaultCollate}, or the dataset's
   * own `batch(indices)` when it has one, as {@link TensorDataset} does).
   */
  collateFn?: (samples: T[]) => B;
}

/**
 * Batches of a dataset, made by `collateFn` (by default {@link defaultCollate}: tuples of
 * stacked tensors for a dataset of tuples); iterate with `for await` (or `for`).
 * Each iteration is one epoch.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for await (const [xb, yb] of loader) {
 *   // train step
 * }
 * ```
 */
export class DataLoader<T = Tensor[], B = Collated<T>> implements AsyncIterable<B>, Iterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number | undefined;
  /** Makes a batch from samples, when given. */
  readonly collateFn: ((samples: T[]) => B) | undefined;
  /** Epochs started so far (the shuffling order of a seeded loader depends on it). */
  epoch = 0;

  constructor(
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions<T, B> = {},
  ) {
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.seed = opts.seed;
    this.collateFn = opts.collateFn;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  private order(): Int32Array {
    const n = this.dataset.length;
    const epoch = this.epoch++;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return permutation(n, this.seed, epoch);
  }

  *[Symbol.iterator](): Iterator<B> {
    const order = this.order();
    const bs = this.batchSize;
    for (let start = 0; start < order.length; start += bs) {
      const idx = order.subarray(start, Math.min(start + bs, order.length));
      if (idx.length < bs && this.dropLast) break;
      yield this.collate(idx);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    for (const b of this) yield b;
  }

  private collate(idx: Int32Array): B {
    if (this.collateFn === undefined) {
      const ds = this.dataset as unknown as { batch?: (i: Int32Array) => B };
      if (typeof ds.batch === 'function') return ds.batch(idx);
    }
    const samples = Array.from(idx, (i) => this.dataset.get(i));
    return this.collateFn ? this.collateFn(samples) : (defaultCollate(samples) as B);
  }
}

/**
 * A permutation of 0…n−1: from `seed` and `epoch` when seeded (the same pair gives the same
 * order), else from the global generator (see `manualSeed`).
 */
function permutation(n: number, seed: number | undefined, epoch: number): Int32Array {
  if (seed === undefined) {
    const p = randperm(n);
    const out = Int32Array.from(p.dataSync() as Int32Array);
    p.dispose();
    return out;
  }
  const p = Int32Array.from({ length: n }, (_, i) => i);
  // Stryker disable next-line EqualityOperator: a step at i = 0 would swap p[0] with itself
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(hash32Uniform(seed, epoch, i) * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * The samples of `dataset` at `indices`, in that order.
 *
 * @example
 * ```ts
 * const firstHundred = new Subset(ds, Array.from({ length: 100 }, (_, i) => i));
 * ```
 */
export class Subset<T> implements Dataset<T> {
  readonly indices: readonly number[];
  constructor(
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    this.indices = Array.from(indices);
    for (const i of this.indices) {
      if (!Number.isInteger(i) || i < 0 || i >= dataset.length) {
        throw new ValueError(`Subset: index ${i} out of range for a dataset of ${dataset.length} samples`);
      }
    }
  }
  get length(): number {
    return this.indices.length;
  }
  get(index: number): T {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new ValueError(`Subset.get: index ${index} out of range for ${this.length} samples`);
    }
    return this.dataset.get(this.indices[index]!);
  }
}

/**
 * Several datasets one after another.
 *
 * @example
 * ```ts
 * const all = new ConcatDataset([train, extra]);
 * all.get(train.length); // extra's first sample
 * ```
 */
export class ConcatDataset<T> implements Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  /** Running totals of the datasets' lengths. */
  readonly cumulativeSizes: readonly number[];
  constructor(datasets: Iterable<Dataset<T>>) {
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new ValueError('ConcatDataset: needs at least one dataset');
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => {
      total += d.length;
      return total;
    });
  }
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }
  get(index: number): T {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new ValueError(`ConcatDataset.get: index ${index} out of range for ${this.length} samples`);
    }
    const d = this.cumulativeSizes.findIndex((end) => index < end);
    return this.datasets[d]!.get(index - (d === 0 ? 0 : this.cumulativeSizes[d - 1]!));
  }
}

/** Options of {@link randomSplit}. */
export interface RandomSplitOptions {
  /** Seed of the permutation; without one it draws from the global generator (see `manualSeed`). */
  seed?: number;
}

/**
 * Splits a dataset at random into non-overlapping subsets of the given lengths, as PyTorch's
 * `random_split`. Fractions that sum to 1 are allowed: each split gets `⌊n·fraction⌋` samples
 * and the remainder is dealt one by one to the splits in order (round robin).
 *
 * @example
 * ```ts
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { seed: 42 });
 * ```
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  options: RandomSplitOptions = {},
): Subset<T>[] {
  const n = dataset.length;
  let sizes = [...lengths];
  const total = sizes.reduce((a, b) => a + b, 0);
  // Stryker disable next-line EqualityOperator: a sum exactly 1e-9 from 1 is not a real input
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    sizes = sizes.map((f, i) => {
      if (!(f >= 0 && f <= 1)) {
        throw new ValueError(`randomSplit: fraction at index ${i} is ${f}, not between 0 and 1`);
      }
      return Math.floor(n * f);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]!++;
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new ValueError(
      `randomSplit: lengths [${lengths.join(', ')}] must be whole numbers summing to the dataset's length ${n}, or fractions summing to 1`,
    );
  }
  const order = permutation(n, options.seed, 0);
  let offset = 0;
  return sizes.map((s) => {
    offset += s;
    return new Subset(dataset, order.subarray(offset - s, offset));
  });
}

/**
 * The batch {@link defaultCollate} makes from samples of type `T`: tensors, numbers, booleans
 * and arrays of numbers become one stacked tensor; tuples and objects keep their layout
 * with each field collated; strings stay a list.
 */
export type Collated<T> = T extends Tensor | number | boolean | ArrayLike<number>
  ? Tensor
  : T extends string
    ? string[]
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : never;

function isNumberArray(v: unknown): v is ArrayLike<number> {
  if (ArrayBuffer.isView(v)) return !(v instanceof DataView);
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}

/**
 * Makes a batch from a list of samples, recursively: tensors are stacked (a new first dim),
 * numbers become a 1-D tensor (int32 if all are integers, else float32), booleans a bool
 * tensor, arrays of numbers (and typed arrays) a stacked tensor of shape `[batch, length]`;
 * other arrays are tuples, collated position by position, plain objects field by field;
 * strings are gathered into a list.
 *
 * Unlike PyTorch, whose `default_collate` treats a list of numbers as a tuple of scalars
 * (giving a list of tensors), an array of numbers here is one vector, because a JavaScript
 * dataset returns features as plain arrays where a Python one returns NumPy arrays (which
 * PyTorch stacks). And numbers become float32/int32, tsgrad's default dtypes, not
 * float64/int64.
 *
 * @example
 * ```ts
 * defaultCollate([{ x: [1, 2], y: 0 }, { x: [3, 4], y: 1 }]);
 * // { x: tensor [[1, 2], [3, 4]], y: tensor [0, 1] (int32) }
 * ```
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new ValueError('defaultCollate: got no samples');
  return collateAt(samples as readonly unknown[], 'sample') as Collated<T>;
}

function collateAt(items: readonly unknown[], where: string): unknown {
  const first = items[0];
  const mismatch = (want: string) =>
    new ValueError(
      `defaultCollate: ${where} is ${want} in the first sample but ${describe(items.find((x) => describe(x) !== describe(first)))} in another`,
    );
  if (first instanceof Tensor) {
    if (!items.every((x) => x instanceof Tensor)) throw mismatch('a Tensor');
    return stack(items as Tensor[]);
  }
  if (typeof first === 'number') {
    if (!items.every((x) => typeof x === 'number')) throw mismatch('a number');
    const ints = (items as number[]).every(Number.isInteger);
    return tensor(items as number[], { dtype: ints ? 'int32' : 'float32' });
  }
  if (typeof first === 'boolean') {
    if (!items.every((x) => typeof x === 'boolean')) throw mismatch('a boolean');
    return tensor((items as boolean[]).map(Number), { dtype: 'bool' });
  }
  if (typeof first === 'string') {
    if (!items.every((x) => typeof x === 'string')) throw mismatch('a string');
    return [...items];
  }
  if (isNumberArray(first)) {
    const len = first.length;
    const rows = items.map((x, i) => {
      if (!isNumberArray(x) || x.length !== len) {
        throw new ShapeError(
          `defaultCollate: ${where} is an array of ${len} numbers in the first sample but ${isNumberArray(x) ? `of ${x.length}` : describe(x)} in sample ${i}`,
        );
      }
      return Array.from(x);
    });
    const ints =
      rows.every((r) => r.every(Number.isInteger)) &&
      !(first instanceof Float32Array || first instanceof Float64Array);
    return tensor(rows.flat(), { dtype: ints ? 'int32' : 'float32' }).reshape([items.length, len]);
  }
  if (Array.isArray(first)) {
    const len = first.length;
    if (!items.every((x) => Array.isArray(x) && x.length === len)) {
      throw new ValueError(
        `defaultCollate: ${where} is a tuple of ${len} in the first sample but not in every sample`,
      );
    }
    return first.map((_, k) =>
      collateAt(
        items.map((x) => (x as unknown[])[k]),
        `${where}[${k}]`,
      ),
    );
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    return Object.fromEntries(
      keys.map((k) => [
        k,
        collateAt(
          items.map((x) => {
            if (x === null || typeof x !== 'object' || !(k in x)) {
              throw new ValueError(`defaultCollate: ${where}.${k} is missing from a sample`);
            }
            return (x as Record<string, unknown>)[k];
          }),
          `${where}.${k}`,
        ),
      ]),
    );
  }
  throw new ValueError(
    `defaultCollate: cannot batch ${where} of type ${describe(first)} (expected tensors, numbers, booleans, strings, arrays or plain objects; pass a collateFn)`,
  );
}
