/**
 * The MNIST page: fetches the IDX files, trains the 784-256-128-10 network on WebGPU (or,
 * with `?device=cpu`, on the CPU backend's WebAssembly kernels) in mini-batches, plots the
 * loss and reports test accuracy. Then the learner draws digits for the trained network to
 * read (`digit.ts` makes each drawing an MNIST-like image). Leaves its record on
 * `window.mnistRun` (read by the browser test).
 */
import {
  type Device,
  getNumThreads,
  initCpuKernels,
  manualSeed,
  noGrad,
  randperm,
  type Tensor,
  tensor,
  tidy,
} from '@tsgrad/core';
import { initWebGPU } from '@tsgrad/gpu';
import { crossEntropyLoss, MLP, mnistFromBytes } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { SIDE, toMnist } from './digit.js';
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
  /** The drawings read so far: the network's probability of each digit for the last one. */
  drawings: number;
  probabilities: number[] | null;
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
    drawings: 0,
    probabilities: null,
  };
  window.mnistRun = run;
  const canvas = document.getElementById('loss') as HTMLCanvasElement;
  const status = document.getElementById('status')!;
  const device = document.getElementById('device')!;
  try {
    if (DEVICE === 'webgpu') {
      device.textContent = 'Device: WebGPU (starting…)';
      const info = (await initWebGPU()).adapterInfo;
      const adapter = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
      device.textContent = `Device: WebGPU${adapter ? ` (${adapter})` : ''}`;
    } else {
      run.cpuKernels = { wasm: await initCpuKernels(), threads: getNumThreads() };
      const { wasm, threads } = run.cpuKernels;
      const kernels = wasm ? 'WebAssembly SIMD kernels' : 'TypeScript kernels';
      device.textContent = `Device: CPU (${kernels}, ${threads} thread${threads === 1 ? '' : 's'})`;
    }
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
    letDraw(model, run);
  } catch (e) {
    run.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    status.textContent = run.error;
  }
  run.done = true;
}

/** The pixel values training saw: `mnistFromBytes(…, { normalize: true })`'s (x − mean) / std. */
const MEAN = 0.1307;
const STD = 0.3081;

/**
 * Opens the drawing pad: white ink on black as in MNIST, read by `model` each time the pen
 * lifts. The probabilities go to the table and to `run.probabilities`.
 */
function letDraw(model: MLP, run: MnistRun): void {
  document.getElementById('drawing')!.hidden = false;
  const pad = document.getElementById('draw') as HTMLCanvasElement;
  const seen = document.getElementById('seen') as HTMLCanvasElement;
  const table = document.getElementById('probs') as HTMLTableElement;
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
    seen.getContext('2d')!.clearRect(0, 0, SIDE, SIDE);
    table.replaceChildren();
  };
  clear();
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = pad.width / 12;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  /** Where a pointer event falls, in the canvas's pixels (it may be drawn scaled). */
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  let drawing = false;
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(e));
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  const lift = () => {
    if (!drawing) return;
    drawing = false;
    void read();
  };
  pad.addEventListener('pointerup', lift);
  pad.addEventListener('pointercancel', lift);
  document.getElementById('clear')!.addEventListener('click', clear);

  async function read(): Promise<void> {
    const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
    const ink = new Float32Array(pad.width * pad.height).map((_, i) => data[4 * i]! / 255);
    const image = toMnist(ink, pad.width, pad.height);
    if (image === null) return;
    showSeen(seen, image);
    const probs: Tensor = noGrad(() =>
      tidy(() => {
        const x = tensor(image, { shape: [1, SIDE * SIDE] })
          .sub(MEAN)
          .div(STD);
        return model.call(x.to(DEVICE)).softmax(1);
      }),
    );
    const p = Array.from(await probs.data());
    probs.dispose();
    showProbabilities(table, p);
    run.probabilities = p;
    run.drawings++;
  }
}

/** The 28×28 image the network reads, in grey levels. */
function showSeen(canvas: HTMLCanvasElement, image: Float32Array): void {
  const ctx = canvas.getContext('2d')!;
  const pixels = ctx.createImageData(SIDE, SIDE);
  image.forEach((v, i) => {
    pixels.data.fill(Math.round(255 * v), 4 * i, 4 * i + 3);
    pixels.data[4 * i + 3] = 255;
  });
  ctx.putImageData(pixels, 0, 0);
}

/** One row per digit: the digit, a bar and the probability in percent; the likeliest in bold. */
function showProbabilities(table: HTMLTableElement, p: number[]): void {
  const best = p.indexOf(Math.max(...p));
  table.replaceChildren(
    ...p.map((q, digit) => {
      const row = document.createElement('tr');
      if (digit === best) row.className = 'best';
      const bar = document.createElement('div');
      bar.style.width = `${(100 * q).toFixed(1)}%`;
      const cells = [String(digit), bar, `${(100 * q).toFixed(1)} %`].map((c) => {
        const td = document.createElement('td');
        td.append(c);
        return td;
      });
      cells[1]!.className = 'bar';
      row.append(...cells);
      return row;
    }),
  );
}

void main();
