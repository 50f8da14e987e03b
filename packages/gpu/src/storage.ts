/**
 * What the WebGPU backend hands core as a `Storage`: a pooled GPU buffer and the number of
 * elements it holds. Every dtype takes 4 bytes per element (bool is stored as a u32 0/1).
 */
import type { Batch, Origin } from './outcome.js';

/** A GPU buffer as the pool hands it out. */
export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  /** Bytes the buffer really has (its size class), at least what was asked for. */
  readonly capacity: number;
  /** A number naming the buffer in bind-group cache keys. */
  readonly id: number;
  /**
   * Number of the command batch that last bound it (see `Recorder.batch`). A host write
   * through `queue.writeBuffer` runs ahead of commands not yet submitted, so a buffer bound in
   * the batch being recorded must not take one until that batch is submitted.
   */
  lastUse: number;
  /** Where the contents came from (see outcome.ts); null for a buffer nothing wrote yet. */
  origin: Origin | null;
  /** The batch that created the buffer, until it answered clean (then null). */
  createdIn: Batch | null;
  /** A buffer of the backend's own (the index status), whose contents belong to no result. */
  readonly shared?: boolean;
}

/** One storage of the WebGPU backend. */
export class GpuStorage {
  /** Set by `free`; a freed storage's buffer may already hold another tensor. */
  freed = false;

  constructor(
    readonly buf: PooledBuffer,
    /** Elements. */
    readonly size: number,
  ) {}

  /** The underlying buffer. */
  get buffer(): GPUBuffer {
    return this.buf.buffer;
  }

  /** Bytes in use (4 per element). */
  get bytes(): number {
    return this.size * 4;
  }
}
