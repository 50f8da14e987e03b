/**
 * `pnpm example vanishing [--depth 10 --width 32 --steps 200 --lr 0.05 --seed 0 --out out/vanishing]`:
 * a deep MLP with sigmoid, tanh and ReLU activations (and ReLU with Kaiming's initialisation)
 * on one problem; prints the gradient norm of every layer at initialisation and during
 * training, measured by `Diagnostics`, and writes them and the loss curves as SVG.
 */
import { statsTable } from '@tsgrad/nn';
import { linePlot } from '@tsgrad/plot';
import { writeSvg } from '../shared/figures.js';
import { parseFlags } from '../shared/flags.js';
import { ProgressBar } from '../shared/progress.js';
import { compareActivations, type VariantResult, vanishingDefaults, variants } from './deep.js';

const usage =
  'usage: pnpm example vanishing [--depth 10] [--width 32] [--steps 200] [--lr 0.05] [--seed 0] [--out out/vanishing]';
const flags = parseFlags(process.argv.slice(2), { ...vanishingDefaults, out: 'out/vanishing' }, usage);

console.log(
  `A ${flags.depth}-hidden-layer MLP (width ${flags.width}) classifying points inside a circle; ` +
    `SGD lr ${flags.lr}, momentum 0.9, ${flags.steps} full-batch steps, seed ${flags.seed}`,
);
let bar: ProgressBar | undefined;
const results = compareActivations(flags, (k, step, loss) => {
  if (step === 1) bar = new ProgressBar(flags.steps, variants[k]!.padEnd(14));
  bar!.update(step, { loss: loss.toFixed(4) });
  if (step === flags.steps) bar!.end();
});

const exp = (v: number) => v.toExponential(1);
function gradTable(title: string, pick: (r: VariantResult) => number[]): void {
  console.log();
  console.log(title);
  const header = ['layer', ...variants];
  const rows = pick(results[0]!).map((_, i) => [String(i + 1), ...results.map((r) => exp(pick(r)[i]!))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  for (const r of [header, ...rows]) console.log(r.map((s, c) => s.padStart(widths[c]!)).join('  '));
}
gradTable('‖∂loss/∂W‖ per Linear layer (1 = input) at initialisation:', (r) => r.initGradNorms);
gradTable(`‖∂loss/∂W‖ per Linear layer, mean over the ${flags.steps} steps:`, (r) => r.trainGradNorms);

console.log();
console.log('The sigmoid network at initialisation, layer by layer (Diagnostics):');
console.log(statsTable(results[0]!.initStats));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log();
console.log('after training:');
for (const r of results) {
  const dead = r.finalStats.filter((s) => s.dead !== undefined).map((s) => s.dead!);
  const sat = r.finalStats.filter((s) => s.saturated !== undefined).map((s) => s.saturated!);
  const units =
    dead.length > 0
      ? `dead ReLUs ${(mean(dead) * 100).toFixed(1)}%`
      : `saturated ${(mean(sat) * 100).toFixed(1)}%`;
  const g = r.initGradNorms;
  console.log(
    `  ${r.variant.padEnd(14)}  loss ${r.losses[0]!.toFixed(4)} → ${r.losses.at(-1)!.toFixed(4)}, ` +
      `accuracy ${(r.accuracy * 100).toFixed(1)}%, ${units}, ` +
      `first/last layer gradient at init ${exp(g[0]! / g.at(-1)!)}`,
  );
}
console.log();

const layers = results[0]!.initGradNorms.map((_, i) => i + 1);
const perLayer = (title: string, pick: (r: VariantResult) => number[]) =>
  linePlot(
    results.map((r) => ({ name: r.variant, x: layers, y: pick(r) })),
    { title, xLabel: 'Linear layer (1 = input)', yLabel: '‖∂loss/∂W‖', logY: true },
  );
writeSvg(
  flags.out,
  'grad-norm-init.svg',
  perLayer('Gradient norm per layer at initialisation', (r) => r.initGradNorms),
);
writeSvg(
  flags.out,
  'grad-norm-training.svg',
  perLayer(`Gradient norm per layer, mean over ${flags.steps} steps`, (r) => r.trainGradNorms),
);
writeSvg(
  flags.out,
  'loss.svg',
  linePlot(
    results.map((r) => ({ name: r.variant, y: r.losses })),
    { title: 'Training loss', xLabel: 'step', yLabel: 'binary cross-entropy', logY: true },
  ),
);
const sig = results[0]!.initGradNorms;
console.log();
console.log(
  `sigmoid: the first layer's gradient is ${exp(sig[0]! / sig.at(-1)!)} times the last layer's at initialisation.`,
);
