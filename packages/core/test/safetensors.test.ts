/**
 * safetensors is strict where the reference implementation is: malformed headers are refused
 * with a TsgradError, and any tensor name (`__proto__`, `constructor`) loads as itself.
 */
import { describe, expect, it } from 'vitest';
import { DTypeError, safetensors, TsgradError, tensor, ValueError } from '../src/index.js';

/** safetensors bytes with the given header (an object or raw JSON text) and data. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), prefix?: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const head = prefix ? new Uint8Array([...prefix, ...json]) : json;
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const x = (offsets: unknown, shape: unknown = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });

describe('safetensors strictness', () => {
  it('a well-formed file loads (the helper builds valid files)', () => {
    const t = safetensors.deserialize(file({ x: x([0, 8]) }, f32(1, 2)));
    expect(t.x!.toArraySync()).toEqual([1, 2]);
  });

  it('refuses a byte order mark before the header', () => {
    const bytes = file({ x: x([0, 8]) }, f32(1, 2), new Uint8Array([0xef, 0xbb, 0xbf]));
    expect(() => safetensors.deserialize(bytes)).toThrow(ValueError);
    expect(() => safetensors.readHeader(bytes)).toThrow(/byte order mark/);
  });

  it('refuses a header that is not UTF-8', () => {
    const bytes = file('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"\u00ff":1}');
    bytes[bytes.indexOf(0xc3)] = 0xff; // a lone 0xff byte
    expect(() => safetensors.readHeader(bytes)).toThrow(/UTF-8/);
  });

  it('refuses data_offsets that are not [begin, end]', () => {
    expect(() => safetensors.deserialize(file({ x: x([0, 8, 8]) }, f32(1, 2)))).toThrow(
      /data_offsets of length 3/,
    );
    expect(() => safetensors.deserialize(file({ x: x([0]) }, f32(1, 2)))).toThrow(/data_offsets of length 1/);
    expect(() => safetensors.deserialize(file({ x: x([0, 8.5]) }, f32(1, 2)))).toThrow(ValueError);
    expect(() => safetensors.deserialize(file({ x: x(['0', '8']) }, f32(1, 2)))).toThrow(ValueError);
  });

  it('refuses an array or non-string __metadata__', () => {
    const ok = { x: x([0, 8]) };
    expect(() => safetensors.readHeader(file({ __metadata__: ['a'], ...ok }, f32(1, 2)))).toThrow(
      /__metadata__ must be an object/,
    );
    expect(() => safetensors.readHeader(file({ __metadata__: null, ...ok }, f32(1, 2)))).toThrow(ValueError);
    expect(() => safetensors.readHeader(file({ __metadata__: { n: 3 }, ...ok }, f32(1, 2)))).toThrow(
      /metadata 'n' is not a string/,
    );
  });

  it('refuses non-integer, negative and non-numeric dims', () => {
    for (const shape of [[2.5], [-2], ['2'], [null], [Number.MAX_SAFE_INTEGER + 1]]) {
      expect(() => safetensors.deserialize(file({ x: x([0, 8], shape) }, f32(1, 2)))).toThrow(
        /dims must be non-negative integers/,
      );
    }
    // 2 × 0.5 × 2 elements would match the data length if fractional dims were multiplied.
    expect(() => safetensors.deserialize(file({ x: x([0, 8], [4, 0.5]) }, f32(1, 2)))).toThrow(ValueError);
  });

  it('refuses entries that are not objects and dtypes that are not safetensors dtypes', () => {
    expect(() => safetensors.readHeader(file({ x: [1, 2] }))).toThrow(/needs dtype, shape and data_offsets/);
    expect(() => safetensors.readHeader(file({ x: null }))).toThrow(ValueError);
    expect(() => safetensors.readHeader(file({ x: { ...x([0, 8]), dtype: 'toString' } }, f32(1, 2)))).toThrow(
      DTypeError,
    );
  });

  it('refuses overlapping and gapped data', () => {
    // Both tensors claim the same 8 bytes; the data length matches one of them.
    const same = file({ a: x([0, 8]), b: x([0, 8]) }, f32(1, 2));
    expect(() => safetensors.deserialize(same)).toThrow(/overlap/);
    // b starts inside a; the data covers up to b's end.
    const inside = file({ a: x([0, 8]), b: x([4, 12]) }, f32(1, 2, 3));
    expect(() => safetensors.deserialize(inside)).toThrow(/overlap/);
    const gap = file({ a: x([0, 8]), b: x([12, 20]) }, f32(1, 2, 3, 4, 5));
    expect(() => safetensors.deserialize(gap)).toThrow(/gap/);
  });

  it('loads tensors named __proto__ and constructor as themselves, and writes them back', () => {
    const tensors = Object.fromEntries([
      ['__proto__', tensor([1, 2])],
      ['constructor', tensor([3])],
      ['toString', tensor([4])],
    ]);
    const bytes = safetensors.serialize(tensors);
    expect(Object.keys(safetensors.readHeader(bytes).tensors).sort()).toEqual([
      '__proto__',
      'constructor',
      'toString',
    ]);
    const back = safetensors.deserialize(bytes);
    const get = (name: string) => back[name]!;
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(get('__proto__').toArraySync()).toEqual([1, 2]);
    expect(get('constructor').toArraySync()).toEqual([3]);
    expect(get('toString').toArraySync()).toEqual([4]);
    // A name the file lacks is absent, not inherited.
    expect(back.hasOwnProperty).toBeUndefined();
    const meta = safetensors.readHeader(
      file(
        '{"__metadata__":{"__proto__":"p"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
        f32(1, 2),
      ),
    ).metadata;
    expect(Object.entries(meta)).toEqual([['__proto__', 'p']]);
  });

  it('every refusal is a TsgradError', () => {
    const cases = [
      file('[1]'),
      file('{"x":'),
      file(''),
      file({ x: x([0, 8]) }, f32(1)),
      file({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8).fill(0x7f)),
    ];
    for (const c of cases) expect(() => safetensors.deserialize(c)).toThrow(TsgradError);
  });
});
