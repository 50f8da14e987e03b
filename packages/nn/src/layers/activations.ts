/**
 * Activations as modules, each a thin wrapper over the core op of the same name (PyTorch's
 * class names and defaults).
 */
import { type Tensor, where } from '@tsgrad/core';
import { Module } from '../module.js';

/** max(x, 0). @example `new ReLU().forward(x)` */
export class ReLU extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** x for x > 0, negativeSlope·x otherwise. @example `new LeakyReLU(0.2).forward(x)` */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x for x > 0, α(eˣ − 1) otherwise. @example `new ELU().forward(x)` */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.elu(this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** x·Φ(x), exact or with the tanh approximation. @example `new GELU('tanh').forward(x)` */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.gelu(this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·σ(x). @example `new SiLU().forward(x)` */
export class SiLU extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.silu();
  }
}

/** 1 / (1 + e^−x). @example `new Sigmoid().forward(x)` */
export class Sigmoid extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh(x). @example `new Tanh().forward(x)` */
export class Tanh extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/**
 * (1/β)·log(1 + e^(βx)), and x itself where βx > threshold (as PyTorch).
 *
 * @example
 * ```ts
 * new Softplus().forward(x);
 * ```
 */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    const bx = this.beta === 1 ? x : x.mul(this.beta);
    let sp = bx.softplus();
    if (this.beta !== 1) sp = sp.div(this.beta);
    return where(bx.gt(this.threshold), x, sp);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** softmax along `dim` (−1). @example `new Softmax(1).forward(logits)` */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  /**
   * @param x - any shape [*], softmax taken along `dim`
   * @returns [*], x's shape, each slice along `dim` summing to 1
   */
  override forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log-softmax along `dim` (−1). @example `new LogSoftmax(1).forward(logits)` */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  /**
   * @param x - any shape [*], log-softmax taken along `dim`
   * @returns [*], x's shape
   */
  override forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log σ(x), computed stably. @example `new LogSigmoid().forward(x)` */
export class LogSigmoid extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.logSigmoid();
  }
}

/** scale·x for x > 0, scale·α·(eˣ − 1) otherwise (α ≈ 1.6733, scale ≈ 1.0507). @example `new SELU().forward(x)` */
export class SELU extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.selu();
  }
}

/** min(max(x, 0), 6). @example `new ReLU6().forward(x)` */
export class ReLU6 extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.relu6();
  }
}

/** x clamped to [minVal, maxVal] (−1, 1 by default). @example `new Hardtanh(-2, 2).forward(x)` */
export class Hardtanh extends Module {
  constructor(
    readonly minVal = -1,
    readonly maxVal = 1,
  ) {
    super();
  }
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.hardtanh(this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

/** x·hardsigmoid(x). @example `new Hardswish().forward(x)` */
export class Hardswish extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.hardswish();
  }
}

/** 0 for x ≤ −3, 1 for x ≥ 3, x/6 + 1/2 between. @example `new Hardsigmoid().forward(x)` */
export class Hardsigmoid extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.hardsigmoid();
  }
}

/** x·tanh(softplus(x)). @example `new Mish().forward(x)` */
export class Mish extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.mish();
  }
}

/** x / (1 + |x|). @example `new Softsign().forward(x)` */
export class Softsign extends Module {
  /** @param x - any shape [*] @returns [*], x's shape, elementwise */
  override forward(x: Tensor): Tensor {
    return x.softsign();
  }
}
