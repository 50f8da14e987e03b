/**
 * The checkpoint format beyond a model and an optimizer: other stateful objects whose state
 * holds Maps and non-finite numbers, the options of restoring (RNG, strictness), malformed
 * metadata, and the all-or-nothing rule when one object refuses its state.
 */
import {
  getRngState,
  manualSeed,
  rand,
  ShapeError,
  safetensors,
  type Tensor,
  tensor,
  ValueError,
} from '@tsgrad/core';
import { checkpointBytes, Linear, restoreCheckpoint, type Stateful } from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

/** A stateful object with a Map of tensors and a number that may be infinite. */
class Tracker implements Stateful {
  table = new Map<string, Tensor>([['w', tensor([1, 2])]]);
  best = Number.POSITIVE_INFINITY;
  stateDict() {
    return { table: this.table, best: this.best, history: [Number.NEGATIVE_INFINITY, 3, Number.NaN] };
  }
  loadStateDict(s: { table: Map<string, Tensor>; best: number }) {
    this.table = s.table;
    this.best = s.best;
  }
}

/** Bytes with the given checkpoint metadata (and no tensors). */
function withMeta(meta: Record<string, unknown>): Uint8Array {
  return safetensors.serialize({}, { 'tsgrad.checkpoint': JSON.stringify(meta) });
}
const rngState = { seed: 1, counter: 0 };
const modelMeta = (m: Linear) =>
  Object.fromEntries(Object.keys(m.stateDict()).map((k) => [k, { $tensor: `model.${k}` }]));

describe('checkpoint contents', () => {
  test('Maps, ±Infinity and NaN in another object’s state survive the round trip', async () => {
    const model = new Linear(2, 1);
    const t = new Tracker();
    t.best = 0.25;
    t.table.set('v', tensor([5]));
    const bytes = await checkpointBytes({ model, others: { tracker: t }, epoch: 4, extra: { note: 'x' } });
    const back = new Tracker();
    let seen: unknown;
    back.loadStateDict = (s) => {
      seen = s;
    };
    const res = restoreCheckpoint(bytes, { model: new Linear(2, 1), others: { tracker: back } });
    expect(res.epoch).toBe(4);
    expect(res.extra).toEqual({ note: 'x' });
    const s = seen as { table: Map<string, Tensor>; best: number; history: number[] };
    expect(s.table).toBeInstanceOf(Map);
    expect([...s.table.keys()]).toEqual(['w', 'v']);
    expect(Array.from(s.table.get('v')!.dataSync())).toEqual([5]);
    expect(s.best).toBe(0.25);
    expect(s.history).toEqual([Number.NEGATIVE_INFINITY, 3, Number.NaN]);
    const inf = new Tracker();
    const res2 = restoreCheckpoint(await checkpointBytes({ model, others: { tracker: new Tracker() } }), {
      model,
      others: { tracker: inf },
    });
    expect(inf.best).toBe(Number.POSITIVE_INFINITY);
    expect([res2.epoch, res2.extra]).toEqual([null, null]);
  });

  test('restoreRng: false leaves the generator alone; the default restores it', async () => {
    const model = new Linear(1, 1);
    manualSeed(3);
    const bytes = await checkpointBytes({ model });
    rand([4]);
    const moved = getRngState();
    restoreCheckpoint(bytes, { model, restoreRng: false });
    expect(getRngState()).toEqual(moved);
    restoreCheckpoint(bytes, { model });
    expect(getRngState()).toEqual({ seed: 3, counter: 0 });
  });

  test('strict: false loads the keys both sides have, ignoring extra and missing ones', async () => {
    const src = new Linear(2, 1);
    const bytes = await checkpointBytes({ model: src });
    const target = new Linear(2, 1, { bias: false });
    expect(() => restoreCheckpoint(bytes, { model: target })).toThrow(
      "loadCheckpoint: the model state does not fit: unexpected key 'bias'",
    );
    restoreCheckpoint(bytes, { model: target, strict: false });
    expect(target.weight.toArraySync()).toEqual(src.weight.toArraySync());
    const withBias = new Linear(2, 1);
    const noBias = await checkpointBytes({ model: target });
    expect(() => restoreCheckpoint(noBias, { model: withBias })).toThrow("missing key 'bias'");
    restoreCheckpoint(noBias, { model: withBias, strict: false });
    expect(withBias.weight.toArraySync()).toEqual(src.weight.toArraySync());
    expect(() => restoreCheckpoint(bytes, { model: new Linear(3, 1) })).toThrow(ShapeError);
  });

  test('an object that refuses its state with a plain Error: a ValueError, and the others put back', async () => {
    const model = new Linear(1, 1);
    const first = new Tracker();
    const bytes = await checkpointBytes({ model, others: { a: new Tracker(), b: new Tracker() } });
    first.best = 7;
    const refusing: Stateful = {
      stateDict: () => ({}),
      loadStateDict: () => {
        throw new TypeError('bad state');
      },
    };
    expect(() => restoreCheckpoint(bytes, { model, others: { a: first, b: refusing } })).toThrow(
      "loadCheckpoint: the checkpoint's state was refused (bad state)",
    );
    expect(first.best).toBe(7);
  });
});

describe('malformed checkpoints', () => {
  const model = new Linear(1, 1);
  const base = () => ({ model: {}, rngState });
  test.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ['others not an object', { ...base(), others: [1] }, {}, /the checkpoint's 'others' is not an object/],
    [
      'epoch not a number',
      { ...base(), epoch: 'three' },
      {},
      /the checkpoint's epoch is "three", not a number/,
    ],
    ['no optimizer state', base(), { optimizer: new Tracker() }, /the checkpoint has no optimizer state/],
    [
      'no state for an object asked for',
      base(),
      { others: { sched: new Tracker() } },
      /the checkpoint has no state for 'sched'/,
    ],
    [
      'a $map entry not a pair',
      { ...base(), others: { t: { $map: [['k']] } } },
      { others: { t: new Tracker() } },
      /a \$map entry is not a \[key, value\] pair/,
    ],
    [
      'a $map entry not an array',
      { ...base(), others: { t: { $map: [5] } } },
      { others: { t: new Tracker() } },
      /a \$map entry is not a \[key, value\] pair/,
    ],
    [
      'a negative rng counter',
      { model: {}, rngState: { seed: 1, counter: -1 } },
      {},
      /rngState .* is not \{ seed, counter \}/,
    ],
  ])('%s', (_name, meta, into, message) => {
    const targets = { model, strict: false, ...into } as Parameters<typeof restoreCheckpoint>[1];
    expect(() => restoreCheckpoint(withMeta(meta), targets)).toThrow(message);
    expect(() => restoreCheckpoint(withMeta(meta), targets)).toThrow(ValueError);
  });

  test('the model entries of a well-formed checkpoint load', () => {
    const m = new Linear(1, 1);
    const bytes = safetensors.serialize(
      { 'model.weight': tensor([[2]]), 'model.bias': tensor([3]) },
      { 'tsgrad.checkpoint': JSON.stringify({ model: modelMeta(m), rngState, others: {} }) },
    );
    restoreCheckpoint(bytes, { model: m });
    expect([m.weight.itemSync(), m.bias!.itemSync()]).toEqual([2, 3]);
  });
});
