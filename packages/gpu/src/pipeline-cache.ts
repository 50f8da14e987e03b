/**
 * Compiled compute pipelines, one per generated WGSL program. Kernels are generated per
 * (op, dtypes, rank, layout flags), so a key names a program without building its source; the
 * source is built and compiled only the first time a key is seen.
 *
 * Every program has the same kind of bind group: binding 0 is the uniform parameter block,
 * bound with a dynamic offset (so one bind group serves every dispatch over the same
 * buffers), then storage buffers, read-only (`r`) or written (`w`).
 */
import type { Batch, Guard } from './outcome.js';

/** A pipeline and the layout of its single bind group. */
export interface Kernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  /** Which bindings 1, 2, … the program writes. */
  readonly writes: readonly boolean[];
  /** A small number naming the kernel in bind-group cache keys. */
  readonly id: number;
  /** The batch that compiled it, until that batch answered clean (then null). */
  createdIn: Batch | null;
}

/** Pipelines by key. */
export class PipelineCache {
  private readonly kernels = new Map<string, Kernel>();
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();

  constructor(
    private readonly device: GPUDevice,
    /** Compiling may fail: a program is compiled in a batch of its own. */
    private readonly guard: Guard,
  ) {}

  /**
   * The kernel for `key`, compiling `source()` on first use. `bindings` spells the storage
   * bindings 1, 2, … as `r` (read-only) or `w` (read-write).
   */
  get(key: string, bindings: string, source: () => string): Kernel {
    const cached = this.kernels.get(key);
    if (cached !== undefined) {
      this.vet(cached);
      return cached;
    }
    const createdIn = this.guard.isolate();
    const { layout, pipeline } = this.guard.guarded(() => {
      const layout = this.layoutFor(bindings);
      const module = this.device.createShaderModule({ code: source(), label: key });
      const pipeline = this.device.createComputePipeline({
        layout: layout.pipeline,
        compute: { module, entryPoint: 'main' },
        label: key,
      });
      return { layout, pipeline };
    });
    const writes = [...bindings].map((c) => c === 'w');
    const k = { pipeline, layout: layout.group, writes, id: this.kernels.size + 1, createdIn };
    this.kernels.set(key, k);
    return k;
  }

  /**
   * Checks a kernel taken from a cache of the caller's (found without its key) as `get` checks
   * the ones it returns: until the batch that compiled it answered clean, ops using it run
   * isolated once that batch is known to have failed.
   */
  vet(k: Kernel): void {
    if (k.createdIn !== null) k.createdIn = this.guard.vet(k.createdIn);
  }

  /** Number of compiled pipelines. */
  get size(): number {
    return this.kernels.size;
  }

  private layoutFor(bindings: string) {
    let l = this.layouts.get(bindings);
    if (l === undefined) {
      const entries: GPUBindGroupLayoutEntry[] = [
        {
          binding: 0,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: 'uniform', hasDynamicOffset: true },
        },
      ];
      for (let i = 0; i < bindings.length; i++) {
        entries.push({
          binding: i + 1,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: bindings[i] === 'r' ? 'read-only-storage' : 'storage' },
        });
      }
      const group = this.device.createBindGroupLayout({ entries });
      const pipeline = this.device.createPipelineLayout({ bindGroupLayouts: [group] });
      l = { group, pipeline };
      this.layouts.set(bindings, l);
    }
    return l;
  }
}
