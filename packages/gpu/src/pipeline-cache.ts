/**
 * Compiled compute pipelines, one per generated WGSL program. Kernels are generated per
 * (op, dtypes, rank, layout flags), so a key names a program without building its source; the
 * source is built and compiled only the first time a key is seen.
 */

/** A pipeline and the layout of its single bind group. */
export interface Kernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** Pipelines by key. */
export class PipelineCache {
  private readonly kernels = new Map<string, Kernel>();

  constructor(private readonly device: GPUDevice) {}

  /** The kernel for `key`, compiling `source()` on first use. */
  get(key: string, source: () => string): Kernel {
    let k = this.kernels.get(key);
    if (k === undefined) {
      const code = source();
      const module = this.device.createShaderModule({ code, label: key });
      const pipeline = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
        label: key,
      });
      k = { pipeline, layout: pipeline.getBindGroupLayout(0) };
      this.kernels.set(key, k);
    }
    return k;
  }

  /** Number of compiled pipelines. */
  get size(): number {
    return this.kernels.size;
  }
}
