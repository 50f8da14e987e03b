/**
 * The worker threads that share the CPU kernels' work: in Node, and in cross-origin isolated
 * pages, workers instantiate the kernel modules over the shared engine's memory (where the
 * arena keeps every float32 storage) and take part in jobs the calling thread publishes.
 *
 * A job is a count of tiles that the calling thread and the workers claim one at a time from
 * an atomic counter, so whoever is free takes the next tile and a worker that is not running
 * yet is simply not waited for. The calling thread takes tiles from the front and the workers
 * from the back (up to 65,535 tiles; past that all from the front): a product's rows, an
 * elementwise op's pieces and an optimizer's parameters then split alike from one job to the
 * next, so what a thread writes is mostly read again by the same thread. Taking tiles from one
 * end instead let them land on either thread, and on a machine where moving cache lines between
 * the cores is slow, the MLP training step of `pnpm bench` took 2.88 ms that way against 2.49
 * ms from both ends (1.69 and 1.71 ms where it is fast). Kinds of job:
 *   0, 1, 2  the matmul's pack and compute tiles (`matmul-wasm.ts`), by the tile's index;
 *   3        a list of calls of one elementwise export: tile t calls it with the t-th row
 *            of an argument table in memory (`runCalls`).
 * A tile's result does not depend on which thread runs it, so results are identical for any
 * number of threads.
 *
 * Control block (Int32 slots at the start of memory):
 *   SEQ     job sequence number: odd while the caller rewrites a job, even once published
 *   CLAIM   with ENDS, the next tile from the front (low 16 bits) and one past the next from
 *           the back (high 16 bits); else the next unclaimed tile
 *   NTILES  tiles in the current job
 *   KIND    the job's kind (above)
 *   ACTIVE  workers inside the current job
 *   READY   workers started and waiting for jobs
 *   STOP    set to make the workers exit
 *   FN      kind 3: index of the export among the elementwise module's functions
 *   ARGS    kind 3: byte address of the argument table, NARGS 4-byte values per call
 *   NARGS   kind 3: arguments per call
 *   FLOATS  kind 3: bit i set when argument i is a float32 (else an int32)
 *   SPIN_US how long an idle worker polls for the next job before it sleeps, in µs
 *   FAILED  set by a worker whose tile threw (a trap); the caller throws once the job ends
 *   ENDS    1 while the current job's tiles are taken from both ends
 * A worker joins a job by incrementing ACTIVE and then re-reading SEQ; the caller makes
 * SEQ odd and waits for ACTIVE to drop to zero before it touches the job fields again, so
 * a worker never works from a half-written job.
 */

import type { Engine } from './engine.js';
import { nodeBuiltin } from './engine.js';

const SEQ = 0;
const CLAIM = 1;
const NTILES = 2;
const KIND = 3;
const ACTIVE = 4;
const READY = 5;
const STOP = 6;
const FN = 7;
const ARGS = 8;
const NARGS = 9;
const FLOATS = 10;
const SPIN_US = 11;
const FAILED = 12;
const ENDS = 13;

/** The kinds of job: matmul pack tiles, compute tiles, fused-multiply-add compute tiles, calls. */
export type JobKind = 0 | 1 | 2 | 3;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, cb: (...args: unknown[]) => void): void;
}

interface BrowserWorker {
  terminate(): void;
  postMessage(message: unknown): void;
  addEventListener(event: string, cb: () => void): void;
}

const nodeThreads = nodeBuiltin<{ Worker: new (src: string, opts: object) => NodeWorker }>(
  'node:worker_threads',
);
/** Node's main thread may block on Atomics.wait; a browser page's may not, so it spins. */
export const canBlock = nodeThreads !== undefined;

const workers: { terminate(): unknown }[] = [];
let threads = defaultThreads();
/**
 * How long an idle worker keeps polling for the next job before it sleeps (ms). Briefly: a
 * training step publishes a job every few tens of microseconds (a product's pack and compute,
 * then the next layer's), and a worker still polling joins at once where a sleeping one
 * first has to be woken. Polling longer does harm on a machine with more runnable threads
 * than cores, where a polling worker takes the core from the threads with work: a training
 * step of many medium products ran a third slower with 2 ms of polling than with none. A
 * tenth of a millisecond took 1–3 % off the mean of the MLP, LSTM and transformer training
 * steps of `pnpm bench` on two cores (and up to a tenth off their medians).
 */
let spinMs = 0.1;

function defaultThreads(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const n = os ? (os.availableParallelism?.() ?? os.cpus().length) : (nav?.hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(n, 8));
}

/** Number of threads (the caller included) the kernels may use. */
export function getThreads(): number {
  return threads;
}

/** Sets the thread count (1 = the calling thread only). Stops surplus workers of `e`. */
export function setThreads(n: number, e: Engine | null): void {
  threads = Math.max(1, Math.floor(n));
  if (e && workers.length > threads - 1) stopWorkers(e);
}

/** Sets how long idle workers poll before sleeping, in milliseconds (started workers included). */
export function setSpinMs(ms: number): void {
  spinMs = Math.max(0, ms);
  for (const e of engines) Atomics.store(e.i32, SPIN_US, Math.round(spinMs * 1000));
}

/** The engines whose memory workers run on (one in practice: the shared engine). */
const engines = new Set<Engine>();

/** Workers of `e` currently started and ready. */
export function readyWorkers(e: Engine | null): number {
  return e ? Atomics.load(e.i32, READY) : 0;
}

/**
 * A worker's whole program. In Node it gets the memory and modules as workerData; in a
 * browser as its first message. Then it loops over jobs until STOP.
 */
const WORKER_SOURCE = `
function work({ memory, module, elementwise }) {
const imports = { env: { memory } };
const ex = new WebAssembly.Instance(module, imports).exports;
const ew = new WebAssembly.Instance(elementwise, imports).exports;
const fns = WebAssembly.Module.exports(elementwise).filter((d) => d.kind === 'function').map((d) => ew[d.name]);
const ctl = new Int32Array(memory.buffer, 0, 16);
let i32 = new Int32Array(memory.buffer);
let f32 = new Float32Array(memory.buffer);
const args = [];
const call = (t) => {
  const n = ctl[${NARGS}];
  const floats = ctl[${FLOATS}];
  const at = (ctl[${ARGS}] >> 2) + t * n;
  if (at + n > i32.length) {
    i32 = new Int32Array(memory.buffer);
    f32 = new Float32Array(memory.buffer);
  }
  args.length = n;
  for (let i = 0; i < n; i++) args[i] = (floats >> i) & 1 ? f32[at + i] : i32[at + i];
  fns[ctl[${FN}]](...args);
};
const run = [ex.pack_tile, ex.compute_tile, ex.compute_tile_fma, call];
let last = Atomics.load(ctl, ${SEQ});
Atomics.add(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
for (;;) {
  let s = Atomics.load(ctl, ${SEQ});
  if (s === last || (s & 1) === 1) {
    const until = performance.now() + Atomics.load(ctl, ${SPIN_US}) / 1000;
    for (let i = 1; ; i++) {
      s = Atomics.load(ctl, ${SEQ});
      if (s !== last && (s & 1) === 0) break;
      if ((i & 1023) === 0 && performance.now() > until) {
        Atomics.wait(ctl, ${SEQ}, s);
        i = 0;
      }
    }
  }
  if (Atomics.load(ctl, ${STOP}) !== 0) break;
  last = s;
  Atomics.add(ctl, ${ACTIVE}, 1);
  try {
    if (Atomics.load(ctl, ${SEQ}) === s) {
      const n = ctl[${NTILES}];
      const f = run[ctl[${KIND}]];
      if (ctl[${ENDS}] === 1) {
        // Two-ended: the caller takes tiles from the front, the workers from the back.
        for (;;) {
          const v = Atomics.load(ctl, ${CLAIM});
          const hi = v >>> 16;
          if ((v & 0xffff) >= hi) break;
          if (Atomics.compareExchange(ctl, ${CLAIM}, v, v - 0x10000) === v) f(hi - 1);
        }
      } else {
        for (;;) {
          const t = Atomics.add(ctl, ${CLAIM}, 1);
          if (t >= n) break;
          f(t);
        }
      }
    }
  } catch {
    // A tile that trapped: the caller reports it once the job is over.
    Atomics.store(ctl, ${FAILED}, 1);
  }
  if (Atomics.sub(ctl, ${ACTIVE}, 1) === 1) Atomics.notify(ctl, ${ACTIVE});
}
Atomics.sub(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
}
if (typeof process === 'object' && process.getBuiltinModule) {
  work(process.getBuiltinModule('node:worker_threads').workerData);
} else {
  self.onmessage = (m) => work(m.data);
}
`;

/** Starts workers over the shared engine `e` until `threads - 1` run (as many as can start). */
export function startWorkers(e: Engine): void {
  if (!e.shared || workers.length >= threads - 1) return;
  try {
    while (workers.length < threads - 1) if (spawn(e) === null) return;
  } catch {
    // No more workers here: the kernels run on those that started.
  }
}

/** Starts the workers and resolves once they are ready (or after 10 s). */
export async function startWorkersAndWait(e: Engine): Promise<void> {
  startWorkers(e);
  const deadline = Date.now() + 10_000;
  while (Atomics.load(e.i32, READY) < workers.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Starts one worker over the shared engine and lists it; null where none can start. */
function spawn(e: Engine): { terminate(): unknown } | null {
  if (!engines.has(e)) {
    engines.add(e);
    Atomics.store(e.i32, SPIN_US, Math.round(spinMs * 1000));
  }
  const init = { memory: e.memory, module: e.matmulModule, elementwise: e.elementwiseModule };
  let w: { terminate(): unknown };
  const drop = () => {
    const i = workers.indexOf(w);
    if (i >= 0) workers.splice(i, 1);
  };
  if (nodeThreads) {
    const nw = new nodeThreads.Worker(WORKER_SOURCE, {
      eval: true,
      // The caller's flags (a TypeScript loader, --input-type) mean nothing to this script.
      execArgv: [],
      workerData: init,
    });
    nw.unref();
    nw.on('error', drop);
    nw.on('exit', drop);
    w = nw;
  } else {
    const g = globalThis as unknown as { Worker?: new (url: string) => BrowserWorker };
    if (typeof g.Worker !== 'function') return null;
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const bw = new g.Worker(url);
    URL.revokeObjectURL(url);
    bw.addEventListener('error', drop);
    bw.postMessage(init);
    w = bw;
  }
  workers.push(w);
  return w;
}

function stopWorkers(e: Engine): void {
  if (workers.length === 0) return;
  const ctl = e.i32;
  Atomics.add(ctl, SEQ, 1);
  waitZero(ctl, ACTIVE);
  Atomics.store(ctl, STOP, 1);
  Atomics.add(ctl, SEQ, 1);
  Atomics.notify(ctl, SEQ);
  // Workers still starting up see STOP once they reach their loop.
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = Atomics.load(ctl, READY);
    if (r <= 0 || Date.now() > deadline) break;
    if (canBlock) Atomics.wait(ctl, READY, r, 10);
  }
  for (const w of workers) void w.terminate();
  workers.length = 0;
  Atomics.store(ctl, READY, 0);
  Atomics.store(ctl, STOP, 0);
}

function waitZero(ctl: Int32Array, slot: number): void {
  for (let i = 0; i < 20000; i++) if (Atomics.load(ctl, slot) === 0) return;
  for (;;) {
    const v = Atomics.load(ctl, slot);
    if (v === 0) return;
    if (canBlock) Atomics.wait(ctl, slot, v, 20);
  }
}

/**
 * Runs tiles [0, n) of a job of `kind` on this thread (calling `tile`, which must do what a
 * worker does for that kind) and, with `parallel`, on every ready worker of `e`.
 */
export function runJob(
  e: Engine,
  kind: JobKind,
  n: number,
  parallel: boolean,
  tile: (t: number) => void,
): void {
  if (!parallel || n <= 1) {
    for (let t = 0; t < n; t++) tile(t);
    return;
  }
  const ctl = e.i32;
  Atomics.add(ctl, SEQ, 1);
  waitZero(ctl, ACTIVE);
  const ends = n <= 0xffff;
  ctl[NTILES] = n;
  ctl[KIND] = kind;
  ctl[ENDS] = ends ? 1 : 0;
  Atomics.store(ctl, CLAIM, ends ? n << 16 : 0);
  Atomics.add(ctl, SEQ, 1);
  Atomics.notify(ctl, SEQ);
  let error: unknown = null;
  try {
    if (ends) {
      for (;;) {
        const v = Atomics.load(ctl, CLAIM);
        const lo = v & 0xffff;
        if (lo >= v >>> 16) break;
        if (Atomics.compareExchange(ctl, CLAIM, v, v + 1) === v) tile(lo);
      }
    } else {
      for (;;) {
        const t = Atomics.add(ctl, CLAIM, 1);
        if (t >= n) break;
        tile(t);
      }
    }
  } catch (err) {
    error = err;
  }
  // The workers finish their tiles before anything else touches the job, even after a throw.
  Atomics.store(ctl, CLAIM, ends ? 0 : n);
  waitZero(ctl, ACTIVE);
  const failed = Atomics.exchange(ctl, FAILED, 0) !== 0;
  if (error !== null) throw error;
  if (failed) {
    throw new Error(
      `cpu kernels: a tile of a ${kind === 3 ? 'kernel call' : 'matmul'} job failed in a worker thread`,
    );
  }
}

/** Index of each elementwise export among the module's functions, as the workers number them. */
const fnIndex = new WeakMap<WebAssembly.Module, Map<string, number>>();

function indexOf(e: Engine, name: string): number {
  let m = fnIndex.get(e.elementwiseModule);
  if (m === undefined) {
    const names = WebAssembly.Module.exports(e.elementwiseModule)
      .filter((d) => d.kind === 'function')
      .map((d) => d.name);
    m = new Map(names.map((n, i) => [n, i]));
    fnIndex.set(e.elementwiseModule, m);
  }
  const i = m.get(name);
  if (i === undefined) throw new Error(`pool: no elementwise kernel '${name}'`);
  return i;
}

/** Whether `runCalls` on `e` would share the calls with workers. */
export function canRunInParallel(e: Engine): boolean {
  if (!e.shared || threads <= 1) return false;
  startWorkers(e);
  return Atomics.load(e.i32, READY) > 0;
}

/**
 * Calls the elementwise export `name` once per row of `args` (each row the same length, at
 * most 31 values; bit i of `floats` marks argument i as a float32), sharing the calls among
 * this thread and the ready workers of the shared engine `e`. `table` is the byte address of
 * scratch memory for `4 * args.length * args[0].length` bytes of argument table. The calls
 * must touch disjoint memory: they may run at the same time, in any order.
 */
export function runCalls(e: Engine, name: string, args: number[][], floats: number, table: number): void {
  const fn = e.elementwise[name]!;
  const n = args[0]!.length;
  const i32 = e.i32;
  const f32 = e.f32;
  for (let t = 0; t < args.length; t++) {
    const row = args[t]!;
    const at = (table >> 2) + t * n;
    for (let i = 0; i < n; i++) {
      if ((floats >> i) & 1) f32[at + i] = row[i]!;
      else i32[at + i] = row[i]!;
    }
  }
  const ctl = e.i32;
  ctl[FN] = indexOf(e, name);
  ctl[ARGS] = table;
  ctl[NARGS] = n;
  ctl[FLOATS] = floats;
  runJob(e, 3, args.length, canRunInParallel(e), (t) => fn(...args[t]!));
}
