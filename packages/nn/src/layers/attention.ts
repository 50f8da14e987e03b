/**
 * Attention layers: additive (Bahdanau), multiplicative (Luong) and PyTorch's
 * `MultiheadAttention` with its `in_proj_weight` / `out_proj` layout.
 */
import { cat, formatShape, ShapeError, type Tensor, ValueError, where, zeros } from '@tsgrad/core';
import { attention, causalMask, linear } from '../functional.js';
import { constant_, xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear } from './linear.js';

/** Options of the forward of {@link BahdanauAttention} and {@link LuongAttention}. */
export interface SeqAttentionOptions {
  /** The values to average (defaults to the keys), [B, S, Dv]. */
  values?: Tensor;
  /** Bool [B, S]: true marks padding positions that get no attention. */
  keyPaddingMask?: Tensor | null;
}

function checkQK(name: string, query: Tensor, keys: Tensor, qDim: number, kDim: number): void {
  if (
    query.ndim !== 2 ||
    query.shape[1] !== qDim ||
    keys.ndim !== 3 ||
    keys.shape[2] !== kDim ||
    keys.shape[0] !== query.shape[0]
  ) {
    throw new ShapeError(
      `${name}: expected query [B, ${qDim}] and keys [B, S, ${kDim}], got ${formatShape(query.shape)} and ${formatShape(keys.shape)}`,
    );
  }
}

/** softmax over positions of [B, S] scores, masked; then the weighted sum of values. */
function attend(scores: Tensor, values: Tensor, mask: Tensor | null | undefined): [Tensor, Tensor] {
  const s = mask ? where(mask, -Infinity, scores) : scores;
  const w = s.softmax(-1);
  return [w.unsqueeze(1).matmul(values).squeeze(1), w];
}

/**
 * Additive attention (Bahdanau et al., 2015): score(q, kₛ) = vᵀ·tanh(W_q·q + W_k·kₛ).
 * `forward(query [B, Dq], keys [B, S, Dk], opts?)` returns `[context [B, Dv], weights [B, S]]`.
 *
 * @example
 * ```ts
 * const attn = new BahdanauAttention(16, 32, 24);
 * const [ctx, w] = attn.forward(decoderState, encoderOutputs);
 * ```
 */
export class BahdanauAttention extends Module {
  readonly queryProj: Linear;
  readonly keyProj: Linear;
  readonly v: Linear;

  constructor(
    readonly querySize: number,
    readonly keySize: number,
    readonly hiddenSize: number,
  ) {
    super();
    this.queryProj = new Linear(querySize, hiddenSize, { bias: false });
    this.keyProj = new Linear(keySize, hiddenSize);
    this.v = new Linear(hiddenSize, 1, { bias: false });
  }

  /**
   * @param query - [B, querySize] — the decoder's state
   * @param keys - [B, S, keySize] — the encoder's outputs, S positions
   * @param opts - `values` [B, S, Dv] (the keys by default) and `keyPaddingMask` [B, S]
   * @returns [context, weights] — context [B, Dv] (Dv = keySize without `values`), the
   *   weights [B, S] (each row summing to 1)
   */
  override forward(query: Tensor, keys: Tensor, opts: SeqAttentionOptions = {}): [Tensor, Tensor] {
    checkQK('BahdanauAttention', query, keys, this.querySize, this.keySize);
    const e = this.keyProj.forward(keys).add(this.queryProj.forward(query).unsqueeze(1)).tanh();
    const scores = this.v.forward(e).squeeze(-1);
    return attend(scores, opts.values ?? keys, opts.keyPaddingMask);
  }
}

/**
 * Multiplicative attention (Luong et al., 2015) with score 'dot' (kₛ·q), 'general'
 * (kₛ·W·q) or 'concat' (vᵀ·tanh(W·[q; kₛ])). `forward(query [B, H], keys [B, S, H], opts?)`
 * returns `[context, weights]`.
 *
 * @example
 * ```ts
 * const attn = new LuongAttention(32, 'general');
 * const [ctx, w] = attn.forward(h, encoderOutputs);
 * ```
 */
export class LuongAttention extends Module {
  readonly W: Linear | null;
  readonly v: Linear | null;

  constructor(
    readonly hiddenSize: number,
    readonly method: 'dot' | 'general' | 'concat' = 'dot',
  ) {
    super();
    if (!['dot', 'general', 'concat'].includes(method)) {
      throw new ValueError(`LuongAttention: method must be 'dot', 'general' or 'concat', got '${method}'`);
    }
    this.W =
      method === 'general'
        ? new Linear(hiddenSize, hiddenSize, { bias: false })
        : method === 'concat'
          ? new Linear(2 * hiddenSize, hiddenSize)
          : null;
    this.v = method === 'concat' ? new Linear(hiddenSize, 1, { bias: false }) : null;
  }

  /**
   * @param query - [B, hiddenSize] — the decoder's state
   * @param keys - [B, S, hiddenSize] — the encoder's outputs, S positions
   * @param opts - `values` [B, S, Dv] (the keys by default) and `keyPaddingMask` [B, S]
   * @returns [context, weights] — context [B, Dv] (Dv = hiddenSize without `values`), the
   *   weights [B, S] (each row summing to 1)
   */
  override forward(query: Tensor, keys: Tensor, opts: SeqAttentionOptions = {}): [Tensor, Tensor] {
    checkQK('LuongAttention', query, keys, this.hiddenSize, this.hiddenSize);
    let scores: Tensor;
    if (this.method === 'concat') {
      const S = keys.shape[1]!;
      const q = query.unsqueeze(1).expand([query.shape[0]!, S, this.hiddenSize]);
      scores = this.v!.forward(this.W!.forward(cat([q, keys], 2)).tanh()).squeeze(-1);
    } else {
      const q = this.method === 'general' ? this.W!.forward(query) : query;
      scores = keys.matmul(q.unsqueeze(2)).squeeze(2);
    }
    return attend(scores, opts.values ?? keys, opts.keyPaddingMask);
  }

  override extraRepr(): string {
    return `${this.hiddenSize}, method='${this.method}'`;
  }
}

/** Options of {@link MultiheadAttention}. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training (0). */
  dropout?: number;
  /** Biases of the input and output projections (true). */
  bias?: boolean;
  /** Tensors are [batch, seq, embed] instead of [seq, batch, embed] (false). */
  batchFirst?: boolean;
  /** Features of the keys (embedDim). */
  kdim?: number | null;
  /** Features of the values (embedDim). */
  vdim?: number | null;
}

/** Options of {@link MultiheadAttention.forward}. */
export interface MultiheadForwardOptions {
  /** Bool [N, S] (true = ignore that key) or float (added to the scores). */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (true). */
  needWeights?: boolean;
  /** [L, S] or [N·heads, L, S]; bool (true = not allowed to attend) or float (added). */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (true). */
  averageAttnWeights?: boolean;
  /** Causal masking; used as the mask when `attnMask` is not given. */
  isCausal?: boolean;
}

/**
 * Multi-head attention with PyTorch's parameters: `in_proj_weight` [3E, E] (xavier uniform),
 * `in_proj_bias` [3E] (zeros), `out_proj` a Linear(E, E) with zero bias. With `kdim` or `vdim`
 * other than E, the projections are separate, as PyTorch: `q_proj_weight` [E, E],
 * `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim] (and no `in_proj_weight`).
 * `forward(query, key, value, opts?)` returns `[output, weights | null]`.
 *
 * @example
 * ```ts
 * const mha = new MultiheadAttention(8, 2, { batchFirst: true });
 * const [y, w] = mha.forward(x, x, x); // y [B, L, 8], w [B, L, L]
 * ```
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly kdim: number;
  readonly vdim: number;
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: Linear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0) {
      throw new ValueError(
        `MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`,
      );
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    const bias = opts.bias ?? true;
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.in_proj_weight = new Parameter(zeros([3 * embedDim, embedDim]));
      this.q_proj_weight = this.k_proj_weight = this.v_proj_weight = null;
      xavierUniform_(this.in_proj_weight);
    } else {
      this.in_proj_weight = null;
      this.q_proj_weight = new Parameter(zeros([embedDim, embedDim]));
      this.k_proj_weight = new Parameter(zeros([embedDim, this.kdim]));
      this.v_proj_weight = new Parameter(zeros([embedDim, this.vdim]));
      for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) xavierUniform_(w);
    }
    this.in_proj_bias = bias ? new Parameter(zeros([3 * embedDim])) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias });
    if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
  }

  /**
   * Attends from `query` [L, N, E] to `key` [S, N, kdim] and `value` [S, N, vdim] (batch first
   * with `batchFirst`; unbatched [L, E], [S, kdim], [S, vdim] too). Returns the output of the
   * query's shape and the weights [N, L, S] (averaged over heads; [N, heads, L, S] otherwise).
   *
   * @param query - [L, N, E] ([N, L, E] with `batchFirst`, [L, E] unbatched), E = embedDim
   * @param key - [S, N, kdim] ([N, S, kdim] with `batchFirst`, [S, kdim] unbatched)
   * @param value - [S, N, vdim] ([N, S, vdim] with `batchFirst`, [S, vdim] unbatched)
   * @param opts - masks (`keyPaddingMask` [N, S], `attnMask` [L, S] or [N·heads, L, S],
   *   `isCausal`) and what weights to return
   * @returns [output, weights] — output of the query's shape, weights [N, L, S] ([L, S]
   *   unbatched; [N, heads, L, S] with `averageAttnWeights: false`), or null with
   *   `needWeights: false`
   * @example
   * ```ts
   * const [y, w] = mha.forward(x, memory, memory, { keyPaddingMask });
   * ```
   */
  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MultiheadForwardOptions = {},
  ): [Tensor, Tensor | null] {
    const E = this.embedDim;
    const h = this.numHeads;
    const d = this.headDim;
    const name = 'MultiheadAttention';
    const unbatched = query.ndim === 2;
    const nd = unbatched ? 2 : 3;
    for (const [what, t, size, sizeName] of [
      ['query', query, E, 'embedDim'],
      ['key', key, this.kdim, 'kdim'],
      ['value', value, this.vdim, 'vdim'],
    ] as const) {
      if (t.ndim !== nd || t.shape[nd - 1] !== size) {
        throw new ShapeError(
          `${name}: ${what} must be ${nd}-D ending in ${sizeName} ${size}, got ${formatShape(t.shape)}`,
        );
      }
    }
    // Work in [N, L, E].
    const toNLE = (t: Tensor) => (unbatched ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1));
    const q0 = toNLE(query);
    const k0 = toNLE(key);
    const v0 = toNLE(value);
    const N = q0.shape[0]!;
    const L = q0.shape[1]!;
    const S = k0.shape[1]!;
    if (k0.shape[0] !== N || v0.shape[0] !== N || v0.shape[1] !== S) {
      throw new ShapeError(
        `${name}: query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)} do not fit`,
      );
    }
    const W = this.in_proj_weight;
    const b = this.in_proj_bias;
    let q: Tensor;
    let k: Tensor;
    let v: Tensor;
    const bPart = (i: number) => (b ? b.narrow(0, i * E, E) : null);
    if (!W) {
      q = linear(q0, this.q_proj_weight!, bPart(0));
      k = linear(k0, this.k_proj_weight!, bPart(1));
      v = linear(v0, this.v_proj_weight!, bPart(2));
    } else if (query === key && key === value) {
      // The heads are views of one [N, L, 3, h, d] projection: their gradients then land in
      // one contiguous buffer that is the projection's gradient as it is, with no reshape
      // copying each of them back to [N, L, E].
      const qkv = linear(q0, W, b).reshape([N, L, 3, h, d]);
      [q, k, v] = [0, 1, 2].map((i) => qkv.narrow(2, i, 1).squeeze(2)) as [Tensor, Tensor, Tensor];
    } else {
      const part = (i: number) => [W.narrow(0, i * E, E), bPart(i)] as const;
      q = linear(q0, ...part(0));
      k = linear(k0, ...part(1));
      v = linear(v0, ...part(2));
    }
    const heads = (t: Tensor, len: number) => t.reshape([N, len, h, d]).transpose(1, 2); // [N, h, len, d]
    // Combine the masks into one additive or boolean mask broadcastable to [N, h, L, S].
    let mask: Tensor | null = null;
    let attnMask = opts.attnMask ?? null;
    if (attnMask === null && opts.isCausal) attnMask = causalMask(L, S, q0.device).logicalNot();
    if (attnMask) {
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== L || attnMask.shape[1] !== S) {
          throw new ShapeError(`${name}: attnMask must be [${L}, ${S}], got ${formatShape(attnMask.shape)}`);
        }
      } else if (attnMask.ndim === 3) {
        if (attnMask.shape[0] !== N * h || attnMask.shape[1] !== L || attnMask.shape[2] !== S) {
          throw new ShapeError(
            `${name}: attnMask must be [${N * h}, ${L}, ${S}], got ${formatShape(attnMask.shape)}`,
          );
        }
        attnMask = attnMask.reshape([N, h, L, S]);
      } else throw new ShapeError(`${name}: attnMask must be 2-D or 3-D, got ${formatShape(attnMask.shape)}`);
      mask = attnMask.dtype === 'bool' ? where(attnMask, -Infinity, 0) : attnMask;
    }
    if (opts.keyPaddingMask) {
      const kpm = unbatched ? opts.keyPaddingMask.unsqueeze(0) : opts.keyPaddingMask;
      if (kpm.ndim !== 2 || kpm.shape[0] !== N || kpm.shape[1] !== S) {
        throw new ShapeError(
          `${name}: keyPaddingMask must be [${N}, ${S}], got ${formatShape(opts.keyPaddingMask.shape)}`,
        );
      }
      const add = (kpm.dtype === 'bool' ? where(kpm, -Infinity, 0) : kpm).reshape([N, 1, 1, S]);
      mask = mask ? mask.add(add) : add;
    }
    if (mask && mask.dtype !== q.dtype) mask = mask.to(q.dtype);
    const { output, weights } = attention(heads(q, L), heads(k, S), heads(v, S), {
      attnMask: mask,
      dropoutP: this.dropout,
      training: this.training,
    });
    let out = this.out_proj.forward(output.transpose(1, 2).reshape([N, L, E]));
    out = unbatched ? out.squeeze(0) : this.batchFirst ? out : out.transpose(0, 1);
    if (!(opts.needWeights ?? true)) return [out, null];
    let w = (opts.averageAttnWeights ?? true) ? weights.mean(1) : weights;
    if (unbatched) w = w.squeeze(0);
    return [out, w];
  }

  override extraRepr(): string {
    const kv = this.in_proj_weight ? '' : `, kdim=${this.kdim}, vdim=${this.vdim}`;
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${kv}${this.dropout ? `, dropout=${this.dropout}` : ''}`;
  }
}
