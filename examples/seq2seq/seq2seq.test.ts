import { manualSeed, noGrad, randn, tensor } from '@tsgrad/core';
import { BahdanauAttention as NnBahdanau, LuongAttention as NnLuong } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';
import { BahdanauAttention, LuongAttention } from './attention.js';
import {
  decode,
  drawTestSet,
  encode,
  makeBatch,
  makeTask,
  PAD,
  randomSource,
  trainingStream,
} from './data.js';
import { Seq2seq } from './model.js';
import { decodeAll, type Seq2seqOptions, seq2seqDefaults, trainSeq2seq } from './train.js';

const tiny: Partial<Seq2seqOptions> = {
  minLen: 3,
  maxLen: 4,
  embed: 8,
  hidden: 16,
  batchSize: 32,
  steps: 80,
  lr: 2e-2,
  testSize: 20,
  evalEvery: 80,
};

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('seq2seq example (smoke)', () => {
  for (const attention of ['bahdanau', 'luong'] as const) {
    it(`learns to reverse with ${attention} attention (loss falls clearly)`, async () => {
      const r = await trainSeq2seq({ ...tiny, attention });
      expect(r.losses).toHaveLength(80);
      // The loss starts near ln 14 ≈ 2.64 (14 tokens); 80 steps take it below a third of that.
      expect(r.losses[0]!).toBeGreaterThan(2.2);
      expect(mean(r.losses.slice(-5))).toBeLessThan(0.3 * mean(r.losses.slice(0, 5)));
      // Guessing 3 or 4 digits right by chance: about 1 in 5,000.
      expect(r.accuracy).toBeGreaterThanOrEqual(0.25);
      expect(r.evals).toEqual([{ step: 80, accuracy: r.accuracy }]);
    });
  }

  it('is deterministic: the same seed gives the same losses', async () => {
    const short = { ...tiny, steps: 5, attention: 'luong' as const, cell: 'lstm' as const };
    const a = await trainSeq2seq({ ...short, seed: 3 });
    const b = await trainSeq2seq({ ...short, seed: 3 });
    const c = await trainSeq2seq({ ...short, seed: 4 });
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
  });

  for (const [attention, score, cell] of [
    ['bahdanau', 'general', 'gru'],
    ['luong', 'general', 'lstm'],
    ['luong', 'dot', 'gru'],
  ] as const) {
    it(`${attention} ${score} ${cell}: attention weights are a distribution over the real inputs`, async () => {
      manualSeed(0);
      const model = new Seq2seq({ ...seq2seqDefaults, embed: 8, hidden: 12, attention, score, cell });
      const pairs = [
        { source: '12', target: '21' },
        { source: '98765', target: '56789' },
        { source: '305', target: '503' },
      ];
      const decoded = await decodeAll(model, pairs);
      const batch = makeBatch(pairs);
      const { states } = model.encoder.forward(batch.source, batch.sourceLengths);
      const memory = model.decoder.attention.memory(states, batch.sourcePadding);
      const [, weights] = model.decoder.attention.forward(randn([3, 12]), memory);
      const w = weights.toArraySync() as number[][];
      pairs.forEach((p, b) => {
        const n = p.source.length;
        expect(w[b]!.slice(0, n).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
        for (const v of w[b]!.slice(0, n)) expect(v).toBeGreaterThan(0);
        expect(w[b]!.slice(n)).toEqual(new Array(5 - n).fill(0));
        // Greedy decoding reports, per output token, weights over the real inputs only.
        for (const row of decoded[b]!.weights) {
          expect(row).toHaveLength(n);
          expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
        }
      });
      // Padding changes nothing: the short input decoded alone gives the same output and weights.
      const [alone] = await decodeAll(model, [pairs[0]!]);
      expect(alone!.output).toEqual(decoded[0]!.output);
      alone!.weights.forEach((row, t) => {
        row.forEach((v, s) => {
          expect(v).toBeCloseTo(decoded[0]!.weights[t]![s]!, 5);
        });
      });
      // Masking with −∞ leaves the gradients finite.
      model.loss(batch).backward();
      for (const p of model.parameters()) {
        if (p.grad) expect(p.grad.dataSync().every(Number.isFinite)).toBe(true);
      }
    });
  }

  it('the attention layers compute the scores of @tsgrad/nn`s', () => {
    manualSeed(1);
    const states = randn([2, 4, 6]);
    const query = randn([2, 5]);
    const padding = tensor(
      [
        [false, false, false, true],
        [false, false, false, false],
      ],
      { dtype: 'bool' },
    );
    const ours = new BahdanauAttention(5, 6, 7);
    const theirs = new NnBahdanau(5, 6, 7);
    noGrad(() => {
      theirs.keyProj.weight.copy_(ours.W1.weight);
      theirs.queryProj.weight.copy_(ours.W2.weight);
      theirs.v.weight.copy_(ours.v.weight);
      // nn puts the hidden layer's bias on the key side; ours is on the query side.
      theirs.keyProj.bias!.copy_(ours.W2.bias!);
    });
    const [c1, w1] = ours.forward(query, ours.memory(states, padding));
    const [c2, w2] = theirs.forward(query, states, { keyPaddingMask: padding });
    expect(w1.sub(w2).abs().max().itemSync()).toBeLessThan(1e-6);
    expect(c1.sub(c2).abs().max().itemSync()).toBeLessThan(1e-6);

    const q6 = randn([2, 6]);
    const luong = new LuongAttention(6, 6, 'general');
    const nnLuong = new NnLuong(6, 'general');
    // nn's score is kₛ·(W q); ours is sᵀ W hₛ = hₛ·(Wᵀ s): the same with W transposed.
    noGrad(() => nnLuong.W!.weight.copy_(luong.W!.weight.T));
    const [c3, w3] = luong.forward(q6, luong.memory(states, padding));
    const [c4, w4] = nnLuong.forward(q6, states, { keyPaddingMask: padding });
    expect(w3.sub(w4).abs().max().itemSync()).toBeLessThan(1e-6);
    expect(c3.sub(c4).abs().max().itemSync()).toBeLessThan(1e-6);
  });

  it('makes its data reproducibly and keeps the test strings out of training', () => {
    const draw = makeTask({ task: 'add', minLen: 3, maxLen: 7 });
    const pairs = drawTestSet(draw, 50, 1);
    expect(new Set(pairs.map((p) => p.source)).size).toBe(50);
    for (const p of pairs) {
      const [a, b] = p.source.split('+').map(Number);
      expect(Number(p.target)).toBe(a! + b!);
    }
    expect(drawTestSet(draw, 50, 1)).toEqual(pairs);
    const held = new Set(pairs.slice(0, 40).map((p) => p.source));
    const next = trainingStream(draw, held, 1);
    const drawn = Array.from({ length: 500 }, next);
    expect(drawn.filter((p) => held.has(p.source))).toEqual([]);
    // The same seed draws the held strings first; the stream skips them.
    expect(drawn[0]).toEqual(pairs[40]);
    expect(randomSource(1)()).toBe(randomSource(1)());
    expect(decode([...encode('123+4'), 2, PAD])).toBe('123+4');
    const batch = makeBatch([
      { source: '12', target: '21' },
      { source: '345', target: '543' },
    ]);
    expect(batch.sourcePadding.toArraySync()).toEqual([
      [false, false, true],
      [false, false, false],
    ]);
    expect(batch.decoderInput.toArraySync()).toEqual([
      [1, 5, 4, 0],
      [1, 8, 7, 6],
    ]);
    expect(batch.decoderTarget.toArraySync()).toEqual([
      [5, 4, 2, 0],
      [8, 7, 6, 2],
    ]);
  });
});
