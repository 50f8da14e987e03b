/**
 * Losses as modules, each calling the function of the same name in `losses.ts`. Class
 * weights and `pos_weight` are buffers, as in PyTorch.
 */
import type { IndexLike, Tensor } from '@tsgrad/core';
import * as L from '../losses.js';
import { Module } from '../module.js';

abstract class Loss extends Module {
  readonly reduction: L.Reduction;
  constructor(opts: L.ReductionOptions) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction='${this.reduction}'`;
  }
}

/** {@link mseLoss} as a module. @example `new MSELoss().forward(pred, y)` */
export class MSELoss extends Loss {
  constructor(opts: L.ReductionOptions = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** {@link l1Loss} as a module. @example `new L1Loss().forward(pred, y)` */
export class L1Loss extends Loss {
  constructor(opts: L.ReductionOptions = {}) {
    super(opts);
  }
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
  override forward(input: Tensor, target: IndexLike): Tensor {
    return L.crossEntropyLoss(input, target, {
      reduction: this.reduction,
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      labelSmoothing: this.labelSmoothing,
    });
  }
}
