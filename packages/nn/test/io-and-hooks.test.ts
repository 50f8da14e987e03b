/**
 * IDX parsing of every element type and the MNIST loaders on small files written here;
 * sequence lengths given as tensors and unsorted; hooks on modules with their own forward
 * and with nested array outputs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randn, type Tensor, tensor } from '@tsgrad/core';
import {
  Linear,
  LSTM,
  loadMnist,
  mnistFromBytes,
  packPaddedSequence,
  padPackedSequence,
  parseIdx,
  ReLU,
} from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

/** An IDX file: magic 0x0000TTNN, big-endian uint32 dims, then big-endian elements. */
function idx(type: number, shape: number[], values: number[]): Uint8Array {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type]!;
  const bytes = new Uint8Array(4 + 4 * shape.length + size * values.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = shape.length;
  shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  const start = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    const o = start + i * size;
    if (type === 8) view.setUint8(o, v);
    else if (type === 9) view.setInt8(o, v);
    else if (type === 11) view.setInt16(o, v, false);
    else if (type === 12) view.setInt32(o, v, false);
    else if (type === 13) view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  });
  return bytes;
}

describe('IDX files', () => {
  test.each<[number, number[], new (n: number) => ArrayLike<number>]>([
    [8, [0, 200, 255], Uint8Array],
    [9, [-128, -1, 127], Int8Array],
    [11, [-30000, 2, 30000], Int16Array],
    [12, [-2e9, 7, 2e9], Int32Array],
    [13, [0.5, -1.25, 2 ** 40], Float32Array],
    [14, [0.1, -1e-300, 1e300], Float64Array],
  ])('element type %i reads big-endian values into its typed array', (type, vals, Kind) => {
    const { shape, data } = parseIdx(idx(type, [3], vals));
    expect(shape).toEqual([3]);
    expect(data).toBeInstanceOf(Kind);
    expect(Array.from(data)).toEqual(vals);
  });

  test('a 2-D file reads its dims; bad files are refused by what is wrong', () => {
    expect(parseIdx(idx(8, [2, 2], [1, 2, 3, 4])).shape).toEqual([2, 2]);
    const unknown = idx(8, [1], [0]);
    unknown[2] = 0x0a;
    expect(() => parseIdx(unknown)).toThrow('parseIdx: unknown element type 0xa');
    expect(() => parseIdx(idx(8, [4], [1, 2, 3, 4]).slice(0, 6))).toThrow(
      'parseIdx: file ends inside the header',
    );
    expect(() => parseIdx(idx(12, [2], [1, 2]).slice(0, 11))).toThrow(
      'parseIdx: expected 16 bytes for shape [2], got 11',
    );
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1]))).toThrow('bad magic number');
  });
});

describe('MNIST from IDX bytes and files', () => {
  const images = idx(8, [2, 2, 2], [0, 255, 51, 102, 255, 0, 0, 0]);
  const labels = idx(8, [2], [7, 1]);

  test('pixels scale to [0, 1], optionally normalised, flat or [n, 1, h, w]', () => {
    const flat = mnistFromBytes(images, labels);
    expect(flat.images.shape).toEqual([2, 4]);
    expect(Array.from(flat.images.dataSync())).toEqual([0, 1, 0.2, 0.4, 1, 0, 0, 0].map(Math.fround));
    expect(Array.from(flat.labels.dataSync())).toEqual([7, 1]);
    expect(flat.labels.dtype).toBe('int32');
    const norm = mnistFromBytes(images, labels, { normalize: true, flatten: false });
    expect(norm.images.shape).toEqual([2, 1, 2, 2]);
    expect(norm.images.dataSync()[1]).toBeCloseTo((1 - 0.1307) / 0.3081, 6);
    expect(norm.images.dataSync()[0]).toBeCloseTo(-0.1307 / 0.3081, 6);
    // Images stored as another integer type read the same.
    const wide = mnistFromBytes(idx(12, [2, 2, 2], [0, 255, 51, 102, 255, 0, 0, 0]), labels);
    expect(wide.images.toArraySync()).toEqual(flat.images.toArraySync());
    expect(() => mnistFromBytes(images, idx(8, [3], [1, 2, 3]))).toThrow(
      'mnist: images [2,2,2] and labels [3] do not match',
    );
  });

  test('loadMnist reads the four files of a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-mnist-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), images);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx(8, [1, 2, 2], [255, 255, 0, 0]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(8, [1], [3]));
    const { train, test: t } = await loadMnist({ dir, flatten: false });
    expect(train.images.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(t.images.dataSync())).toEqual([1, 1, 0, 0]);
    expect(Array.from(t.labels.dataSync())).toEqual([3]);
    await expect(loadMnist({ dir: join(dir, 'missing') })).rejects.toThrow(
      /loadMnist: cannot read .*train-images-idx3-ubyte/,
    );
  });
});

describe('packed sequences', () => {
  test('lengths as an int tensor, unsorted with enforceSorted false, round trip through padding', () => {
    const x = randn([4, 3, 2]); // [T, B, *]
    const lengths = tensor([2, 4, 1], { dtype: 'int32' });
    expect(() => packPaddedSequence(x, lengths)).toThrow(/lengths \[2, 4, 1\] are not in decreasing order/);
    const packed = packPaddedSequence(x, lengths, { enforceSorted: false });
    expect(packed.batchSizes).toEqual([3, 2, 1, 1]);
    const [padded, lens] = padPackedSequence(packed);
    expect(Array.from(lens.dataSync())).toEqual([2, 4, 1]);
    const mask = [
      [1, 1, 1],
      [1, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
    ];
    const want = (x.toArraySync() as number[][][]).map((row, t) =>
      row.map((v, b) => v.map((e) => (mask[t]![b] ? e : 0))),
    );
    expect(padded.toArraySync()).toEqual(want);
    // Equal lengths keep their original order (a stable sort).
    const tie = packPaddedSequence(randn([2, 3, 1]), [1, 2, 1], { enforceSorted: false });
    expect(tie.sortedIndices).toEqual([1, 0, 2]);
  });
});

describe('hooks', () => {
  test('removing the last hook restores a forward the instance defined itself', () => {
    const m = new ReLU();
    const own = (x: Tensor) => x.mul(3);
    m.forward = own;
    const h = m.registerForwardHook((_m, _i, out) => (out as Tensor).add(1));
    expect(Array.from(m.forward(tensor([1])).dataSync())).toEqual([4]);
    h.remove();
    expect(m.forward).toBe(own);
    expect(Array.from(m.forward(tensor([1])).dataSync())).toEqual([3]);
  });

  test('a full backward hook sees the gradients of nested array outputs and of array inputs', () => {
    const lstm = new LSTM(2, 3);
    const x = randn([4, 1, 2], { requiresGrad: true });
    const seen: number[] = [];
    lstm.registerFullBackwardHook((_m, gradInput, gradOutput) => {
      seen.push(gradInput.length, gradOutput.length, gradOutput.filter((g) => g !== null).length);
    });
    const [out, [h, c]] = lstm.forward(x);
    out.sum().add(h.sum()).add(c.sum()).backward();
    // One input (x); three outputs (out, h, c), all reached by the loss.
    expect(seen).toEqual([1, 3, 3]);
    const lin = new Linear(2, 2);
    let inputs = -1;
    lin.registerFullBackwardHook((_m, gradInput) => {
      inputs = gradInput.length;
    });
    lin
      .forward(randn([1, 2], { requiresGrad: true }))
      .sum()
      .backward();
    expect(inputs).toBe(1);
  });
});
