/**
 * Packed sequences through a recurrent layer, and the encoder-decoder Transformer, on WebGPU
 * against the CPU (the nn package's own tests check the CPU against each sequence run alone).
 */
import { manualSeed, randn, type Tensor, tensor } from '@tsgrad/core';
import { GRU, LSTM, packPaddedSequence, padPackedSequence, Transformer } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';
import { allDevices, deviceTitle } from '../src/devices.js';

const gpu = allDevices.find((d) => d.device === 'webgpu')!;

async function expectNear(a: Tensor, b: Tensor, tol: number): Promise<void> {
  expect([...b.shape]).toEqual([...a.shape]);
  const x = await a.data();
  const y = await b.data();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!), `element ${i}`).toBeLessThanOrEqual(tol);
}

describe.skipIf(!gpu.available)(deviceTitle('sequences and Transformer', 'webgpu', gpu.available), () => {
  for (const kind of ['LSTM', 'GRU'] as const) {
    it(`${kind} on a packed batch (2 layers, bidirectional)`, async () => {
      manualSeed(0);
      const opts = { bidirectional: true, numLayers: 2, batchFirst: true };
      const m = kind === 'LSTM' ? new LSTM(3, 4, opts) : new GRU(3, 4, opts);
      const x = randn([3, 5, 3]);
      const xc = x.clone().requiresGrad_();
      const xg = x.to('webgpu').requiresGrad_();
      const run = (dev: 'cpu' | 'webgpu') => {
        m.to(dev);
        const input = dev === 'cpu' ? xc : xg;
        const packed = packPaddedSequence(input, [2, 5, 3], { batchFirst: true, enforceSorted: false });
        const [out, h] = m instanceof LSTM ? [...m.forward(packed)] : [...m.forward(packed)];
        const hN = Array.isArray(h) ? h[0] : h;
        return [padPackedSequence(out, { batchFirst: true })[0], hN] as const;
      };
      const [oc, hc] = run('cpu');
      oc.sum().backward();
      const [og, hg] = run('webgpu');
      og.sum().backward();
      await expectNear(oc, og, 1e-5);
      await expectNear(hc, hg, 1e-5);
      expect(xg.grad!.device).toBe('webgpu');
      await expectNear(xc.grad!, xg.grad!, 1e-4);
    });
  }

  it('Transformer with a causal target mask and source padding', async () => {
    manualSeed(1);
    const t = new Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 16,
    });
    t.eval();
    const s = randn([4, 2, 8]);
    const g = randn([3, 2, 8]);
    const mask = Transformer.generateSquareSubsequentMask(3);
    // The second sequence's last source step is padding.
    const pad = tensor([0, 0, 0, 0, 0, 0, 0, 1], { shape: [2, 4], dtype: 'bool' });
    const c = t.forward(s, g, { tgtMask: mask });
    const cPad = t.forward(s, g, { tgtIsCausal: true, srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad });
    t.to('webgpu');
    const d = t.forward(s.to('webgpu'), g.to('webgpu'), { tgtMask: mask.to('webgpu') });
    await expectNear(c, d, 1e-4);
    const opts = {
      tgtIsCausal: true,
      srcKeyPaddingMask: pad.to('webgpu'),
      memoryKeyPaddingMask: pad.to('webgpu'),
    };
    await expectNear(cPad, t.forward(s.to('webgpu'), g.to('webgpu'), opts), 1e-4);
  });
});
