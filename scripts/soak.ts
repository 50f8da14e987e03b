/**
 * Soak test: trains a small MLP for many steps on the CPU and on WebGPU, printing `memory()`
 * and the process's RSS every so often, and fails (exit 1) when either grows beyond a small
 * tolerance after warm-up. `pnpm soak` runs 10,000 CPU and 1,000 WebGPU steps; it is not part
 * of CI (scripts/soak.test.ts runs a short version).
 *
 *   pnpm soak [--cpu-steps N] [--gpu-steps N]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Device, manualSeed, memory, noGrad, randint, randn, type Tensor, tidy } from '@tsgrad/core';
import { initWebGPU, isWebGPUAvailable } from '@tsgrad/gpu';
import { functional as F, Linear, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage and lets finalizers run, so that what is counted is what is reachable. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}

export interface SoakResult {
  device: Device;
  steps: number;
  /** Growth from the end of warm-up to the end: tensors, buffers, bytes (of `device`) and RSS. */
  growth: { tensors: number; buffers: number; bytes: number; rss: number };
  ok: boolean;
}

export interface SoakOptions {
  steps: number;
  /** Prints a line this often (0: never). */
  every?: number;
  /** RSS growth allowed after warm-up (default 64 MiB). */
  rssTolerance?: number;
  log?: (line: string) => void;
}

/** Trains a 64-128-10 MLP with Adam on a fixed batch for `steps` steps on `device`. */
export async function soak(device: Device, opts: SoakOptions): Promise<SoakResult> {
  const { steps, every = 0, rssTolerance = 64 * 2 ** 20, log = console.log } = opts;
  manualSeed(0);
  const model = new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 10)).to(device);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([32, 64]).to(device);
  const labels = randint(0, 10, [32]).to(device);
  let loss = 0;
  const step = (): Tensor =>
    tidy(() => {
      opt.zeroGrad();
      const l = F.crossEntropyLoss(model.forward(x), labels);
      l.backward();
      noGrad(() => opt.step());
      return l;
    });
  const sample = () => {
    const m = memory()[device] ?? { tensors: 0, buffers: 0, bytes: 0 };
    return { ...m, rss: process.memoryUsage().rss };
  };
  const warmup = Math.max(1, Math.min(100, Math.floor(steps / 10)));
  let base = sample();
  for (let i = 1; i <= steps; i++) {
    const l = step();
    if (i === warmup || i === steps || (every > 0 && i % every === 0)) {
      loss = (await l.data())[0]!;
      l.dispose();
      await settle();
      const s = sample();
      if (i === warmup) base = s;
      const mib = (s.rss / 2 ** 20).toFixed(1);
      if (every > 0 || i === steps) {
        log(
          `${device} step ${i}: loss ${loss.toFixed(4)}, ${s.tensors} tensors, ${s.buffers} buffers, ${s.bytes} bytes, RSS ${mib} MiB`,
        );
      }
    } else {
      l.dispose();
    }
  }
  await settle();
  const end = sample();
  const growth = {
    tensors: end.tensors - base.tensors,
    buffers: end.buffers - base.buffers,
    bytes: end.bytes - base.bytes,
    rss: end.rss - base.rss,
  };
  const ok = growth.tensors <= 0 && growth.buffers <= 0 && growth.bytes <= 0 && growth.rss <= rssTolerance;
  for (const p of model.parameters()) p.dispose();
  x.dispose();
  labels.dispose();
  return { device, steps, growth, ok };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const cpuSteps = arg('--cpu-steps', 10_000);
  const gpuSteps = arg('--gpu-steps', 1_000);
  const results: SoakResult[] = [await soak('cpu', { steps: cpuSteps, every: Math.ceil(cpuSteps / 10) })];
  if (gpuSteps > 0 && (await isWebGPUAvailable())) {
    await initWebGPU();
    results.push(await soak('webgpu', { steps: gpuSteps, every: Math.ceil(gpuSteps / 10) }));
  } else if (gpuSteps > 0) {
    console.log('webgpu: no adapter, skipped');
  }
  for (const r of results) {
    const g = r.growth;
    console.log(
      `${r.device}: ${r.ok ? 'flat' : 'GREW'} after warm-up over ${r.steps} steps (tensors ${g.tensors}, buffers ${g.buffers}, bytes ${g.bytes}, RSS ${(g.rss / 2 ** 20).toFixed(1)} MiB)`,
    );
  }
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/')))
  await main();
