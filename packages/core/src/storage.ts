/**
 * Shared ownership of a backend storage. Views share one `StorageRef`; the storage is freed
 * when the last tensor over it is disposed, or, as a safety net, when all of them have been
 * garbage-collected.
 */
import type { Backend, Device, Storage } from './backend/backend.js';
import type { DType } from './dtype.js';

const liveTensors = new Map<Device, number>();

const registry = new FinalizationRegistry<{ backend: Backend; data: Storage; device: Device; held: number }>(
  (h) => {
    liveTensors.set(h.device, (liveTensors.get(h.device) ?? 0) - h.held);
    h.backend.free(h.data);
  },
);

/** One backend buffer, the number of live tensors over it, and its in-place version counter. */
export class StorageRef {
  /** Bumped by every in-place write; autograd compares it with the version it saved. */
  version = 0;
  private readonly token: { backend: Backend; data: Storage; device: Device; held: number };
  private readonly tracked: boolean;
  private freed = false;

  constructor(
    readonly backend: Backend,
    readonly data: Storage,
    readonly dtype: DType,
    readonly size: number,
  ) {
    this.token = { backend, data, device: backend.device, held: 0 };
    this.tracked = size >= (backend.untrackedBelow ?? 0);
    if (this.tracked) registry.register(this, this.token, this);
  }

  /** A tensor starts using this storage. */
  retain(): void {
    this.token.held++;
    if (this.tracked) liveTensors.set(this.backend.device, (liveTensors.get(this.backend.device) ?? 0) + 1);
  }

  /** A tensor stops using this storage; the last one frees it. */
  release(): void {
    this.token.held--;
    if (this.tracked) liveTensors.set(this.backend.device, (liveTensors.get(this.backend.device) ?? 0) - 1);
    if (this.token.held === 0 && !this.freed) {
      this.freed = true;
      if (this.tracked) registry.unregister(this);
      this.backend.free(this.data);
    }
  }

  /** Tensors currently holding this storage (views included). */
  get holders(): number {
    return this.token.held;
  }

  get isFreed(): boolean {
    return this.freed;
  }
}

/** Live (not disposed, not collected) tensors per device. */
export function liveTensorCount(device: Device): number {
  return liveTensors.get(device) ?? 0;
}
