/**
 * Recurrent layers with PyTorch's parameter names, layouts and gate order:
 * `weight_ih_l{k}[_reverse]` [G·H, in], `weight_hh_l{k}` [G·H, H], `bias_ih_l{k}`, `bias_hh_l{k}`,
 * with gates stacked as LSTM (i, f, g, o) and GRU (r, z, n).
 *
 * The input projection of a whole sequence is one matmul before the time loop; each step then
 * does one h·W_hhᵀ matmul.
 */
import {
  cat,
  formatShape,
  ShapeError,
  sameShape,
  stack,
  type Tensor,
  tensor,
  ValueError,
  where,
  zeros,
} from '@tsgrad/core';
import { lstmCell } from '@tsgrad/core/internal';
import { dropout as dropoutFn, linear } from '../functional.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkLengths, PackedSequence, packWithOrder, padPackedSequence } from '../sequences.js';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** Options of {@link RNN}, {@link LSTM} and {@link GRU}. */
export interface RNNOptions {
  /** Stacked layers (1). */
  numLayers?: number;
  /** Biases b_ih and b_hh (true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature] (false). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (0). */
  dropout?: number;
  /** Also run the sequence backwards and concatenate (false). */
  bidirectional?: boolean;
}

/** Options of the forward of {@link RNN}, {@link LSTM} and {@link GRU}. */
export interface RNNForwardOptions {
  /**
   * The length of each sequence of a padded batch (numbers, or an integer CPU tensor). Each
   * sequence then stops at its own length: outputs past it are zeros and the final state is
   * the one at its last step (for the reverse direction, the pass starts at its last step),
   * as PyTorch gives for a packed batch.
   */
  lengths?: readonly number[] | Tensor | null;
}

/** Options of {@link RNN}. */
export interface SimpleRNNOptions extends RNNOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

interface CellWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

/** One step of a cell from the precomputed input part `xw` = x·W_ihᵀ + b_ih. */
function step(mode: Mode, xw: Tensor, h: Tensor, c: Tensor | null, w: CellWeights): [Tensor, Tensor | null] {
  const hh = linear(h, w.wHh, w.bHh);
  if (mode === 'RNN_TANH') return [xw.add(hh).tanh(), null];
  if (mode === 'RNN_RELU') return [xw.add(hh).relu(), null];
  const H = h.shape[h.ndim - 1]!;
  if (mode === 'LSTM') {
    // One op for the gates and the cell update (fused where the backend has the kernel).
    const hc = lstmCell(xw, hh, c!);
    return [hc.narrow(-1, 0, H), hc.narrow(-1, H, H)];
  }
  // GRU: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h.
  const rz = xw
    .narrow(-1, 0, 2 * H)
    .add(hh.narrow(-1, 0, 2 * H))
    .sigmoid();
  const r = rz.narrow(-1, 0, H);
  const z = rz.narrow(-1, H, H);
  const n = xw
    .narrow(-1, 2 * H, H)
    .add(r.mul(hh.narrow(-1, 2 * H, H)))
    .tanh();
  return [n.add(z.mul(h.sub(n))), null];
}

/** The shared machinery of RNN, LSTM and GRU. */
export class RNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  constructor(mode: Mode, inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super();
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1) {
      throw new ValueError(
        `${this.constructor.name}: numLayers must be a positive integer, got ${this.numLayers}`,
      );
    }
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError(`${this.constructor.name}: dropout must be in [0, 1], got ${this.dropout}`);
    }
    const G = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(zeros([G, inSize])));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(zeros([G, hiddenSize])));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(zeros([G])));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(zeros([G])));
        }
      }
    }
    this.resetParameters();
  }

  /** PyTorch's default: every weight and bias uniform in ±1/√hiddenSize. */
  resetParameters(): void {
    const k = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) uniform_(p, -k, k);
  }

  private weights(layer: number, reverse: boolean): CellWeights {
    const self = this as unknown as Record<string, Tensor | undefined>;
    const sfx = `_l${layer}${reverse ? '_reverse' : ''}`;
    return {
      wIh: self[`weight_ih${sfx}`]!,
      wHh: self[`weight_hh${sfx}`]!,
      bIh: self[`bias_ih${sfx}`] ?? null,
      bHh: self[`bias_hh${sfx}`] ?? null,
    };
  }

  /**
   * Runs the layers on a padded batch or a packed one; `state` is [h0] or [h0, c0], each
   * [layers·dirs, B, H] in the original batch order.
   */
  protected runAny(
    input: Tensor | PackedSequence,
    state: Tensor[] | null,
    opts: RNNForwardOptions,
  ): { output: Tensor | PackedSequence; h: Tensor; c: Tensor | null } {
    if (!(input instanceof PackedSequence)) return this.run(input, state, opts.lengths ?? null, false);
    if (opts.lengths) {
      throw new ValueError(
        `${this.constructor.name}: a PackedSequence carries its lengths; do not pass lengths too`,
      );
    }
    const [padded] = padPackedSequence(input);
    const r = this.run(padded, state, input.lengths(), true);
    return { ...r, output: packWithOrder(r.output, input.lengths(), input.sortedIndices) };
  }

  /** Runs the layers; `state` is [h0] or [h0, c0], each [layers·dirs, B, H]. */
  protected run(
    x: Tensor,
    state: Tensor[] | null,
    lengths: readonly number[] | Tensor | null = null,
    timeMajor = false,
  ): { output: Tensor; h: Tensor; c: Tensor | null } {
    const name = this.constructor.name;
    const isLstm = this.mode === 'LSTM';
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new ShapeError(`${name}: expected 2-D (unbatched) or 3-D input, got ${formatShape(x.shape)}`);
    }
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: input ${formatShape(x.shape)} must end in inputSize ${this.inputSize}`);
    }
    const unbatched = x.ndim === 2;
    let seq = unbatched ? x.unsqueeze(1) : this.batchFirst && !timeMajor ? x.transpose(0, 1) : x;
    const T = seq.shape[0]!;
    const B = seq.shape[1]!;
    // Per step, bool [B, 1]: which sequences are still running.
    let masks: Tensor[] | null = null;
    if (lengths !== null) {
      const lens = checkLengths(name, lengths, B, T);
      masks = [];
      for (let t = 0; t < T; t++) {
        const m = Uint8Array.from(lens, (l) => (t < l ? 1 : 0));
        masks.push(tensor(m, { shape: [B, 1], dtype: 'bool', device: seq.device }));
      }
    }
    const H = this.hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const expected = [this.numLayers * dirs, B, H];
    const init = (state ?? []).map((s, i) => {
      const s3 = unbatched ? s.unsqueeze(1) : s;
      if (!sameShape(s3.shape, expected)) {
        const what = isLstm ? (i === 0 ? 'h0' : 'c0') : 'h0';
        const exp = unbatched ? [expected[0]!, H] : expected;
        throw new ShapeError(
          `${name}: ${what} must have shape ${formatShape(exp)}, got ${formatShape(s.shape)}`,
        );
      }
      return s3;
    });
    const zero = () => zeros([B, H], { dtype: seq.dtype, device: seq.device });
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const w = this.weights(layer, d === 1);
        const idx = layer * dirs + d;
        let h = init[0] ? init[0].narrow(0, idx, 1).squeeze(0) : zero();
        let c = isLstm ? (init[1] ? init[1].narrow(0, idx, 1).squeeze(0) : zero()) : null;
        const xw = linear(seq, w.wIh, w.bIh); // [T, B, G·H]
        const ys: Tensor[] = new Array(T);
        for (let s = 0; s < T; s++) {
          const t = d === 1 ? T - 1 - s : s;
          const [hn, cn] = step(this.mode, xw.narrow(0, t, 1).squeeze(0), h, c, w);
          const m = masks?.[t];
          if (m) {
            // Past its length a sequence keeps its state (so the reverse pass starts at its
            // last step) and outputs zeros.
            h = where(m, hn, h);
            c = c && cn ? where(m, cn, c) : cn;
            ys[t] = where(m, hn, 0);
          } else {
            [h, c] = [hn, cn];
            ys[t] = h;
          }
        }
        outs.push(T > 0 ? stack(ys, 0) : zeros([0, B, H], { dtype: seq.dtype, device: seq.device }));
        hN.push(h);
        if (c) cN.push(c);
      }
      seq = dirs === 1 ? outs[0]! : cat(outs, 2);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) {
        seq = dropoutFn(seq, { p: this.dropout });
      }
    }
    let output = seq;
    let hOut = stack(hN, 0);
    let cOut = isLstm ? stack(cN, 0) : null;
    if (unbatched) {
      output = output.squeeze(1);
      hOut = hOut.squeeze(1);
      cOut = cOut?.squeeze(1) ?? null;
    } else if (this.batchFirst && !timeMajor) {
      output = output.transpose(0, 1);
    }
    return { output, h: hOut, c: cOut };
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (this.mode === 'RNN_RELU') parts.push(`nonlinearity='relu'`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    return parts.join(', ');
  }
}

/**
 * Elman RNN: hₜ = tanh(xₜ·W_ihᵀ + b_ih + hₜ₋₁·W_hhᵀ + b_hh) (or relu).
 * `forward(x, h0?)` returns `[output, hN]`.
 *
 * @example
 * ```ts
 * const rnn = new RNN(4, 8, { batchFirst: true });
 * const [out, hN] = rnn.forward(randn([2, 5, 4])); // out [2, 5, 8], hN [1, 2, 8]
 * ```
 */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: SimpleRNNOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new ValueError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${nl}'`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
  }
  /**
   * `x` [T, B, inputSize] ([B, T, inputSize] with batchFirst; [T, inputSize] unbatched) or a
   * {@link PackedSequence}; `h0` [layers·dirs, B, H]. Returns `[output, hN]`: output
   * [T, B, dirs·H] (or packed like the input), hN [layers·dirs, B, H].
   *
   * @param x - [T, B, inputSize] ([B, T, inputSize] with `batchFirst`, [T, inputSize]
   *   unbatched)
   * @param h0 - [layers·dirs, B, H] ([layers·dirs, H] unbatched), zeros when omitted; dirs is
   *   2 when bidirectional, H = hiddenSize
   * @param opts - `lengths`: the true length of each sequence of a padded batch
   * @returns [output, hN] — output [T, B, dirs·H] ([B, T, dirs·H] with `batchFirst`), the last
   *   layer's h at every step; hN [layers·dirs, B, H], every layer's h after the last step
   * @example
   * ```ts
   * const [out, hN] = rnn.forward(padded, null, { lengths: [5, 3] });
   * ```
   */
  override forward(x: Tensor, h0?: Tensor | null, opts?: RNNForwardOptions): [Tensor, Tensor];
  /**
   * @param x - a {@link PackedSequence} of B sequences of inputSize features (see
   *   {@link packPaddedSequence})
   * @param h0 - [layers·dirs, B, H], zeros when omitted
   * @returns [output, hN] — output packed like x with dirs·H features, hN [layers·dirs, B, H]
   */
  override forward(x: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  override forward(
    x: Tensor | PackedSequence,
    h0?: Tensor | null,
    opts: RNNForwardOptions = {},
  ): [Tensor | PackedSequence, Tensor] {
    const r = this.runAny(x, h0 ? [h0] : null, opts);
    return [r.output, r.h];
  }
}

/**
 * Long short-term memory with PyTorch's gate order (input, forget, cell, output).
 * `forward(x, [h0, c0]?)` returns `[output, [hN, cN]]`.
 *
 * @example
 * ```ts
 * const lstm = new LSTM(4, 8, { numLayers: 2, bidirectional: true });
 * const [out, [h, c]] = lstm.forward(randn([5, 2, 4])); // out [5, 2, 16]
 * ```
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }
  /**
   * `x` [T, B, inputSize] ([B, T, inputSize] with batchFirst; [T, inputSize] unbatched) or a
   * {@link PackedSequence}; `state` [h0, c0], each [layers·dirs, B, H]. Returns
   * `[output, [hN, cN]]`: output [T, B, dirs·H] (or packed like the input).
   *
   * @param x - [T, B, inputSize] ([B, T, inputSize] with `batchFirst`, [T, inputSize]
   *   unbatched)
   * @param state - [h0, c0], each [layers·dirs, B, H] ([layers·dirs, H] unbatched), zeros when
   *   omitted; dirs is 2 when bidirectional, H = hiddenSize
   * @param opts - `lengths`: the true length of each sequence of a padded batch
   * @returns [output, [hN, cN]]: output [T, B, dirs·H] ([B, T, dirs·H] with `batchFirst`), the
   *   last layer's h at every step; hN and cN [layers·dirs, B, H] after the last step
   * @example
   * ```ts
   * const [out, [h, c]] = lstm.forward(packPaddedSequence(padded, [5, 3]));
   * ```
   */
  override forward(
    x: Tensor,
    state?: [Tensor, Tensor] | null,
    opts?: RNNForwardOptions,
  ): [Tensor, [Tensor, Tensor]];
  /**
   * @param x - a {@link PackedSequence} of B sequences of inputSize features (see
   *   {@link packPaddedSequence})
   * @param state - [h0, c0], each [layers·dirs, B, H], zeros when omitted
   * @returns [output, [hN, cN]]: output packed like x with dirs·H features, hN and cN
   *   [layers·dirs, B, H]
   */
  override forward(x: PackedSequence, state?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(
    x: Tensor | PackedSequence,
    state?: [Tensor, Tensor] | null,
    opts: RNNForwardOptions = {},
  ): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const r = this.runAny(x, state ? [state[0], state[1]] : null, opts);
    return [r.output, [r.h, r.c!]];
  }
}

/**
 * Gated recurrent unit with PyTorch's gate order (reset, update, new) and
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). `forward(x, h0?)` returns `[output, hN]`.
 *
 * @example
 * ```ts
 * const gru = new GRU(4, 8);
 * const [out, hN] = gru.forward(randn([5, 2, 4]));
 * ```
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }
  /**
   * `x` [T, B, inputSize] ([B, T, inputSize] with batchFirst; [T, inputSize] unbatched) or a
   * {@link PackedSequence}; `h0` [layers·dirs, B, H]. Returns `[output, hN]`: output
   * [T, B, dirs·H] (or packed like the input), hN [layers·dirs, B, H].
   *
   * @param x - [T, B, inputSize] ([B, T, inputSize] with `batchFirst`, [T, inputSize]
   *   unbatched)
   * @param h0 - [layers·dirs, B, H] ([layers·dirs, H] unbatched), zeros when omitted; dirs is
   *   2 when bidirectional, H = hiddenSize
   * @param opts - `lengths`: the true length of each sequence of a padded batch
   * @returns [output, hN] — output [T, B, dirs·H] ([B, T, dirs·H] with `batchFirst`), the last
   *   layer's h at every step; hN [layers·dirs, B, H], every layer's h after the last step
   * @example
   * ```ts
   * const [out, hN] = rnn.forward(padded, null, { lengths: [5, 3] });
   * ```
   */
  override forward(x: Tensor, h0?: Tensor | null, opts?: RNNForwardOptions): [Tensor, Tensor];
  /**
   * @param x - a {@link PackedSequence} of B sequences of inputSize features (see
   *   {@link packPaddedSequence})
   * @param h0 - [layers·dirs, B, H], zeros when omitted
   * @returns [output, hN] — output packed like x with dirs·H features, hN [layers·dirs, B, H]
   */
  override forward(x: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  override forward(
    x: Tensor | PackedSequence,
    h0?: Tensor | null,
    opts: RNNForwardOptions = {},
  ): [Tensor | PackedSequence, Tensor] {
    const r = this.runAny(x, h0 ? [h0] : null, opts);
    return [r.output, r.h];
  }
}

/** Options of the cells. */
export interface CellOptions {
  /** Biases b_ih and b_hh (true). */
  bias?: boolean;
}

class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(
    readonly mode: Mode,
    inputSize: number,
    hiddenSize: number,
    opts: CellOptions,
  ) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const G = GATES[mode] * hiddenSize;
    this.weight_ih = new Parameter(zeros([G, inputSize]));
    this.weight_hh = new Parameter(zeros([G, hiddenSize]));
    const bias = opts.bias ?? true;
    this.bias_ih = bias ? new Parameter(zeros([G])) : null;
    this.bias_hh = bias ? new Parameter(zeros([G])) : null;
    const k = hiddenSize > 0 ? 1 / Math.sqrt(hiddenSize) : 0;
    for (const p of this.parameters()) uniform_(p, -k, k);
  }

  protected cell(x: Tensor, h: Tensor | null, c: Tensor | null): [Tensor, Tensor | null] {
    const name = this.constructor.name;
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(
        `${name}: expected input [B, ${this.inputSize}] or [${this.inputSize}], got ${formatShape(x.shape)}`,
      );
    }
    const unbatched = x.ndim === 1;
    const xb = unbatched ? x.unsqueeze(0) : x;
    const B = xb.shape[0]!;
    const fix = (s: Tensor | null, what: string): Tensor => {
      if (s === null) return zeros([B, this.hiddenSize], { dtype: x.dtype, device: x.device });
      const sb = unbatched ? s.unsqueeze(0) : s;
      if (sb.ndim !== 2 || sb.shape[0] !== B || sb.shape[1] !== this.hiddenSize) {
        throw new ShapeError(
          `${name}: ${what} must have shape ${formatShape(unbatched ? [this.hiddenSize] : [B, this.hiddenSize])}, got ${formatShape(s.shape)}`,
        );
      }
      return sb;
    };
    const w = { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh };
    const [h2, c2] = step(
      this.mode,
      linear(xb, this.weight_ih, this.bias_ih),
      fix(h, 'h'),
      this.mode === 'LSTM' ? fix(c, 'c') : null,
      w,
    );
    return unbatched ? [h2.squeeze(0), c2?.squeeze(0) ?? null] : [h2, c2];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? '' : ', bias=false'}`;
  }
}

/**
 * One step of an Elman RNN: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
 *
 * @example
 * ```ts
 * const cell = new RNNCell(4, 8);
 * let h = cell.forward(randn([2, 4]));
 * h = cell.forward(randn([2, 4]), h);
 * ```
 */
export class RNNCell extends CellBase {
  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: CellOptions & { nonlinearity?: 'tanh' | 'relu' } = {},
  ) {
    super(opts.nonlinearity === 'relu' ? 'RNN_RELU' : 'RNN_TANH', inputSize, hiddenSize, opts);
  }
  /**
   * @param x - [B, inputSize], or [inputSize] for one sample
   * @param h - [B, hiddenSize] (or [hiddenSize]), zeros when omitted
   * @returns h' [B, hiddenSize] (or [hiddenSize])
   */
  override forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, h ?? null, null)[0];
  }
}

/**
 * One LSTM step; `forward(x, [h, c]?)` returns `[h', c']`.
 *
 * @example
 * ```ts
 * const cell = new LSTMCell(4, 8);
 * const [h, c] = cell.forward(randn([2, 4]));
 * ```
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }
  /**
   * @param x - [B, inputSize], or [inputSize] for one sample
   * @param state - [h, c], each [B, hiddenSize] (or [hiddenSize]), zeros when omitted
   * @returns [h', c'], each [B, hiddenSize] (or [hiddenSize])
   */
  override forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [h, c] = this.cell(x, state?.[0] ?? null, state?.[1] ?? null);
    return [h, c!];
  }
}

/**
 * One GRU step; `forward(x, h?)` returns h'.
 *
 * @example
 * ```ts
 * const cell = new GRUCell(4, 8);
 * const h = cell.forward(randn([2, 4]));
 * ```
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }
  /**
   * @param x - [B, inputSize], or [inputSize] for one sample
   * @param h - [B, hiddenSize] (or [hiddenSize]), zeros when omitted
   * @returns h' [B, hiddenSize] (or [hiddenSize])
   */
  override forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, h ?? null, null)[0];
  }
}
