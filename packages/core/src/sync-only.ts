/**
 * Scopes that set state for the duration of a call (`noGrad`, `enableGrad`, `tidy`) end when
 * the call returns. An async function returns at its first `await`, and the rest of it would
 * run outside the scope without a word (recording the graph again under `noGrad`, or using
 * tensors `tidy` has freed). Tracking a scope across `await` needs `AsyncLocalStorage`, which
 * browsers lack, so these scopes refuse async functions instead, in Node and browsers alike.
 */
import { ValueError } from './errors.js';

function refusal(op: string, what: string): ValueError {
  return new ValueError(
    `${op}: ${what}; its scope would end at the first await and the rest would run outside it. ` +
      `Pass a synchronous function and await outside, e.g. const x = await load(); ${op}(() => f(x))`,
  );
}

/** Throws before `fn` runs when it is an `async` function. */
export function refuseAsync(op: string, fn: (...args: never[]) => unknown): void {
  if (Object.prototype.toString.call(fn) === '[object AsyncFunction]') {
    throw refusal(op, 'fn is an async function');
  }
}

/** Whether a value is a promise or promise-like. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Throws when a scoped function returned a promise (a function that is not declared `async`
 * but returns one). The promise's own failure is then left unreported, since this error
 * already says what went wrong.
 */
export function refusePromise(op: string, result: unknown): void {
  if (!isThenable(result)) return;
  Promise.resolve(result).catch(() => {});
  throw refusal(op, 'fn returned a Promise');
}
