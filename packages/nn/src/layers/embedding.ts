/**
 * `Embedding`: a lookup table of learned vectors.
 */
import { type IndexLike, noGrad, type Tensor, ValueError, zeros } from '@tsgrad/core';
import { checkSize } from '../checks.js';
import { embedding } from '../functional.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of {@link Embedding}. */
export interface EmbeddingModuleOptions {
  /** This row starts at zero and gets no gradient (padding tokens). */
  paddingIdx?: number | null;
}

/**
 * Maps int32 indices to rows of a [numEmbeddings, embeddingDim] weight, initialised N(0, 1).
 *
 * @example
 * ```ts
 * const emb = new Embedding(1000, 64, { paddingIdx: 0 });
 * emb.forward(tensor([[1, 5, 0]], { dtype: 'int32' })).shape; // [1, 3, 64]
 * ```
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingModuleOptions = {}) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (pad >= numEmbeddings || pad < -numEmbeddings) {
        throw new ValueError(`Embedding: paddingIdx ${pad} is out of range for ${numEmbeddings} embeddings`);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim]));
    normal_(this.weight);
    if (pad !== null) noGrad(() => this.weight.narrow(0, pad, 1).zero_());
  }

  /**
   * @param indices - int32 indices of any shape [*] (e.g. [N, T] token ids), each in
   *   [0, numEmbeddings)
   * @returns [*, embeddingDim] — the row of `weight` for each index
   */
  override forward(indices: IndexLike): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
