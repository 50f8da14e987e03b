/**
 * Variable-length sequences: padSequence, packPaddedSequence / padPackedSequence, and the
 * recurrent layers on a padded batch, checked against each sequence run alone (batch 1, no
 * padding) through the same layer.
 */
import { cat, manualSeed, randn, type Tensor, tensor, ValueError } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import {
  GRU,
  LSTM,
  PackedSequence,
  packPaddedSequence,
  padPackedSequence,
  padSequence,
  RNN,
} from '../src/index.js';

function close(a: Tensor, b: Tensor, what: string, tol = 1e-12): void {
  expect([...a.shape], `${what}: shape`).toEqual([...b.shape]);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++)
    expect(Math.abs(x[i]! - y[i]!), `${what}[${i}]`).toBeLessThanOrEqual(tol);
}

describe('padSequence', () => {
  it('pads on the right (time-major and batch-first) and on the left', async () => {
    const a = tensor([[1], [2], [3]], { dtype: 'float64' });
    const b = tensor([[4]], { dtype: 'float64' });
    await expect(padSequence([a, b]).toArray()).resolves.toEqual([
      [[1], [4]],
      [[2], [0]],
      [[3], [0]],
    ]);
    expect(padSequence([a, b], { batchFirst: true, paddingValue: -1 }).dataSync()).toEqual(
      new Float64Array([1, 2, 3, 4, -1, -1]),
    );
    expect(padSequence([a, b], { batchFirst: true, paddingSide: 'left' }).dataSync()).toEqual(
      new Float64Array([1, 2, 3, 0, 0, 4]),
    );
  });
  it('rejects sequences of different feature shapes', () => {
    expect(() => padSequence([randn([2, 3]), randn([2, 4])])).toThrow(/padSequence/);
  });
});

describe('packPaddedSequence / padPackedSequence', () => {
  it('packs step by step, longest first, and unpacks to the original order', async () => {
    // Batch-first [3, 3, 1]: sequence b holds 10·b + t.
    const x = tensor([0, 1, 2, 10, 11, 12, 20, 21, 22], { shape: [3, 3, 1], dtype: 'float64' });
    const p = packPaddedSequence(x, [1, 3, 2], { batchFirst: true, enforceSorted: false });
    expect(p.batchSizes).toEqual([3, 2, 1]);
    expect(p.sortedIndices).toEqual([1, 2, 0]);
    expect(p.unsortedIndices).toEqual([2, 0, 1]);
    expect(Array.from(p.data.dataSync())).toEqual([10, 20, 0, 11, 21, 12]);
    expect(p.lengths()).toEqual([1, 3, 2]);
    const [y, lens] = padPackedSequence(p, { batchFirst: true, paddingValue: -1, totalLength: 4 });
    expect(await lens.toArray()).toEqual([1, 3, 2]);
    expect(Array.from(y.dataSync())).toEqual([0, -1, -1, -1, 10, 11, 12, -1, 20, 21, -1, -1]);
  });
  it('requires sorted lengths unless enforceSorted is false', () => {
    expect(() => packPaddedSequence(randn([3, 2, 1]), [2, 3])).toThrow(ValueError);
    expect(() => packPaddedSequence(randn([3, 2, 1]), [4, 3])).toThrow(/lengths/);
    expect(() => packPaddedSequence(randn([3, 2, 1]), [3])).toThrow(/2 lengths/);
  });
  it('passes gradients back to the unpadded positions only', () => {
    const x = randn([3, 2, 2], { dtype: 'float64' }).requiresGrad_();
    const [y] = padPackedSequence(packPaddedSequence(x, [3, 1]));
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
  });
});

type Kind = 'RNN' | 'LSTM' | 'GRU';
const make = (kind: Kind, opts: { numLayers: number; bidirectional: boolean; batchFirst: boolean }) => {
  manualSeed(1);
  const m =
    kind === 'RNN' ? new RNN(3, 4, opts) : kind === 'LSTM' ? new LSTM(3, 4, opts) : new GRU(3, 4, opts);
  return m.to('float64');
};
describe('recurrent layers on padded batches equal each sequence run alone', () => {
  const lengths = [2, 5, 3];
  const T = 6;
  for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
    for (const numLayers of [1, 2]) {
      for (const bidirectional of [false, true]) {
        for (const batchFirst of [false, true]) {
          it(`${kind} layers=${numLayers} bidirectional=${bidirectional} batchFirst=${batchFirst}`, () => {
            const m = make(kind, { numLayers, bidirectional, batchFirst });
            manualSeed(7);
            const seqs = lengths.map((l) => randn([l, 3], { dtype: 'float64' }));
            // Padding with large garbage: it must not leak into outputs or states.
            const padded = padSequence(seqs, { batchFirst });
            const garbage = randn(padded.shape as number[], { dtype: 'float64' }).mul(100);
            const mask = padSequence(
              seqs.map((s) => s.mul(0).add(1)),
              { batchFirst },
            );
            const xPadded = padded.add(garbage.mul(mask.neg().add(1)));
            // One more padded step than the longest sequence.
            const x = padTime(xPadded, T, batchFirst);
            const packed = packPaddedSequence(x, lengths, { batchFirst, enforceSorted: false });
            const viaPack = kindRun(m, packed);
            const viaLengths = kindRun(m, x, lengths);
            const [outPack] = padPackedSequence(viaPack.out as PackedSequence, {
              batchFirst,
              totalLength: T,
            });
            close(viaLengths.out as Tensor, outPack, 'lengths option vs packed output');
            lengths.forEach((l, b) => {
              const alone = kindRun(m, batchFirst ? seqs[b]!.unsqueeze(0) : seqs[b]!.unsqueeze(1));
              const tdim = batchFirst ? 1 : 0;
              const bdim = batchFirst ? 0 : 1;
              const mine = outPack.narrow(bdim, b, 1);
              close(mine.narrow(tdim, 0, l), alone.out as Tensor, `output of sequence ${b}`);
              const rest = mine.narrow(tdim, l, T - l);
              expect(rest.abs().sum().itemSync(), `zeros past length of sequence ${b}`).toBe(0);
              for (let s = 0; s < viaPack.states.length; s++) {
                close(
                  viaPack.states[s]!.narrow(1, b, 1),
                  alone.states[s]!,
                  `state ${s} of sequence ${b} (packed)`,
                );
                close(
                  viaLengths.states[s]!.narrow(1, b, 1),
                  alone.states[s]!,
                  `state ${s} of sequence ${b} (lengths)`,
                );
              }
            });
          });
        }
      }
    }
  }

  it('rejects lengths beyond the padded length and lengths with a PackedSequence', () => {
    const m = new GRU(3, 4);
    expect(() => m.forward(randn([4, 2, 3]), null, { lengths: [5, 2] })).toThrow(/lengths/);
    expect(() => m.forward(randn([4, 2, 3]), null, { lengths: [3] })).toThrow(/2 lengths/);
  });
});

/** Pads the time dim of x to T with zeros. */
function padTime(x: Tensor, T: number, batchFirst: boolean): Tensor {
  const tdim = batchFirst ? 1 : 0;
  const n = T - x.shape[tdim]!;
  const shape = [...x.shape];
  shape[tdim] = n;
  return cat([x, randn(shape, { dtype: 'float64' })], tdim);
}

function kindRun(m: RNN | LSTM | GRU, x: Tensor | PackedSequence, lengths?: number[]) {
  const opts = lengths ? { lengths } : {};
  if (m instanceof LSTM) {
    const [out, [h, c]] = x instanceof PackedSequence ? m.forward(x) : m.forward(x, null, opts);
    return { out, states: [h, c] };
  }
  const [out, h] = x instanceof PackedSequence ? (m as GRU).forward(x) : (m as GRU).forward(x, null, opts);
  return { out, states: [h] };
}
