import { manualSeed, tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { trainGpt } from './train.js';

describe('gpt example (smoke)', () => {
  it('trains to its target, attends only backwards and samples reproducibly', async () => {
    const r = await trainGpt({
      dModel: 32,
      numHeads: 2,
      numLayers: 1,
      contextLen: 32,
      batchSize: 16,
      steps: 100,
      lr: 1e-2,
      evalEvery: 20,
      limit: 24_000,
      target: 2.7,
    });
    // ln(75) ≈ 4.32 nats is a uniform guess; a model that saw the characters it predicts
    // (a leaky causal mask, misaligned targets) would fall far below 1.5.
    expect(r.uniformLoss).toBeCloseTo(Math.log(75), 6);
    expect(r.reachedAt).not.toBeNull();
    expect(r.losses).toHaveLength(r.reachedAt!);
    expect(r.evals.map((e) => e.step)).toEqual(
      Array.from({ length: r.reachedAt! / 20 }, (_, i) => 20 * (i + 1)),
    );
    expect(r.valLoss).toBeLessThanOrEqual(2.7);
    expect(r.valLoss).toBeGreaterThan(1.5);
    expect(r.evals[0]!.valLoss).toBeLessThan(r.uniformLoss - 1);

    // Changing the 12th character changes no prediction made before it.
    const [x1, x2] = ['Fellow-Citizens', 'Fellow-Citiqens'].map((s) =>
      tensor(r.vocab.encode(s), { shape: [1, 15], dtype: 'int32' }),
    );
    r.model.eval();
    const [l1, l2] = [x1!, x2!].map((x) => r.model.forward(x).squeeze(0).toArraySync() as number[][]);
    expect(l1!.slice(0, 11)).toEqual(l2!.slice(0, 11));
    expect(l1![11]).not.toEqual(l2![11]);

    const ids = tensor(r.vocab.encode('Fellow-Citizens'), { shape: [1, 15], dtype: 'int32' });
    const w = (await r.model.attentionWeights(ids, 0).toArray()) as number[][][];
    expect(w).toHaveLength(2);
    for (const head of w) {
      head.forEach((row, i) => {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        for (let j = i + 1; j < row.length; j++) expect(row[j]).toBe(0);
      });
    }

    const prompt = r.vocab.encode('The ');
    const sampling = { temperature: 0.8, topK: 5 };
    manualSeed(7);
    const a = await r.model.generate(prompt, 40, sampling);
    manualSeed(7);
    const b = await r.model.generate(prompt, 40, sampling);
    expect([...a]).toEqual([...b]);
    expect(a).toHaveLength(40);
    for (const id of a) expect(id >= 0 && id < r.vocab.size).toBe(true);
    manualSeed(8);
    expect([...(await r.model.generate(prompt, 40, sampling))]).not.toEqual([...a]);
  });
});
