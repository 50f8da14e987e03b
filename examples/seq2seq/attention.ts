/**
 * Attention: at every output step the decoder looks back at all the encoder's states and takes
 * a weighted average of them, the context, with weights it computes afresh for that step.
 *
 * Let h₁ … h_S be the encoder states (one per input token, size D) and s the decoder's state.
 * Every kind of attention does the same three things; only the score differs:
 *
 *   1. score   eₛ = score(s, hₛ)              how well input position s fits this step
 *   2. weights αₛ = exp(eₛ) / Σₖ exp(eₖ)       a softmax over the input positions
 *   3. context c  = Σₛ αₛ hₛ                   the weighted average of the encoder states
 *
 * Padding positions (a short input in a batch of longer ones) get the score −∞ before the
 * softmax, so exp(−∞) = 0: their weight is exactly zero and the others still sum to 1.
 *
 * The two scores here:
 *
 * - Bahdanau (additive; Bahdanau, Cho & Bengio 2015): eₛ = vᵀ tanh(W₁ hₛ + W₂ s), a one-hidden-
 *   layer network on the pair. W₁ hₛ does not depend on the decoder, so it is computed once
 *   per batch ({@link Attention.memory}), not once per output step.
 * - Luong (multiplicative; Luong, Pham & Manning 2015): eₛ = sᵀ W hₛ ('general') or sᵀ hₛ
 *   ('dot', no parameters; s and hₛ must then have the same size). Written as (Wᵀ s)ᵀ hₛ it costs
 *   one small matrix product per step.
 *
 * `@tsgrad/nn` has the same two layers (`BahdanauAttention`, `LuongAttention`); these are
 * written out here to be read.
 */
import { type Tensor, ValueError, where } from '@tsgrad/core';
import { Linear, Module } from '@tsgrad/nn';

/** The encoder's side of attention, prepared once per batch and read at every output step. */
export interface Memory {
  /** The encoder states h₁ … h_S: [B, S, D]. */
  states: Tensor;
  /** What the score needs from the states: W₁ hₛ for Bahdanau, hₛ itself for Luong. [B, S, ·] */
  keys: Tensor;
  /** Bool [B, S]: true at padding, which gets no attention. */
  padding: Tensor;
}

/** What both kinds share: the masked softmax and the weighted average (steps 2 and 3). */
export abstract class Attention extends Module {
  /** The part of the score that depends on the encoder states only. */
  protected abstract keys(states: Tensor): Tensor;
  /** The scores eₛ of decoder states `query` [B, Dq] against `keys`: [B, S]. */
  protected abstract score(query: Tensor, keys: Tensor): Tensor;

  /** Prepares the encoder states for the decoder's steps. */
  memory(states: Tensor, padding: Tensor): Memory {
    return { states, keys: this.keys(states), padding };
  }

  /** Returns the context [B, D] for decoder states `query` [B, Dq], and the weights α [B, S]. */
  override forward(query: Tensor, memory: Memory): [Tensor, Tensor] {
    const e = this.score(query, memory.keys); // [B, S]
    const alpha = where(memory.padding, -Infinity, e).softmax(-1); // [B, S], rows sum to 1
    // Σₛ αₛ hₛ as a batched product: [B, 1, S] · [B, S, D] = [B, 1, D].
    const context = alpha.unsqueeze(1).matmul(memory.states).squeeze(1);
    return [context, alpha];
  }
}

/** Additive attention: eₛ = vᵀ tanh(W₁ hₛ + W₂ s). */
export class BahdanauAttention extends Attention {
  readonly W1: Linear;
  readonly W2: Linear;
  readonly v: Linear;

  /**
   * @param queryDim - the size of the decoder state s
   * @param stateDim - the size of an encoder state hₛ
   * @param hiddenDim - the size of the hidden layer (the rows of W₁ and W₂, the length of v)
   */
  constructor(queryDim: number, stateDim: number, hiddenDim: number) {
    super();
    this.W1 = new Linear(stateDim, hiddenDim, { bias: false });
    this.W2 = new Linear(queryDim, hiddenDim); // its bias is the hidden layer's bias
    this.v = new Linear(hiddenDim, 1, { bias: false });
  }

  protected keys(states: Tensor): Tensor {
    return this.W1.forward(states); // W₁ hₛ for every s: [B, S, hidden]
  }

  protected score(query: Tensor, keys: Tensor): Tensor {
    const Ws = this.W2.forward(query).unsqueeze(1); // W₂ s: [B, 1, hidden], added to every position
    return this.v.forward(keys.add(Ws).tanh()).squeeze(-1); // vᵀ tanh(W₁ hₛ + W₂ s): [B, S]
  }
}

/** Multiplicative attention: eₛ = sᵀ W hₛ ('general') or sᵀ hₛ ('dot'). */
export class LuongAttention extends Attention {
  /** W as a layer: `W.forward(s)` is W s. It is null for 'dot'. */
  readonly W: Linear | null;

  /**
   * @param queryDim - the size of the decoder state s
   * @param stateDim - the size of an encoder state hₛ (equal to queryDim for 'dot')
   * @param method - 'general' (sᵀ W hₛ, the default) or 'dot' (sᵀ hₛ)
   */
  constructor(
    queryDim: number,
    stateDim: number,
    readonly method: 'general' | 'dot' = 'general',
  ) {
    super();
    if (method === 'dot' && queryDim !== stateDim) {
      throw new ValueError(`LuongAttention: 'dot' needs equal sizes, got s ${queryDim} and h ${stateDim}`);
    }
    // W maps an encoder state into the decoder's space, so W.weight is [queryDim, stateDim].
    this.W = method === 'general' ? new Linear(stateDim, queryDim, { bias: false }) : null;
  }

  protected keys(states: Tensor): Tensor {
    return states;
  }

  protected score(query: Tensor, keys: Tensor): Tensor {
    // sᵀ W hₛ = (Wᵀ s) · hₛ: map s once instead of every hₛ.
    const q = this.W === null ? query : query.matmul(this.W.weight); // [B, stateDim]
    return keys.matmul(q.unsqueeze(2)).squeeze(2); // [B, S, D] · [B, D, 1] → [B, S]
  }
}
