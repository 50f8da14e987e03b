/**
 * The encoder–decoder with attention.
 *
 * The encoder reads the whole input with a recurrent layer (a bidirectional GRU by default), so
 * each state hₛ describes input token s in its context. The decoder writes the output one token
 * at a time with a recurrent cell; at each step it attends over h₁ … h_S (see attention.ts) and
 * predicts the next token from its state and the context. Training feeds the decoder the true
 * previous token (teacher forcing); {@link Seq2seq.greedy} feeds back its own best guess.
 */
import { cat, noGrad, stack, type Tensor, tensor, tidy, ValueError } from '@tsgrad/core';
import { crossEntropyLoss, Embedding, GRU, GRUCell, Linear, LSTM, LSTMCell, Module } from '@tsgrad/nn';
import { type Attention, BahdanauAttention, LuongAttention, type Memory } from './attention.js';
import { type Batch, EOS, PAD, SOS, TOKENS } from './data.js';

/** The shape of the model. */
export interface ModelOptions {
  /** 'bahdanau' (additive, attends before the decoder step) or 'luong' (after it). */
  attention: 'bahdanau' | 'luong';
  /** Luong's score: 'general' (sᵀ W h) or 'dot' (sᵀ h). */
  score: 'general' | 'dot';
  /** The recurrent unit of the encoder and the decoder. */
  cell: 'gru' | 'lstm';
  /** Read the input both ways; each direction then has hidden / 2 units. */
  bidirectional: boolean;
  /** The size of the token embeddings. */
  embed: number;
  /** The size of the decoder state and of each encoder state. */
  hidden: number;
}

/** A recurrent state: h, and the LSTM's cell c (null for a GRU). */
export interface State {
  h: Tensor;
  c: Tensor | null;
}

/** Reads the padded input: states [B, S, hidden] (zero at padding) and the final state. */
export class Encoder extends Module {
  readonly embed: Embedding;
  readonly rnn: GRU | LSTM;

  constructor(readonly o: ModelOptions) {
    super();
    if (o.bidirectional && o.hidden % 2 !== 0) {
      throw new ValueError(`seq2seq: a bidirectional encoder needs an even hidden size, got ${o.hidden}`);
    }
    const units = o.bidirectional ? o.hidden / 2 : o.hidden;
    const opts = { batchFirst: true, bidirectional: o.bidirectional };
    this.embed = new Embedding(TOKENS.length, o.embed, { paddingIdx: PAD });
    this.rnn = o.cell === 'gru' ? new GRU(o.embed, units, opts) : new LSTM(o.embed, units, opts);
  }

  override forward(source: Tensor, lengths: readonly number[]): { states: Tensor; final: State } {
    const x = this.embed.forward(source); // [B, S, embed]
    // [directions, B, units] → [B, directions · units]: the two directions side by side.
    const join = (t: Tensor) => t.transpose(0, 1).reshape([t.shape[1]!, this.o.hidden]);
    // `lengths` stops each input at its own end: its states past it are zero and its final
    // state is the one at its last real token (the backward direction starts there).
    if (this.rnn instanceof GRU) {
      const [states, h] = this.rnn.forward(x, null, { lengths });
      return { states, final: { h: join(h), c: null } };
    }
    const [states, [h, c]] = this.rnn.forward(x, null, { lengths });
    return { states, final: { h: join(h), c: join(c) } };
  }
}

/** Writes the output one token per {@link Decoder.step}. */
export class Decoder extends Module {
  readonly embed: Embedding;
  readonly attention: Attention;
  readonly cell: GRUCell | LSTMCell;
  /** Luong's attentional layer h̃ = tanh(W_c [c; s]); null for Bahdanau. */
  readonly combine: Linear | null;
  /** The scores of the next token: from [s; c] (Bahdanau) or h̃ (Luong). */
  readonly out: Linear;

  constructor(readonly o: ModelOptions) {
    super();
    const D = o.hidden;
    this.embed = new Embedding(TOKENS.length, o.embed);
    const bahdanau = o.attention === 'bahdanau';
    this.attention = bahdanau ? new BahdanauAttention(D, D, D) : new LuongAttention(D, D, o.score);
    // Bahdanau feeds the context into the cell; Luong attends with the cell's new state.
    const cellInput = bahdanau ? o.embed + D : o.embed;
    this.cell = o.cell === 'gru' ? new GRUCell(cellInput, D) : new LSTMCell(cellInput, D);
    this.combine = bahdanau ? null : new Linear(2 * D, D);
    this.out = new Linear(bahdanau ? 2 * D : D, TOKENS.length);
  }

  private advance(x: Tensor, state: State): State {
    if (this.cell instanceof GRUCell) return { h: this.cell.forward(x, state.h), c: null };
    const [h, c] = this.cell.forward(x, [state.h, state.c!]);
    return { h, c };
  }

  /**
   * One output step from the embedded previous token `x` [B, embed]: returns the scores of the
   * next token [B, vocabulary], the new state and the attention weights [B, S].
   */
  step(x: Tensor, state: State, memory: Memory): { logits: Tensor; state: State; weights: Tensor } {
    if (this.combine === null) {
      // Bahdanau: attend with the previous state s_{t−1}, then step with [y_{t−1}; c].
      const [context, weights] = this.attention.forward(state.h, memory);
      const next = this.advance(cat([x, context], 1), state);
      return { logits: this.out.forward(cat([next.h, context], 1)), state: next, weights };
    }
    // Luong: step first, then attend with the new state s_t and mix: h̃ = tanh(W_c [c; s_t]).
    const next = this.advance(x, state);
    const [context, weights] = this.attention.forward(next.h, memory);
    const mixed = this.combine.forward(cat([context, next.h], 1)).tanh();
    return { logits: this.out.forward(mixed), state: next, weights };
  }
}

/** The encoder, the decoder, the loss and greedy decoding. */
export class Seq2seq extends Module {
  readonly encoder: Encoder;
  readonly decoder: Decoder;

  constructor(readonly o: ModelOptions) {
    super();
    this.encoder = new Encoder(o);
    this.decoder = new Decoder(o);
  }

  private start(batch: Pick<Batch, 'source' | 'sourcePadding' | 'sourceLengths'>) {
    const { states, final } = this.encoder.forward(batch.source, batch.sourceLengths);
    return { memory: this.decoder.attention.memory(states, batch.sourcePadding), state: final };
  }

  /** The scores of every output token under teacher forcing: [B, T, vocabulary]. */
  override forward(batch: Batch): Tensor {
    let { memory, state } = this.start(batch);
    const inputs = this.decoder.embed.forward(batch.decoderInput); // [B, T, embed]
    const logits: Tensor[] = [];
    for (let t = 0; t < inputs.shape[1]!; t++) {
      const r = this.decoder.step(inputs.select(1, t), state, memory);
      logits.push(r.logits);
      state = r.state;
    }
    return stack(logits, 1);
  }

  /** The mean cross-entropy over the real (not padded) output tokens. */
  loss(batch: Batch): Tensor {
    const logits = this.forward(batch);
    const [B, T, V] = logits.shape as [number, number, number];
    return crossEntropyLoss(logits.reshape([B * T, V]), batch.decoderTarget.reshape([B * T]), {
      ignoreIndex: PAD,
    });
  }

  /**
   * Greedy decoding: each step feeds back the most likely token, for at most `maxSteps` steps
   * (stopping early once every output has written `</s>`). Returns the token ids of each output
   * and, per output, the attention weights of each step (rows) over the input (columns).
   */
  async greedy(
    batch: Pick<Batch, 'source' | 'sourcePadding' | 'sourceLengths'>,
    maxSteps: number,
  ): Promise<{ tokens: number[][]; weights: number[][][] }> {
    const B = batch.source.shape[0]!;
    const S = batch.source.shape[1]!;
    const device = batch.source.device;
    const { memory, state: first } = noGrad(() => tidy(() => this.start(batch)));
    let state = first;
    let previous = tensor(new Int32Array(B).fill(SOS), { dtype: 'int32', device });
    const tokens: number[][] = Array.from({ length: B }, () => []);
    const weights: number[][][] = Array.from({ length: B }, () => []);
    const done = new Array<boolean>(B).fill(false);
    for (let t = 0; t < maxSteps && !done.every(Boolean); t++) {
      const r = noGrad(() =>
        tidy(() => {
          const r = this.decoder.step(this.decoder.embed.forward(previous), state, memory);
          return { next: r.logits.argmax(1), state: r.state, weights: r.weights };
        }),
      );
      const [ids, w] = await Promise.all([r.next.data(), r.weights.data()]);
      for (const x of [previous, state.h, state.c, r.weights]) x?.dispose();
      [previous, state] = [r.next, r.state];
      for (let b = 0; b < B; b++) {
        tokens[b]!.push(Number(ids[b]));
        weights[b]!.push(Array.from(w.subarray(b * S, (b + 1) * S), Number));
        if (Number(ids[b]) === EOS) done[b] = true;
      }
    }
    for (const x of [previous, state.h, state.c, memory.states, memory.keys]) x?.dispose();
    return { tokens, weights };
  }
}
