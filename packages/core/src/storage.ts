/**
 * Shared ownership of a backend storage. Views share one `StorageRef`; the storage is freed
 * when the last tensor over it is disposed, or, as a safety net, after all of them have been
 * garbage-collected. Core counts live tensors, storages and bytes per device here.
 */
import type { Backend, Device, Storage } from './backend/backend.js';
import { deviceOf } from './backend/backend.js';
import type { DType } from './dtype.js';
import { itemSize } from './dtype.js';

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
 * What the finalizer needs. It holds the storage only for backends that must free it
 * explicitly: holding a garbage-collected array here would keep it alive until the event loop
 * runs finalizers, so a synchronous training loop would grow without bound.
 */
interface Token {
  backend: Backend;
  data: Storage | undefined;
  counts: LiveCounts;
  bytes: number;
  held: number;
}

const registry = new FinalizationRegistry<Token>((t) => {
  t.counts.tensors -= t.held;
  t.counts.buffers--;
  t.counts.bytes -= t.bytes;
  if (t.data !== undefined) t.backend.free(t.data);
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
  private held = 0;
  private freed = false;

  constructor(
    readonly backend: Backend,
    readonly data: Storage,
    readonly dtype: DType,
    readonly size: number,
  ) {
    const m = backend.memory;
    if (m !== undefined && size < (m.untrackedBelow ?? 0)) {
      this.token = null;
      return;
    }
    const counts = countsOf(deviceOf(backend));
    const bytes = m?.byteSize !== undefined ? m.byteSize(size, dtype) : size * itemSize(dtype);
    this.token = { backend, data: m?.gcManaged ? undefined : data, counts, bytes, held: 0 };
    counts.buffers++;
    counts.bytes += bytes;
    registry.register(this, this.token, this);
  }

  /** Tensors using this storage (disposed ones not counted; collected ones still are). */
  get holders(): number {
    return this.held;
  }

  /** A tensor starts using this storage. */
  retain(): void {
    this.held++;
    if (this.token !== null) {
      this.token.held++;
      this.token.counts.tensors++;
    }
  }

  /** A tensor stops using this storage; the last one frees it. */
  release(): void {
    this.held--;
    const t = this.token;
    if (t !== null) {
      t.held--;
      t.counts.tensors--;
    }
    if (this.held === 0 && !this.freed) {
      this.freed = true;
      if (t !== null) {
        registry.unregister(this);
        t.counts.buffers--;
        t.counts.bytes -= t.bytes;
      }
      this.backend.free(this.data);
    }
  }
}

/** Live tensors, storages and bytes of a device (storages below its backend's `memory.untrackedBelow` excluded). */
export function liveCounts(device: Device): LiveCounts {
  return { ...countsOf(device) };
}
