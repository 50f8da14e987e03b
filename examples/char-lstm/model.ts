/**
 * A character-level language model: `Embedding` → `LSTM` → `Linear`. It reads [B, T] character
 * indices and gives [B, T, vocab] logits for the character that follows each one; the LSTM's
 * state goes in and comes out, so a long text can be read in chunks.
 */
import { dispose, noGrad, type Tensor, tensor, tidy } from '@tsgrad/core';
import { Embedding, Linear, LSTM, Module } from '@tsgrad/nn';
import { type SamplingOptions, sampleNext } from '../shared/sample.js';

/** The sizes of a {@link CharLSTM}. */
export interface CharLstmSize {
  /** Width of a character's embedding. */
  embedDim: number;
  /** Width of the LSTM's hidden state. */
  hiddenSize: number;
  /** Stacked LSTM layers. */
  numLayers: number;
  /** Dropout between LSTM layers in training (used when numLayers > 1). */
  dropout: number;
}

/** The LSTM's state: [h, c], each [layers, B, hidden]. */
export type LstmState = [Tensor, Tensor];

/** Embedding → LSTM (batch first) → Linear over `vocabSize` characters. */
export class CharLSTM extends Module {
  embed: Embedding;
  lstm: LSTM;
  head: Linear;

  constructor(
    readonly vocabSize: number,
    size: CharLstmSize,
  ) {
    super();
    this.embed = new Embedding(vocabSize, size.embedDim);
    this.lstm = new LSTM(size.embedDim, size.hiddenSize, {
      numLayers: size.numLayers,
      dropout: size.numLayers > 1 ? size.dropout : 0,
      batchFirst: true,
    });
    this.head = new Linear(size.hiddenSize, vocabSize);
  }

  /** Logits [B, T, vocab] for the next character after each of `ids` [B, T], and the new state. */
  override forward(ids: Tensor, state: LstmState | null = null): [Tensor, LstmState] {
    const [out, next] = this.lstm.forward(this.embed.forward(ids), state);
    return [this.head.forward(out), next];
  }

  /**
   * Reads `prompt` (at least one character) and then writes `length` characters, each drawn
   * from the model's prediction and fed back in; returns the written ones.
   */
  async generate(prompt: Int32Array, length: number, sampling: SamplingOptions): Promise<Int32Array> {
    if (prompt.length === 0) throw new RangeError('generate: the prompt needs at least one character');
    const device = this.embed.weight.device;
    const wasTraining = this.training;
    this.eval();
    const out = new Int32Array(length);
    let input = tensor(prompt, { shape: [1, prompt.length], dtype: 'int32', device });
    let state: LstmState | null = null;
    for (let i = 0; i < length; i++) {
      const [next, newState] = noGrad(() =>
        tidy(() => {
          const [logits, s] = this.forward(input, state);
          const last = logits.narrow(1, logits.shape[1]! - 1, 1).squeeze(1); // [1, vocab]
          return [sampleNext(last, sampling).reshape([1, 1]), s] as const;
        }),
      );
      dispose([input, state]);
      [input, state] = [next, newState];
      out[i] = await next.item();
    }
    dispose([input, state]);
    this.train(wasTraining);
    return out;
  }
}
