/**
 * The command line shared by the digit examples (`mnist`, `cnn`): flags, WebGPU start-up, a
 * progress bar (batch, loss, samples/s, ETA), a line per epoch, the total time and, last,
 * `test accuracy: 0.xxxx`; the loss curve is written as `<out>/loss.svg`.
 */
import { linePlot } from '@tsgrad/plot';
import { startDevice } from '../shared/device.js';
import { writeSvg } from '../shared/figures.js';
import { parseFlags } from '../shared/flags.js';
import { ProgressBar } from '../shared/progress.js';
import type { MnistHooks, MnistTrainOptions } from './train.js';

/** What a digit example plugs into {@link runDigitsCli}. */
export interface DigitsExample {
  /** The example's name in `pnpm example <name>`. */
  name: string;
  /** The model, in words, for the first line printed. */
  model: string;
  defaults: MnistTrainOptions;
  train: (options: MnistTrainOptions, hooks: MnistHooks) => Promise<{ testAccuracy: number }>;
}

/** Parses `argv`'s flags and runs the example's training with a progress bar. */
export async function runDigitsCli(ex: DigitsExample, argv: readonly string[]): Promise<void> {
  const d = ex.defaults;
  const head = `usage: pnpm example ${ex.name} `;
  const usage =
    `${head}[--epochs ${d.epochs}] [--batch-size ${d.batchSize}] [--lr ${d.lr}] [--device cpu|webgpu] [--seed ${d.seed}]\n` +
    `${' '.repeat(head.length)}[--schedule onecycle|constant] [--train-limit N] [--test-limit N]  (0 = the whole set)\n` +
    `${' '.repeat(head.length)}[--out out/${ex.name}]  (where loss.svg, the loss curve, is written)\n` +
    '  --lr is the peak learning rate of the one-cycle schedule (or the constant rate)';
  const { out, ...flags } = parseFlags(
    argv,
    { ...d, device: 'cpu' as string, schedule: 'onecycle' as string, out: `out/${ex.name}` },
    usage,
  );
  if (flags.schedule !== 'onecycle' && flags.schedule !== 'constant') {
    console.error(`--schedule must be onecycle or constant, got '${flags.schedule}'\n${usage}`);
    process.exit(2);
  }
  const schedule = flags.schedule;
  if (!(flags.lr > 0)) {
    console.error(`--lr must be positive, got ${flags.lr}\n${usage}`);
    process.exit(2);
  }
  for (const name of ['epochs', 'batchSize'] as const) {
    if (!Number.isInteger(flags[name]) || flags[name] < 1) {
      console.error(
        `--${name === 'batchSize' ? 'batch-size' : name} must be a positive integer, got ${flags[name]}\n${usage}`,
      );
      process.exit(2);
    }
  }
  const device = await startDevice(flags.device, usage);

  let bar: ProgressBar | undefined;
  const lossAt: number[] = [];
  const losses: number[] = [];

  console.log(
    `MNIST: ${ex.model}, Adam (${schedule} lr ${flags.lr}), batch ${flags.batchSize}, ` +
      `${flags.epochs} epoch${flags.epochs === 1 ? '' : 's'}, device ${device}, seed ${flags.seed}`,
  );
  const started = performance.now();
  const result = await ex.train(
    { ...flags, device, schedule },
    {
      onLoaded: ({ train, test, seconds }) =>
        console.log(`loaded ${train} training and ${test} test images in ${seconds.toFixed(1)} s`),
      onProgress: (p) => {
        lossAt.push((p.epoch - 1) * p.batches + p.batch);
        losses.push(p.loss);
        if (bar === undefined) bar = new ProgressBar(p.batches, `epoch ${p.epoch}/${p.epochs}`);
        bar.update(p.batch, { loss: p.loss.toFixed(4), 'samples/s': String(Math.round(p.samplesPerSec)) });
      },
      onEpoch: (e) => {
        bar?.end();
        bar = undefined;
        console.log(
          `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, test accuracy ${e.testAccuracy.toFixed(4)}, ` +
            `${e.seconds.toFixed(1)} s (${Math.round(e.samplesPerSec)} samples/s)`,
        );
      },
    },
  );
  console.log(`total time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const chart = linePlot(
    { name: 'mean loss of the epoch so far', x: lossAt, y: losses },
    { title: `${ex.name}: training loss`, xLabel: 'batch', yLabel: 'cross-entropy', logY: true },
  );
  writeSvg(out, 'loss.svg', chart);
  console.log(`test accuracy: ${result.testAccuracy.toFixed(4)}`);
}
