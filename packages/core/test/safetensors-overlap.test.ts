/**
 * safetensors' layout check: tensors' byte ranges must tile the data section exactly, so two
 * tensors sharing bytes (an overlap) or bytes belonging to no tensor (a gap) are refused.
 */
import { safetensors, tensor, ValueError } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

/** A file with the given header and `dataLen` bytes of data (0, 1, 2, …). */
function file(header: Record<string, unknown>, dataLen: number): Uint8Array {
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  for (let i = 0; i < dataLen; i++) out[8 + h.length + i] = i;
  return out;
}

const f32 = (b: number, e: number) => ({ dtype: 'F32', shape: [(e - b) / 4], data_offsets: [b, e] });

describe('safetensors byte ranges', () => {
  it('a well-formed file loads (the writer and the reader agree)', () => {
    const bytes = safetensors.serialize({ a: tensor([1, 2]), b: tensor([3]) });
    const t = safetensors.deserialize(bytes);
    expect(Array.from(t.a!.dataSync())).toEqual([1, 2]);
    expect(Array.from(t.b!.dataSync())).toEqual([3]);
    // The hand-built layout used below is accepted when it tiles the data.
    expect(() => safetensors.deserialize(file({ a: f32(0, 8), b: f32(8, 12) }, 12))).not.toThrow();
  });

  it('two tensors on the same bytes are refused', () => {
    expect(() => safetensors.deserialize(file({ a: f32(0, 8), b: f32(0, 8) }, 8))).toThrow(ValueError);
    expect(() => safetensors.deserialize(file({ a: f32(0, 8), b: f32(0, 8) }, 8))).toThrow(/overlap/);
  });

  it('partly overlapping tensors are refused', () => {
    expect(() => safetensors.deserialize(file({ a: f32(0, 8), b: f32(4, 12) }, 12))).toThrow(ValueError);
    // Nested: b inside a, with the data length matching a's end.
    expect(() => safetensors.deserialize(file({ a: f32(0, 12), b: f32(4, 8) }, 12))).toThrow(ValueError);
  });

  it('a gap between tensors, or data no tensor covers, is refused', () => {
    expect(() => safetensors.deserialize(file({ a: f32(0, 4), b: f32(8, 12) }, 12))).toThrow(ValueError);
    expect(() => safetensors.deserialize(file({ a: f32(0, 4) }, 8))).toThrow(ValueError);
  });
});
