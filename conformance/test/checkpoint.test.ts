/**
 * Checkpoints of a model and its optimizer: resuming from one reproduces an uninterrupted run
 * exactly, weights, optimizer state and random generator included.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRngState, manualSeed, rand, randn, safetensors, tensor } from '@tsgrad/core';
import {
  crossEntropyLoss,
  DataLoader,
  Dropout,
  Linear,
  loadCheckpoint,
  ReLU,
  Sequential,
  saveCheckpoint,
  TensorDataset,
} from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { describe, expect, it } from 'vitest';

const tmp = () => mkdtempSync(join(tmpdir(), 'tsgrad-checkpoint-'));

describe('checkpoints', () => {
  const makeModel = () => new Sequential(new Linear(4, 8), new ReLU(), new Dropout(0.3), new Linear(8, 3));

  /** Runs epochs [from, to) of shuffled minibatch training; dropout and shuffling use the RNG. */
  function train(model: Sequential, opt: Adam, data: TensorDataset, from: number, to: number) {
    const loader = new DataLoader(data, { batchSize: 8, shuffle: true });
    for (let e = from; e < to; e++) {
      for (const [x, y] of loader) {
        opt.zeroGrad();
        crossEntropyLoss(model.forward(x!), y!).backward();
        opt.step();
      }
    }
  }

  it('resuming from a checkpoint reproduces an uninterrupted run exactly', async () => {
    manualSeed(5);
    const data = new TensorDataset(
      randn([40, 4]),
      tensor(
        Int32Array.from({ length: 40 }, (_, i) => i % 3),
        { shape: [40], dtype: 'int32' },
      ),
    );
    manualSeed(6);
    const a = makeModel();
    const optA = new Adam(a.parameters(), { lr: 0.01 });
    const init = a.stateDict();
    const initCopy = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, v.clone()]));
    const rng0 = getRngState();
    train(a, optA, data, 0, 4);
    const rngAfterA = getRngState();

    manualSeed(6);
    const b = makeModel();
    b.loadStateDict(initCopy);
    const optB = new Adam(b.parameters(), { lr: 0.01 });
    expect(getRngState()).toEqual(rng0);
    train(b, optB, data, 0, 2);
    const path = join(tmp(), 'ckpt.safetensors');
    await saveCheckpoint(path, { model: b, optimizer: optB, epoch: 1, extra: { note: 'half way' } });

    manualSeed(999); // a fresh process with other weights and another RNG state
    const c = makeModel();
    const optC = new Adam(c.parameters(), { lr: 0.5 });
    rand([17]);
    const loaded = await loadCheckpoint(path, { model: c, optimizer: optC });
    expect(loaded.epoch).toBe(1);
    expect(loaded.extra).toEqual({ note: 'half way' });
    train(c, optC, data, 2, 4);

    const sa = a.stateDict();
    const sc = c.stateDict();
    for (const k of Object.keys(sa))
      expect(Array.from(sc[k]!.dataSync()), k).toEqual(Array.from(sa[k]!.dataSync()));
    expect(getRngState()).toEqual(rngAfterA);
    // The checkpoint is a valid safetensors file with the model under PyTorch's names.
    const sd = await safetensors.load(path);
    expect(Object.keys(sd)).toContain('model.0.weight');
  });
});
