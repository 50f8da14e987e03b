/**
 * The encoder-decoder `Transformer` and its blocks with PyTorch's submodule names (`self_attn`, `linear1`, `norm1` …) and
 * defaults (dimFeedforward 2048, dropout 0.1, relu, layerNormEps 1e-5, post-norm), and the
 * sinusoidal positional encoding of "Attention Is All You Need".
 */
import {
  type Device,
  type DType,
  formatShape,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
} from '@tsgrad/core';
import { ModuleList } from '../containers.js';
import { xavierUniform_ } from '../init.js';
import { cloneModule, Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';

/** Options of the transformer layers. */
export interface TransformerLayerOptions {
  /** Width of the feed-forward block (2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (0.1). */
  dropout?: number;
  /** Feed-forward activation ('relu'). */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  /** LayerNorm epsilon (1e-5). */
  layerNormEps?: number;
  /** [batch, seq, feature] tensors (false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Pre-norm: normalise before attention and feed-forward instead of after (false). */
  normFirst?: boolean;
  /** Biases in the linear layers and layer norms (true). */
  bias?: boolean;
}

function activationFn(a: TransformerLayerOptions['activation']): (x: Tensor) => Tensor {
  if (a === undefined || a === 'relu') return (x) => x.relu();
  if (a === 'gelu') return (x) => x.gelu();
  if (typeof a === 'function') return a;
  throw new ValueError(`Transformer: activation must be 'relu', 'gelu' or a function, got '${String(a)}'`);
}

/** Options of {@link TransformerEncoderLayer.forward}. */
export interface EncoderForwardOptions {
  /** Attention mask [L, L] (bool: true = not allowed, or additive float). */
  srcMask?: Tensor | null;
  /** Bool [N, L], true at padding positions. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (used when `srcMask` is not given). */
  isCausal?: boolean;
}

/**
 * Self-attention then a feed-forward block, each with a residual connection and LayerNorm
 * (after, or before with `normFirst`).
 *
 * @example
 * ```ts
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.forward(randn([2, 10, 32])).shape; // [2, 10, 32]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const ff = opts.dimFeedforward ?? 2048;
    const p = opts.dropout ?? 0.1;
    const bias = opts.bias ?? true;
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, {
      dropout: p,
      bias,
      batchFirst: opts.batchFirst ?? false,
    });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm([dModel], { eps, bias });
    this.norm2 = new LayerNorm([dModel], { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activationFn(opts.activation);
  }

  private sa(x: Tensor, opts: EncoderForwardOptions): Tensor {
    const [y] = this.self_attn.forward(x, x, x, {
      attnMask: opts.srcMask ?? null,
      keyPaddingMask: opts.srcKeyPaddingMask ?? null,
      isCausal: opts.isCausal ?? false,
      needWeights: false,
    });
    return this.dropout1.forward(y);
  }

  private ff(x: Tensor): Tensor {
    const h = this.dropout.forward(this.activation(this.linear1.forward(x)));
    return this.dropout2.forward(this.linear2.forward(h));
  }

  /**
   * @param src - [L, N, dModel] ([N, L, dModel] with `batchFirst`, [L, dModel] unbatched)
   * @param opts - `srcMask` [L, L], `srcKeyPaddingMask` [N, L], `isCausal`
   * @returns [L, N, dModel], src's shape
   */
  override forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    let x = src;
    if (this.normFirst) {
      x = x.add(this.sa(this.norm1.forward(x), opts));
      return x.add(this.ff(this.norm2.forward(x)));
    }
    x = this.norm1.forward(x.add(this.sa(x, opts)));
    return this.norm2.forward(x.add(this.ff(x)));
  }
}

/** Options of {@link TransformerDecoderLayer.forward}. */
export interface DecoderForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

/**
 * Self-attention over the target, cross-attention to the encoder's memory, then a
 * feed-forward block; residuals and LayerNorms as in PyTorch.
 *
 * @example
 * ```ts
 * const layer = new TransformerDecoderLayer(32, 4, { batchFirst: true });
 * layer.forward(tgt, memory, { tgtIsCausal: true });
 * ```
 */
export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly activation: (x: Tensor) => Tensor;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const ff = opts.dimFeedforward ?? 2048;
    const p = opts.dropout ?? 0.1;
    const bias = opts.bias ?? true;
    const eps = opts.layerNormEps ?? 1e-5;
    const bf = opts.batchFirst ?? false;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: bf });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: bf });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm([dModel], { eps, bias });
    this.norm2 = new LayerNorm([dModel], { eps, bias });
    this.norm3 = new LayerNorm([dModel], { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activationFn(opts.activation);
  }

  private sa(x: Tensor, o: DecoderForwardOptions): Tensor {
    const [y] = this.self_attn.forward(x, x, x, {
      attnMask: o.tgtMask ?? null,
      keyPaddingMask: o.tgtKeyPaddingMask ?? null,
      isCausal: o.tgtIsCausal ?? false,
      needWeights: false,
    });
    return this.dropout1.forward(y);
  }

  private mha(x: Tensor, mem: Tensor, o: DecoderForwardOptions): Tensor {
    const [y] = this.multihead_attn.forward(x, mem, mem, {
      attnMask: o.memoryMask ?? null,
      keyPaddingMask: o.memoryKeyPaddingMask ?? null,
      isCausal: o.memoryIsCausal ?? false,
      needWeights: false,
    });
    return this.dropout2.forward(y);
  }

  private ff(x: Tensor): Tensor {
    const h = this.dropout.forward(this.activation(this.linear1.forward(x)));
    return this.dropout3.forward(this.linear2.forward(h));
  }

  /**
   * @param tgt - [T, N, dModel] ([N, T, dModel] with `batchFirst`, [T, dModel] unbatched)
   * @param memory - [S, N, dModel] — the encoder's output ([N, S, dModel] with `batchFirst`,
   *   [S, dModel] unbatched)
   * @param opts - masks: `tgtMask` [T, T], `memoryMask` [T, S], `tgtKeyPaddingMask` [N, T],
   *   `memoryKeyPaddingMask` [N, S], `tgtIsCausal`, `memoryIsCausal`
   * @returns [T, N, dModel], tgt's shape
   */
  override forward(tgt: Tensor, memory: Tensor, opts: DecoderForwardOptions = {}): Tensor {
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.sa(this.norm1.forward(x), opts));
      x = x.add(this.mha(this.norm2.forward(x), memory, opts));
      return x.add(this.ff(this.norm3.forward(x)));
    }
    x = this.norm1.forward(x.add(this.sa(x, opts)));
    x = this.norm2.forward(x.add(this.mha(x, memory, opts)));
    return this.norm3.forward(x.add(this.ff(x)));
  }
}

/**
 * A stack of `numLayers` copies of an encoder layer (deep copies, as PyTorch makes them:
 * same initial weights), named `layers.0`, `layers.1` …, with an optional final norm.
 *
 * @example
 * ```ts
 * const enc = new TransformerEncoder(new TransformerEncoderLayer(32, 4, { batchFirst: true }), 2);
 * enc.forward(randn([2, 10, 32]), { isCausal: true });
 * ```
 */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  readonly numLayers: number;
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    if (!Number.isInteger(numLayers) || numLayers < 1) {
      throw new ValueError(`TransformerEncoder: numLayers must be a positive integer, got ${numLayers}`);
    }
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(encoderLayer)));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /**
   * @param src - [L, N, dModel] ([N, L, dModel] with `batchFirst`, [L, dModel] unbatched)
   * @param opts - `srcMask` [L, L], `srcKeyPaddingMask` [N, L], `isCausal`
   * @returns [L, N, dModel], src's shape
   */
  override forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/**
 * A stack of decoder layers (deep copies), named `layers.0` …, with an optional final norm.
 *
 * @example
 * ```ts
 * const dec = new TransformerDecoder(new TransformerDecoderLayer(32, 4), 2);
 * dec.forward(tgt, memory, { tgtIsCausal: true });
 * ```
 */
export class TransformerDecoder extends Module {
  layers: ModuleList<TransformerDecoderLayer>;
  readonly numLayers: number;
  norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    if (!Number.isInteger(numLayers) || numLayers < 1) {
      throw new ValueError(`TransformerDecoder: numLayers must be a positive integer, got ${numLayers}`);
    }
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(decoderLayer)));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /**
   * @param tgt - [T, N, dModel] ([N, T, dModel] with `batchFirst`, [T, dModel] unbatched)
   * @param memory - [S, N, dModel] — the encoder's output ([N, S, dModel] with `batchFirst`,
   *   [S, dModel] unbatched)
   * @param opts - masks: `tgtMask` [T, T], `memoryMask` [T, S], `tgtKeyPaddingMask` [N, T],
   *   `memoryKeyPaddingMask` [N, S], `tgtIsCausal`, `memoryIsCausal`
   * @returns [T, N, dModel], tgt's shape
   */
  override forward(tgt: Tensor, memory: Tensor, opts: DecoderForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** Options of {@link PositionalEncoding}. */
export interface PositionalEncodingOptions {
  /** Longest sequence (5000). */
  maxLen?: number;
  /** Dropout after adding the encoding (0.1). */
  dropout?: number;
  /** Input is [batch, seq, dModel] (false: [seq, batch, dModel]). */
  batchFirst?: boolean;
}

/**
 * Adds the sinusoidal encoding PE(pos, 2i) = sin(pos / 10000^(2i/d)),
 * PE(pos, 2i+1) = cos(…), then dropout. The table is a buffer named `pe` ([maxLen, dModel]).
 *
 * @example
 * ```ts
 * const pe = new PositionalEncoding(32, { batchFirst: true });
 * pe.forward(randn([2, 10, 32]));
 * ```
 */
export class PositionalEncoding extends Module {
  dropout: Dropout;
  declare pe: Tensor;
  readonly batchFirst: boolean;

  constructor(
    readonly dModel: number,
    opts: PositionalEncodingOptions = {},
  ) {
    super();
    const maxLen = opts.maxLen ?? 5000;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = new Dropout(opts.dropout ?? 0.1);
    const data = new Float32Array(maxLen * dModel);
    for (let pos = 0; pos < maxLen; pos++) {
      for (let i = 0; i < dModel; i += 2) {
        const angle = pos * Math.exp((-i * Math.log(10000)) / dModel);
        data[pos * dModel + i] = Math.sin(angle);
        if (i + 1 < dModel) data[pos * dModel + i + 1] = Math.cos(angle);
      }
    }
    this.registerBuffer('pe', tensor(data, { shape: [maxLen, dModel] }));
  }

  /**
   * @param x - [L, N, dModel] ([N, L, dModel] with `batchFirst`), L ≤ maxLen
   * @returns [L, N, dModel], x's shape: x plus the encoding of each position, then dropout
   */
  override forward(x: Tensor): Tensor {
    const L = x.shape[this.batchFirst ? 1 : 0];
    if (x.ndim !== 3 || x.shape[2] !== this.dModel || L === undefined || L > this.pe.shape[0]!) {
      throw new ShapeError(
        `PositionalEncoding: expected ${this.batchFirst ? '[N, L, ' : '[L, N, '}${this.dModel}] with L ≤ ${this.pe.shape[0]}, got ${formatShape(x.shape)}`,
      );
    }
    const pe = this.pe.narrow(0, 0, L);
    return this.dropout.forward(x.add(this.batchFirst ? pe.unsqueeze(0) : pe.unsqueeze(1)));
  }
}

/** Options of {@link Transformer}. */
export interface TransformerOptions extends TransformerLayerOptions {
  /** Model width (512). */
  dModel?: number;
  /** Attention heads (8). */
  nhead?: number;
  /** Encoder layers (6). */
  numEncoderLayers?: number;
  /** Decoder layers (6). */
  numDecoderLayers?: number;
  /** Use this encoder instead of building one. */
  customEncoder?: Module | null;
  /** Use this decoder instead of building one. */
  customDecoder?: Module | null;
}

/** Options of {@link Transformer.forward}. */
export interface TransformerForwardOptions {
  /** Encoder self-attention mask [S, S] (bool: true = not allowed, or additive float). */
  srcMask?: Tensor | null;
  /** Decoder self-attention mask [T, T], e.g. {@link Transformer.generateSquareSubsequentMask}. */
  tgtMask?: Tensor | null;
  /** Decoder-to-memory attention mask [T, S]. */
  memoryMask?: Tensor | null;
  /** Bool [N, S], true at padding positions of the source. */
  srcKeyPaddingMask?: Tensor | null;
  /** Bool [N, T], true at padding positions of the target. */
  tgtKeyPaddingMask?: Tensor | null;
  /** Bool [N, S], true at memory positions to ignore (usually the source's padding). */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal encoder self-attention (used when `srcMask` is not given). */
  srcIsCausal?: boolean;
  /** Causal decoder self-attention (used when `tgtMask` is not given). */
  tgtIsCausal?: boolean;
  /** Causal decoder-to-memory attention (used when `memoryMask` is not given). */
  memoryIsCausal?: boolean;
}

/**
 * The encoder-decoder transformer of "Attention Is All You Need" with PyTorch's constructor
 * options, defaults (dModel 512, nhead 8, 6 + 6 layers, dimFeedforward 2048, dropout 0.1,
 * relu, post-norm, [seq, batch, feature] tensors) and parameter names (`encoder.layers.0.…`,
 * `encoder.norm`, `decoder.layers.0.multihead_attn.…`, `decoder.norm`). Every weight matrix is
 * re-initialised xavier-uniform, as PyTorch does.
 *
 * @example
 * ```ts
 * const model = new Transformer({ dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true });
 * const tgtMask = Transformer.generateSquareSubsequentMask(7);
 * model.forward(randn([2, 9, 32]), randn([2, 7, 32]), { tgtMask }).shape; // [2, 7, 32]
 * ```
 */
export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(opts: TransformerOptions = {}) {
    super();
    const dModel = opts.dModel ?? 512;
    const nhead = opts.nhead ?? 8;
    const eps = opts.layerNormEps ?? 1e-5;
    const bias = opts.bias ?? true;
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = opts.batchFirst ?? false;
    this.encoder =
      opts.customEncoder ??
      new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, opts), opts.numEncoderLayers ?? 6, {
        norm: new LayerNorm([dModel], { eps, bias }),
      });
    this.decoder =
      opts.customDecoder ??
      new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, opts), opts.numDecoderLayers ?? 6, {
        norm: new LayerNorm([dModel], { eps, bias }),
      });
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  /**
   * Encodes `src` and decodes `tgt` against it. `src` is [S, N, dModel] and `tgt`
   * [T, N, dModel] ([N, S, dModel] and [N, T, dModel] with batchFirst; unbatched [S, dModel]
   * and [T, dModel] too); the output has the shape of `tgt`.
   *
   * @param src - [S, N, dModel] ([N, S, dModel] with `batchFirst`, [S, dModel] unbatched)
   * @param tgt - [T, N, dModel] ([N, T, dModel] with `batchFirst`, [T, dModel] unbatched)
   * @param opts - masks for the encoder, the decoder and between them (see
   *   {@link TransformerForwardOptions})
   * @returns [T, N, dModel], tgt's shape
   * @example
   * ```ts
   * const out = model.forward(src, tgt, { tgtMask: Transformer.generateSquareSubsequentMask(tgt.shape[0]) });
   * ```
   */
  override forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    const unbatched = src.ndim === 2;
    const bdim = this.batchFirst ? 0 : 1;
    if (src.ndim !== tgt.ndim || (src.ndim !== 2 && src.ndim !== 3)) {
      throw new ShapeError(
        `Transformer: src and tgt must both be 3-D (or both 2-D unbatched), got ${formatShape(src.shape)} and ${formatShape(tgt.shape)}`,
      );
    }
    if (!unbatched && src.shape[bdim] !== tgt.shape[bdim]) {
      throw new ShapeError(
        `Transformer: the batch sizes of src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} differ (batch dim ${bdim})`,
      );
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new ShapeError(
        `Transformer: src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} must end in dModel ${this.dModel}`,
      );
    }
    const memory = this.encoder.forward(src, {
      srcMask: opts.srcMask ?? null,
      srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null,
      isCausal: opts.srcIsCausal ?? false,
    }) as Tensor;
    return this.decoder.forward(tgt, memory, {
      tgtMask: opts.tgtMask ?? null,
      memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
      tgtIsCausal: opts.tgtIsCausal ?? false,
      memoryIsCausal: opts.memoryIsCausal ?? false,
    }) as Tensor;
  }

  /**
   * A float [n, n] causal mask: 0 on and below the diagonal, −∞ above (a position may attend
   * to itself and earlier ones), as PyTorch's.
   *
   * @example
   * ```ts
   * Transformer.generateSquareSubsequentMask(3); // [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
   * ```
   */
  static generateSquareSubsequentMask(n: number, opts: { dtype?: DType; device?: Device } = {}): Tensor {
    if (!Number.isInteger(n) || n < 0) {
      throw new ValueError(
        `Transformer.generateSquareSubsequentMask: n must be a non-negative integer, got ${n}`,
      );
    }
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[i * n + j] = Number.NEGATIVE_INFINITY;
    return tensor(data, { shape: [n, n], dtype: opts.dtype ?? 'float32', device: opts.device ?? 'cpu' });
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}${this.batchFirst ? ', batchFirst=true' : ''}`;
  }
}
