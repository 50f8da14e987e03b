/**
 * The WebGPU backend: core's primitive kernels as generated WGSL programs over pooled GPU
 * buffers. Work is recorded, not run: a kernel call records a dispatch and returns its output
 * storage at once, and the batch goes to the GPU when data is read (or every few hundred
 * dispatches), so a training step costs a handful of submits, not one per op.
 */
import {
  type AdamStepOptions,
  type Backend,
  type BackendMemory,
  type BinaryOp,
  collapseDims,
  contiguousLayout,
  contiguousStrides,
  DeviceError,
  type DType,
  DTypeError,
  type FusedKernels,
  isContiguous,
  type MemoryPolicy,
  numelOf,
  type RandomKind,
  type ReduceOp,
  type ScanOp,
  ShapeError,
  type SortResult,
  type TypedArray,
  type UnaryOp,
  type View,
  type WindowSpec,
} from '@tsgrad/core';
import { BufferPool, sizeClass } from './buffer-pool.js';
import { ADAM_WG, adamBindings, adamKey, adamParams, adamSource } from './kernels/adam.js';
import {
  contiguousParams,
  ELEMENTWISE_WG,
  type ElementwiseSpec,
  elementwiseCode,
  elementwiseKey,
  elementwiseParams,
  elementwiseSource,
  ParamWords,
} from './kernels/elementwise.js';
import { binaryExpr, unaryExpr } from './kernels/elementwise-ops.js';
import { FILL_KEY, fillSource } from './kernels/fill.js';
import { gatherKey, gatherParams, gatherSource } from './kernels/gather.js';
import { STATUS_OPS } from './kernels/index-status.js';
import {
  MATMUL_CONFIGS,
  type MatmulConfigName,
  type MatmulSpec,
  majorOrder,
  matmulKey,
  matmulParams,
  matmulSource,
  matmulWorkgroupBytes,
} from './kernels/matmul.js';
import { randomKey, randomSource } from './kernels/random.js';
import { type ReduceSpec, reduceKey, reduceParams, reduceSource } from './kernels/reduce.js';
import { type RowSpec, rowBindings, rowGroups, rowKey, rowParams, rowSource } from './kernels/rows.js';
import { scatterAddKey, scatterAddParams, scatterAddSource } from './kernels/scatter-add.js';
import { lineParams, scanKey, scanSource, sortKey, sortSource } from './kernels/sort.js';
import { convert, truthy, wgslType } from './kernels/wgsl-types.js';
import { windowsKey, windowsParams, windowsSource } from './kernels/windows.js';
import { faultError, OpInfo, type Origin, PENDING, resolve } from './outcome.js';
import { type Kernel, PipelineCache } from './pipeline-cache.js';
import { grid, Recorder } from './recorder.js';
import { GpuStorage, type PooledBuffer } from './storage.js';

/** The length of a view's last dim (1 for a scalar). */
const lastDim = (v: View): number => v.layout.shape[v.layout.shape.length - 1] ?? 1;

/**
 * Tuning knobs of the backend (all optional).
 *
 * @example
 * ```ts
 * await initWebGPU({ maxDispatchesPerSubmit: 512, matmulKernel: 'tiled', matmulConfig: 't128x128k16uw' });
 * ```
 */
export interface WebGPUBackendOptions {
  /** Dispatches recorded before a batch is submitted without waiting for a read (default 256). */
  maxDispatchesPerSubmit?: number;
  /** Freed bytes the pool may hold before it releases them to the driver (default 1 GiB). */
  maxPooledBytes?: number;
  /**
   * Matmul program: `'tiled'` (workgroup-memory tiles), `'direct'` (one invocation per output),
   * or `'auto'` (default: tiled for large products, where "large" is much larger on CPU-based
   * adapters, which compile the tiled program slowly).
   */
  matmulKernel?: 'auto' | 'tiled' | 'direct';
  /**
   * Which tiled program (a key of `MATMUL_CONFIGS`), or `'auto'` (default: 128×128 blocks, taken
   * in bands of 8 block-rows, for products with many of them, 128×64 blocks for mid-size ones,
   * 64×64 blocks for the rest and on CPU-based adapters). A
   * configuration whose workgroup memory exceeds the device's limit falls back to `'t64x64k16'`.
   */
  matmulConfig?: 'auto' | MatmulConfigName;
}

/**
 * What the pool and the command recorder are doing, for tests and benchmarks.
 *
 * @example
 * ```ts
 * const { pooledBytes, submits } = (await initWebGPU()).stats();
 * ```
 */
export interface WebGPUStats {
  /** Buffers and bytes waiting in the pool for reuse. */
  pooledBuffers: number;
  pooledBytes: number;
  /** Bytes of all storage buffers the backend holds (live and pooled). */
  allocatedBytes: number;
  /** Compiled pipelines. */
  pipelines: number;
  /** Command buffers submitted and dispatches recorded so far. */
  submits: number;
  dispatches: number;
}

type Strided = { offset: number; strides: readonly number[] };

const SUPPORTED: readonly DType[] = ['float32', 'int32', 'bool'];

/**
 * The tiled matmul program `'auto'` picks for products with many 128×128 output blocks: taken
 * in bands of 8 block-rows, which an H100 ran 2–3 % faster than row by row at 4096³ and 8192³.
 */
const DEFAULT_LARGE_MATMUL: MatmulConfigName = 't128x128k16uwg8';
/** The one for products with fewer 128×128 blocks but many 128×64 ones. */
const DEFAULT_MID_MATMUL: MatmulConfigName = 't128x64k16d';
/**
 * 128×128 blocks from which `'auto'` takes the large program: two waves of them on a GPU with
 * 132 multiprocessors; below that, 128×64 blocks keep more of them busy.
 */
const LARGE_MATMUL_BLOCKS = 264;
/** 128×64 blocks from which `'auto'` takes the mid-size program (else 64×64 blocks). */
const MID_MATMUL_BLOCKS = 64;

/**
 * A {@link Backend} that runs on a WebGPU device. Made and registered by `initWebGPU()`;
 * use it directly only for its extras (`flush`, `stats`, `emptyCache`).
 *
 * @example
 * ```ts
 * const gpu = await initWebGPU();
 * gpu.stats().pipelines; // programs compiled so far
 * ```
 */
export class WebGPUBackend implements Backend {
  readonly dtypes: readonly DType[] = SUPPORTED;
  private readonly pool: BufferPool;
  private readonly recorder: Recorder;
  private readonly pipelines: PipelineCache;
  private readonly live: BackendMemory = { buffers: 0, bytes: 0 };
  /** Every storage is tracked; each element takes 4 bytes (bools are widened to u32). */
  readonly memory = {
    byteSize: (size: number, _dtype: DType): number => size * 4,
    usage: (): BackendMemory => ({ ...this.live }),
    /** The device's largest storage binding (set from its limits by the constructor). */
    maxBytes: Number.POSITIVE_INFINITY,
  } satisfies MemoryPolicy;
  private readonly staging = new Map<number, GPUBuffer[]>();
  /** Elementwise kernels by expression, then by {@link elementwiseCode}. */
  private readonly elementwiseKernels = new Map<string, Map<number, Kernel>>();
  private readonly params = new ParamWords();
  private readonly status: PooledBuffer;
  private readonly maxBinding: number;
  private readonly maxPooled: number;
  private readonly errors: string[] = [];
  private lostMessage: string | null = null;
  /** Kernels that do in one dispatch what core would otherwise do in several ops. */
  readonly fused: FusedKernels = {
    adamStep: (param, grad, expAvg, expAvgSq, maxExpAvgSq, o) =>
      this.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, o),
    reluBackward: (y, g) => {
      this.begin('reluBackward', y.layout.shape, g.layout.shape);
      return this.mapElements('reluBackward', [y, g], y.dtype, 'select(0.0, v1, v0 > 0.0)');
    },
    softmax: (x) => this.rowOp({ kernel: 'softmax' }, [x], lastDim(x), [numelOf(x.layout.shape)])[0]!,
    softmaxBackward: (y, g) =>
      this.rowOp({ kernel: 'softmaxBackward' }, [y, g], lastDim(y), [numelOf(y.layout.shape)])[0]!,
    logSoftmax: (x) => this.rowOp({ kernel: 'logSoftmax' }, [x], lastDim(x), [numelOf(x.layout.shape)])[0]!,
    logSoftmaxBackward: (y, g) =>
      this.rowOp({ kernel: 'logSoftmaxBackward' }, [y, g], lastDim(y), [numelOf(y.layout.shape)])[0]!,
    layerNorm: (x, weight, bias, size, eps) => {
      const n = numelOf(x.layout.shape);
      const spec = { kernel: 'layerNorm', weight: weight !== null, bias: bias !== null } as const;
      const inputs = [x, weight, bias].filter((v) => v !== null);
      const [y, stats] = this.rowOp(spec, inputs, size, [n, size === 0 ? 0 : (2 * n) / size], eps);
      return { y: y!, stats: stats! };
    },
    layerNormBackward: (g, x, weight, stats, size, want) => {
      const n = numelOf(x.layout.shape);
      const spec = { kernel: 'layerNormBackward', weight: weight !== null } as const;
      const inputs = weight === null ? [g, x, stats] : [g, x, weight, stats];
      const dx = this.rowOp(spec, inputs, size, [n])[0]!;
      if (!want.weight && !want.bias) return { dx, dWeight: null, dBias: null };
      const [dw, db] = this.rowOp({ kernel: 'columnSums' }, [g, x, stats], size, [size, size]);
      if (!want.weight) this.free(dw);
      if (!want.bias) this.free(db);
      return { dx, dWeight: want.weight ? dw! : null, dBias: want.bias ? db! : null };
    },
  };
  /** Which matmul program runs (see {@link WebGPUBackendOptions.matmulKernel}); settable. */
  matmulKernel: 'auto' | 'tiled' | 'direct';
  /** Which tiled matmul program runs (see {@link WebGPUBackendOptions.matmulConfig}); settable. */
  matmulConfig: 'auto' | MatmulConfigName;

  constructor(
    /** The GPU device all buffers and programs live on. */
    readonly gpu: GPUDevice,
    options: WebGPUBackendOptions = {},
    /** What the adapter said about itself (vendor, architecture …), if known. */
    readonly adapterInfo: GPUAdapterInfo | null = null,
  ) {
    this.matmulKernel = options.matmulKernel ?? 'auto';
    this.matmulConfig = options.matmulConfig ?? 'auto';
    this.maxBinding = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
    this.memory.maxBytes = this.maxBinding;
    this.maxPooled = options.maxPooledBytes ?? 2 ** 30;
    this.recorder = new Recorder(gpu, {
      maxDispatches: options.maxDispatchesPerSubmit ?? 256,
      paramBytes: 256 * 1024,
      uniformAlign: gpu.limits.minUniformBufferOffsetAlignment,
    });
    this.pool = new BufferPool(gpu, this.maxBinding, this.recorder);
    this.pipelines = new PipelineCache(gpu, this.recorder);
    this.status = {
      buffer: gpu.createBuffer({
        size: 16,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        label: 'tsgrad index status',
      }),
      capacity: 16,
      id: 0,
      lastUse: 0,
      origin: null,
      createdIn: null,
      shared: true,
    };
    // The device calls that can fail run inside error scopes, and their failures spoil only
    // the results they touch (see recorder.ts); this catches anything that escapes them.
    gpu.addEventListener('uncapturederror', (e) => {
      this.errors.push((e as GPUUncapturedErrorEvent).error.message);
    });
    void gpu.lost.then((info) => {
      this.lostMessage = `the WebGPU device was lost (${info.reason}: ${info.message})`;
    });
  }

  // ---------------------------------------------------------------------------------------
  // Storage

  fromArray(data: TypedArray, dtype: DType): GpuStorage {
    const words = hostWords(data, dtype);
    this.begin('fromArray', [words.length]);
    const s = this.alloc(words.length, 'fromArray');
    if (words.length > 0) {
      // writeBuffer runs ahead of commands still being recorded: if the buffer came back from
      // the pool while a recorded command still uses it, submit that command first.
      if (s.buf.lastUse === this.recorder.batch) this.recorder.flush();
      this.recorder.guarded(() =>
        this.gpu.queue.writeBuffer(
          s.buffer,
          0,
          words.buffer as ArrayBuffer,
          words.byteOffset,
          words.byteLength,
        ),
      );
      this.recorder.wrote(s.buf);
    }
    return s;
  }

  fill(size: number, value: number, dtype: DType): GpuStorage {
    checkDtype(dtype, 'fill');
    this.begin('fill', [size]);
    const s = this.alloc(size, 'fill');
    if (size === 0) return s;
    const bits = scalarBits(value, dtype);
    if (bits === 0) {
      this.recorder.clear(s.buf, size * 4);
    } else {
      const k = this.pipelines.get(FILL_KEY, 'w', fillSource);
      this.recorder.dispatch(k, [size, bits], [s.buf], grid(Math.ceil(size / 256)));
    }
    return s;
  }

  async read(storage: unknown, dtype: DType, size: number): Promise<TypedArray> {
    const s = this.storageOf(storage, 'read');
    checkDtype(dtype, 'read');
    if (size > s.size) throw new ShapeError(`read: ${size} elements asked of a storage of ${s.size}`);
    // Where the contents come from, as of this read (later ops may write the buffer again).
    const origin = s.buf.origin;
    throwFault(origin);
    this.begin('read', [size]);
    const bytes = size * 4;
    const total = bytes + 16;
    const staging = this.takeStaging(total);
    if (bytes > 0) this.recorder.copyOut(s.buf, 0, staging, 0, bytes);
    this.recorder.copyOut(this.status, 0, staging, bytes, 16);
    this.recorder.flush();
    const answered = this.recorder.settled();
    let out: TypedArray;
    let status: Uint32Array;
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, total);
    } catch (e) {
      this.throwIfBroken();
      throw new DeviceError(`read: mapping the result for reading failed (${(e as Error).message})`);
    }
    try {
      const range = staging.getMappedRange(0, total);
      out = fromWords(range, dtype, size);
      status = new Uint32Array(range.slice(bytes, total));
    } finally {
      staging.unmap();
      this.returnStaging(staging);
    }
    this.throwIfBroken();
    await answered;
    throwFault(origin);
    if (status[0] !== 0) {
      this.recorder.clear(this.status, 16);
      const op = STATUS_OPS[status[0]!] ?? 'index';
      const bad = status[1]! | 0;
      throw new ShapeError(
        `${op}: index ${bad} is out of bounds for dimension ${status[3]} with size ${status[2]} ` +
          '(found on the GPU; reported at the next read)',
      );
    }
    return out;
  }

  free(storage: unknown): void {
    const s = storage as GpuStorage;
    if (!(s instanceof GpuStorage) || s.freed) return;
    s.freed = true;
    this.live.buffers--;
    this.live.bytes -= s.bytes;
    this.pool.release(s.buf);
    if (this.pool.pooledBytes > this.maxPooled) this.emptyCache();
  }

  // ---------------------------------------------------------------------------------------
  // Elementwise

  unary(op: UnaryOp, x: View, outDtype: DType): GpuStorage {
    this.begin(op, x.layout.shape);
    return this.mapElements('unary', [x], outDtype, unaryExpr(op, x.dtype, outDtype));
  }

  binary(op: BinaryOp, a: View, b: View, outDtype: DType): GpuStorage {
    this.begin(op, a.layout.shape, b.layout.shape);
    return this.mapElements('binary', [a, b], outDtype, binaryExpr(op, a.dtype, outDtype));
  }

  where(cond: View, a: View, b: View): GpuStorage {
    checkDtype(cond.dtype, 'where');
    this.begin('where', cond.layout.shape, a.layout.shape, b.layout.shape);
    return this.mapElements('where', [cond, a, b], a.dtype, `select(v2, v1, ${truthy('v0', cond.dtype)})`);
  }

  /** A contiguous copy of x (what the seam's `cast` to x's own dtype runs). */
  copy(x: View): GpuStorage {
    this.begin('copy', x.layout.shape);
    return this.copyOf(x);
  }

  private copyOf(x: View): GpuStorage {
    const src = this.storageOf(x.storage, 'copy');
    checkDtype(x.dtype, 'copy');
    const n = numelOf(x.layout.shape);
    if (n > 0 && isContiguous(x.layout)) {
      const out = this.alloc(n, 'copy');
      this.recorder.copy(src.buf, x.layout.offset * 4, out.buf, 0, n * 4);
      return out;
    }
    return this.mapElements('copy', [x], x.dtype, 'v0');
  }

  cast(x: View, dtype: DType): GpuStorage {
    checkDtype(dtype, 'cast');
    this.begin('cast', x.layout.shape);
    if (dtype === x.dtype) return this.copyOf(x);
    return this.mapElements('cast', [x], dtype, convert('v0', x.dtype, dtype));
  }

  assign(dst: View, src: View): void {
    const d = this.storageOf(dst.storage, 'assign');
    checkDtype(dst.dtype, 'assign');
    this.begin('assign', dst.layout.shape, src.layout.shape);
    let from = src;
    let tmp: GpuStorage | null = null;
    if (src.storage === dst.storage) {
      // Reading and writing one buffer in one dispatch would race; read from a copy.
      tmp = this.copyOf(src);
      from = { storage: tmp, dtype: src.dtype, layout: contiguousLayout(src.layout.shape) };
    }
    this.writeStrided(from, d, dst.layout, 'assign');
    if (tmp !== null) this.free(tmp);
  }

  concat(inputs: readonly View[], dim: number): GpuStorage {
    const first = inputs[0];
    if (first === undefined) throw new ShapeError('concat: needs at least one tensor');
    checkDtype(first.dtype, 'concat');
    this.begin('concat', ...inputs.map((v) => v.layout.shape));
    const shape = first.layout.shape.slice();
    shape[dim] = inputs.reduce((acc, v) => acc + v.layout.shape[dim]!, 0);
    const out = this.alloc(numelOf(shape), 'concat');
    const strides = contiguousStrides(shape);
    let start = 0;
    for (const v of inputs) {
      this.writeStrided(v, out, { offset: start * (strides[dim] ?? 0), strides }, 'concat');
      start += v.layout.shape[dim]!;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Reductions and matmul

  reduce(op: ReduceOp, x: View, axes: readonly number[]): GpuStorage {
    const src = this.storageOf(x.storage, 'reduce');
    checkDtype(x.dtype, 'reduce');
    this.begin(op, x.layout.shape);
    const { shape, strides, offset } = x.layout;
    const rank = shape.length;
    const isAxis = new Array<boolean>(rank).fill(false);
    for (const a of axes) isAxis[a < 0 ? a + rank : a] = true;
    const keptShape: number[] = [];
    const keptStrides: number[] = [];
    const redShape: number[] = [];
    const redStrides: number[] = [];
    for (let d = 0; d < rank; d++) {
      (isAxis[d] ? redShape : keptShape).push(shape[d]!);
      (isAxis[d] ? redStrides : keptStrides).push(strides[d]!);
    }
    const isArg = op === 'argmax' || op === 'argmin';
    if (isArg && redShape.length !== 1) {
      throw new ShapeError(`${op}: reduces exactly one axis, got ${redShape.length}`);
    }
    const nOut = numelOf(keptShape);
    const R = numelOf(redShape);
    const out = this.alloc(nOut, op);
    if (nOut === 0) return out;
    const kept = collapseDims(keptShape, [keptStrides]);
    const red = isArg ? { shape: redShape, strides: [redStrides] } : collapseDims(redShape, [redStrides]);
    if (R === 0) {
      // Nothing to combine: every output is the op's identity (0 for sum, 1 for prod …).
      red.shape = [0];
      red.strides = [[0]];
    }
    const innerStride = red.strides[0]![red.shape.length - 1];
    let group = 0;
    if (R >= 64 && (nOut <= 2048 || (R >= 512 && innerStride === 1))) group = R >= 2048 ? 256 : 64;
    const spec: ReduceSpec = {
      op,
      dtype: x.dtype,
      keptRank: kept.shape.length,
      redRank: red.shape.length,
      group,
    };
    const k = this.pipelines.get(reduceKey(spec), 'rw', () => reduceSource(spec));
    const params = reduceParams(
      nOut,
      offset,
      { shape: kept.shape, strides: kept.strides[0]! },
      { shape: red.shape, strides: red.strides[0]! },
    );
    const groups = group === 0 ? grid(Math.ceil(nOut / 64)) : grid(nOut);
    this.recorder.dispatch(k, params, [src.buf, out.buf], groups);
    return out;
  }

  matmul(a: View, b: View): GpuStorage {
    const sa = this.storageOf(a.storage, 'matmul');
    const sb = this.storageOf(b.storage, 'matmul');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      throw new DTypeError(
        `matmul: webgpu multiplies float32 matrices, got ${a.dtype} and ${b.dtype}` +
          (a.dtype === 'float64' || b.dtype === 'float64' ? ' (WebGPU has no float64; use float32)' : ''),
      );
    }
    this.begin('matmul', a.layout.shape, b.layout.shape);
    const [batch, M, K] = a.layout.shape as [number, number, number];
    const N = b.layout.shape[2]!;
    const out = this.alloc(batch * M * N, 'matmul');
    if (batch * M * N === 0) return out;
    if (K === 0) {
      this.recorder.clear(out.buf, batch * M * N * 4);
      return out;
    }
    // On CPU adapters the tiled program takes seconds to compile but then runs about twice as
    // fast: worth it only for products large enough to repay that within a few calls.
    const large = M >= 32 && N >= 32 && M * N * K >= (this.cpuAdapter ? 1 << 24 : 1 << 18);
    const tiled = this.matmulKernel === 'tiled' || (this.matmulKernel === 'auto' && large);
    const spec: MatmulSpec = {
      tiled,
      a: majorOrder(a.layout.shape, a.layout.strides),
      b: majorOrder(b.layout.shape, b.layout.strides),
      config: 't64x64k16',
    };
    if (tiled) spec.config = this.matmulConfigFor(spec, batch, M, N);
    const k = this.pipelines.get(matmulKey(spec), 'rrw', () => matmulSource(spec));
    const cfg = MATMUL_CONFIGS[spec.config];
    const [gx, gy] = tiled ? [Math.ceil(N / cfg.bn), Math.ceil(M / cfg.bm)] : grid(Math.ceil((M * N) / 64));
    for (let b0 = 0; b0 < batch; b0 += 65535) {
      const nb = Math.min(65535, batch - b0);
      const params = matmulParams(M, N, K, b0, a.layout, b.layout, tiled ? cfg.group : 1);
      this.recorder.dispatch(k, params, [sa.buf, sb.buf, out.buf], [gx, gy, nb]);
    }
    return out;
  }

  private adamStep(
    param: View,
    grad: View,
    expAvg: View,
    expAvgSq: View,
    maxExpAvgSq: View | null,
    o: AdamStepOptions,
  ): void {
    const views =
      maxExpAvgSq === null ? [param, grad, expAvg, expAvgSq] : [param, grad, expAvg, expAvgSq, maxExpAvgSq];
    for (const v of views) {
      if (v.dtype !== 'float32')
        throw new DTypeError(`adamStep: webgpu updates float32 tensors, got ${v.dtype}`);
    }
    this.begin('adamStep', param.layout.shape);
    const bufs = views.map((v) => this.storageOf(v.storage, 'adamStep').buf);
    const n = numelOf(param.layout.shape);
    if (n === 0) return;
    const amsgrad = maxExpAvgSq !== null;
    const k = this.pipelines.get(adamKey(amsgrad), adamBindings(amsgrad), () => adamSource(amsgrad));
    const params = adamParams(
      n,
      views.map((v) => v.layout.offset),
      o,
    );
    this.recorder.dispatch(k, params, bufs, grid(Math.ceil(n / ADAM_WG)));
  }

  /**
   * One fused row kernel over contiguous float32 operands whose rows are `L` long: new
   * contiguous outputs of the given sizes, in the kernel's binding order.
   */
  private rowOp(
    spec: RowSpec,
    inputs: readonly View[],
    L: number,
    outSizes: readonly number[],
    eps = 0,
  ): GpuStorage[] {
    for (const v of inputs) {
      if (v.dtype !== 'float32')
        throw new DTypeError(`${spec.kernel}: webgpu runs it on float32, got ${v.dtype}`);
    }
    this.begin(spec.kernel, ...inputs.map((v) => v.layout.shape));
    const bufs = inputs.map((v) => this.storageOf(v.storage, spec.kernel).buf);
    const outs = outSizes.map((n) => this.alloc(n, spec.kernel));
    const rows = L === 0 ? 0 : numelOf(inputs[0]!.layout.shape) / L;
    if (rows === 0 || L === 0) return outs;
    const k = this.pipelines.get(rowKey(spec), rowBindings(spec), () => rowSource(spec));
    const offsets = [...inputs.map((v) => v.layout.offset), ...outs.map(() => 0)];
    const params = rowParams(rows, L, offsets, eps);
    this.recorder.dispatch(k, params, [...bufs, ...outs.map((o) => o.buf)], grid(rowGroups(spec, rows, L)));
    return outs;
  }

  // ---------------------------------------------------------------------------------------
  // Indexing and random

  gather(x: View, dim: number, index: View): GpuStorage {
    const sx = this.storageOf(x.storage, 'gather');
    const si = this.storageOf(index.storage, 'gather');
    checkDtype(x.dtype, 'gather');
    this.begin('gather', x.layout.shape, index.layout.shape);
    const n = numelOf(index.layout.shape);
    const out = this.alloc(n, 'gather');
    if (n === 0) return out;
    const xl = atLeast1d(x.layout);
    const il = atLeast1d(index.layout);
    const rank = il.shape.length;
    const k = this.pipelines.get(gatherKey(x.dtype, rank), 'rrww', () => gatherSource(x.dtype, rank));
    const params = gatherParams(n, dim, il.shape, il, xl);
    this.recorder.dispatch(k, params, [sx.buf, si.buf, out.buf, this.status], grid(Math.ceil(n / 256)));
    return out;
  }

  scatterAdd(base: View, dim: number, index: View, src: View): GpuStorage {
    const sbase = this.storageOf(base.storage, 'scatterAdd');
    const sidx = this.storageOf(index.storage, 'scatterAdd');
    const ssrc = this.storageOf(src.storage, 'scatterAdd');
    checkDtype(base.dtype, 'scatterAdd');
    this.begin('scatterAdd', base.layout.shape, index.layout.shape, src.layout.shape);
    const n = numelOf(base.layout.shape);
    const out = this.alloc(n, 'scatterAdd');
    if (n === 0) return out;
    const bl = atLeast1d(base.layout);
    const il = atLeast1d(index.layout);
    const sl = atLeast1d(src.layout);
    const rank = bl.shape.length;
    const k = this.pipelines.get(scatterAddKey(base.dtype, rank, dim), 'rrrww', () =>
      scatterAddSource(base.dtype, rank, dim),
    );
    const params = scatterAddParams(n, dim, bl, il, sl);
    this.recorder.dispatch(
      k,
      params,
      [sbase.buf, sidx.buf, ssrc.buf, out.buf, this.status],
      grid(Math.ceil(n / 256)),
    );
    return out;
  }

  random(kind: RandomKind, size: number, dtype: DType, key: number, counter: number): GpuStorage {
    if (dtype !== 'float32') {
      checkDtype(dtype, 'random');
      throw new DTypeError(`random: draws are float32 on webgpu, got ${dtype}`);
    }
    this.begin(kind, [size]);
    const out = this.alloc(size, 'random');
    if (size === 0) return out;
    const k = this.pipelines.get(randomKey(kind), 'w', () => randomSource(kind));
    this.recorder.dispatch(k, [size, key >>> 0, counter >>> 0], [out.buf], grid(Math.ceil(size / 256)));
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Sorting and scans

  sort(x: View, dim: number, descending: boolean): SortResult {
    const sx = this.storageOf(x.storage, 'sort');
    checkDtype(x.dtype, 'sort');
    if (x.dtype === 'bool')
      throw new DTypeError("sort: cannot sort bool on webgpu; convert with .to('int32')");
    this.begin('sort', x.layout.shape);
    const n = numelOf(x.layout.shape);
    const values = this.alloc(n, 'sort');
    const indices = this.alloc(n, 'sort');
    if (n === 0) return { values, indices };
    const scratch = this.alloc(n, 'sort');
    const { params, lines, kr } = lineParams(x.layout, dim);
    const k = this.pipelines.get(sortKey(x.dtype, kr, descending), 'rwww', () =>
      sortSource(x.dtype, kr, descending),
    );
    this.recorder.dispatch(
      k,
      params,
      [sx.buf, values.buf, indices.buf, scratch.buf],
      grid(Math.ceil(lines / 64)),
    );
    this.free(scratch);
    return { values, indices };
  }

  scan(op: ScanOp, x: View, dim: number, reverse: boolean): GpuStorage {
    const sx = this.storageOf(x.storage, 'scan');
    checkDtype(x.dtype, 'scan');
    if (x.dtype === 'bool' || (op === 'logsumexp' && x.dtype !== 'float32')) {
      throw new DTypeError(`scan: ${op} of ${x.dtype} is not supported on webgpu`);
    }
    this.begin(op, x.layout.shape);
    const n = numelOf(x.layout.shape);
    const out = this.alloc(n, 'scan');
    if (n === 0) return out;
    const { params, lines, kr } = lineParams(x.layout, dim);
    const k = this.pipelines.get(scanKey(op, x.dtype, kr, reverse), 'rw', () =>
      scanSource(op, x.dtype, kr, reverse),
    );
    this.recorder.dispatch(k, params, [sx.buf, out.buf], grid(Math.ceil(lines / 64)));
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Convolution windows

  im2col(x: View, spec: WindowSpec, padValue: number): GpuStorage {
    const sx = this.storageOf(x.storage, 'im2col');
    checkDtype(x.dtype, 'im2col');
    this.begin('im2col', x.layout.shape);
    const [N, C] = x.layout.shape as [number, number];
    const n = N * C * spec.kernel[0] * spec.kernel[1] * spec.out[0] * spec.out[1];
    const out = this.alloc(n, 'im2col');
    if (n === 0) return out;
    const k = this.pipelines.get(windowsKey('im2col', x.dtype), 'rw', () => windowsSource('im2col', x.dtype));
    const params = windowsParams(n, x, spec, padValue);
    this.recorder.dispatch(k, params, [sx.buf, out.buf], grid(Math.ceil(n / 256)));
    return out;
  }

  col2im(cols: View, spec: WindowSpec): GpuStorage {
    const sc = this.storageOf(cols.storage, 'col2im');
    checkDtype(cols.dtype, 'col2im');
    if (cols.dtype === 'bool') throw new DTypeError('col2im: cannot sum bool on webgpu');
    this.begin('col2im', cols.layout.shape);
    const [N, C] = cols.layout.shape as [number, number];
    const n = N * C * spec.size[0] * spec.size[1];
    const out = this.alloc(n, 'col2im');
    if (n === 0) return out;
    const k = this.pipelines.get(windowsKey('col2im', cols.dtype), 'rw', () =>
      windowsSource('col2im', cols.dtype),
    );
    const params = windowsParams(n, cols, spec);
    this.recorder.dispatch(k, params, [sc.buf, out.buf], grid(Math.ceil(n / 256)));
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Extras

  /**
   * Submits all recorded work now. Reads do this themselves; call it to let the GPU start on
   * queued work while JavaScript does something else.
   *
   * @example
   * ```ts
   * (await initWebGPU()).flush();
   * ```
   */
  flush(): void {
    this.recorder.flush();
  }

  /**
   * Releases the pool's free buffers to the driver (live tensors are untouched).
   *
   * @example
   * ```ts
   * (await initWebGPU()).emptyCache();
   * ```
   */
  emptyCache(): void {
    this.recorder.forgetBindGroups();
    for (const b of this.pool.drain()) this.recorder.destroyLater(b);
  }

  /**
   * Pool, pipeline and submit counters.
   *
   * @example
   * ```ts
   * const { submits, dispatches } = (await initWebGPU()).stats();
   * ```
   */
  stats(): WebGPUStats {
    return {
      pooledBuffers: this.pool.pooledBuffers,
      pooledBytes: this.pool.pooledBytes,
      allocatedBytes: this.pool.allocatedBytes,
      pipelines: this.pipelines.size,
      submits: this.recorder.submits,
      dispatches: this.recorder.dispatches,
    };
  }

  /**
   * Waits until the GPU has finished all work submitted so far (after submitting what is
   * recorded). For timing; reads wait by themselves.
   *
   * @example
   * ```ts
   * await (await initWebGPU()).sync();
   * ```
   */
  async sync(): Promise<void> {
    this.recorder.flush();
    await this.gpu.queue.onSubmittedWorkDone();
    this.throwIfBroken();
  }

  // ---------------------------------------------------------------------------------------
  // Internals

  /**
   * The tiled matmul configuration for a product: the one set, else (on an adapter that is not
   * CPU-based) 128×128 blocks when there are enough of them to fill a large GPU twice, 128×64
   * blocks when there are enough of those, else 64×64 blocks; one that needs more workgroup
   * memory or invocations than the device allows falls back to 64×64 blocks.
   */
  private matmulConfigFor(spec: MatmulSpec, batch: number, M: number, N: number): MatmulConfigName {
    let name: MatmulConfigName = 't64x64k16';
    const rows = batch * Math.ceil(M / 128);
    if (this.matmulConfig !== 'auto') name = this.matmulConfig;
    else if (this.cpuAdapter) name = 't64x64k16';
    else if (rows * Math.ceil(N / 128) >= LARGE_MATMUL_BLOCKS) name = DEFAULT_LARGE_MATMUL;
    else if (rows * Math.ceil(N / 64) >= MID_MATMUL_BLOCKS) name = DEFAULT_MID_MATMUL;
    const c = MATMUL_CONFIGS[name];
    const fits =
      matmulWorkgroupBytes(c, spec.a, spec.b) <= this.gpu.limits.maxComputeWorkgroupStorageSize &&
      (c.bm / c.tm) * (c.bn / c.tn) <= this.gpu.limits.maxComputeInvocationsPerWorkgroup;
    return fits ? name : 't64x64k16';
  }

  /** A software adapter (lavapipe, SwiftShader): work runs on the CPU. */
  private get cpuAdapter(): boolean {
    const i = this.adapterInfo as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | null;
    if (i === null) return false;
    return (
      i.isFallbackAdapter === true ||
      i.architecture === 'software' ||
      /llvmpipe|lavapipe|swiftshader/i.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`)
    );
  }

  /** Starts recording an op named `name` called with these shapes. */
  private begin(name: string, ...shapes: (readonly number[])[]): void {
    this.recorder.begin(new OpInfo(name, shapes));
  }

  private alloc(size: number, op: string): GpuStorage {
    if (this.lostMessage !== null) throw new DeviceError(`${op}: ${this.lostMessage}`);
    const bytes = Math.max(4, size * 4);
    if (bytes > this.maxBinding) {
      throw new DeviceError(
        `${op}: ${size} elements (${bytes} bytes) exceed this WebGPU device's largest buffer binding ` +
          `(maxStorageBufferBindingSize ${this.maxBinding} bytes)`,
      );
    }
    const buf = this.pool.acquire(bytes);
    this.live.buffers++;
    this.live.bytes += size * 4;
    return new GpuStorage(buf, size);
  }

  private storageOf(storage: unknown, op: string): GpuStorage {
    if (!(storage instanceof GpuStorage)) {
      throw new DeviceError(`${op}: expected a webgpu storage (is this tensor on another device?)`);
    }
    if (storage.freed) throw new DeviceError(`${op}: the tensor's GPU buffer was already freed`);
    return storage;
  }

  /** One dispatch that maps elements one to one into a new contiguous storage. */
  private mapElements(op: string, inputs: readonly View[], outDtype: DType, expr: string): GpuStorage {
    // Recorded for every elementwise op of a step, so the common case allocates little: the
    // kernel is found by (expression, a number coding dtypes, layout flags and rank), and
    // operands that are all contiguous skip collapsing their dims.
    const bufs: PooledBuffer[] = [];
    let contiguous = true;
    for (const v of inputs) {
      checkDtype(v.dtype, op);
      bufs.push(this.storageOf(v.storage, op).buf);
      if (!isContiguous(v.layout)) contiguous = false;
    }
    checkDtype(outDtype, op);
    const shape = inputs[0]!.layout.shape;
    const n = numelOf(shape);
    const out = this.alloc(n, op);
    if (n === 0) return out;
    bufs.push(out.buf);
    const c = contiguous
      ? null
      : collapseDims(shape, [...inputs.map((v) => v.layout.strides), contiguousStrides(shape)]);
    const rank = c === null ? 1 : c.shape.length;
    const code = elementwiseCode(rank, inputs, outDtype);
    let byCode = this.elementwiseKernels.get(expr);
    if (byCode === undefined) {
      byCode = new Map();
      this.elementwiseKernels.set(expr, byCode);
    }
    let k = byCode.get(code);
    if (k === undefined) {
      const spec: ElementwiseSpec = {
        rank,
        inputs: inputs.map((v) => ({ dtype: v.dtype, contig: isContiguous(v.layout) })),
        out: { dtype: outDtype, contig: true },
        expr,
      };
      k = this.pipelines.get(elementwiseKey(spec), `${'r'.repeat(inputs.length)}w`, () =>
        elementwiseSource(spec),
      );
      byCode.set(code, k);
    } else {
      this.pipelines.vet(k);
    }
    let params: Uint32Array;
    if (c === null) params = contiguousParams(n, inputs, this.params);
    else {
      const layouts: Strided[] = inputs.map((v, j) => ({ offset: v.layout.offset, strides: c.strides[j]! }));
      layouts.push({ offset: 0, strides: c.strides[inputs.length]! });
      params = elementwiseParams(n, c.shape, layouts, this.params);
    }
    this.recorder.dispatch(k, params, bufs, grid(Math.ceil(n / ELEMENTWISE_WG)));
    return out;
  }

  /** Copies `src` into `dst` seen through `dstLayout` (same shape as src). */
  private writeStrided(src: View, dst: GpuStorage, dstLayout: Strided, op: string): void {
    const s = this.storageOf(src.storage, op);
    checkDtype(src.dtype, op);
    const shape = src.layout.shape;
    const n = numelOf(shape);
    if (n === 0) return;
    const c = collapseDims(shape, [src.layout.strides, dstLayout.strides]);
    const spec: ElementwiseSpec = {
      rank: c.shape.length,
      inputs: [{ dtype: src.dtype, contig: isContiguous(src.layout) }],
      out: { dtype: src.dtype, contig: isContiguous({ shape, strides: dstLayout.strides }) },
      expr: 'v0',
    };
    const k = this.pipelines.get(elementwiseKey(spec), 'rw', () => elementwiseSource(spec));
    const params = elementwiseParams(
      n,
      c.shape,
      [
        { offset: src.layout.offset, strides: c.strides[0]! },
        { offset: dstLayout.offset, strides: c.strides[1]! },
      ],
      this.params,
    );
    this.recorder.dispatch(k, params, [s.buf, dst.buf], grid(Math.ceil(n / ELEMENTWISE_WG)));
  }

  private takeStaging(bytes: number): GPUBuffer {
    const cls = sizeClass(bytes);
    const b = this.staging.get(cls)?.pop();
    if (b !== undefined) return b;
    this.recorder.isolate();
    return this.recorder.guarded(() =>
      this.gpu.createBuffer({ size: cls, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    );
  }

  private returnStaging(b: GPUBuffer): void {
    // Large read buffers are not worth keeping.
    if (b.size > 64 * 1024 * 1024) {
      b.destroy();
      return;
    }
    let list = this.staging.get(b.size);
    if (list === undefined) {
      list = [];
      this.staging.set(b.size, list);
    }
    list.push(b);
  }

  private throwIfBroken(): void {
    if (this.lostMessage !== null) throw new DeviceError(this.lostMessage);
    const e = this.errors.shift();
    if (e !== undefined) {
      this.errors.length = 0;
      throw new DeviceError(`webgpu: a kernel failed validation: ${e}`);
    }
  }
}

/** Throws the failure in a buffer's history, if one is known. */
function throwFault(origin: Origin | null): void {
  if (origin === null) return;
  const fault = resolve(origin);
  if (fault !== null && fault !== PENDING) throw faultError(origin, fault);
}

function checkDtype(dtype: DType, op: string): void {
  if (!SUPPORTED.includes(dtype)) {
    if (dtype === 'float64') {
      throw new DTypeError(
        `${op}: WebGPU has no float64; use float32 (e.g. tensor.to('webgpu') after .float())`,
      );
    }
    throw new DTypeError(`${op}: unsupported dtype ${dtype} on webgpu`);
  }
}

function atLeast1d(l: { shape: readonly number[]; strides: readonly number[]; offset: number }) {
  return l.shape.length > 0 ? l : { shape: [1], strides: [0], offset: l.offset };
}

/** Host data as the 32-bit words the device stores. */
function hostWords(data: TypedArray, dtype: DType): Float32Array | Int32Array | Uint32Array {
  checkDtype(dtype, 'fromArray');
  wgslType(dtype);
  if (dtype === 'float32') return data instanceof Float32Array ? data : Float32Array.from(data);
  if (dtype === 'int32') return data instanceof Int32Array ? data : Int32Array.from(data);
  const w = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) w[i] = data[i] !== 0 ? 1 : 0;
  return w;
}

/** Device words back as the dtype's host array. */
function fromWords(range: ArrayBuffer, dtype: DType, size: number): TypedArray {
  if (dtype === 'float32') return new Float32Array(range.slice(0, size * 4));
  if (dtype === 'int32') return new Int32Array(range.slice(0, size * 4));
  const w = new Uint32Array(range, 0, size);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = w[i]!;
  return out;
}

/** The 32-bit pattern of a scalar stored as `dtype`, as a typed-array store converts it. */
function scalarBits(value: number, dtype: DType): number {
  if (dtype === 'float32') return new Uint32Array(new Float32Array([value]).buffer)[0]!;
  if (dtype === 'int32') return new Int32Array([value])[0]! >>> 0;
  return value !== 0 ? 1 : 0;
}
