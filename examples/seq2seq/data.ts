/**
 * The synthetic tasks of the seq2seq example and their batches.
 *
 * - `reverse`: a string of digits, 3 to 10 of them, written backwards: "3141" → "1413".
 * - `add`: two numbers of 1 to 3 digits and their sum: "123+45" → "168".
 *
 * Every string becomes token ids over one small vocabulary; a batch pads them to its longest
 * string with `<pad>` and says where the padding is, so that attention can ignore it and the
 * loss can skip it.
 */
import { type Device, type Tensor, tensor, ValueError } from '@tsgrad/core';

/** The vocabulary, shared by inputs and outputs: padding, start, end, the digits and '+'. */
export const TOKENS = ['<pad>', '<s>', '</s>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+'];
export const PAD = 0;
export const SOS = 1;
export const EOS = 2;

/** Which task: 'reverse' (the default) or 'add'. */
export type Task = 'reverse' | 'add';

/** One example: the input string and the output string the model must write. */
export interface Pair {
  source: string;
  target: string;
}

/** Options of {@link makeTask}. */
export interface TaskOptions {
  task: Task;
  /** Shortest input of `reverse`. */
  minLen: number;
  /** Longest input of `reverse`; `add` uses numbers of up to ⌊(maxLen − 1) / 2⌋ digits, at most 3. */
  maxLen: number;
}

/** A small seeded generator of uniform numbers in [0, 1) (mulberry32), for reproducible data. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns a function that draws one example of the task with the numbers of `random`. */
export function makeTask(o: TaskOptions): (random: () => number) => Pair {
  const int = (random: () => number, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  if (o.task === 'reverse') {
    return (random) => {
      const n = int(random, o.minLen, o.maxLen);
      const digits = Array.from({ length: n }, () => String(int(random, 0, 9)));
      return { source: digits.join(''), target: digits.reverse().join('') };
    };
  }
  const maxDigits = Math.max(1, Math.min(3, Math.floor((o.maxLen - 1) / 2)));
  const number = (random: () => number) => int(random, 0, 10 ** int(random, 1, maxDigits) - 1);
  return (random) => {
    const a = number(random);
    const b = number(random);
    return { source: `${a}+${b}`, target: String(a + b) };
  };
}

/**
 * Draws `count` distinct examples (fewer if the task has fewer), for a held-out test set whose
 * strings the training then never sees.
 */
export function drawTestSet(draw: (random: () => number) => Pair, count: number, seed: number): Pair[] {
  const random = randomSource(seed);
  const seen = new Set<string>();
  const pairs: Pair[] = [];
  for (let tries = 0; pairs.length < count && tries < 100 * count; tries++) {
    const p = draw(random);
    if (seen.has(p.source)) continue;
    seen.add(p.source);
    pairs.push(p);
  }
  return pairs;
}

/** Returns a function that draws training examples, never one whose input is in `held`. */
export function trainingStream(
  draw: (random: () => number) => Pair,
  held: ReadonlySet<string>,
  seed: number,
): () => Pair {
  const random = randomSource(seed);
  return () => {
    for (;;) {
      const p = draw(random);
      if (!held.has(p.source)) return p;
    }
  };
}

/** The token ids of a string (each character is one token). */
export function encode(s: string): number[] {
  return [...s].map((ch) => {
    const id = TOKENS.indexOf(ch);
    if (id < 0) throw new ValueError(`seq2seq: no token for '${ch}'`);
    return id;
  });
}

/** The string of token ids, stopping at the first `</s>` and leaving out `<pad>` and `<s>`. */
export function decode(ids: readonly number[]): string {
  let s = '';
  for (const id of ids) {
    if (id === EOS) break;
    if (id !== PAD && id !== SOS) s += TOKENS[id];
  }
  return s;
}

/** A batch of B examples as int32 tensors, padded with `<pad>` (0) on the right. */
export interface Batch {
  /** The inputs [B, S]. */
  source: Tensor;
  /** Bool [B, S]: true where `source` is padding. */
  sourcePadding: Tensor;
  /** How many real tokens each input has. */
  sourceLengths: number[];
  /** The decoder's inputs under teacher forcing, `<s>` then the target: [B, T]. */
  decoderInput: Tensor;
  /** What the decoder must write at each step, the target then `</s>`: [B, T]. */
  decoderTarget: Tensor;
}

/** Pads the token lists to the longest and returns the [B, L] ids (int32) and their lengths. */
function pad(seqs: readonly number[][]): { ids: Int32Array; width: number } {
  const width = Math.max(...seqs.map((s) => s.length));
  const ids = new Int32Array(seqs.length * width); // PAD is 0
  seqs.forEach((s, b) => {
    ids.set(s, b * width);
  });
  return { ids, width };
}

/** Turns examples into a padded {@link Batch} on `device`. */
export function makeBatch(pairs: readonly Pair[], device: Device = 'cpu'): Batch {
  const B = pairs.length;
  const src = pairs.map((p) => encode(p.source));
  const tgt = pairs.map((p) => encode(p.target));
  const s = pad(src);
  const input = pad(tgt.map((t) => [SOS, ...t]));
  const target = pad(tgt.map((t) => [...t, EOS]));
  const padding = Uint8Array.from(s.ids, (id) => (id === PAD ? 1 : 0));
  const int = (ids: Int32Array, width: number) => tensor(ids, { shape: [B, width], dtype: 'int32', device });
  return {
    source: int(s.ids, s.width),
    sourcePadding: tensor(padding, { shape: [B, s.width], dtype: 'bool', device }),
    sourceLengths: src.map((x) => x.length),
    decoderInput: int(input.ids, input.width),
    decoderTarget: int(target.ids, target.width),
  };
}

/** Frees the batch's tensors (on WebGPU their memory is not the garbage collector's). */
export function disposeBatch(batch: Batch): void {
  for (const t of [batch.source, batch.sourcePadding, batch.decoderInput, batch.decoderTarget]) t.dispose();
}
