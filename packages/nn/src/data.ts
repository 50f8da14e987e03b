/**
 * Datasets and a deterministic, async-iterable `DataLoader`.
 */

import { formatShape, randperm, ShapeError, stack, type Tensor, tensor, ValueError } from '@tsgrad/core';
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
    const idx = tensor(indices, { shape: [indices.length], dtype: 'int32' });
    const out = this.tensors.map((t) => t.indexSelect(0, idx.device === t.device ? idx : idx.to(t.device)));
    idx.dispose();
    return out;
  }
}

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
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
}

/**
 * Batches of a dataset, as tuples of stacked tensors; iterate with `for await` (or `for`).
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
export class DataLoader<T = Tensor[]> implements AsyncIterable<T>, Iterable<T> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number | undefined;
  /** Epochs started so far (the shuffling order of a seeded loader depends on it). */
  epoch = 0;

  constructor(
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.seed = opts.seed;
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
    if (this.seed === undefined) {
      const p = randperm(n);
      const out = p.dataSync() as Int32Array;
      p.dispose();
      return Int32Array.from(out);
    }
    const p = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(hash32Uniform(this.seed, epoch, i) * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  *[Symbol.iterator](): Iterator<T> {
    const order = this.order();
    const bs = this.batchSize;
    for (let start = 0; start < order.length; start += bs) {
      const idx = order.subarray(start, Math.min(start + bs, order.length));
      if (idx.length < bs && this.dropLast) break;
      yield this.collate(idx);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const b of this) yield b;
  }

  private collate(idx: Int32Array): T {
    const ds = this.dataset as unknown as { batch?: (i: Int32Array) => T };
    if (typeof ds.batch === 'function') return ds.batch(idx);
    const samples = Array.from(idx, (i) => this.dataset.get(i));
    const first = samples[0] as unknown;
    if (Array.isArray(first)) {
      return first.map((_, k) => stack(samples.map((s) => (s as unknown as Tensor[])[k]!))) as T;
    }
    return stack(samples as unknown as Tensor[]) as T;
  }
}
