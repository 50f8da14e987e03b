/**
 * The threads page: times a 512² float32 matmul on the CPU backend on one thread and on all
 * of them, and leaves the record on `window.threadsRun` (read by the browser test). Results
 * must be the same bits either way.
 */
import { getNumThreads, initCpuKernels, manualSeed, randn, setNumThreads } from '@tsgrad/core';

/** What the page measured. */
export interface ThreadsRun {
  crossOriginIsolated: boolean;
  /** Threads the CPU backend uses by default here. */
  threads: number;
  /** GFLOP/s on one thread and on `threads`. */
  single: number;
  all: number;
  sameResults: boolean;
  done: boolean;
  error: string | null;
}

declare global {
  interface Window {
    threadsRun: ThreadsRun;
  }
}

const N = 512;

/** GFLOP/s of a·b, the best of five timings of 10 products each after a warm-up. */
function gflops(a: ReturnType<typeof randn>, b: ReturnType<typeof randn>): number {
  for (let i = 0; i < 20; i++) a.matmul(b).dispose();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) a.matmul(b).dispose();
    best = Math.min(best, (performance.now() - t0) / 10);
  }
  return (2 * N ** 3) / (best * 1e6);
}

async function main(): Promise<void> {
  const run: ThreadsRun = {
    crossOriginIsolated,
    threads: 0,
    single: 0,
    all: 0,
    sameResults: false,
    done: false,
    error: null,
  };
  window.threadsRun = run;
  const status = document.getElementById('status')!;
  try {
    await initCpuKernels();
    run.threads = getNumThreads();
    manualSeed(0);
    const a = randn([N, N]);
    const b = randn([N, N]);
    setNumThreads(1);
    run.single = gflops(a, b);
    const one = a.matmul(b).dataSync();
    setNumThreads(run.threads);
    await initCpuKernels();
    run.all = gflops(a, b);
    const all = a.matmul(b).dataSync();
    run.sameResults = one.every((x, i) => Object.is(x, all[i]));
    status.textContent =
      `cross-origin isolated: ${run.crossOriginIsolated}\n` +
      `1 thread: ${run.single.toFixed(1)} GFLOP/s\n` +
      `${run.threads} threads: ${run.all.toFixed(1)} GFLOP/s\n` +
      `same results: ${run.sameResults}`;
  } catch (e) {
    run.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    status.textContent = run.error;
  }
  run.done = true;
}

void main();
