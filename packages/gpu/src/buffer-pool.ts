/**
 * Reuse of freed GPU buffers. Creating a buffer costs far more than taking one from a free
 * list, and a training loop frees and allocates the same sizes every step, so freed buffers
 * go to a list per size class and the next request of that class takes one back.
 */
import type { Guard } from './outcome.js';
import type { PooledBuffer } from './storage.js';

const SMALLEST = 256;

/**
 * The size class of a request: powers of two up to 4 KiB, then eight steps per power of two
 * (at most 1/8 wasted), never above `max`.
 */
export function sizeClass(bytes: number, max = Number.POSITIVE_INFINITY): number {
  if (bytes <= SMALLEST) return SMALLEST;
  let p = SMALLEST;
  while (p < bytes) p *= 2;
  if (p <= 4096) return Math.min(p, Math.max(bytes, max));
  const step = p / 8;
  const c = Math.ceil(bytes / step) * step;
  return Math.max(bytes, Math.min(c, max));
}

/** Free lists of storage buffers, keyed by size class. */
export class BufferPool {
  private readonly lists = new Map<number, PooledBuffer[]>();
  /** Buffers waiting in free lists, and their bytes. */
  pooledBuffers = 0;
  pooledBytes = 0;
  /** Bytes of every buffer this pool created and has not destroyed (in use or pooled). */
  allocatedBytes = 0;
  private nextId = 1;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBytes: number,
    /** Creation may fail (out of memory): a new buffer is made in a batch of its own. */
    private readonly guard: Guard,
  ) {}

  /** A buffer of at least `bytes` bytes, reused when one of its class is free. */
  acquire(bytes: number): PooledBuffer {
    const cls = sizeClass(bytes, this.maxBytes);
    const list = this.lists.get(cls);
    for (let reused = list?.pop(); reused !== undefined; reused = list?.pop()) {
      this.pooledBuffers--;
      this.pooledBytes -= cls;
      if (reused.createdIn !== null && reused.createdIn.fault !== null) {
        // Its creation failed (out of memory …): an invalid buffer, no use to anyone.
        reused.buffer.destroy();
        this.allocatedBytes -= cls;
        continue;
      }
      if (reused.createdIn !== null) reused.createdIn = this.guard.vet(reused.createdIn);
      return reused;
    }
    const createdIn = this.guard.isolate();
    const buffer = this.guard.guarded(() =>
      this.device.createBuffer({
        size: cls,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      }),
    );
    this.allocatedBytes += cls;
    return { buffer, capacity: cls, id: this.nextId++, lastUse: 0, origin: null, createdIn };
  }

  /** Puts a buffer back for reuse. */
  release(b: PooledBuffer): void {
    b.origin = null; // lets the history it pointed to be collected
    let list = this.lists.get(b.capacity);
    if (list === undefined) {
      list = [];
      this.lists.set(b.capacity, list);
    }
    list.push(b);
    this.pooledBuffers++;
    this.pooledBytes += b.capacity;
  }

  /** Empties the free lists and returns their buffers (the caller destroys them when safe). */
  drain(): GPUBuffer[] {
    const out: GPUBuffer[] = [];
    for (const list of this.lists.values()) for (const b of list) out.push(b.buffer);
    this.lists.clear();
    this.allocatedBytes -= this.pooledBytes;
    this.pooledBuffers = 0;
    this.pooledBytes = 0;
    return out;
  }
}
