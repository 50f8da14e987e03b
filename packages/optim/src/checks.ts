/**
 * Option checks shared by the optimizers and schedulers. Each throws a ValueError that names
 * the optimizer, the option and the allowed range, e.g.
 * `Adam: invalid betas[0] 1.5 (must be in [0, 1))`.
 */
import { ValueError } from '@tsgrad/core';

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

/** `v` must be a number >= 0 (finite for the learning rate). */
export function checkNonNegative(op: string, name: string, v: unknown): void {
  if (!isNumber(v) || v < 0) {
    throw new ValueError(`${op}: invalid ${name} ${String(v)} (must be a number >= 0)`);
  }
}

/** The learning rate must be a finite number >= 0. */
export function checkLr(op: string, v: unknown): void {
  if (!isNumber(v) || v < 0 || !Number.isFinite(v)) {
    throw new ValueError(`${op}: invalid learning rate ${String(v)} (must be a finite number >= 0)`);
  }
}

/** `v` must lie in [0, 1), or in [0, 1] when `closed`. */
export function checkUnit(op: string, name: string, v: unknown, closed = false): void {
  if (!isNumber(v) || v < 0 || (closed ? v > 1 : v >= 1)) {
    throw new ValueError(`${op}: invalid ${name} ${String(v)} (must be in [0, 1${closed ? ']' : ')'})`);
  }
}

/** `v` must be a whole number >= `min`. */
export function checkInteger(op: string, name: string, v: unknown, min: number): void {
  if (!Number.isInteger(v) || (v as number) < min) {
    throw new ValueError(`${op}: invalid ${name} ${String(v)} (must be an integer >= ${min})`);
  }
}

/** `v` must be one of `choices`. */
export function checkChoice(op: string, name: string, v: unknown, choices: readonly string[]): void {
  if (!choices.includes(v as string)) {
    throw new ValueError(
      `${op}: invalid ${name} ${JSON.stringify(v)} (must be one of ${choices.map((c) => `'${c}'`).join(', ')})`,
    );
  }
}

/** `betas` must be a pair of numbers in [0, 1). */
export function checkBetas(op: string, betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new ValueError(`${op}: betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
  }
  checkUnit(op, 'betas[0]', betas[0]);
  checkUnit(op, 'betas[1]', betas[1]);
}
