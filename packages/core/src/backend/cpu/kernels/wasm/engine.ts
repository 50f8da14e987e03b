/**
 * The WebAssembly engines behind the CPU backend's fast kernels: a linear memory with the
 * kernel modules instantiated over it (the matmul of `matmul-wat.mjs`, the elementwise and
 * optimizer loops of `elementwise-wat.mjs`).
 *
 * There are two. The local engine's memory is private to this thread; the shared engine's
 * memory is a shared `WebAssembly.Memory` (in Node, and in cross-origin isolated pages), so
 * worker threads can instantiate the kernel modules over it (see `pool.ts`). Where it exists
 * the arena keeps float32 and bool storages in it, so kernels read and write them in place;
 * the local engine serves the rest, copying operands in (above `DATA_START`) and results out.
 */

import * as ew from './elementwise-wasm.gen.js';
import * as mm from './matmul-wasm.gen.js';

const PAGE = 65536;
const MAX_PAGES = 65536;

/** First byte free for operands: the matmul control block and job descriptor come first. */
export const DATA_START = Math.ceil(mm.DESC_END / 64) * 64;

export interface MatmulExports {
  pack_tile(t: number): void;
  compute_tile(t: number): void;
  /** The fused multiply-add kernel: only in the module built with relaxed SIMD. */
  compute_tile_fma?(t: number): void;
}

/** Elementwise kernels, looked up by name (`u_relu`, `b_add`, `where`, `adam`, …). */
export type ElementwiseExports = Record<string, (...args: number[]) => void>;

export interface Engine {
  memory: WebAssembly.Memory;
  shared: boolean;
  /** The compiled matmul module, for worker threads to instantiate (shared engine). */
  matmulModule: WebAssembly.Module;
  /** The compiled elementwise module, likewise. */
  elementwiseModule: WebAssembly.Module;
  matmul: MatmulExports;
  elementwise: ElementwiseExports;
  /** Views of the whole memory, renewed when it grows. */
  i32: Int32Array;
  f32: Float32Array;
  u8: Uint8Array;
}

interface Modules {
  matmul: WebAssembly.Module;
  elementwise: WebAssembly.Module;
}

let relaxed: boolean | undefined;

/**
 * Whether this engine validates relaxed SIMD (`f32x4.relaxed_madd`): on by default in
 * Chrome ≥ 114 and Node ≥ 22; Node 20 needs `--experimental-wasm-relaxed-simd`. Checked
 * once, on the module that uses it.
 */
export function hasRelaxedSimd(): boolean {
  if (relaxed === undefined) {
    try {
      relaxed = typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes(relaxedMatmul, false));
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/** The matmul module built with relaxed SIMD, in the shape `wasmBytes` takes. */
const relaxedMatmul = {
  WASM_BASE64: mm.RELAXED_WASM_BASE64,
  MEMORY_FLAG_OFFSET: mm.RELAXED_MEMORY_FLAG_OFFSET,
};

/** The matmul module to run: the relaxed-SIMD build where the engine validates it. */
function matmulGen(): { WASM_BASE64: string; MEMORY_FLAG_OFFSET: number } {
  return hasRelaxedSimd() ? relaxedMatmul : mm;
}

let local: Engine | null | undefined;
let shared: Engine | null | undefined;
const compiled: { local?: Modules; shared?: Modules } = {};

/** A Node builtin module, or undefined outside Node. */
export function nodeBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether memory can be shared with worker threads: in Node, and in browser pages that are
 * cross-origin isolated (served with COOP `same-origin` and COEP `require-corp`).
 */
function canShare(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if (nodeBuiltin('node:worker_threads') !== undefined) return true;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

function wasmBytes(
  gen: { WASM_BASE64: string; MEMORY_FLAG_OFFSET: number },
  isShared: boolean,
): BufferSource {
  const bin = atob(gen.WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  if (!isShared) bytes[gen.MEMORY_FLAG_OFFSET] = 0x01;
  return bytes as BufferSource;
}

function create(modules: Modules, isShared: boolean): Engine {
  const memory = new WebAssembly.Memory(
    isShared ? { initial: 16, maximum: MAX_PAGES, shared: true } : { initial: 16, maximum: MAX_PAGES },
  );
  const imports = { env: { memory } };
  const buf = memory.buffer;
  return {
    memory,
    shared: isShared,
    matmulModule: modules.matmul,
    elementwiseModule: modules.elementwise,
    matmul: new WebAssembly.Instance(modules.matmul, imports).exports as unknown as MatmulExports,
    elementwise: new WebAssembly.Instance(modules.elementwise, imports)
      .exports as unknown as ElementwiseExports,
    i32: new Int32Array(buf),
    f32: new Float32Array(buf),
    u8: new Uint8Array(buf),
  };
}

function compileSync(isShared: boolean): Modules {
  return {
    matmul: new WebAssembly.Module(wasmBytes(matmulGen(), isShared)),
    elementwise: new WebAssembly.Module(wasmBytes(ew, isShared)),
  };
}

/** The local engine, created on first use; null where WebAssembly SIMD is unavailable. */
export function getEngine(): Engine | null {
  if (local !== undefined) return local;
  try {
    if (typeof WebAssembly !== 'object') throw new Error('no WebAssembly');
    compiled.local ??= compileSync(false);
    local = create(compiled.local, false);
  } catch {
    local = null;
  }
  return local;
}

/** The shared engine, for kernels split across threads; null where memory cannot be shared. */
export function getSharedEngine(): Engine | null {
  if (shared !== undefined) return shared;
  try {
    if (!canShare() || getEngine() === null) throw new Error('no shared memory');
    compiled.shared ??= compileSync(true);
    shared = create(compiled.shared, true);
  } catch {
    shared = null;
  }
  return shared;
}

/**
 * Compiles the modules asynchronously (browsers forbid compiling large modules
 * synchronously on the main thread) and creates the engines.
 */
export async function initEngine(): Promise<Engine | null> {
  if (typeof WebAssembly !== 'object') return getEngine();
  const compile = async (isShared: boolean): Promise<Modules> => {
    const [matmul, elementwise] = await Promise.all([
      WebAssembly.compile(wasmBytes(matmulGen(), isShared)),
      WebAssembly.compile(wasmBytes(ew, isShared)),
    ]);
    return { matmul, elementwise };
  };
  try {
    if (local === undefined) compiled.local ??= await compile(false);
    if (shared === undefined && canShare()) compiled.shared ??= await compile(true);
  } catch {
    // getEngine reports the failure as null.
  }
  getSharedEngine();
  return getEngine();
}

/** Grows the memory to at least `bytes`; false when it cannot. Renews the views. */
export function ensureBytes(e: Engine, bytes: number): boolean {
  const have = e.memory.buffer.byteLength;
  if (bytes > have) {
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    try {
      e.memory.grow(pages);
    } catch {
      return false;
    }
  }
  if (e.f32.buffer.byteLength !== e.memory.buffer.byteLength) {
    const buf = e.memory.buffer;
    e.i32 = new Int32Array(buf);
    e.f32 = new Float32Array(buf);
    e.u8 = new Uint8Array(buf);
  }
  return true;
}
