/**
 * The WebAssembly engine behind the CPU backend's fast kernels: one linear memory and the
 * kernel modules instantiated over it (the matmul of `matmul-wat.mjs`, the elementwise and
 * optimizer loops of `elementwise-wat.mjs`).
 *
 * In Node the memory is a shared `WebAssembly.Memory`, so worker threads can instantiate
 * the matmul module over it (see `matmul-wasm.ts`). Kernels run one call at a time: each
 * copies its operands in above `DATA_START`, runs, and copies its result out, so the
 * memory holds nothing between calls.
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
}

/** Elementwise kernels, looked up by name (`u_relu`, `b_add`, `where`, `adam`, …). */
export type ElementwiseExports = Record<string, (...args: number[]) => void>;

export interface Engine {
  memory: WebAssembly.Memory;
  shared: boolean;
  /** The compiled matmul module, for worker threads to instantiate. */
  matmulModule: WebAssembly.Module;
  matmul: MatmulExports;
  elementwise: ElementwiseExports;
  /** Views of the whole memory, renewed when it grows. */
  i32: Int32Array;
  f32: Float32Array;
  u8: Uint8Array;
}

let engine: Engine | null | undefined;
let compiled: { matmul: WebAssembly.Module; elementwise: WebAssembly.Module } | undefined;

/** A Node builtin module, or undefined outside Node. */
export function nodeBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

function canShare(): boolean {
  return typeof SharedArrayBuffer === 'function' && nodeBuiltin('node:worker_threads') !== undefined;
}

function wasmBytes(gen: { WASM_BASE64: string; MEMORY_FLAG_OFFSET: number }, shared: boolean): Uint8Array {
  const bin = atob(gen.WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  if (!shared) bytes[gen.MEMORY_FLAG_OFFSET] = 0x01;
  return bytes;
}

function create(shared: boolean): Engine {
  const modules = compiled!;
  const memory = new WebAssembly.Memory(
    shared ? { initial: 16, maximum: MAX_PAGES, shared: true } : { initial: 16, maximum: MAX_PAGES },
  );
  const imports = { env: { memory } };
  const buf = memory.buffer;
  return {
    memory,
    shared,
    matmulModule: modules.matmul,
    matmul: new WebAssembly.Instance(modules.matmul, imports).exports as unknown as MatmulExports,
    elementwise: new WebAssembly.Instance(modules.elementwise, imports)
      .exports as unknown as ElementwiseExports,
    i32: new Int32Array(buf),
    f32: new Float32Array(buf),
    u8: new Uint8Array(buf),
  };
}

/** The engine, created on first use; null where WebAssembly SIMD is unavailable. */
export function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  try {
    if (typeof WebAssembly !== 'object') throw new Error('no WebAssembly');
    const shared = canShare();
    compiled ??= {
      matmul: new WebAssembly.Module(wasmBytes(mm, shared) as BufferSource),
      elementwise: new WebAssembly.Module(wasmBytes(ew, shared) as BufferSource),
    };
    engine = create(shared);
  } catch {
    engine = null;
  }
  return engine;
}

/**
 * Compiles the modules asynchronously (browsers forbid compiling large modules
 * synchronously on the main thread) and creates the engine.
 */
export async function initEngine(): Promise<Engine | null> {
  if (engine === undefined && compiled === undefined && typeof WebAssembly === 'object') {
    try {
      const shared = canShare();
      const [matmul, elementwise] = await Promise.all([
        WebAssembly.compile(wasmBytes(mm, shared) as BufferSource),
        WebAssembly.compile(wasmBytes(ew, shared) as BufferSource),
      ]);
      compiled = { matmul, elementwise };
    } catch {
      engine = null;
    }
  }
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
