/**
 * Whether ops record the graph. `noGrad` turns recording off for inference and optimizer
 * updates; `enableGrad` turns it back on inside a `noGrad` region.
 */

let enabled = true;

/** True while ops record the autograd graph. */
export function isGradEnabled(): boolean {
  return enabled;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Runs `fn` without recording gradients (like `torch.no_grad()`).
 *
 * @example
 * ```ts
 * const y = noGrad(() => model.forward(x)); // y.requiresGrad === false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/**
 * Runs `fn` with gradient recording on, even inside `noGrad`.
 *
 * @example
 * ```ts
 * noGrad(() => enableGrad(() => x.mul(2))).requiresGrad; // true when x requires grad
 * ```
 */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

/** Sets the mode directly (used by the engine); returns the previous mode. */
export function setGradEnabled(mode: boolean): boolean {
  const prev = enabled;
  enabled = mode;
  return prev;
}
