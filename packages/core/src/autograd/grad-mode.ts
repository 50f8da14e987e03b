/**
 * Whether ops record the graph. `noGrad` turns recording off for inference and optimizer
 * updates; `enableGrad` turns it back on inside a `noGrad` region. Both take synchronous
 * functions only (see `sync-only.ts`).
 */
import { refuseAsync, refusePromise } from '../sync-only.js';

let enabled = true;
let tracing = false;

/** True while {@link traced} runs: every op records a node (see `record`). */
export function isTracing(): boolean {
  return tracing;
}

/**
 * Runs `fn` with every op recording a node, including ops on tensors that need no gradient
 * and ops that have none (comparisons, integer casts), with their attributes: the whole
 * forward pass becomes a graph an exporter can walk from the outputs' `gradFn`s. The graph
 * is not meant for backward. Synchronous functions only.
 */
export function traced<T>(fn: () => T): T {
  refuseAsync('traced', fn);
  const prev = tracing;
  const prevEnabled = enabled;
  tracing = true;
  enabled = true;
  let result: T;
  try {
    result = fn();
  } finally {
    tracing = prev;
    enabled = prevEnabled;
  }
  refusePromise('traced', result);
  return result;
}

/** True while ops record the autograd graph. */
export function isGradEnabled(): boolean {
  return enabled;
}

function withMode<T>(op: string, mode: boolean, fn: () => T): T {
  refuseAsync(op, fn);
  const prev = enabled;
  enabled = mode;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = prev;
  }
  refusePromise(op, result);
  return result;
}

/**
 * Runs `fn` without recording gradients (like `torch.no_grad()`). `fn` must be synchronous:
 * an async function, or one that returns a Promise, throws a `ValueError`, since the mode
 * could not follow it past its first `await`. Await outside instead.
 *
 * @example
 * ```ts
 * const y = noGrad(() => model.forward(x)); // y.requiresGrad === false
 * const x2 = await loadBatch();
 * const y2 = noGrad(() => model.forward(x2)); // not noGrad(async () => …)
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withMode('noGrad', false, fn);
}

/**
 * Runs `fn` with gradient recording on, even inside `noGrad`. Like {@link noGrad}, it takes
 * synchronous functions only.
 *
 * @example
 * ```ts
 * noGrad(() => enableGrad(() => x.mul(2))).requiresGrad; // true when x requires grad
 * ```
 */
export function enableGrad<T>(fn: () => T): T {
  return withMode('enableGrad', true, fn);
}

/** Sets the mode directly (used by the engine); returns the previous mode. */
export function setGradEnabled(mode: boolean): boolean {
  const prev = enabled;
  enabled = mode;
  return prev;
}
