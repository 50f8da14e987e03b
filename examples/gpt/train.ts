/**
 * Trains {@link TinyGPT} on the State of the Union addresses: each step reads `batchSize`
 * windows of `contextLen + 1` characters from random places in the training text and learns
 * to predict every window's characters from those before them. AdamW with a cosine learning
 * rate; training stops at the first validation loss at or below `target` (or after `steps`).
 * `main.ts` adds flags, a progress bar, samples and charts; the smoke test runs it small.
 */
import { type Device, manualSeed, noGrad, randint, type Tensor, tensor, tidy } from '@tsgrad/core';
import { clipGradNorm_, crossEntropyLoss } from '@tsgrad/nn';
import { AdamW, CosineAnnealingLR } from '@tsgrad/optim';
import {
  type CharEvalReport,
  type CharTrainHooks,
  type CharTrainResult,
  charTrainResult,
} from '../shared/char-model.js';
import { loadCorpus } from '../shared/corpus.js';
import { type GptSize, TinyGPT } from './model.js';

/** Options of {@link trainGpt}. */
export interface GptOptions extends GptSize {
  /** The most optimizer steps. */
  steps: number;
  /** Windows per step. */
  batchSize: number;
  /** Peak learning rate, annealed along a cosine to a tenth of it over `steps`. */
  lr: number;
  /** Largest norm of all gradients together (clipGradNorm_). */
  clip: number;
  /** Steps between validation losses (and samples in `main.ts`). */
  evalEvery: number;
  /** Stop once the validation loss (nats per character) is at or below this (0: never). */
  target: number;
  seed: number;
  device: Device;
  /** Use only the first `limit` characters of the text (0: all 391 KB). */
  limit: number;
}

/**
 * Defaults: 113,867 parameters; the validation loss reaches the target 1.5 at step 800 (1.491),
 * in about 2 minutes on two CPU cores; all 1500 steps (`target: 0`) reach 1.343.
 */
export const gptDefaults: GptOptions = {
  contextLen: 64,
  dModel: 64,
  numHeads: 4,
  numLayers: 2,
  dropout: 0,
  steps: 1500,
  batchSize: 32,
  lr: 3e-3,
  clip: 1,
  evalEvery: 100,
  target: 1.5,
  seed: 0,
  device: 'cpu',
  limit: 0,
};

/** A validation loss, reported every `evalEvery` steps and at the end. */
export type EvalReport = CharEvalReport<TinyGPT>;

/** Callbacks of {@link trainGpt}. */
export type GptHooks = CharTrainHooks<TinyGPT>;

/** The outcome of {@link trainGpt}. */
export interface GptResult extends CharTrainResult<TinyGPT> {
  /** The first step whose validation loss was at or below the target (null: not reached). */
  reachedAt: number | null;
}

/** Inputs and next-character targets, int32 [starts.length, T], from windows of `ids` at `starts`. */
function windows(ids: Int32Array, starts: ArrayLike<number>, T: number, device: Device): [Tensor, Tensor] {
  const n = starts.length;
  const x = new Int32Array(n * T);
  const y = new Int32Array(n * T);
  for (let b = 0; b < n; b++) {
    x.set(ids.subarray(starts[b]!, starts[b]! + T), b * T);
    y.set(ids.subarray(starts[b]! + 1, starts[b]! + T + 1), b * T);
  }
  const opts = { shape: [n, T], dtype: 'int32', device } as const;
  return [tensor(x, opts), tensor(y, opts)];
}

/** Mean cross-entropy over the validation text, cut into non-overlapping windows of `T`. */
async function evaluate(model: TinyGPT, val: Int32Array, T: number, device: Device): Promise<number> {
  model.eval();
  const starts: number[] = [];
  for (let s = 0; s + T + 1 <= val.length; s += T) starts.push(s);
  let sum = 0;
  for (let i = 0; i < starts.length; i += 64) {
    const [x, y] = windows(val, starts.slice(i, i + 64), T, device);
    const l = noGrad(() =>
      tidy(() =>
        crossEntropyLoss(model.forward(x).reshape([-1, model.vocabSize]), y.reshape([-1]), {
          reduction: 'sum',
        }),
      ),
    );
    sum += await l.item();
    for (const t of [x, y, l]) t.dispose();
  }
  model.train();
  return sum / (starts.length * T);
}

/**
 * Loads the text, builds a {@link TinyGPT} (after `manualSeed(seed)`) and trains it.
 *
 * @example
 * ```ts
 * const { valLoss, reachedAt } = await trainGpt({ steps: 200, target: 2.2 });
 * ```
 */
export async function trainGpt(options: Partial<GptOptions> = {}, hooks: GptHooks = {}): Promise<GptResult> {
  const o = { ...gptDefaults, ...options };
  const { vocab, train, val } = loadCorpus({ limit: o.limit });
  const T = o.contextLen;
  if (train.length < T + 2 || val.length < T + 1) {
    throw new RangeError(`the text is too short for windows of ${T} characters`);
  }
  manualSeed(o.seed);
  const model = new TinyGPT(vocab.size, o).to(o.device);
  const opt = new AdamW(model.parameters(), { lr: o.lr });
  const sched = new CosineAnnealingLR(opt, o.steps, { etaMin: o.lr / 10 });
  const losses: number[] = [];
  const evals: { step: number; valLoss: number }[] = [];
  let reachedAt: number | null = null;

  for (let step = 1; step <= o.steps; step++) {
    const startsT = randint(0, train.length - T, [o.batchSize]);
    const [x, y] = windows(train, startsT.dataSync(), T, o.device);
    startsT.dispose();
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = crossEntropyLoss(model.forward(x).reshape([-1, vocab.size]), y.reshape([-1]));
      l.backward();
      clipGradNorm_(model.parameters(), o.clip);
      opt.step();
      return l.detach();
    });
    sched.step();
    x.dispose();
    y.dispose();
    losses.push(await loss.item());
    loss.dispose();
    hooks.onStep?.({ step, steps: o.steps, loss: losses[losses.length - 1]! });
    if (step % o.evalEvery === 0 || step === o.steps) {
      const valLoss = await evaluate(model, val, T, o.device);
      evals.push({ step, valLoss });
      await hooks.onEval?.({ step, valLoss, model, vocab });
      if (o.target > 0 && valLoss <= o.target) {
        reachedAt = step;
        break;
      }
    }
  }
  return { ...charTrainResult(model, vocab, losses, evals), reachedAt };
}
