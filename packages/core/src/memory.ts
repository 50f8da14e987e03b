/**
 * Explicit memory management. GPU buffers are invisible to the garbage collector, so tensors
 * can be freed with `dispose()`, or in bulk with `tidy(fn)`, which frees every tensor made
 * inside `fn` except what it returns (and what `keep()` marks).
 */
import type { Device } from './backend/backend.js';
import { registeredDevices } from './backend/backend.js';
import { liveCounts } from './storage.js';
import { isThenable, refuseAsync, refusePromise } from './sync-only.js';
import type { Tensor } from './tensor.js';

const scopes: Tensor[][] = [];
const kept = new WeakSet<Tensor>();

/** @internal Called by the Tensor constructor. */
export function trackTensor(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1]!.push(t);
}

/**
 * Marks a tensor so that no enclosing `tidy` disposes it (optimizer state, gradients).
 *
 * @example
 * ```ts
 * const state = tidy(() => keep(zeros([3]))); // survives this and outer tidies
 * ```
 */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

/** Whether {@link keep} marked the tensor. */
export function isKept(t: Tensor): boolean {
  return kept.has(t);
}

function collect(value: unknown, out: Set<Tensor>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ('_ref' in value && 'layout' in value) {
    out.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, depth + 1);
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors in its result
 * (a tensor, or arrays/plain objects/Maps of tensors) and kept ones; when `fn` throws, all but
 * the kept ones. `fn` must be synchronous: an async function, or one that returns a Promise,
 * throws a `ValueError` (what it made after an `await` would escape the scope, and what it
 * made before would be freed while still in use).
 *
 * @example
 * ```ts
 * const y = tidy(() => x.mul(2).add(1)); // the intermediate x.mul(2) is freed
 * ```
 */
export function tidy<T>(fn: () => T): T {
  refuseAsync('tidy', fn);
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // Nothing is returned, so everything made inside (but kept tensors) is garbage.
    scopes.pop();
    for (const t of scope) if (!kept.has(t)) t.dispose();
    throw e;
  }
  scopes.pop();
  if (isThenable(result)) {
    // The async rest of fn may still use what it made: free nothing, and say why.
    const outer = scopes[scopes.length - 1];
    for (const t of scope) outer?.push(t);
    refusePromise('tidy', result);
  }
  const survivors = new Set<Tensor>();
  collect(result, survivors);
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) outer?.push(t);
    else if (!kept.has(t)) t.dispose();
  }
  return result;
}

/**
 * Disposes tensors (and tensors inside arrays/objects).
 *
 * @example
 * ```ts
 * dispose([a, b]);
 * ```
 */
export function dispose(value: unknown): void {
  const all = new Set<Tensor>();
  collect(value, all);
  for (const t of all) t.dispose();
}

/** Live tensors, storages and bytes of one device. */
export interface DeviceMemory {
  /** Tensors not yet disposed or collected. */
  tensors: number;
  /** Backend buffers alive (views share one). */
  buffers: number;
  /** Bytes held by those buffers. */
  bytes: number;
}

/**
 * Memory in use per device, so tests can check that a training loop does not grow. Counts
 * drop when tensors are disposed, or when the garbage collector has reclaimed them and the
 * event loop has run its finalizers. On the CPU, arrays shorter than 1024 elements are plain
 * garbage-collected memory and are not counted.
 *
 * @example
 * ```ts
 * memory().cpu.tensors;
 * ```
 */
export function memory(): Partial<Record<Device, DeviceMemory>> {
  const out: Partial<Record<Device, DeviceMemory>> = {};
  for (const d of registeredDevices()) out[d] = liveCounts(d);
  return out;
}
