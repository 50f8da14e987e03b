import { manualSeed } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { trainCharLstm } from './train.js';

describe('char-lstm example (smoke)', () => {
  it('learns characters well below the uniform guess and samples reproducibly', async () => {
    const evals: number[] = [];
    const r = await trainCharLstm(
      {
        embedDim: 16,
        hiddenSize: 48,
        batchSize: 16,
        seqLen: 24,
        steps: 60,
        lr: 1e-2,
        evalEvery: 30,
        limit: 24_000,
      },
      { onEval: (e) => void evals.push(e.valLoss) },
    );
    // ln(75) ≈ 4.32 nats for a uniform guess over the text's 75 characters.
    expect(r.uniformLoss).toBeCloseTo(Math.log(75), 6);
    expect(r.losses).toHaveLength(60);
    expect(evals).toHaveLength(2);
    expect(r.valLoss).toBeLessThan(r.uniformLoss - 1.2);
    // A model that saw the characters it predicts (misaligned targets) would fall far below 1.5.
    expect(r.valLoss).toBeGreaterThan(1.5);
    expect(r.bitsPerChar).toBeCloseTo(r.valLoss / Math.LN2, 6);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(r.losses.slice(-10))).toBeLessThan(mean(r.losses.slice(0, 5)) - 1);

    const prompt = r.vocab.encode('The ');
    const sampling = { temperature: 0.8, topK: 5 };
    manualSeed(7);
    const a = await r.model.generate(prompt, 40, sampling);
    manualSeed(7);
    const b = await r.model.generate(prompt, 40, sampling);
    expect([...a]).toEqual([...b]);
    expect(a).toHaveLength(40);
    for (const id of a) expect(id >= 0 && id < r.vocab.size).toBe(true);
    expect(r.vocab.decode(a)).toHaveLength(40);
    manualSeed(8);
    const c = await r.model.generate(prompt, 40, sampling);
    expect([...c]).not.toEqual([...a]);
  });
});
