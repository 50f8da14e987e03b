/**
 * `pnpm example char-lstm [flags]` (see `--help`)
 *
 * Trains a character-level LSTM on the State of the Union addresses of 1790–1816 with a
 * progress bar, prints the validation loss and a sample every `--eval-every` steps, writes the
 * loss curves to `<out>/loss.svg`, and ends with a sample and the line
 * `validation loss L nats/char = B bits/char`.
 */
import { manualSeed } from '@tsgrad/core';
import { charFlagsError, drawAside, sampleText } from '../shared/char-model.js';
import type { CharVocab } from '../shared/corpus.js';
import { startDevice } from '../shared/device.js';
import { writeSvg } from '../shared/figures.js';
import { parseFlags } from '../shared/flags.js';
import { lossChart } from '../shared/loss-chart.js';
import { ProgressBar } from '../shared/progress.js';
import { samplingError } from '../shared/sample.js';
import type { CharLSTM } from './model.js';
import { charLstmDefaults, trainCharLstm } from './train.js';

const d = charLstmDefaults;
const usage = [
  'usage: pnpm example char-lstm [flags]',
  ...(
    [
      [`--steps ${d.steps}`, 'optimizer steps, one chunk of text per stream each'],
      [`--batch-size ${d.batchSize}`, 'parallel streams of text'],
      [`--seq-len ${d.seqLen}`, 'characters per chunk: how far back gradients flow'],
      [`--embed-dim ${d.embedDim}`, "width of a character's embedding"],
      [`--hidden-size ${d.hiddenSize}`, "width of the LSTM's state"],
      [`--num-layers ${d.numLayers}`, 'stacked LSTM layers'],
      [`--dropout ${d.dropout}`, 'dropout between LSTM layers'],
      [`--lr ${d.lr}`, "Adam's learning rate"],
      [`--clip ${d.clip}`, 'the largest norm of all gradients together'],
      [`--eval-every ${d.evalEvery}`, 'steps between validation losses and samples'],
      ['--temperature 0.8', 'sampling temperature (0: always the likeliest character)'],
      ['--top-k 5', 'draw among the k likeliest characters (0: all)'],
      ['--sample-len 300', 'characters in the final sample'],
      ["--prompt 'Fellow-Citizens'", 'what the samples start from'],
      ['--device cpu|webgpu', 'where the model trains'],
      [`--seed ${d.seed}`, 'seeds the weights and the samples'],
      ['--limit 0', 'use only the first N characters of the text (0: all)'],
      ['--out out/char-lstm', 'where loss.svg goes'],
    ] as const
  ).map(([flag, what]) => `  ${flag.padEnd(28)}${what}`),
  'The defaults take about 2.5 minutes on two CPU cores.',
].join('\n');

const flags = parseFlags(
  process.argv.slice(2),
  {
    ...d,
    device: 'cpu' as string,
    temperature: 0.8,
    topK: 5,
    sampleLen: 300,
    prompt: 'Fellow-Citizens',
    out: 'out/char-lstm',
  },
  usage,
);
const bad =
  samplingError(flags) ??
  charFlagsError(flags, ['steps', 'batchSize', 'seqLen', 'embedDim', 'hiddenSize', 'numLayers', 'evalEvery']);
if (bad !== null) {
  console.error(`${bad}\n${usage}`);
  process.exit(2);
}
const device = await startDevice(flags.device, usage);
const sampling = { temperature: flags.temperature, topK: flags.topK };

function sample(model: CharLSTM, vocab: CharVocab, length: number): Promise<string> {
  return sampleText(model, vocab, flags.prompt, length, sampling);
}

console.log(
  `char-lstm: Embedding(${flags.embedDim}) → LSTM(${flags.hiddenSize} × ${flags.numLayers}) → Linear, ` +
    `Adam lr ${flags.lr}, batch ${flags.batchSize} × ${flags.seqLen} characters, ${flags.steps} steps, ` +
    `device ${device}, seed ${flags.seed}`,
);
const bar = new ProgressBar(flags.steps, 'train');
let lastVal = '–';
const result = await trainCharLstm(
  { ...flags, device },
  {
    onStep: ({ step, loss }) => bar.update(step, { loss: loss.toFixed(3), val: lastVal }),
    onEval: async ({ step, valLoss, model, vocab }) => {
      lastVal = valLoss.toFixed(3);
      if (step === flags.steps) return;
      bar.end();
      const text = await drawAside(flags.seed + step, () => sample(model, vocab, 120));
      console.log(`step ${step}: validation loss ${lastVal}  sample: ${JSON.stringify(text)}`);
    },
  },
);
const seconds = bar.end();
const { model, vocab, valLoss, bitsPerChar, uniformLoss } = result;
console.log(`trained in ${seconds.toFixed(1)} s`);
writeSvg(
  flags.out,
  'loss.svg',
  lossChart({ ...result, title: `char-lstm: loss per character (validation ${valLoss.toFixed(3)})` }),
);
manualSeed(flags.seed);
console.log(
  `sample (temperature ${sampling.temperature}, top-k ${sampling.topK}):\n${await sample(model, vocab, flags.sampleLen)}`,
);
console.log(
  `validation loss ${valLoss.toFixed(4)} nats/char = ${bitsPerChar.toFixed(3)} bits/char ` +
    `(a uniform guess: ${uniformLoss.toFixed(4)})`,
);
