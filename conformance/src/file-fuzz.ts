/**
 * Mutation fuzzing of safetensors files and checkpoints: flip, insert and delete bytes of a
 * valid file, then load it. Every load must either give well-formed tensors (a mutation of
 * tensor data or of header padding still loads) or throw a `TsgradError`; a checkpoint that
 * fails to restore must leave the model, the optimizer and the RNG state as they were. Used by
 * conformance/test/file-fuzz.test.ts (a few hundred runs) and scripts/fuzz-files.ts (more).
 */
import { getRngState, manualSeed, randn, safetensors, type Tensor, TsgradError, tensor } from '@tsgrad/core';
import { checkpointBytes, Linear, restoreCheckpoint, Sequential } from '@tsgrad/nn';
import { SGD } from '@tsgrad/optim';

/** mulberry32: a small seeded generator, so a run replays from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One to three random byte edits of `bytes`; edits favour the 8-byte length and the JSON
 * header, where the parser's checks are.
 */
export function mutate(bytes: Uint8Array, seed: number, headerEnd: number): Uint8Array {
  const r = rng(seed);
  let out = bytes.slice();
  const edits = 1 + Math.floor(r() * 3);
  for (let k = 0; k < edits; k++) {
    const inHeader = r() < 0.8;
    const span = inHeader ? Math.min(headerEnd, out.length) : out.length;
    const pos = Math.floor(r() * Math.max(span, 1));
    const kind = r();
    if (kind < 0.5 && out.length > 0) {
      out[pos] = out[pos]! ^ (1 << Math.floor(r() * 8));
    } else if (kind < 0.6 && out.length > 0) {
      // A printable byte JSON cares about: quotes, brackets, digits, minus, dot, e.
      const chars = '"{}[],:-.e0129 ';
      out[pos] = chars.charCodeAt(Math.floor(r() * chars.length));
    } else if (kind < 0.8) {
      const grown = new Uint8Array(out.length + 1);
      grown.set(out.subarray(0, pos));
      grown[pos] = Math.floor(r() * 256);
      grown.set(out.subarray(pos), pos + 1);
      out = grown;
    } else if (out.length > 0) {
      const shrunk = new Uint8Array(out.length - 1);
      shrunk.set(out.subarray(0, pos));
      shrunk.set(out.subarray(pos + 1), pos);
      out = shrunk;
    }
  }
  return out;
}

/** What one fuzz run found that it should not have: the seed and what went wrong. */
export interface FuzzFailure {
  seed: number;
  problem: string;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
}

/** A safetensors file with several dtypes, metadata and an empty tensor. */
export function sampleSafetensors(): Uint8Array {
  manualSeed(3);
  return safetensors.serialize(
    {
      weight: randn([3, 4]),
      'layer.0.bias': tensor([1.5, -2], { dtype: 'float64' }),
      index: tensor([1, 2, 3], { dtype: 'int32' }),
      mask: tensor([true, false, true]),
      empty: tensor([], { shape: [0, 2] }),
    },
    { format: 'pt', note: 'fuzz' },
  );
}

const headerEndOf = (bytes: Uint8Array) =>
  8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));

/** Runs `runs` mutations of a safetensors file from seeds `first`, `first + 1` …; returns failures. */
export function fuzzSafetensors(runs: number, first = 0): FuzzFailure[] {
  const good = sampleSafetensors();
  const end = headerEndOf(good);
  const failures: FuzzFailure[] = [];
  for (let seed = first; seed < first + runs; seed++) {
    const bytes = mutate(good, seed, end);
    let loaded: Record<string, Tensor>;
    try {
      loaded = safetensors.deserialize(bytes);
    } catch (e) {
      if (!(e instanceof TsgradError)) failures.push({ seed, problem: describeError(e) });
      continue;
    }
    // It loaded: the tensors must be exactly what the (mutated) header describes.
    const { tensors } = safetensors.readHeader(bytes);
    const names = Object.keys(tensors).sort();
    if (Object.keys(loaded).sort().join('\n') !== names.join('\n')) {
      failures.push({ seed, problem: `loaded [${Object.keys(loaded)}] but the header names [${names}]` });
      continue;
    }
    for (const n of names) {
      const t = loaded[n]!;
      const want = tensors[n]!.shape;
      if (t.shape.join() !== want.join() || t.dataSync().length !== want.reduce((a, b) => a * b, 1)) {
        failures.push({ seed, problem: `'${n}' loaded as [${t.shape}], the header says [${want}]` });
      }
    }
  }
  return failures;
}

/** A model and SGD optimizer with momentum state, and their checkpoint bytes. */
export async function sampleCheckpoint(): Promise<Uint8Array> {
  manualSeed(4);
  const model = new Sequential(new Linear(3, 4), new Linear(4, 2));
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  model
    .forward(randn([5, 3]))
    .sum()
    .backward();
  optimizer.step();
  return checkpointBytes({ model, optimizer, epoch: 7, extra: { loss: 0.25, tags: ['a', 'b'] } });
}

const snapshot = (model: Sequential, optimizer: SGD): string =>
  JSON.stringify({
    model: Object.entries(model.stateDict()).map(([k, v]) => [k, Array.from(v.dataSync())]),
    optimizer: Object.entries(optimizer.stateDict().state).map(([k, s]) => [
      k,
      Object.entries(s).map(([n, v]) => [
        n,
        typeof v === 'object' ? Array.from((v as Tensor).dataSync()) : v,
      ]),
    ]),
    groups: optimizer.stateDict().param_groups,
    rng: getRngState(),
  });

/**
 * Runs `runs` mutations of a checkpoint from seeds `first` …: each restore either succeeds or
 * throws a `TsgradError` with model, optimizer and RNG state unchanged; returns failures.
 */
export async function fuzzCheckpoint(runs: number, first = 0): Promise<FuzzFailure[]> {
  const good = await sampleCheckpoint();
  const end = headerEndOf(good);
  const failures: FuzzFailure[] = [];
  manualSeed(99);
  const model = new Sequential(new Linear(3, 4), new Linear(4, 2));
  const optimizer = new SGD(model.parameters(), { lr: 0.5, momentum: 0.5 });
  model
    .forward(randn([2, 3]))
    .sum()
    .backward();
  optimizer.step();
  for (let seed = first; seed < first + runs; seed++) {
    const bytes = mutate(good, seed, end);
    const before = snapshot(model, optimizer);
    try {
      restoreCheckpoint(bytes, { model, optimizer });
    } catch (e) {
      if (!(e instanceof TsgradError)) failures.push({ seed, problem: describeError(e) });
      else if (snapshot(model, optimizer) !== before)
        failures.push({ seed, problem: `a failed restore changed the targets (${describeError(e)})` });
      continue;
    }
    // A mutation the loader accepted: put the known state back for the next run.
    restoreCheckpoint(good, { model, optimizer });
  }
  return failures;
}
