/**
 * What the character-level examples (`char-lstm`, `gpt`) share: the shape of their training
 * reports, the checks of their common flags, and sampling text from a prompt.
 */
import { getRngState, manualSeed, setRngState } from '@tsgrad/core';
import { type CharVocab, loadCorpus } from './corpus.js';
import type { SamplingOptions } from './sample.js';

/** A model that continues a prompt of character ids. */
export interface CharModel {
  generate(prompt: Int32Array, length: number, sampling: SamplingOptions): Promise<Int32Array>;
}

/** A validation loss, reported every `evalEvery` steps and at the end. */
export interface CharEvalReport<M> {
  step: number;
  /** Mean cross-entropy per validation character, in nats. */
  valLoss: number;
  model: M;
  vocab: CharVocab;
}

/** Callbacks of a character model's training; `onEval` may be async (it is awaited). */
export interface CharTrainHooks<M> {
  onStep?: (s: { step: number; steps: number; loss: number }) => void;
  onEval?: (e: CharEvalReport<M>) => void | Promise<void>;
}

/** The outcome of a character model's training. */
export interface CharTrainResult<M> {
  model: M;
  vocab: CharVocab;
  /** The training loss of every step. */
  losses: number[];
  /** Validation losses at their steps. */
  evals: { step: number; valLoss: number }[];
  /** The last validation loss (nats per character). */
  valLoss: number;
  /** The same in bits per character (valLoss / ln 2). */
  bitsPerChar: number;
  /** ln(vocab): the loss of a model that guesses uniformly. */
  uniformLoss: number;
}

/** The result of a training run from its model, losses and validation losses. */
export function charTrainResult<M>(
  model: M,
  vocab: CharVocab,
  losses: number[],
  evals: { step: number; valLoss: number }[],
): CharTrainResult<M> {
  const valLoss = evals[evals.length - 1]?.valLoss ?? Number.NaN;
  return {
    model,
    vocab,
    losses,
    evals,
    valLoss,
    bitsPerChar: valLoss / Math.LN2,
    uniformLoss: Math.log(vocab.size),
  };
}

/** The flags both examples take beside their model's sizes. */
export interface CharFlags {
  lr: number;
  clip: number;
  dropout: number;
  prompt: string;
}

/**
 * Checks that each of `ints` is a positive integer, then the learning rate, clip norm, dropout
 * and prompt (every character must be in the text's vocabulary); returns a message for the
 * first bad flag, or null.
 */
export function charFlagsError<F extends CharFlags>(
  flags: F,
  ints: readonly (keyof F & string)[],
): string | null {
  for (const name of ints) {
    const v = flags[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer, got ${String(v)}`;
    }
  }
  if (!(flags.lr > 0)) return `--lr must be positive, got ${flags.lr}`;
  if (!(flags.clip > 0)) return `--clip must be positive, got ${flags.clip}`;
  if (!(flags.dropout >= 0 && flags.dropout < 1)) return `--dropout must be in [0, 1), got ${flags.dropout}`;
  if (flags.prompt.length === 0) return '--prompt needs at least one character';
  try {
    loadCorpus({ limit: 1 }).vocab.encode(flags.prompt);
  } catch (e) {
    return `--prompt: ${(e as Error).message}`;
  }
  return null;
}

/** `prompt` followed by `length` characters the model draws after it. */
export async function sampleText(
  model: CharModel,
  vocab: CharVocab,
  prompt: string,
  length: number,
  sampling: SamplingOptions,
): Promise<string> {
  return prompt + vocab.decode(await model.generate(vocab.encode(prompt), length, sampling));
}

/**
 * Runs `draw` from the random state `manualSeed(seed)` gives, then puts the previous state
 * back: samples taken during training leave the training's own draws alone.
 */
export async function drawAside<T>(seed: number, draw: () => Promise<T>): Promise<T> {
  const rng = getRngState();
  manualSeed(seed);
  try {
    return await draw();
  } finally {
    setRngState(rng);
  }
}
