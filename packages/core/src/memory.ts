/**
 * Explicit memory management. GPU buffers are invisible to the garbage collector, so tensors
 * can be freed with `dispose()`, or in bulk with `tidy(fn)`, which frees every tensor made
 * inside `fn` except what it returns (and what `keep()` marks).
 */
import type { Device } from './backend/backend.js';
import { registeredDevices } from './backend/backend.js';
import { type DType, itemSize } from './dtype.js';
import { liveCounts } from './storage.js';
import { isThenable, refuseAsync, refusePromise } from './sync-only.js';
import type { Tensor } from './tensor.js';

const scopes: Tensor[][] = [];
const kept = new WeakSet<Tensor>();

/** Creation stacks of live tensors while {@link trackAllocations} is on (null while off). */
let allocations: Map<WeakRef<Tensor>, string> | null = null;

/** @internal Called by the Tensor constructor. */
export function trackTensor(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1]!.push(t);
  if (allocations !== null) allocations.set(new WeakRef(t), creationStack());
}

/** Frames of tsgrad's own code (its package sources and builds), left out of creation sites. */
const OWN_FRAME =
  /[\\/](?:packages[\\/](?:core|nn|optim|gpu|onnx)[\\/](?:src|dist)|@tsgrad[\\/][a-z]+[\\/]dist)[\\/]|\(node:/;

function creationStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack
    .split('\n')
    .slice(1)
    .map((f) => f.trim());
  const user = frames.filter((f) => !OWN_FRAME.test(f));
  return (user.length > 0 ? user : frames).slice(0, 8).join('\n');
}

/**
 * Records where every tensor is created from now on (`true`), or stops and forgets (`false`),
 * for {@link liveTensors} and `memory({ verbose: true })`. Off by default, when it costs
 * nothing; on, each tensor creation captures a stack trace (several microseconds). Setting the
 * environment variable `TSGRAD_TRACK_ALLOCATIONS=1` turns it on when tsgrad loads.
 *
 * @example
 * ```ts
 * trackAllocations(true);
 * const x = zeros([1000]);
 * liveTensors()[0]?.site; // "at …your-file.ts:2:11"
 * trackAllocations(false);
 * ```
 */
export function trackAllocations(on: boolean): void {
  if (!on) allocations = null;
  else if (allocations === null) allocations = new Map();
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
if (env?.TSGRAD_TRACK_ALLOCATIONS === '1') trackAllocations(true);

/** One live tensor in a {@link liveTensors} report. */
export interface LiveTensor {
  shape: number[];
  dtype: DType;
  device: Device;
  /** Bytes of its elements (views of one storage each count their own elements). */
  bytes: number;
  /** The user's frames of the stack that created it, innermost first, tsgrad's own frames left out. */
  stack: string;
}

/** The live tensors created at one place of the user's code. */
export interface AllocationSite {
  /** The innermost user frame of the creation stack (`at fn (file:line:col)`). */
  site: string;
  /** Live tensors created there. */
  count: number;
  /** Their bytes. */
  bytes: number;
  tensors: LiveTensor[];
}

/**
 * The leak report: every live (neither disposed nor collected) tensor created while
 * {@link trackAllocations} was on, with its shape, dtype, device, bytes and creation stack,
 * grouped by creation site, the sites holding the most bytes first. Tensors created while
 * tracking was off are not listed.
 *
 * @example
 * ```ts
 * trackAllocations(true);
 * for (let i = 0; i < 3; i++) leaky.push(x.mul(2)); // forgot to dispose
 * const [top] = liveTensors();
 * console.log(top?.site, top?.count, top?.bytes); // the line of x.mul(2), 3, …
 * ```
 */
export function liveTensors(): AllocationSite[] {
  if (allocations === null) return [];
  const bySite = new Map<string, AllocationSite>();
  for (const [ref, stack] of allocations) {
    const t = ref.deref();
    if (t === undefined || t.isDisposed) {
      allocations.delete(ref);
      continue;
    }
    const site = stack.split('\n', 1)[0] ?? '';
    let g = bySite.get(site);
    if (g === undefined) {
      g = { site, count: 0, bytes: 0, tensors: [] };
      bySite.set(site, g);
    }
    const bytes = t.numel * itemSize(t.dtype);
    g.count++;
    g.bytes += bytes;
    g.tensors.push({ shape: [...t.shape], dtype: t.dtype, device: t.device, bytes, stack });
  }
  return [...bySite.values()].sort((a, b) => b.bytes - a.bytes || b.count - a.count);
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

/** Options of {@link memory}. */
export interface MemoryOptions {
  /** Adds `live`, the {@link liveTensors} report (empty unless {@link trackAllocations} is on). */
  verbose?: boolean;
}

/** What `memory({ verbose: true })` returns: the per-device counts and the leak report. */
export interface VerboseMemory {
  devices: Partial<Record<Device, DeviceMemory>>;
  live: AllocationSite[];
}

/**
 * Memory in use per device, so tests can check that a training loop does not grow. Counts
 * drop when tensors are disposed, or when the garbage collector has reclaimed them and the
 * event loop has run its finalizers (a collected view stops counting even while its storage
 * lives on). On the CPU, arrays shorter than 1024 elements are plain garbage-collected memory
 * and are not counted. With `{ verbose: true }` it returns the counts under `devices` and the
 * leak report of {@link liveTensors} under `live`.
 *
 * @example
 * ```ts
 * memory().cpu.tensors;
 * trackAllocations(true);
 * memory({ verbose: true }).live; // live tensors grouped by creation site
 * ```
 */
export function memory(): Partial<Record<Device, DeviceMemory>>;
export function memory(options: MemoryOptions & { verbose: true }): VerboseMemory;
export function memory(options?: MemoryOptions): Partial<Record<Device, DeviceMemory>> | VerboseMemory;
export function memory(options?: MemoryOptions): Partial<Record<Device, DeviceMemory>> | VerboseMemory {
  const out: Partial<Record<Device, DeviceMemory>> = {};
  for (const d of registeredDevices()) out[d] = liveCounts(d);
  return options?.verbose === true ? { devices: out, live: liveTensors() } : out;
}
