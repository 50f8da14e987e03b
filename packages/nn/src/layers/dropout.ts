/**
 * `Dropout`: active in training mode only.
 */
import { type Tensor, ValueError } from '@tsgrad/core';
import { dropout } from '../functional.js';
import { Module } from '../module.js';

/**
 * Zeroes elements with probability `p` and scales the rest by 1/(1−p) while training; the
 * identity after `eval()`.
 *
 * @example
 * ```ts
 * const d = new Dropout(0.2);
 * d.eval().forward(x) === x; // true
 * ```
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must be in [0, 1], got ${p}`);
  }
  /** @param x - any shape [*] @returns [*], x's shape */
  override forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
