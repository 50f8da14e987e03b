/**
 * Trains {@link CharLSTM} on the State of the Union addresses with truncated backpropagation
 * through time: the training text is cut into `batchSize` parallel streams, read `seqLen`
 * characters at a time; the LSTM's state is carried from one chunk to the next but detached,
 * so gradients flow back at most `seqLen` steps. Adam, with the gradients' norm clipped.
 * `main.ts` adds flags, a progress bar, samples and charts; the smoke test runs it small.
 */
import { type Device, dispose, manualSeed, noGrad, type Tensor, tensor, tidy } from '@tsgrad/core';
import { clipGradNorm_, crossEntropyLoss } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import {
  type CharEvalReport,
  type CharTrainHooks,
  type CharTrainResult,
  charTrainResult,
} from '../shared/char-model.js';
import { loadCorpus } from '../shared/corpus.js';
import { CharLSTM, type CharLstmSize, type LstmState } from './model.js';

/** Options of {@link trainCharLstm}. */
export interface CharLstmOptions extends CharLstmSize {
  /** Optimizer steps, one per chunk. */
  steps: number;
  /** Parallel streams of text per step. */
  batchSize: number;
  /** Characters per chunk: how far back gradients flow. */
  seqLen: number;
  lr: number;
  /** Largest norm of all gradients together (clipGradNorm_). */
  clip: number;
  /** Steps between validation losses (and samples in `main.ts`). */
  evalEvery: number;
  seed: number;
  device: Device;
  /** Use only the first `limit` characters of the text (0: all 391 KB). */
  limit: number;
}

/**
 * Defaults: 318,635 parameters, about 2.5 minutes on two CPU cores, to a validation loss of
 * 1.261 nats (1.819 bits) per character.
 */
export const charLstmDefaults: CharLstmOptions = {
  embedDim: 32,
  hiddenSize: 256,
  numLayers: 1,
  dropout: 0,
  steps: 600,
  batchSize: 32,
  seqLen: 64,
  lr: 4e-3,
  clip: 1,
  evalEvery: 100,
  seed: 0,
  device: 'cpu',
  limit: 0,
};

/** A validation loss, reported every `evalEvery` steps and at the end. */
export type EvalReport = CharEvalReport<CharLSTM>;

/** Callbacks of {@link trainCharLstm}. */
export type CharLstmHooks = CharTrainHooks<CharLSTM>;

/** The outcome of {@link trainCharLstm}. */
export type CharLstmResult = CharTrainResult<CharLSTM>;

/** `ids` cut into `streams` rows of equal length, as an int32 [streams, length] tensor. */
function asStreams(ids: Int32Array, streams: number, device: Device): Tensor {
  const len = Math.floor(ids.length / streams);
  if (len < 2) throw new RangeError(`${ids.length} characters are too few for ${streams} streams`);
  return tensor(ids.subarray(0, streams * len), { shape: [streams, len], dtype: 'int32', device });
}

/** Mean cross-entropy of `model` over every character of `streams` [B, L], read `seqLen` at a time. */
async function evaluate(model: CharLSTM, streams: Tensor, seqLen: number): Promise<number> {
  model.eval();
  const L = streams.shape[1]!;
  let state: LstmState | null = null;
  let sum = 0;
  let count = 0;
  for (let t = 0; t + 1 < L; t += seqLen) {
    const n = Math.min(seqLen, L - 1 - t);
    const [lossSum, next] = noGrad(() =>
      tidy(() => {
        const [logits, s] = model.forward(streams.narrow(1, t, n), state);
        const y = streams.narrow(1, t + 1, n).reshape([-1]);
        const l = crossEntropyLoss(logits.reshape([-1, model.vocabSize]), y, { reduction: 'sum' });
        return [l, s] as const;
      }),
    );
    dispose(state);
    state = next;
    sum += await lossSum.item();
    count += streams.shape[0]! * n;
    lossSum.dispose();
  }
  dispose(state);
  model.train();
  return sum / count;
}

/**
 * Loads the text, builds a {@link CharLSTM} (after `manualSeed(seed)`) and trains it.
 *
 * @example
 * ```ts
 * const { valLoss, model, vocab } = await trainCharLstm({ steps: 50 });
 * ```
 */
export async function trainCharLstm(
  options: Partial<CharLstmOptions> = {},
  hooks: CharLstmHooks = {},
): Promise<CharLstmResult> {
  const o = { ...charLstmDefaults, ...options };
  const { vocab, train, val } = loadCorpus({ limit: o.limit });
  const trainStreams = asStreams(train, o.batchSize, o.device);
  const valStreams = asStreams(
    val,
    Math.min(o.batchSize, Math.floor(val.length / (o.seqLen + 1)) || 1),
    o.device,
  );
  manualSeed(o.seed);
  const model = new CharLSTM(vocab.size, o).to(o.device);
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const L = trainStreams.shape[1]!;
  const losses: number[] = [];
  const evals: { step: number; valLoss: number }[] = [];
  const report = async (step: number) => {
    const valLoss = await evaluate(model, valStreams, o.seqLen);
    evals.push({ step, valLoss });
    await hooks.onEval?.({ step, valLoss, model, vocab });
  };

  let state: LstmState | null = null;
  let t = 0;
  for (let step = 1; step <= o.steps; step++) {
    // At the end of the streams, start again from their beginning with a fresh state.
    if (t + o.seqLen + 1 > L) {
      dispose(state);
      [t, state] = [0, null];
    }
    const n = Math.min(o.seqLen, L - 1 - t);
    const [loss, next] = tidy(() => {
      opt.zeroGrad();
      const [logits, [h, c]] = model.forward(trainStreams.narrow(1, t, n), state);
      const y = trainStreams.narrow(1, t + 1, n).reshape([-1]);
      const l = crossEntropyLoss(logits.reshape([-1, vocab.size]), y);
      l.backward();
      clipGradNorm_(model.parameters(), o.clip);
      opt.step();
      // The next chunk starts from this state, but its gradient stops here.
      return [l.detach(), [h.detach(), c.detach()] as LstmState] as const;
    });
    dispose(state);
    state = next;
    t += n;
    losses.push(await loss.item());
    loss.dispose();
    hooks.onStep?.({ step, steps: o.steps, loss: losses[losses.length - 1]! });
    if (step % o.evalEvery === 0 || step === o.steps) await report(step);
  }
  dispose([state, trainStreams, valStreams]);
  return charTrainResult(model, vocab, losses, evals);
}
