/**
 * Records kernel dispatches and copies into one command encoder and submits them in batches.
 *
 * Submitting costs tens of microseconds, a dispatch recorded into an open compute pass about
 * one, so work is only submitted when data is read, when a host write needs the queue to be
 * in order, or every `maxDispatches` dispatches. Kernel parameters (shapes, strides,
 * offsets) go to a host-side arena; at submit the whole arena is written to one uniform
 * buffer with a single `writeBuffer`, and each dispatch points at its own slice of it with a
 * dynamic offset. Because the queue runs in order, that write lands before the batch's
 * commands and after every earlier batch, so one uniform buffer serves all batches.
 *
 * Creating a bind group costs tens of microseconds, more than the rest of a dispatch, so bind
 * groups are kept by (kernel, buffers): with the pool handing the same buffers back step after
 * step, a training loop creates them in its first steps only.
 */
import type { Kernel } from './pipeline-cache.js';
import type { PooledBuffer } from './storage.js';

/** Sizes that bound a batch. */
export interface RecorderOptions {
  /** Dispatches per submitted command buffer. */
  maxDispatches: number;
  /** Bytes of the parameter arena (one batch's parameters). */
  paramBytes: number;
  /** The device's minUniformBufferOffsetAlignment. */
  uniformAlign: number;
}

/** A batch of commands being recorded. */
export class Recorder {
  /** Number of the batch being recorded; increases by one at each submit. */
  batch = 1;
  /** Batches submitted and dispatches recorded so far (for tests and benchmarks). */
  submits = 0;
  dispatches = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private inBatch = 0;
  private readonly arena: Uint32Array<ArrayBuffer>;
  private arenaUsed = 0; // in bytes
  private readonly paramBuffer: GPUBuffer;
  private toDestroy: GPUBuffer[] = [];
  private readonly bindGroups = new Map<string, GPUBindGroup>();

  constructor(
    private readonly device: GPUDevice,
    private readonly opts: RecorderOptions,
  ) {
    this.arena = new Uint32Array(opts.paramBytes / 4);
    this.paramBuffer = device.createBuffer({
      size: opts.paramBytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'tsgrad params',
    });
  }

  /** True while commands wait to be submitted. */
  get pending(): boolean {
    return this.encoder !== null;
  }

  /**
   * Records one dispatch: `params` fill binding 0 (a uniform `array<vec4<u32>>`), `buffers`
   * bindings 1, 2, … in order.
   */
  dispatch(
    kernel: Kernel,
    params: ArrayLike<number>,
    buffers: readonly PooledBuffer[],
    groups: GroupCount,
  ): void {
    const words = Math.max(4, Math.ceil(params.length / 4) * 4);
    const slot = Math.ceil((words * 4) / this.opts.uniformAlign) * this.opts.uniformAlign;
    if (this.arenaUsed + slot > this.opts.paramBytes) this.flush();
    const offset = this.arenaUsed;
    const base = offset / 4;
    for (let i = 0; i < params.length; i++) this.arena[base + i] = params[i]!;
    this.arenaUsed += slot;

    let key = `${kernel.id}:${words}`;
    for (let i = 0; i < buffers.length; i++) {
      const b = buffers[i]!;
      b.lastUse = this.batch;
      key += `,${b.id}`;
    }
    let bindGroup = this.bindGroups.get(key);
    if (bindGroup === undefined) {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: this.paramBuffer, offset: 0, size: words * 4 } },
      ];
      for (let i = 0; i < buffers.length; i++)
        entries.push({ binding: i + 1, resource: { buffer: buffers[i]!.buffer } });
      bindGroup = this.device.createBindGroup({ layout: kernel.layout, entries });
      if (this.bindGroups.size >= MAX_BIND_GROUPS) this.bindGroups.clear();
      this.bindGroups.set(key, bindGroup);
    }
    const pass = this.computePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup, [offset]);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.dispatches++;
    if (++this.inBatch >= this.opts.maxDispatches) this.flush();
  }

  /** Records a buffer-to-buffer copy. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Records zeroing `bytes` bytes of a buffer. */
  clear(b: PooledBuffer, bytes: number): void {
    b.lastUse = this.batch;
    this.commandEncoder().clearBuffer(b.buffer, 0, bytes);
  }

  /** Drops every cached bind group (before buffers they name are destroyed). */
  forgetBindGroups(): void {
    this.bindGroups.clear();
  }

  /** Destroys a buffer once the commands recorded so far have been submitted. */
  destroyLater(b: GPUBuffer): void {
    if (this.encoder === null) b.destroy();
    else this.toDestroy.push(b);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (this.encoder === null) return;
    if (this.pass !== null) {
      this.pass.end();
      this.pass = null;
    }
    if (this.arenaUsed > 0)
      this.device.queue.writeBuffer(this.paramBuffer, 0, this.arena, 0, this.arenaUsed / 4);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.arenaUsed = 0;
    this.inBatch = 0;
    this.batch++;
    this.submits++;
    const dead = this.toDestroy;
    this.toDestroy = [];
    for (const b of dead) b.destroy();
  }

  private commandEncoder(): GPUCommandEncoder {
    if (this.pass !== null) {
      this.pass.end();
      this.pass = null;
    }
    if (this.encoder === null) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (this.pass === null) {
      if (this.encoder === null) this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    return this.pass;
  }
}

/** Bind groups kept before the cache starts over. */
const MAX_BIND_GROUPS = 8192;

/** Workgroups in x, y, z. */
export type GroupCount = readonly [number, number, number];

/**
 * A grid of `total` workgroups laid out as x × y (x at most 65535, the WebGPU minimum limit);
 * kernels rebuild the linear workgroup number as `wid.x + wid.y * nwg.x`.
 */
export function grid(total: number, z = 1): GroupCount {
  if (total <= 65535) return [Math.max(total, 1), 1, z];
  const x = 65535;
  return [x, Math.ceil(total / x), z];
}
