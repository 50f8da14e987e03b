/**
 * The character-level examples' text: `data/sotu-1790-1816.txt` (public domain, see
 * `data/README.md`), its alphabet, and a split into training and validation characters.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const corpusPath = join(dirname(fileURLToPath(import.meta.url)), 'data', 'sotu-1790-1816.txt');

/** The characters of a text, each given an index (sorted by code point). */
export class CharVocab {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.index = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** The number of distinct characters. */
  get size(): number {
    return this.chars.length;
  }

  /** The indices of `s`'s characters; throws on a character the text does not have. */
  encode(s: string): Int32Array {
    return Int32Array.from(s, (c) => {
      const i = this.index.get(c);
      if (i === undefined) throw new RangeError(`the text has no character ${JSON.stringify(c)}`);
      return i;
    });
  }

  /** The characters of `ids`. */
  decode(ids: Iterable<number>): string {
    let s = '';
    for (const i of ids) s += this.chars[i] ?? '';
    return s;
  }
}

/** A text encoded with its vocabulary and split in two. */
export interface Corpus {
  vocab: CharVocab;
  /** The first part of the text, encoded. */
  train: Int32Array;
  /** The last `valFraction` of the text, encoded. */
  val: Int32Array;
}

/**
 * Loads the State of the Union addresses of 1790–1816 (391 KB). `limit` keeps only the first
 * `limit` characters (0: all) for quick runs; the vocabulary is always the whole text's, so a
 * model trained on a part can be prompted with any of its characters.
 */
export function loadCorpus(opts: { valFraction?: number; limit?: number } = {}): Corpus {
  const text = readFileSync(corpusPath, 'utf8');
  const vocab = new CharVocab(text);
  const limit = opts.limit ?? 0;
  const ids = vocab.encode(limit > 0 ? text.slice(0, limit) : text);
  const cut = Math.round(ids.length * (1 - (opts.valFraction ?? 0.1)));
  return { vocab, train: ids.subarray(0, cut), val: ids.subarray(cut) };
}
