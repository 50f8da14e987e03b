/**
 * The page: opens WebGPU, trains XOR on it, plots the loss as it falls, and leaves the run's
 * record on `window.xorRun` (read by the browser test).
 */
import { manualSeed, tensor, tidy } from '@tsgrad/core';
import { initWebGPU } from '@tsgrad/gpu';
import { bceWithLogitsLoss, Linear, Sequential, Tanh } from '@tsgrad/nn';
import { SGD } from '@tsgrad/optim';
import { drawLoss } from './plot.js';

/** What a training run on this page did. */
export interface XorRun {
  device: string;
  adapter: string;
  /** [step, loss] every `every` steps. */
  losses: [number, number][];
  predictions: number[];
  done: boolean;
  error: string | null;
}

declare global {
  interface Window {
    xorRun: XorRun;
  }
}

const STEPS = 300;
const EVERY = 10;

async function main(): Promise<void> {
  const run: XorRun = { device: '', adapter: '', losses: [], predictions: [], done: false, error: null };
  window.xorRun = run;
  const canvas = document.getElementById('loss') as HTMLCanvasElement;
  const status = document.getElementById('status')!;
  try {
    const gpu = await initWebGPU();
    const info = gpu.adapterInfo;
    run.adapter = `${info?.vendor ?? ''} ${info?.architecture ?? ''}`.trim();
    manualSeed(0);
    const x = tensor(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      { device: 'webgpu' },
    );
    const y = tensor([[0], [1], [1], [0]], { device: 'webgpu' });
    const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1)).to('webgpu');
    run.device = model.parameters()[0]!.device;
    const opt = new SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
    for (let step = 0; step <= STEPS; step++) {
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = bceWithLogitsLoss(model.call(x), y);
        l.backward();
        opt.step();
        return l;
      });
      if (step % EVERY === 0) {
        // Reading the loss is the only wait for the GPU; the steps between are queued.
        run.losses.push([step, await loss.item()]);
        drawLoss(canvas, run.losses, STEPS);
        status.textContent = `step ${step}: loss ${run.losses.at(-1)![1].toFixed(4)} (${run.adapter})`;
      }
      loss.dispose();
    }
    const probs = tidy(() => model.call(x).sigmoid());
    run.predictions = Array.from(await probs.data());
    probs.dispose();
    status.textContent += `\npredictions for 00, 01, 10, 11: ${run.predictions.map((p) => p.toFixed(3)).join(', ')}`;
  } catch (e) {
    run.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    status.textContent = run.error;
  }
  run.done = true;
}

void main();
