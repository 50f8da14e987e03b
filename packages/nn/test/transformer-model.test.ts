/**
 * nn.Transformer: PyTorch's defaults and parameter names, masks, batch layouts and errors.
 */
import { manualSeed, randn, ShapeError, type Tensor, tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { type Dropout, Transformer, TransformerEncoder, TransformerEncoderLayer } from '../src/index.js';

function maxDiff(a: Tensor, b: Tensor): number {
  expect([...a.shape]).toEqual([...b.shape]);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

function small(opts: { batchFirst?: boolean } = {}): Transformer {
  manualSeed(3);
  const m = new Transformer({
    dModel: 8,
    nhead: 2,
    numEncoderLayers: 2,
    numDecoderLayers: 1,
    dimFeedforward: 16,
    ...opts,
  });
  m.to('float64').eval();
  return m;
}

describe('Transformer', () => {
  it("has PyTorch's defaults", () => {
    manualSeed(0);
    const m = new Transformer({ dModel: 16, nhead: 2 });
    const names = [...m.namedParameters()].map(([n]) => n);
    expect(names.filter((n) => /^encoder\.layers\.\d+\.norm1\.weight$/.test(n))).toHaveLength(6);
    expect(names.filter((n) => /^decoder\.layers\.\d+\.norm3\.weight$/.test(n))).toHaveLength(6);
    const p = Object.fromEntries(m.namedParameters());
    expect(p['encoder.layers.0.linear1.weight']!.shape).toEqual([2048, 16]);
    expect(m.batchFirst).toBe(false);
    const layer = (m.encoder as TransformerEncoder).layers.at(0);
    expect(layer.normFirst).toBe(false);
    expect((layer.dropout as Dropout).p).toBe(0.1);
  });

  it("names its parameters as PyTorch's nn.Transformer", () => {
    const m = new Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 16,
    });
    const attn = (pre: string) =>
      ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'].map((k) => `${pre}.${k}`);
    const wb = (pre: string) => [`${pre}.weight`, `${pre}.bias`];
    const expected = [
      ...attn('encoder.layers.0.self_attn'),
      ...wb('encoder.layers.0.linear1'),
      ...wb('encoder.layers.0.linear2'),
      ...wb('encoder.layers.0.norm1'),
      ...wb('encoder.layers.0.norm2'),
      ...wb('encoder.norm'),
      ...attn('decoder.layers.0.self_attn'),
      ...attn('decoder.layers.0.multihead_attn'),
      ...wb('decoder.layers.0.linear1'),
      ...wb('decoder.layers.0.linear2'),
      ...wb('decoder.layers.0.norm1'),
      ...wb('decoder.layers.0.norm2'),
      ...wb('decoder.layers.0.norm3'),
      ...wb('decoder.norm'),
    ];
    expect([...m.namedParameters()].map(([n]) => n).sort()).toEqual(expected.sort());
    // Every matrix re-initialised xavier-uniform: in_proj [24, 8] is bounded by √(6 / 32).
    const w = Object.fromEntries(m.namedParameters())['encoder.layers.0.self_attn.in_proj_weight']!;
    expect(Math.max(...Array.from(w.dataSync(), Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 32));
  });

  it('generateSquareSubsequentMask is 0 on and below the diagonal, −∞ above', () => {
    const mask = Transformer.generateSquareSubsequentMask(3);
    expect(Array.from(mask.dataSync())).toEqual([0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
    expect(mask.dtype).toBe('float32');
  });

  it('is causal with the subsequent mask: later target steps do not change earlier outputs', () => {
    const m = small();
    manualSeed(5);
    const src = randn([5, 2, 8], { dtype: 'float64' });
    const tgt = randn([4, 2, 8], { dtype: 'float64' });
    const tgtMask = Transformer.generateSquareSubsequentMask(4, { dtype: 'float64' });
    const a = m.forward(src, tgt, { tgtMask });
    const tgt2 = tgt.clone();
    tgt2.narrow(0, 3, 1).add_(10);
    const b = m.forward(src, tgt2, { tgtMask });
    expect(maxDiff(a.narrow(0, 0, 3), b.narrow(0, 0, 3))).toBeLessThan(1e-12);
    expect(maxDiff(a.narrow(0, 3, 1), b.narrow(0, 3, 1))).toBeGreaterThan(1e-3);
    expect(maxDiff(a, m.forward(src, tgt, { tgtIsCausal: true }))).toBeLessThan(1e-12);
    // Without the mask, step 3 reaches step 0.
    expect(
      maxDiff(m.forward(src, tgt).narrow(0, 0, 1), m.forward(src, tgt2).narrow(0, 0, 1)),
    ).toBeGreaterThan(1e-3);
  });

  it('ignores padded source positions given srcKeyPaddingMask and memoryKeyPaddingMask', () => {
    const m = small();
    manualSeed(6);
    const src = randn([5, 2, 8], { dtype: 'float64' });
    const tgt = randn([3, 2, 8], { dtype: 'float64' });
    // Sequence 1 has 3 real source steps.
    const pad = tensor([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], { shape: [2, 5], dtype: 'bool' });
    const opts = { srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad };
    const src2 = src.clone();
    src2.narrow(0, 3, 2).narrow(1, 1, 1).add_(5);
    expect(maxDiff(m.forward(src, tgt, opts), m.forward(src2, tgt, opts))).toBeLessThan(1e-12);
    expect(maxDiff(m.forward(src, tgt), m.forward(src2, tgt))).toBeGreaterThan(1e-3);
  });

  it('gives the same numbers batch first', () => {
    const m = small();
    const mb = small({ batchFirst: true });
    mb.loadStateDict(m.stateDict());
    manualSeed(7);
    const src = randn([5, 2, 8], { dtype: 'float64' });
    const tgt = randn([3, 2, 8], { dtype: 'float64' });
    const a = m.forward(src, tgt);
    const b = mb.forward(src.transpose(0, 1), tgt.transpose(0, 1));
    expect(maxDiff(a, b.transpose(0, 1))).toBeLessThan(1e-12);
    // Unbatched input is one sequence of the batch.
    expect(
      maxDiff(
        m.forward(src.narrow(1, 0, 1).squeeze(1), tgt.narrow(1, 0, 1).squeeze(1)),
        a.narrow(1, 0, 1).squeeze(1),
      ),
    ).toBeLessThan(1e-12);
  });

  it('takes a custom encoder and rejects mismatched shapes', () => {
    const enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 1);
    const m = new Transformer({
      dModel: 8,
      nhead: 2,
      numDecoderLayers: 1,
      dimFeedforward: 16,
      customEncoder: enc,
    });
    expect(m.encoder).toBe(enc);
    expect(() => m.forward(randn([5, 2, 8]), randn([3, 3, 8]))).toThrow(ShapeError);
    expect(() => m.forward(randn([5, 2, 8]), randn([3, 2, 4]))).toThrow(/dModel 8/);
  });
});
