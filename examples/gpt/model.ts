/**
 * A tiny GPT over characters: token and position embeddings, a stack of pre-norm causal
 * self-attention blocks (`TransformerEncoderLayer` with `normFirst`, GELU and `isCausal`), a
 * final `LayerNorm` and a `Linear` head giving the next character's logits at every position.
 */
import { arange, dispose, noGrad, type Tensor, tensor, tidy } from '@tsgrad/core';
import { Embedding, LayerNorm, Linear, Module, ModuleList, TransformerEncoderLayer } from '@tsgrad/nn';
import { type SamplingOptions, sampleNext } from '../shared/sample.js';

/** The sizes of a {@link TinyGPT}. */
export interface GptSize {
  /** The longest context, in characters (the position embedding's rows). */
  contextLen: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Attention heads per block (dModel must divide by it). */
  numHeads: number;
  /** Transformer blocks. */
  numLayers: number;
  /** Dropout in the blocks, in training. */
  dropout: number;
}

/** Embeddings → blocks → LayerNorm → Linear over `vocabSize` characters. */
export class TinyGPT extends Module {
  tokEmb: Embedding;
  posEmb: Embedding;
  blocks: ModuleList<TransformerEncoderLayer>;
  lnF: LayerNorm;
  head: Linear;
  readonly contextLen: number;

  constructor(
    readonly vocabSize: number,
    size: GptSize,
  ) {
    super();
    this.contextLen = size.contextLen;
    this.tokEmb = new Embedding(vocabSize, size.dModel);
    this.posEmb = new Embedding(size.contextLen, size.dModel);
    this.blocks = new ModuleList(
      Array.from(
        { length: size.numLayers },
        () =>
          new TransformerEncoderLayer(size.dModel, size.numHeads, {
            dimFeedforward: 4 * size.dModel,
            dropout: size.dropout,
            // GPT-2's GELU: the tanh approximation.
            activation: (x) => x.gelu('tanh'),
            batchFirst: true,
            normFirst: true,
          }),
      ),
    );
    this.lnF = new LayerNorm([size.dModel]);
    this.head = new Linear(size.dModel, vocabSize);
  }

  /** The residual stream [B, T, dModel] entering block `upTo` (all blocks: the last one's output). */
  private stream(ids: Tensor, upTo = this.blocks.length): Tensor {
    const T = ids.shape[1]!;
    if (T > this.contextLen) {
      throw new RangeError(`TinyGPT: ${T} characters exceed the context of ${this.contextLen}`);
    }
    const pos = arange(T, undefined, 1, { dtype: 'int32', device: ids.device });
    let x = this.tokEmb.forward(ids).add(this.posEmb.forward(pos));
    for (let i = 0; i < upTo; i++) x = this.blocks.at(i).forward(x, { isCausal: true });
    return x;
  }

  /** Logits [B, T, vocab] for the character after each of `ids` [B, T] (T ≤ contextLen). */
  override forward(ids: Tensor): Tensor {
    return this.head.forward(this.lnF.forward(this.stream(ids)));
  }

  /** The attention weights [heads, T, T] of block `layer` while reading `ids` [1, T]. */
  attentionWeights(ids: Tensor, layer: number): Tensor {
    if (!(layer >= 0 && layer < this.blocks.length)) {
      throw new RangeError(`TinyGPT: there is no block ${layer} (it has ${this.blocks.length})`);
    }
    return noGrad(() =>
      tidy(() => {
        const block = this.blocks.at(layer);
        const x = block.norm1.forward(this.stream(ids, layer));
        const [, w] = block.self_attn.forward(x, x, x, { isCausal: true, averageAttnWeights: false });
        return w!.squeeze(0);
      }),
    );
  }

  /**
   * Reads `prompt` (at least one character) and then writes `length` characters, each drawn
   * from the prediction given the last `contextLen` characters; returns the written ones.
   */
  async generate(prompt: Int32Array, length: number, sampling: SamplingOptions): Promise<Int32Array> {
    if (prompt.length === 0) throw new RangeError('generate: the prompt needs at least one character');
    const device = this.tokEmb.weight.device;
    const wasTraining = this.training;
    this.eval();
    const text = Int32Array.from([...prompt, ...new Array<number>(length).fill(0)]);
    for (let i = prompt.length; i < text.length; i++) {
      const window = text.subarray(Math.max(0, i - this.contextLen), i);
      const ids = tensor(window, { shape: [1, window.length], dtype: 'int32', device });
      const next = noGrad(() =>
        tidy(() => {
          const logits = this.forward(ids);
          return sampleNext(logits.narrow(1, window.length - 1, 1).squeeze(1), sampling);
        }),
      );
      text[i] = await next.item();
      dispose([ids, next]);
    }
    this.train(wasTraining);
    return text.slice(prompt.length);
  }
}
