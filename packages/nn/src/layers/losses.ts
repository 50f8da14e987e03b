/**
 * Losses as modules, each calling the function of the same name in `losses.ts`. Class
 * weights and `pos_weight` are buffers, as in PyTorch.
 */
import { type IndexLike, type Tensor, ValueError } from '@tsgrad/core';
import * as D from '../distribution-losses.js';
import * as L from '../losses.js';
import { Module } from '../module.js';

abstract class Loss extends Module {
  readonly reduction: L.Reduction;
  constructor(opts: L.ReductionOptions) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }
  abstract override forward(input: Tensor, target: Tensor, third?: Tensor): Tensor;
  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction='${this.reduction}'`;
  }
}

/** {@link mseLoss} as a module. @example `new MSELoss().forward(pred, y)` */
export class MSELoss extends Loss {
  constructor(opts: L.ReductionOptions = {}) {
    super(opts);
  }
  /**
   * @param input - any shape [*]: the predictions
   * @param target - [*], input's shape
   * @returns [] (a scalar): the mean over elements, or the sum with reduction 'sum'; with
   *   'none', the loss of each element, [*]
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** {@link l1Loss} as a module. @example `new L1Loss().forward(pred, y)` */
export class L1Loss extends Loss {
  constructor(opts: L.ReductionOptions = {}) {
    super(opts);
  }
  /**
   * @param input - any shape [*]: the predictions
   * @param target - [*], input's shape
   * @returns [] (a scalar): the mean over elements, or the sum with reduction 'sum'; with
   *   'none', the loss of each element, [*]
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** {@link huberLoss} as a module. @example `new HuberLoss({ delta: 0.5 }).forward(pred, y)` */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: L.HuberOptions = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  /**
   * @param input - any shape [*]: the predictions
   * @param target - [*], input's shape
   * @returns [] (a scalar): the mean over elements, or the sum with reduction 'sum'; with
   *   'none', the loss of each element, [*]
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** {@link smoothL1Loss} as a module. @example `new SmoothL1Loss().forward(pred, y)` */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: L.SmoothL1Options = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  /**
   * @param input - any shape [*]: the predictions
   * @param target - [*], input's shape
   * @returns [] (a scalar): the mean over elements, or the sum with reduction 'sum'; with
   *   'none', the loss of each element, [*]
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** {@link bceLoss} as a module. @example `new BCELoss().forward(probs, y)` */
export class BCELoss extends Loss {
  declare weight: Tensor | null;
  constructor(opts: L.BceOptions = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
  }
  /**
   * @param input - [*] — probabilities in [0, 1]
   * @param target - [*], input's shape: 0 or 1 (or a probability)
   * @returns [] (a scalar): the mean over elements, or the sum with reduction 'sum'; with
   *   'none', the loss of each element, [*]
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.bceLoss(input, target, { reduction: this.reduction, weight: this.weight });
  }
}

/** {@link bceWithLogitsLoss} as a module. @example `new BCEWithLogitsLoss().forward(logits, y)` */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor(opts: L.BceWithLogitsOptions = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  /**
   * @param input - [*] — logits (any real numbers)
   * @param target - [*], input's shape: 0 or 1 (or a probability)
   * @returns [] (a scalar): the mean over elements, or the sum with reduction 'sum'; with
   *   'none', the loss of each element, [*]
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.bceWithLogitsLoss(input, target, {
      reduction: this.reduction,
      weight: this.weight,
      posWeight: this.pos_weight,
    });
  }
}

/** {@link nllLoss} as a module. @example `new NLLLoss().forward(logProbs, labels)` */
export class NLLLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  constructor(opts: L.NllOptions = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  /**
   * @param input - [N, C] log-probabilities (e.g. `logSoftmax(1)` of logits), [N, C, d…] or [C]
   * @param target - int32 class indices [N] ([N, d…], or [] for a [C] input), each in [0, C) or ignoreIndex
   * @returns [] (a scalar): the mean over the targets (weighted with `weight`; ignored ones left
   *   out), or the sum with reduction 'sum'; with 'none', [N] (or [N, d…], or [])
   */
  override forward(input: Tensor, target: IndexLike): Tensor {
    return L.nllLoss(input, target, {
      reduction: this.reduction,
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
    });
  }
}

/** {@link crossEntropyLoss} as a module. @example `new CrossEntropyLoss().forward(logits, labels)` */
export class CrossEntropyLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: L.CrossEntropyOptions = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  /**
   * @param input - [N, C] logits, [N, C, d…] or [C]
   * @param target - int32 class indices [N] ([N, d…], or [] for a [C] input), each in [0, C) or
   *   ignoreIndex; or class probabilities of input's shape
   * @returns [] (a scalar): the mean over the targets (weighted with `weight`; ignored ones left
   *   out), or the sum with reduction 'sum'; with 'none', [N] (or [N, d…], or [])
   */
  override forward(input: Tensor, target: IndexLike): Tensor {
    return L.crossEntropyLoss(input, target, {
      reduction: this.reduction,
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * {@link klDivLoss} as a module; `input` holds log-probabilities.
 *
 * @example
 * ```ts
 * new KLDivLoss({ reduction: 'batchmean' }).forward(logits.logSoftmax(1), probs);
 * ```
 */
export class KLDivLoss extends Module {
  readonly reduction: D.KlDivOptions['reduction'] & string;
  readonly logTarget: boolean;
  constructor(opts: D.KlDivOptions = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = opts.logTarget ?? false;
  }
  /**
   * @param input - [*] — log-probabilities (e.g. `logSoftmax` of logits), usually [N, C]
   * @param target - [*], input's shape: probabilities (log-probabilities with `logTarget`)
   * @returns [] (a scalar): the mean over elements, the sum over them divided by N with
   *   'batchmean' (the KL divergence per sample), or the sum with 'sum'; with 'none', [*]
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return D.klDivLoss(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}', logTarget=${this.logTarget}`;
  }
}

/**
 * {@link marginRankingLoss} as a module.
 *
 * @example
 * ```ts
 * new MarginRankingLoss({ margin: 0.1 }).forward(a, b, y);
 * ```
 */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(opts: D.MarginRankingOptions = {}) {
    super(opts);
    this.margin = opts.margin ?? 0;
  }
  /**
   * @param a - [N] (or []): the scores of the first items
   * @param b - [N], a's shape: the scores of the second items
   * @param y - [N], a's shape: 1 where a should rank higher, −1 where b should
   * @returns [] (a scalar): the mean of max(0, −y·(a − b) + margin), or the sum with 'sum';
   *   with 'none', [N]
   */
  override forward(a: Tensor, b: Tensor, y?: Tensor): Tensor {
    if (!y) throw new ValueError('MarginRankingLoss.forward: expected (a, b, y)');
    return D.marginRankingLoss(a, b, y, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * {@link gaussianNllLoss} as a module.
 *
 * @example
 * ```ts
 * new GaussianNLLLoss().forward(mean, y, variance);
 * ```
 */
export class GaussianNLLLoss extends Loss {
  readonly full: boolean;
  readonly eps: number;
  constructor(opts: D.GaussianNllOptions = {}) {
    super(opts);
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-6;
  }
  /**
   * @param input - [N, *] — the predicted means
   * @param target - [N, *], input's shape
   * @param variance - [N, *] (input's shape), [N, *] with one dim fewer, or with last dim 1:
   *   the predicted variances, positive
   * @returns [] (a scalar): the mean negative log-likelihood, or the sum with 'sum'; with
   *   'none', [N, *]
   */
  override forward(input: Tensor, target: Tensor, variance?: Tensor): Tensor {
    if (!variance) throw new ValueError('GaussianNLLLoss.forward: expected (input, target, variance)');
    return D.gaussianNllLoss(input, target, variance, {
      full: this.full,
      eps: this.eps,
      reduction: this.reduction,
    });
  }
}

/**
 * {@link cosineEmbeddingLoss} as a module.
 *
 * @example
 * ```ts
 * new CosineEmbeddingLoss({ margin: 0.2 }).forward(a, b, y);
 * ```
 */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(opts: D.CosineEmbeddingOptions = {}) {
    super(opts);
    this.margin = opts.margin ?? 0;
  }
  /**
   * @param a - [N, D] (or [D]): the first embeddings
   * @param b - [N, D] (or [D]): the second embeddings
   * @param y - [N] (or []): 1 where a and b should be alike, −1 where not
   * @returns [] (a scalar): the mean of 1 − cos(a, b) where y = 1 and max(0, cos(a, b) −
   *   margin) where y = −1, or the sum with 'sum'; with 'none', [N] (or [])
   */
  override forward(a: Tensor, b: Tensor, y?: Tensor): Tensor {
    if (!y) throw new ValueError('CosineEmbeddingLoss.forward: expected (a, b, y)');
    return D.cosineEmbeddingLoss(a, b, y, { margin: this.margin, reduction: this.reduction });
  }
}
