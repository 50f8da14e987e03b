/**
 * `pnpm example optimizers [--rosenbrock-steps 3000 --mlp-steps 400 --seed 0 --out out/optimizers]`:
 * SGD, SGD with momentum, Nesterov, RMSprop, Adadelta, Adagrad, Adam and AdamW raced on the
 * Rosenbrock function and on a small MLP; prints a table and writes the loss curves and the
 * Rosenbrock paths as SVG.
 */
import { linePlot, scatterPlot } from '@tsgrad/plot';
import { writeSvg } from '../shared/figures.js';
import { parseFlags } from '../shared/flags.js';
import { ProgressBar } from '../shared/progress.js';
import { contestants, type Run, raceRegression, raceRosenbrock, stepsTo } from './race.js';

const usage =
  'usage: pnpm example optimizers [--rosenbrock-steps 3000] [--mlp-steps 400] [--seed 0] [--out out/optimizers]';
const flags = parseFlags(
  process.argv.slice(2),
  { rosenbrockSteps: 3000, mlpSteps: 400, seed: 0, out: 'out/optimizers' },
  usage,
);
const start: [number, number] = [-1.5, 2];
const rosenbrockGoal = 1e-3;
const mlpGoal = 1e-2;

function progress(label: string, steps: number) {
  const bar = new ProgressBar(contestants.length * steps, label);
  return {
    onStep: (k: number, step: number) => {
      if (step % 10 === 0 || step === steps) {
        bar.update(k * steps + step, { optimizer: contestants[k]!.name });
      }
    },
    end: () => bar.end(),
  };
}

console.log(`${contestants.length} optimizers, PyTorch's algorithms and defaults besides the learning rate`);
let bar = progress('Rosenbrock', flags.rosenbrockSteps);
const rosen = raceRosenbrock({ steps: flags.rosenbrockSteps, seed: flags.seed }, start, bar.onStep);
bar.end();
bar = progress('MLP', flags.mlpSteps);
const mlp = raceRegression({ steps: flags.mlpSteps, seed: flags.seed }, bar.onStep);
bar.end();

const exp = (v: number) => (Number.isFinite(v) ? v.toExponential(1) : String(v));
const header = [
  'optimizer',
  'lr',
  'final loss',
  `steps to ${exp(rosenbrockGoal)}`,
  'lr',
  'final loss',
  `steps to ${exp(mlpGoal)}`,
];
const rows = contestants.map((c, k) => [
  c.name,
  String(rosen[k]!.lr),
  exp(rosen[k]!.losses.at(-1)!),
  String(stepsTo(rosen[k]!.losses, rosenbrockGoal) ?? '—'),
  String(mlp[k]!.lr),
  exp(mlp[k]!.losses.at(-1)!),
  String(stepsTo(mlp[k]!.losses, mlpGoal) ?? '—'),
]);
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (r: string[]) =>
  r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
console.log();
const left = widths.slice(0, 4).reduce((a, b) => a + b + 2, 0);
console.log(
  `${`Rosenbrock from (${start.join(', ')}), ${flags.rosenbrockSteps} steps`.padEnd(left)}` +
    `MLP 1-32-32-1 on sin(3x), ${flags.mlpSteps} steps`,
);
console.log(line(header));
for (const r of rows) console.log(line(r));

function fastest(runs: Run[], goal: number): string {
  const reached = runs
    .map((r) => ({ name: r.name, at: stepsTo(r.losses, goal) }))
    .filter((r) => r.at !== undefined)
    .sort((a, b) => a.at! - b.at!);
  return reached.length === 0 ? 'none' : `${reached[0]!.name} (${reached[0]!.at} steps)`;
}
console.log();
console.log(
  `First below ${exp(rosenbrockGoal)} on the Rosenbrock function: ${fastest(rosen, rosenbrockGoal)}`,
);
console.log(`First below ${exp(mlpGoal)} on the MLP: ${fastest(mlp, mlpGoal)}`);
console.log();

const curves = (runs: Run[]) => runs.map((r) => ({ name: r.name, y: r.losses }));
writeSvg(
  flags.out,
  'rosenbrock-loss.svg',
  linePlot(curves(rosen), {
    title: 'Rosenbrock: loss per step',
    xLabel: 'step',
    yLabel: 'f(x, y)',
    logY: true,
  }),
);
writeSvg(
  flags.out,
  'mlp-loss.svg',
  linePlot(curves(mlp), {
    title: 'MLP on sin(3x): loss per step',
    xLabel: 'step',
    yLabel: 'MSE',
    logY: true,
  }),
);

// The paths over the landscape: the background runs through a colour ramp once per decade of
// f, so its sharp edges are the contours f = 0.01, 0.1, 1, 10, ….
const every = Math.max(1, Math.ceil(flags.rosenbrockSteps / 40));
// The paths share the valley, so the run that got furthest is drawn first and each slower one
// over it: every colour shows where its run was ahead of the slower ones.
const byProgress = rosen.map((r, g) => ({ r, g })).sort((a, b) => a.r.losses.at(-1)! - b.r.losses.at(-1)!);
const points = byProgress.flatMap(({ r, g }) =>
  r
    .path!.filter((_, i) => i % every === 0 || i === r.path!.length - 1)
    .filter(([x, y]) => Math.abs(x) <= 2 && y >= -1 && y <= 3)
    .map(([x, y]) => ({ x, y, group: g })),
);
writeSvg(
  flags.out,
  'rosenbrock-paths.svg',
  scatterPlot(points, {
    title: `Rosenbrock paths from (${start.join(', ')}), every ${every} steps; contours at each decade`,
    xLabel: 'x',
    yLabel: 'y',
    xRange: [-2, 2],
    yRange: [-1, 3],
    groupNames: rosen.map((r) => r.name),
    background: {
      predict: (ps) =>
        ps.map(([x, y]) => {
          const f = (1 - x) ** 2 + 100 * (y - x * x) ** 2;
          const decade = Math.log10(f + 1e-12);
          return decade - Math.floor(decade);
        }),
      resolution: 100,
    },
    width: 760,
    height: 560,
  }),
);
