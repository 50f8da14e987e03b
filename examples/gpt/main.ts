/**
 * `pnpm example gpt [flags]` (see `--help`)
 *
 * Trains a tiny character-level GPT on the State of the Union addresses of 1790–1816 until its
 * validation loss reaches `--target` (or `--steps` run out), with a progress bar and a sample
 * every `--eval-every` steps; writes `<out>/loss.svg` and `<out>/attention.svg` (one head's
 * attention over the start of the final sample), prints a sample and ends with the line
 * `validation loss L nats/char = B bits/char; target T reached at step S` (or `not reached`).
 */
import { manualSeed, tensor } from '@tsgrad/core';
import { heatmap } from '@tsgrad/plot';
import { charFlagsError, drawAside, sampleText } from '../shared/char-model.js';
import type { CharVocab } from '../shared/corpus.js';
import { startDevice } from '../shared/device.js';
import { writeSvg } from '../shared/figures.js';
import { parseFlags } from '../shared/flags.js';
import { lossChart } from '../shared/loss-chart.js';
import { ProgressBar } from '../shared/progress.js';
import { samplingError } from '../shared/sample.js';
import type { TinyGPT } from './model.js';
import { gptDefaults, trainGpt } from './train.js';

const d = gptDefaults;
const usage = [
  'usage: pnpm example gpt [flags]',
  ...(
    [
      [`--target ${d.target}`, 'stop at this validation loss, nats per character (0: run all steps)'],
      [`--steps ${d.steps}`, 'the most optimizer steps'],
      [`--batch-size ${d.batchSize}`, 'windows of text per step'],
      [`--context-len ${d.contextLen}`, 'characters the model sees'],
      [`--d-model ${d.dModel}`, 'width of the residual stream'],
      [`--num-heads ${d.numHeads}`, 'attention heads per block'],
      [`--num-layers ${d.numLayers}`, 'transformer blocks'],
      [`--dropout ${d.dropout}`, 'dropout in the blocks'],
      [`--lr ${d.lr}`, "AdamW's peak learning rate, annealed to a tenth along a cosine"],
      [`--clip ${d.clip}`, 'the largest norm of all gradients together'],
      [`--eval-every ${d.evalEvery}`, 'steps between validation losses and samples'],
      ['--temperature 0.8', 'sampling temperature (0: always the likeliest character)'],
      ['--top-k 5', 'draw among the k likeliest characters (0: all)'],
      ['--sample-len 300', 'characters in the final sample'],
      ["--prompt 'Fellow-Citizens'", 'what the samples start from'],
      ['--head 0', 'the head of the last block drawn in attention.svg'],
      ['--device cpu|webgpu', 'where the model trains'],
      [`--seed ${d.seed}`, 'seeds the weights, the batches and the samples'],
      ['--limit 0', 'use only the first N characters of the text (0: all)'],
      ['--out out/gpt', 'where loss.svg and attention.svg go'],
    ] as const
  ).map(([flag, what]) => `  ${flag.padEnd(28)}${what}`),
  'The defaults reach the target at step 800, in about 2 minutes on two CPU cores.',
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
    head: 0,
    out: 'out/gpt',
  },
  usage,
);

/** The flags only this example has: heads that divide d_model, the head drawn, the target. */
function gptFlagsError(): string | null {
  if (flags.dModel % flags.numHeads !== 0) {
    return `--d-model ${flags.dModel} must be divisible by --num-heads ${flags.numHeads}`;
  }
  if (!Number.isInteger(flags.head) || flags.head < 0 || flags.head >= flags.numHeads) {
    return `--head must be an integer in [0, ${flags.numHeads}), got ${flags.head}`;
  }
  if (!(flags.target >= 0)) return `--target must be 0 or more, got ${flags.target}`;
  return null;
}

const bad =
  samplingError(flags) ??
  charFlagsError(flags, [
    'steps',
    'batchSize',
    'contextLen',
    'dModel',
    'numHeads',
    'numLayers',
    'evalEvery',
  ]) ??
  gptFlagsError();
if (bad !== null) {
  console.error(`${bad}\n${usage}`);
  process.exit(2);
}
const device = await startDevice(flags.device, usage);
const sampling = { temperature: flags.temperature, topK: flags.topK };

function sample(model: TinyGPT, vocab: CharVocab, length: number): Promise<string> {
  return sampleText(model, vocab, flags.prompt, length, sampling);
}

/** The attention of head `flags.head` of the last block over the first characters of `text`. */
async function attentionChart(model: TinyGPT, vocab: CharVocab, text: string): Promise<string> {
  const shown = text.slice(0, Math.min(40, flags.contextLen));
  const ids = tensor(vocab.encode(shown), { shape: [1, shown.length], dtype: 'int32', device });
  const layer = flags.numLayers - 1;
  const w = model.attentionWeights(ids, layer).narrow(0, flags.head, 1).squeeze(0);
  const rows = (await w.toArray()) as number[][];
  for (const t of [ids, w]) t.dispose();
  const labels = [...shown].map((c) => (c === ' ' ? '␣' : c));
  return heatmap(rows, {
    title: `block ${layer}, head ${flags.head}: where each character looks (rows) among those before it`,
    xLabels: labels,
    yLabels: labels,
    xLabel: 'attended character',
    yLabel: 'reading character',
    width: 760,
    height: 720,
  });
}

console.log(
  `gpt: ${flags.numLayers} blocks, d_model ${flags.dModel}, ${flags.numHeads} heads, context ${flags.contextLen}; ` +
    `AdamW lr ${flags.lr}, batch ${flags.batchSize}, up to ${flags.steps} steps, target ${flags.target}, ` +
    `device ${device}, seed ${flags.seed}`,
);
const bar = new ProgressBar(flags.steps, 'train');
let lastVal = '–';
const result = await trainGpt(
  { ...flags, device },
  {
    onStep: ({ step, loss }) => bar.update(step, { loss: loss.toFixed(3), val: lastVal }),
    onEval: async ({ step, valLoss, model, vocab }) => {
      lastVal = valLoss.toFixed(3);
      if (step === flags.steps || (flags.target > 0 && valLoss <= flags.target)) return;
      bar.end();
      const text = await drawAside(flags.seed + step, () => sample(model, vocab, 100));
      console.log(`step ${step}: validation loss ${lastVal}  sample: ${JSON.stringify(text)}`);
    },
  },
);
const seconds = bar.end();
const { model, vocab, valLoss, bitsPerChar, reachedAt, losses } = result;
console.log(`trained ${losses.length} steps in ${seconds.toFixed(1)} s`);
manualSeed(flags.seed);
const text = await sample(model, vocab, flags.sampleLen);
writeSvg(
  flags.out,
  'loss.svg',
  lossChart({
    ...result,
    target: flags.target,
    title: `gpt: loss per character (validation ${valLoss.toFixed(3)})`,
  }),
);
writeSvg(flags.out, 'attention.svg', await attentionChart(model, vocab, text));
console.log(`sample (temperature ${sampling.temperature}, top-k ${sampling.topK}):\n${text}`);
const outcome =
  flags.target === 0
    ? 'no target'
    : reachedAt !== null
      ? `target ${flags.target} reached at step ${reachedAt}`
      : `target ${flags.target} not reached in ${flags.steps} steps`;
console.log(
  `validation loss ${valLoss.toFixed(4)} nats/char = ${bitsPerChar.toFixed(3)} bits/char; ${outcome}`,
);
