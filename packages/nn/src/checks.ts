/**
 * Argument checks shared by layer constructors, so a bad size names the layer and the
 * argument rather than the tensor factory underneath.
 */
import { ValueError } from '@tsgrad/core';

/**
 * `v` must be a non-negative safe integer (a feature count, a number of embeddings …).
 *
 * @example
 * ```ts
 * checkSize('Linear', 'inFeatures', 2.5); // ValueError: Linear: inFeatures must be a non-negative integer, got 2.5
 * ```
 */
export function checkSize(op: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ValueError(`${op}: ${name} must be a non-negative integer, got ${String(v)}`);
  }
}
