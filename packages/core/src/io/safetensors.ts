/**
 * The safetensors format (https://github.com/huggingface/safetensors), byte for byte:
 *
 * ```
 * [8 bytes: N, little-endian u64] [N bytes: JSON header, padded with spaces to a multiple of 8]
 * [data: each tensor's little-endian elements, at header[name].data_offsets relative to here]
 * ```
 *
 * The header maps each name to `{ dtype, shape, data_offsets: [begin, end] }`, plus an optional
 * `__metadata__` of string → string. Tensors are written in dtype-size then name order, as the
 * reference implementation does. `serialize`/`deserialize` work on bytes (browsers too);
 * `save`/`load` use node:fs, imported only when called.
 */
import type { Device } from '../backend/backend.js';
import type { DType } from '../dtype.js';
import { DeviceError, DTypeError, ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';

const WRITE: Record<DType, { name: string; size: number }> = {
  float64: { name: 'F64', size: 8 },
  float32: { name: 'F32', size: 4 },
  int32: { name: 'I32', size: 4 },
  bool: { name: 'BOOL', size: 1 },
};

const READ_SIZES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Entry {
  name: string;
  dtype: DType;
  shape: readonly number[];
  bytes: Uint8Array;
}

function checkInput(tensors: Record<string, Tensor>, metadata: Record<string, string> | undefined): void {
  if (Object.hasOwn(tensors, '__metadata__'))
    throw new ValueError("safetensors: '__metadata__' is reserved, not a tensor name");
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string')
      throw new ValueError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
  }
}

function bytesOf(
  data: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number },
): Uint8Array {
  if (!LITTLE_ENDIAN) throw new DeviceError('safetensors: big-endian hosts are not supported');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function encode(entries: Entry[], metadata: Record<string, string> | undefined): Uint8Array {
  const sorted = [...entries].sort(
    (a, b) => WRITE[b.dtype].size - WRITE[a.dtype].size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const header: Record<string, unknown> = Object.create(null);
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of sorted) {
    header[e.name] = {
      dtype: WRITE[e.dtype].name,
      shape: [...e.shape],
      data_offsets: [offset, offset + e.bytes.length],
    };
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const e of sorted) {
    out.set(e.bytes, pos);
    pos += e.bytes.length;
  }
  return out;
}

/**
 * The safetensors bytes of CPU tensors (use `save`, or move tensors to the CPU, for others).
 *
 * @example
 * ```ts
 * const bytes = safetensors.serialize({ weight: w, bias: b }, { format: 'pt' });
 * ```
 */
export function serialize(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  checkInput(tensors, metadata);
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (t.device !== 'cpu') {
      throw new DeviceError(
        `safetensors.serialize: '${name}' is on ${t.device}; use save() or move it with .to('cpu')`,
      );
    }
    return { name, dtype: t.dtype, shape: t.shape, bytes: bytesOf(t.dataSync()) };
  });
  return encode(entries, metadata);
}

/** Like {@link serialize}, reading tensors on any device asynchronously. */
export async function serializeAsync(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<Uint8Array> {
  checkInput(tensors, metadata);
  const entries: Entry[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    entries.push({ name, dtype: t.dtype, shape: t.shape, bytes: bytesOf(await t.data()) });
  }
  return encode(entries, metadata);
}

/** Options of {@link deserialize} and {@link load}. */
export interface LoadOptions {
  /** Where the tensors go ('cpu'). */
  device?: Device;
}

/** One tensor's entry in a safetensors header. */
export interface TensorInfo {
  /** The safetensors dtype name ('F32', 'I64' …). */
  dtype: string;
  shape: number[];
  /** Begin and end byte, relative to the start of the data. */
  data_offsets: [number, number];
}

/**
 * Parses the header of safetensors bytes strictly (as the reference implementation does): a
 * byte order mark, invalid UTF-8, unknown dtypes, non-integer dims, `data_offsets` that are
 * not `[begin, end]` or that leave gaps or overlap, and metadata that is not an object of
 * strings are refused with a `ValueError`/`DTypeError`. The returned maps have no prototype,
 * so a tensor named `__proto__` or `constructor` is an ordinary entry: tensor infos and metadata.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = safetensors.readHeader(bytes);
 * ```
 */
export function readHeader(bytes: Uint8Array): {
  tensors: Record<string, TensorInfo>;
  metadata: Record<string, string>;
  dataStart: number;
} {
  if (bytes.length < 8) throw new ValueError(`safetensors: ${bytes.length} bytes is too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw new ValueError(`safetensors: header length ${n} exceeds the ${bytes.length - 8} bytes after it`);
  }
  const hlen = Number(n);
  if (hlen >= 3 && bytes[8] === 0xef && bytes[9] === 0xbb && bytes[10] === 0xbf) {
    throw new ValueError('safetensors: the header starts with a byte order mark');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + hlen)),
    );
  } catch (e) {
    throw new ValueError(`safetensors: the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValueError('safetensors: the header must be a JSON object');
  }
  // Null-prototype maps: a tensor (or metadata key) named `__proto__` or `constructor` is itself.
  const metadata: Record<string, string> = Object.create(null);
  const tensors: Record<string, TensorInfo> = Object.create(null);
  const dataLen = bytes.length - 8 - hlen;
  const spans: [number, number, string][] = [];
  for (const [name, info] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info))
        throw new ValueError('safetensors: __metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw new ValueError(`safetensors: metadata '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (
      info === null ||
      typeof info !== 'object' ||
      Array.isArray(info) ||
      typeof info.dtype !== 'string' ||
      !Array.isArray(info.shape) ||
      !Array.isArray(info.data_offsets)
    ) {
      throw new ValueError(`safetensors: '${name}' needs dtype, shape and data_offsets`);
    }
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = info as { dtype: string; shape: unknown[]; data_offsets: unknown[] };
    const size = READ_SIZES[dtype];
    if (size === undefined || !Object.hasOwn(READ_SIZES, dtype))
      throw new DTypeError(`safetensors: '${name}' has unsupported dtype ${dtype}`);
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || (d as number) < 0)
        throw new ValueError(
          `safetensors: '${name}' has shape [${shape.map(String).join(', ')}]; dims must be non-negative integers`,
        );
    }
    if (offsets.length !== 2)
      throw new ValueError(
        `safetensors: '${name}' has data_offsets of length ${offsets.length}; expected [begin, end]`,
      );
    const [b, e] = offsets as [number, number];
    const numel = (shape as number[]).reduce((x, y) => x * y, 1);
    if (
      !Number.isSafeInteger(b) ||
      !Number.isSafeInteger(e) ||
      b < 0 ||
      e < b ||
      e > dataLen ||
      e - b !== numel * size
    ) {
      throw new ValueError(
        `safetensors: '${name}' (${dtype} [${shape.join(', ')}]) has invalid data_offsets [${b}, ${e}] for ${dataLen} data bytes`,
      );
    }
    tensors[name] = { dtype, shape: shape as number[], data_offsets: [b, e] };
    spans.push([b, e, name]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  let expect = 0;
  for (const [b, e, name] of spans) {
    if (b !== expect)
      throw new ValueError(`safetensors: '${name}' starts at ${b}, expected ${expect} (gap or overlap)`);
    expect = e;
  }
  if (expect !== dataLen)
    throw new ValueError(`safetensors: data is ${dataLen} bytes but tensors cover ${expect}`);
  return { tensors, metadata, dataStart: 8 + hlen };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function decode(name: string, dtype: string, raw: Uint8Array): { data: ArrayLike<number>; dtype: DType } {
  const copy = raw.slice(); // aligned, owned
  const buf = copy.buffer;
  const view = new DataView(buf);
  switch (dtype) {
    case 'F64':
      return { data: new Float64Array(buf), dtype: 'float64' };
    case 'F32':
      return { data: new Float32Array(buf), dtype: 'float32' };
    case 'I32':
      return { data: new Int32Array(buf), dtype: 'int32' };
    case 'BOOL':
      return { data: copy, dtype: 'bool' };
    case 'F16':
    case 'BF16': {
      const bf = new Uint32Array(1);
      const bff = new Float32Array(bf.buffer);
      const out = new Float32Array(copy.length / 2);
      for (let i = 0; i < out.length; i++) {
        const h = view.getUint16(2 * i, true);
        if (dtype === 'F16') out[i] = halfToFloat(h);
        else {
          bf[0] = h << 16;
          out[i] = bff[0]!;
        }
      }
      return { data: out, dtype: 'float32' };
    }
    case 'I64': {
      const out = new Int32Array(copy.length / 8);
      for (let i = 0; i < out.length; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new DTypeError(`safetensors: '${name}' (I64) holds ${v}, outside the int32 range`);
        }
        out[i] = Number(v);
      }
      return { data: out, dtype: 'int32' };
    }
    case 'I16':
      return { data: Int32Array.from(new Int16Array(buf)), dtype: 'int32' };
    case 'I8':
      return { data: Int32Array.from(new Int8Array(buf)), dtype: 'int32' };
    case 'U8':
      return { data: Int32Array.from(copy), dtype: 'int32' };
    default:
      throw new DTypeError(`safetensors: '${name}' has unsupported dtype ${dtype}`);
  }
}

/**
 * Tensors from safetensors bytes. F32, F64, I32 and BOOL load as they are; F16 and BF16 load
 * as float32, I64/I16/I8/U8 as int32 (I64 values must fit). The result has no prototype, so
 * every name (`__proto__`, `constructor` …) is an own entry. A malformed file throws a
 * `TsgradError` (see {@link readHeader}).
 *
 * @example
 * ```ts
 * const sd = safetensors.deserialize(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * ```
 */
export function deserialize(bytes: Uint8Array, opts: LoadOptions = {}): Record<string, Tensor> {
  const { tensors, dataStart } = readHeader(bytes);
  const out: Record<string, Tensor> = Object.create(null);
  for (const [name, info] of Object.entries(tensors)) {
    const [b, e] = info.data_offsets;
    const { data, dtype } = decode(name, info.dtype, bytes.subarray(dataStart + b, dataStart + e));
    out[name] = tensor(data, { shape: info.shape, dtype, device: opts.device ?? 'cpu' });
  }
  return out;
}

/**
 * Writes tensors to a safetensors file atomically (a temporary file, then a rename). Node only.
 *
 * @example
 * ```ts
 * await safetensors.save(model.stateDict(), 'model.safetensors');
 * ```
 */
export async function save(
  tensors: Record<string, Tensor>,
  path: string,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, await serializeAsync(tensors, metadata));
}

/**
 * Reads a safetensors file (Node only). Temporary files that killed saves of this path left
 * behind are removed first (see {@link removeStaleTempFiles}).
 *
 * @example
 * ```ts
 * model.loadStateDict(await safetensors.load('model.safetensors'));
 * ```
 */
export async function load(path: string, opts: LoadOptions = {}): Promise<Record<string, Tensor>> {
  return deserialize(await readFileCleaning(path), opts);
}

/** Sequence number of this process's temporary files. */
let tempCounter = 0;

/**
 * Writes bytes to `path` so that readers see the old file or the whole new one, never a
 * part: write a temporary file `<path>.tmp-<pid>-<n>` beside it, flush it, rename it over the
 * target. Temporary files of earlier saves whose process is gone (killed mid-save) are
 * removed first. Node only; every tsgrad file writer (safetensors, checkpoints, optimizer
 * state, ONNX) goes through it.
 *
 * @example
 * ```ts
 * await writeFileAtomic('ckpt.safetensors', bytes);
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  await removeStaleTempFiles(path);
  const tmp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the temporary files `<path>.tmp-<pid>-<n>` of {@link writeFileAtomic} whose writer
 * process no longer exists (a save killed before its rename). Files of live processes, this
 * one included, are left alone. Returns the names removed. Node only; `load`,
 * `writeFileAtomic` and the checkpoint and optimizer-state loaders call it.
 *
 * @example
 * ```ts
 * await safetensors.removeStaleTempFiles('run/ckpt.safetensors'); // ['ckpt.safetensors.tmp-4121-0']
 * ```
 */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const fs = await import('node:fs/promises');
  const { basename, dirname, join } = await import('node:path');
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return []; // no directory yet: nothing to clean
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-z]+$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    await fs.rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * The bytes of `path`, after removing stale temporary files beside it
 * ({@link removeStaleTempFiles}). Node only.
 *
 * @example
 * ```ts
 * const bytes = await safetensors.readFileCleaning('run/ckpt.safetensors');
 * ```
 */
export async function readFileCleaning(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  await removeStaleTempFiles(path);
  return new Uint8Array(await fs.readFile(path));
}
