/**
 * `pnpm example seq2seq [--task reverse|add] [--attention bahdanau|luong] [--score general|dot]
 * [--cell gru|lstm] [--steps 1500] [--device cpu|webgpu] [--out out/seq2seq] ...`
 *
 * Trains an encoder–decoder with attention on a synthetic task (reversing digit strings, or
 * adding two numbers), with a progress bar; then prints a few test outputs, writes the loss
 * and accuracy curves and attention heat maps as SVG under `--out`, and ends with the line
 * `sequence accuracy: 0.xxxx` (the fraction of held-out outputs that are exactly right).
 */
import { heatmap, linePlot } from '@tsgrad/plot';
import { startDevice } from '../shared/device.js';
import { writeSvg } from '../shared/figures.js';
import { parseFlags } from '../shared/flags.js';
import { ProgressBar } from '../shared/progress.js';
import { type Decoded, decodeAll, type Seq2seqOptions, seq2seqDefaults, trainSeq2seq } from './train.js';

const d = seq2seqDefaults;
const usage = `usage: pnpm example seq2seq [flags]
  --task reverse|add          reverse a digit string, or add two numbers ("123+45" → "168") (${d.task})
  --attention bahdanau|luong  additive vᵀ tanh(W₁h + W₂s), or multiplicative sᵀWh (${d.attention})
  --score general|dot         Luong's score: sᵀWh or sᵀh (${d.score})
  --cell gru|lstm             the recurrent unit of encoder and decoder (${d.cell})
  --bidirectional=false       a one-way encoder instead of a bidirectional one
  --min-len ${d.minLen} --max-len ${d.maxLen}       input lengths of 'reverse'; 'add' uses up to 3 digits per number
  --embed ${d.embed} --hidden ${d.hidden}         embedding and state sizes
  --steps ${d.steps} --batch-size ${d.batchSize} --lr ${d.lr} --clip ${d.clip}
  --test-size ${d.testSize} --eval-every ${d.evalEvery} --seed ${d.seed}
  --device cpu|webgpu --out out/seq2seq`;

const flags = parseFlags(
  process.argv.slice(2),
  {
    ...d,
    device: 'cpu' as string,
    task: d.task as string,
    attention: d.attention as string,
    score: d.score as string,
    cell: d.cell as string,
    out: 'out/seq2seq',
  },
  usage,
);
const fail = (msg: string): never => {
  console.error(`${msg}\n${usage}`);
  process.exit(2);
};
const oneOf = <T extends string>(name: string, value: string, allowed: readonly T[]): T =>
  allowed.includes(value as T)
    ? (value as T)
    : fail(`--${name} must be ${allowed.join(' or ')}, got '${value}'`);
const task = oneOf('task', flags.task, ['reverse', 'add'] as const);
const attention = oneOf('attention', flags.attention, ['bahdanau', 'luong'] as const);
const score = oneOf('score', flags.score, ['general', 'dot'] as const);
const cell = oneOf('cell', flags.cell, ['gru', 'lstm'] as const);
for (const name of [
  'steps',
  'batchSize',
  'embed',
  'hidden',
  'testSize',
  'evalEvery',
  'minLen',
  'maxLen',
] as const) {
  if (!Number.isInteger(flags[name]) || flags[name] < 1)
    fail(`--${name} must be a positive integer, got ${flags[name]}`);
}
if (flags.minLen > flags.maxLen) fail(`--min-len ${flags.minLen} is more than --max-len ${flags.maxLen}`);
if (flags.bidirectional && flags.hidden % 2 !== 0) fail(`--hidden must be even for a bidirectional encoder`);
if (!(flags.lr > 0) || !(flags.clip > 0)) fail('--lr and --clip must be positive');

const device = await startDevice(flags.device, usage);

const options: Seq2seqOptions = { ...flags, task, attention, score, cell, device };
const what =
  task === 'reverse' ? `reversing ${flags.minLen} to ${flags.maxLen} digits` : 'adding two numbers';
const encoder = `${flags.bidirectional ? 'bi' : ''}${cell.toUpperCase()}`;
const attn = attention === 'luong' ? `Luong (${score})` : 'Bahdanau';
console.log(
  `seq2seq: ${what}; ${encoder} encoder, ${cell.toUpperCase()} decoder, ${attn} attention, hidden ${flags.hidden}; ` +
    `Adam lr ${flags.lr}, batch ${flags.batchSize}, ${flags.steps} steps, device ${device}, seed ${flags.seed}`,
);

const started = performance.now();
const bar = new ProgressBar(flags.steps, 'training');
let lastAccuracy = '-';
const result = await trainSeq2seq(options, {
  onStep: (s) => bar.update(s.step, { loss: s.loss.toFixed(4), 'test acc': lastAccuracy }),
  onEval: (e) => {
    lastAccuracy = e.accuracy.toFixed(4);
  },
});
bar.end();
const seconds = (performance.now() - started) / 1000;
for (const e of result.evals) console.log(`step ${e.step}: test sequence accuracy ${e.accuracy.toFixed(4)}`);
console.log(`training time: ${seconds.toFixed(1)} s (${result.test.length} test examples)`);

// A few test examples of different lengths, longest first, for printing and for heat maps.
const byLength = [...result.test].sort((a, b) => b.source.length - a.source.length);
const shown = [0, 0.5, 1].map((f) => byLength[Math.round(f * (byLength.length - 1))]!);
const decoded = await decodeAll(result.model, shown, device);
for (const x of decoded) {
  const out = x.output.filter((t) => t !== '</s>').join('');
  console.log(`  ${x.pair.source} → ${out} ${x.correct ? '✓' : `✗ (want ${x.pair.target})`}`);
}

const dir = flags.out;
const smooth = (ys: readonly number[], k = 25) =>
  ys.map((_, i) => {
    const window = ys.slice(Math.max(0, i - k + 1), i + 1);
    return window.reduce((a, b) => a + b, 0) / window.length;
  });
writeSvg(
  dir,
  'loss.svg',
  linePlot(
    [
      { name: 'per step', y: result.losses, color: '#bbb' },
      { name: 'mean of 25', y: smooth(result.losses) },
    ],
    { title: 'Training loss (cross-entropy per output token)', xLabel: 'step', yLabel: 'loss', logY: true },
  ),
);
writeSvg(
  dir,
  'accuracy.svg',
  linePlot(
    {
      name: 'test',
      x: [0, ...result.evals.map((e) => e.step)],
      y: [0, ...result.evals.map((e) => e.accuracy)],
    },
    { title: 'Sequence accuracy on held-out examples', xLabel: 'step', yLabel: 'accuracy', yRange: [0, 1] },
  ),
);
decoded.forEach((x: Decoded, i) => {
  writeSvg(
    dir,
    `attention-${i + 1}.svg`,
    heatmap(x.weights, {
      title: `${attn} attention: ${x.pair.source} → ${x.output.filter((t) => t !== '</s>').join('')}`,
      xLabels: [...x.pair.source],
      yLabels: x.output,
      xLabel: 'input token',
      yLabel: 'output token',
      range: [0, 1],
      width: Math.max(400, 150 + 40 * x.pair.source.length),
      height: 110 + 32 * x.output.length,
    }),
  );
});
console.log(`sequence accuracy: ${result.accuracy.toFixed(4)}`);
