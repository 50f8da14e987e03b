/**
 * Anomaly detection: while active, every backward rule's results are checked for NaN/Inf and
 * the first op whose backward produced one is named in the error.
 */
import { getBackend } from '../backend/backend.js';
import { AutogradError } from '../errors.js';
import { refuseAsync, refusePromise } from '../sync-only.js';
import type { Tensor } from '../tensor.js';
import { isSlice, type SliceGrad } from './node.js';

let active = 0;

/**
 * Runs `fn` with anomaly detection: a backward rule that produces NaN or Inf throws an
 * error naming its op. Checks read gradients synchronously, so it needs a backend with
 * synchronous reads (the CPU). `fn` must be synchronous, as for `noGrad`.
 *
 * @example
 * ```ts
 * detectAnomaly(() => x.sqrt().sum().backward()); // throws at 'sqrt' when x has a 0
 * ```
 */
export function detectAnomaly<T>(fn: () => T): T {
  refuseAsync('detectAnomaly', fn);
  active++;
  let result: T;
  try {
    result = fn();
  } finally {
    active--;
  }
  refusePromise('detectAnomaly', result);
  return result;
}

/** @internal Called by the engine after each backward rule. */
export function checkAnomaly(op: string, grads: readonly (Tensor | SliceGrad | null)[]): void {
  if (active === 0) return;
  grads.forEach((gi, i) => {
    if (gi === null || gi === undefined) return;
    const g = isSlice(gi) ? gi.grad : gi;
    const b = getBackend(g.device);
    if (b.readSync === undefined) return;
    const data = g.dataSync();
    for (let k = 0; k < data.length; k++) {
      const v = data[k]!;
      if (!Number.isFinite(v)) {
        throw new AutogradError(
          `detectAnomaly: backward of '${op}' returned ${Number.isNaN(v) ? 'NaN' : 'Inf'} in the gradient of its input ${i}`,
        );
      }
    }
  });
}
