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
 *
 * Failures (see outcome.ts): the device calls that can fail — creating an object, a host
 * write, the submit, which is where a command that fails validation is reported — run inside
 * error scopes pushed and popped around them (never left open across the caller's code), and
 * their answers count against the batch. Every command leaves an origin on the buffers it
 * writes. An op that creates a buffer or compiles a program — where failures happen in
 * practice: out of memory, a program that does not compile — first calls `isolate()` and so
 * runs in a batch of its own: if it fails, only its results and what is computed from them are
 * spoiled. A loop does that in its first steps only; after that the pool and the pipeline cache
 * serve every op. (Bind groups are not isolated: a loop keeps making a few as the pool hands
 * out buffers in new combinations, and one fails only when a buffer it binds already failed.)
 * Any other failure spoils the results of the whole batch it happened in, and the error names
 * the batch's ops.
 */
import { Batch, failedOrigin, type OpInfo, originOf } from './outcome.js';
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

const SCOPES: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/** A batch of commands being recorded. */
export class Recorder {
  /** Number of the batch being recorded; increases by one at each submit. */
  batch = 1;
  /** Batches submitted and dispatches recorded so far (for tests and benchmarks). */
  submits = 0;
  dispatches = 0;
  /** The op being recorded (set by `begin`). */
  private op: OpInfo | null = null;
  private current: Batch | null = null;
  /** Whether the current batch belongs to the current op alone. */
  private isolated = false;
  private readonly unsettled = new Set<Batch>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** The pipeline last set in the open pass (setting it again costs a call into Dawn). */
  private passPipeline: GPUComputePipeline | null = null;
  /** The dynamic offset handed to `setBindGroup`, one array reused for every dispatch. */
  private readonly dynamicOffset = [0];
  private inBatch = 0;
  private readonly arena: Uint32Array<ArrayBuffer>;
  private arenaUsed = 0; // in bytes
  private readonly paramBuffer: GPUBuffer;
  private toDestroy: GPUBuffer[] = [];
  private bindGroups = new BindGroupNode();
  private bindGroupCount = 0;

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

  /** Starts an op: what follows is recorded for it (and named after it in errors). */
  begin(op: OpInfo): void {
    if (this.isolated) this.flush();
    this.op = op;
  }

  /**
   * Gives the current op a batch of its own, from now until the next op begins, and returns
   * it; call before creating a device object for it.
   */
  isolate(): Batch {
    if (!this.isolated) {
      this.flush();
      this.isolated = true;
    }
    return this.batchForOp();
  }

  /**
   * For an object created in batch `createdIn`: once that batch is known to have failed, ops
   * that use the object run isolated (a failed object fails every command using it; waiting
   * for the answer before batching would isolate every op of a loop that never yields).
   * Returns what to keep as the object's `createdIn`: null once it is known good.
   */
  vet(createdIn: Batch): Batch | null {
    if (!createdIn.settled) return createdIn;
    if (createdIn.fault === null) return null;
    this.isolate();
    return createdIn;
  }

  /**
   * Runs device calls that may fail (creating an object, a host write) inside error scopes;
   * a failure counts against the current batch.
   */
  guarded<T>(call: () => T): T {
    const b = this.batchForOp();
    for (const f of SCOPES) this.device.pushErrorScope(f);
    try {
      return call();
    } finally {
      b.expect(this.popScopes());
    }
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
    let node = this.bindGroupNode(kernel, words, buffers);
    let bindGroup = node.group;
    if (bindGroup === undefined) {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: this.paramBuffer, offset: 0, size: words * 4 } },
      ];
      for (let i = 0; i < buffers.length; i++)
        entries.push({ binding: i + 1, resource: { buffer: buffers[i]!.buffer } });
      bindGroup = this.guarded(() => this.device.createBindGroup({ layout: kernel.layout, entries }));
      if (++this.bindGroupCount > MAX_BIND_GROUPS) {
        this.forgetBindGroups();
        node = this.bindGroupNode(kernel, words, buffers);
        this.bindGroupCount = 1;
      }
      node.group = bindGroup;
    }
    const offset = this.arenaUsed;
    const base = offset / 4;
    for (let i = 0; i < params.length; i++) this.arena[base + i] = params[i]!;
    this.arenaUsed += slot;
    const pass = this.computePass();
    try {
      if (this.passPipeline !== kernel.pipeline) {
        pass.setPipeline(kernel.pipeline);
        this.passPipeline = kernel.pipeline;
      }
      this.dynamicOffset[0] = offset;
      pass.setBindGroup(0, bindGroup, this.dynamicOffset);
      pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    } catch (e) {
      this.failWrites(kernel.writes, buffers, e);
      return;
    }
    this.track(kernel.writes, buffers);
    this.dispatches++;
    if (++this.inBatch >= this.opts.maxDispatches) this.flush();
  }

  /** The cache node of the bind group of (kernel, parameter words, buffers): a path of numbers. */
  private bindGroupNode(kernel: Kernel, words: number, buffers: readonly PooledBuffer[]): BindGroupNode {
    let node = this.bindGroups.step(kernel.id).step(words);
    for (let i = 0; i < buffers.length; i++) node = node.step(buffers[i]!.id);
    return node;
  }

  /** Records a copy between two buffers of the backend. */
  copy(src: PooledBuffer, srcOffset: number, dst: PooledBuffer, dstOffset: number, bytes: number): void {
    this.commandEncoder().copyBufferToBuffer(src.buffer, srcOffset, dst.buffer, dstOffset, bytes);
    this.track(COPY_WRITES, [src, dst]);
  }

  /** Records a copy into a buffer the host will map (no result of the backend is written). */
  copyOut(src: PooledBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    src.lastUse = this.batch;
    this.current ??= new Batch();
    this.commandEncoder().copyBufferToBuffer(src.buffer, srcOffset, dst, dstOffset, bytes);
  }

  /** Records zeroing `bytes` bytes of a buffer. */
  clear(b: PooledBuffer, bytes: number): void {
    this.commandEncoder().clearBuffer(b.buffer, 0, bytes);
    this.track(CLEAR_WRITES, [b]);
  }

  /** Notes a (guarded) host write into all of `b`: its contents start afresh. */
  wrote(b: PooledBuffer): void {
    b.origin = originOf(this.currentOp(), this.batchForOp(), []);
  }

  /** Drops every cached bind group (before buffers they name are destroyed). */
  forgetBindGroups(): void {
    this.bindGroups = new BindGroupNode();
    this.bindGroupCount = 0;
  }

  /** Destroys a buffer once the commands recorded so far have been submitted. */
  destroyLater(b: GPUBuffer): void {
    if (this.encoder === null) b.destroy();
    else this.toDestroy.push(b);
  }

  /** Submits everything recorded so far; the batch settles when its error scopes answer. */
  flush(): void {
    this.isolated = false;
    const b = this.current;
    if (b === null) return;
    this.current = null;
    if (this.encoder !== null) {
      const encoder = this.encoder;
      const pass = this.pass;
      this.pass = null;
      this.passPipeline = null;
      this.encoder = null;
      for (const f of SCOPES) this.device.pushErrorScope(f);
      try {
        pass?.end();
        if (this.arenaUsed > 0)
          this.device.queue.writeBuffer(this.paramBuffer, 0, this.arena, 0, this.arenaUsed / 4);
        this.device.queue.submit([encoder.finish()]);
      } catch (e) {
        b.expect(Promise.resolve(`submitting threw: ${(e as Error).message}`));
      } finally {
        b.expect(this.popScopes());
      }
      this.arenaUsed = 0;
      this.inBatch = 0;
      this.submits++;
    }
    this.batch++;
    this.unsettled.add(b);
    void b.close().then(() => this.unsettled.delete(b));
    const dead = this.toDestroy;
    this.toDestroy = [];
    for (const d of dead) d.destroy();
  }

  /** Resolves once every batch submitted so far has settled. */
  settled(): Promise<unknown> {
    return Promise.all(Array.from(this.unsettled, (b) => b.outcome));
  }

  private currentOp(): OpInfo {
    if (this.op === null) throw new Error('Recorder: begin() an op before recording');
    return this.op;
  }

  /** The batch being recorded (made if none is), with the current op noted in it. */
  private batchForOp(): Batch {
    this.current ??= new Batch();
    this.current.add(this.currentOp());
    return this.current;
  }

  /** Pops the scopes pushed for a guarded call: the first error's message, or null. */
  private popScopes(): Promise<string | null> {
    const answers = SCOPES.map(() => this.device.popErrorScope());
    return Promise.all(answers).then(
      (errors) => errors.find((e) => e !== null)?.message ?? null,
      (e: unknown) => `the GPU did not answer (${(e as Error).message})`,
    );
  }

  /** Leaves the origin of one command on the buffers it writes. */
  private track(writes: readonly boolean[], buffers: readonly PooledBuffer[]): void {
    const origin = originOf(this.currentOp(), this.batchForOp(), buffers);
    for (let i = 0; i < buffers.length; i++) {
      const buf = buffers[i]!;
      buf.lastUse = this.batch;
      if (writes[i] && buf.shared !== true) buf.origin = origin;
    }
  }

  /** Marks the buffers a command writes as failed: recording it threw. */
  private failWrites(writes: readonly boolean[], buffers: readonly PooledBuffer[], e: unknown): void {
    const op = this.currentOp();
    for (let i = 0; i < buffers.length; i++) {
      const buf = buffers[i]!;
      if (writes[i] && buf.shared !== true) {
        buf.origin = failedOrigin(op, `recording its command threw: ${(e as Error).message}`);
      }
    }
  }

  private commandEncoder(): GPUCommandEncoder {
    if (this.pass !== null) {
      this.pass.end();
      this.pass = null;
      this.passPipeline = null;
    }
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    this.pass ??= this.commandEncoder().beginComputePass();
    return this.pass;
  }
}

/** Which operands of a copy and of a clear are written. */
const COPY_WRITES = [false, true];
const CLEAR_WRITES = [true];

/** A node of the bind-group cache: the group at this path, and the paths one number longer. */
class BindGroupNode {
  group: GPUBindGroup | undefined = undefined;
  private next: Map<number, BindGroupNode> | undefined = undefined;

  /** The node one step further along `n` (made if new). */
  step(n: number): BindGroupNode {
    this.next ??= new Map();
    let node = this.next.get(n);
    if (node === undefined) {
      node = new BindGroupNode();
      this.next.set(n, node);
    }
    return node;
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
