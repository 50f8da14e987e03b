/**
 * `Parameter`: a tensor that a module owns and an optimizer updates. It is a real `Tensor`
 * (usable in every op), marked so that `Module` finds it among its properties.
 */
import { noGrad, Tensor } from '@tsgrad/core';

/**
 * A leaf tensor registered by the module that holds it; requires grad by default.
 *
 * @example
 * ```ts
 * const w = new Parameter(randn([3, 4]));
 * w.requiresGrad; // true
 * ```
 */
export class Parameter extends Tensor {
  /** Wraps `data`'s storage (no copy); `data` itself is left as it was. */
  constructor(data: Tensor, requiresGrad = true) {
    super(data._ref, data.layout);
    if (requiresGrad) this.requiresGrad = true;
  }

  /**
   * Points this parameter at `data`'s storage, keeping the object (so optimizers holding it
   * keep working). Used by `Module.to` to change device or dtype.
   * @internal
   */
  _setData(data: Tensor): void {
    noGrad(() => this.set_(data));
    if (this.grad !== null) {
      const g = this.grad;
      this.grad = noGrad(() => (g.device !== data.device ? g.to(data.device) : g).to(data.dtype));
    }
  }
}
