/**
 * Shared ownership of a backend storage. Views share one `StorageRef`; the storage is freed
 * when the last tensor over it is disposed, or, as a safety net, after all of them have been
 * garbage-collected. Core counts live tensors, storages and bytes per device here.
 */
import type { Backend, Device, Storage } from './backend/backend.js';
import { deviceOf } from './backend/backend.js';
import type { DType } from './dtype.js';
import { itemSize } from './dtype.js';
import { ValueError } from './errors.js';

/** Live (not disposed, not collected) tensors, storages and bytes of one device. */
export interface LiveCounts {
  tensors: number;
  buffers: number;
  bytes: number;
}

const live = new Map<Device, LiveCounts>();

function countsOf(device: Device): LiveCounts {
  let c = live.get(device);
  if (c === undefined) {
    c = { tensors: 0, buffers: 0, bytes: 0 };
    live.set(device, c);
  }
  return c;
}

/**
 * What the finalizers need. It holds the storage only for backends that must free it
 * explicitly: holding a garbage-collected array here would keep it alive until the event loop
 * runs finalizers, so a synchronous training loop would grow without bound.
 */
interface Token {
  backend: Backend;
  data: Storage | undefined;
  counts: LiveCounts;
  bytes: number;
  /** Tensors over the storage, neither disposed nor collected. */
  held: number;
  freed: boolean;
}

function freeToken(t: Token): void {
  if (t.freed) return;
  t.freed = true;
  t.counts.buffers--;
  t.counts.bytes -= t.bytes;
  // Tensors still counted here went with the storage (the first holder is never registered
  // on its own; views whose finalizers have not run yet find the token freed and skip).
  t.counts.tensors -= t.held;
  t.held = 0;
  if (t.data !== undefined) t.backend.free(t.data);
}

/** Storages whose every tensor was collected (or disposed) without the last one freeing it. */
const storages = new FinalizationRegistry<Token>(freeToken);

/**
 * Views over tracked storages: a tensor that joins a storage another tensor already holds is
 * registered, so that once collected it stops counting although the storage lives on. The
 * first holder is not (registering costs about a microsecond): it stops counting with its
 * storage, in {@link freeToken}. Small untracked storages skip all of this.
 */
const tensors = new FinalizationRegistry<Token>((t) => {
  if (t.freed) return;
  t.held--;
  t.counts.tensors--;
  if (t.held === 0) freeToken(t);
});

let created = 0;

/** Serial number the next storage will get (storages are numbered in creation order). */
export function nextStorageSerial(): number {
  return created;
}

/** One backend buffer, the number of live tensors over it, and its in-place version counter. */
export class StorageRef {
  /** Bumped by every in-place write; autograd compares it with the version it saved. */
  version = 0;
  /** Creation order, so autograd can tell storages it made during a pass from older ones. */
  readonly serial = created++;
  private readonly token: Token | null;
  /** Holders of an untracked storage (a tracked one counts them in its token). */
  private held = 0;
  private freed = false;

  constructor(
    readonly backend: Backend,
    readonly data: Storage,
    readonly dtype: DType,
    readonly size: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ValueError(`cannot allocate a storage of ${size} elements (not a non-negative integer)`);
    }
    const m = backend.memory;
    if (m !== undefined && size < (m.untrackedBelow ?? 0)) {
      this.token = null;
      return;
    }
    const counts = countsOf(deviceOf(backend));
    const bytes = m?.byteSize !== undefined ? m.byteSize(size, dtype) : size * itemSize(dtype);
    this.token = { backend, data: m?.gcManaged ? undefined : data, counts, bytes, held: 0, freed: false };
    counts.buffers++;
    counts.bytes += bytes;
    storages.register(this, this.token, this);
  }

  /**
   * Tensors using this storage: disposed ones are not counted, nor, on a tracked storage,
   * collected ones whose finalizer has run (an untracked one still counts those).
   */
  get holders(): number {
    return this.token !== null ? this.token.held : this.held;
  }

  /** Tensor `t` starts using this storage. */
  retain(t: object): void {
    const k = this.token;
    if (k === null) {
      this.held++;
      return;
    }
    if (k.held > 0) tensors.register(t, k, t);
    k.held++;
    k.counts.tensors++;
  }

  /** Tensor `t` stops using this storage; the last one frees it. */
  release(t: object): void {
    const k = this.token;
    if (k === null) {
      if (--this.held === 0 && !this.freed) {
        this.freed = true;
        this.backend.free(this.data);
      }
      return;
    }
    tensors.unregister(t);
    k.held--;
    k.counts.tensors--;
    if (k.held === 0 && !k.freed) {
      storages.unregister(this);
      k.freed = true;
      k.counts.buffers--;
      k.counts.bytes -= k.bytes;
      this.backend.free(this.data);
    }
  }
}

/** Live tensors, storages and bytes of a device (storages below its backend's `memory.untrackedBelow` excluded). */
export function liveCounts(device: Device): LiveCounts {
  return { ...countsOf(device) };
}
