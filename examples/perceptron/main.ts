/**
 * `pnpm example perceptron [--points 100 --epochs 50 --lr 1 --seed 0 --out out/perceptron]`:
 * Rosenblatt's perceptron on points a line separates (it converges and prints the line), then
 * on XOR (it never does); writes both decision boundaries and the mistakes per pass as SVG.
 */
import { linePlot, scatterPlot } from '@tsgrad/plot';
import { writeSvg } from '../shared/figures.js';
import { parseFlags } from '../shared/flags.js';
import { ProgressBar } from '../shared/progress.js';
import {
  type LabelledPoints,
  type PerceptronResult,
  perceptronDefaults,
  separablePoints,
  trainPerceptron,
  xorPoints,
} from './perceptron.js';

const usage =
  'usage: pnpm example perceptron [--points 100] [--epochs 50] [--lr 1] [--seed 0] [--out out/perceptron]';
const flags = parseFlags(
  process.argv.slice(2),
  { ...perceptronDefaults, points: 100, out: 'out/perceptron' },
  usage,
);

function run(title: string, data: LabelledPoints): PerceptronResult {
  const bar = new ProgressBar(flags.epochs, title);
  const r = trainPerceptron(data, flags, (epoch, mistakes) =>
    bar.update(epoch + 1, { mistakes: String(mistakes) }),
  );
  bar.end();
  return r;
}

/** "w1·x1 + w2·x2 + b = 0", and the same line solved for x2. */
function describeLine({ w, b }: PerceptronResult): string {
  const sign = (v: number) => (v < 0 ? '−' : '+');
  const first = `${w[0] < 0 ? '−' : ''}${Math.abs(w[0]).toFixed(3)}`;
  const eq = `${first}·x1 ${sign(w[1])} ${Math.abs(w[1]).toFixed(3)}·x2 ${sign(b)} ${Math.abs(b).toFixed(3)} = 0`;
  if (w[1] === 0) return eq;
  const m = -w[0] / w[1];
  const c = -b / w[1];
  return `${eq}, i.e. x2 = ${m.toFixed(3)}·x1 ${sign(c)} ${Math.abs(c).toFixed(3)}`;
}

function boundary(data: LabelledPoints, r: PerceptronResult, title: string): string {
  return scatterPlot(
    data.x.map(([x, y], i) => ({ x: x!, y: y!, group: data.y[i]! > 0 ? 1 : 0 })),
    {
      title,
      xLabel: 'x1',
      yLabel: 'x2',
      groupNames: ['−1', '+1'],
      background: {
        predict: (ps) => ps.map(([x, y]) => (r.w[0] * x + r.w[1] * y + r.b > 0 ? 1 : 0)),
        resolution: 60,
      },
    },
  );
}

console.log(`Rosenblatt's perceptron (the perceptron trick, lr ${flags.lr}), seed ${flags.seed}`);
console.log();
const separable = separablePoints(flags.points, flags.seed);
console.log(`${flags.points} points that the line x2 = 0.5·x1 + 0.1 separates:`);
const sep = run('separable', separable);
console.log(`  mistakes per pass: ${sep.mistakes.join(' ')}`);
console.log(
  sep.converged
    ? `  converged after ${sep.mistakes.length} passes (${sep.mistakes.reduce((a, b) => a + b, 0)} updates)`
    : `  not converged in ${flags.epochs} passes`,
);
console.log(`  learned line: ${describeLine(sep)}`);
console.log(`  accuracy: ${(sep.accuracy * 100).toFixed(1)}%`);
console.log();

const xor = xorPoints(Math.max(1, Math.round(flags.points / 4)), flags.seed);
console.log(`XOR, ${xor.x.length} points around the corners of the unit square:`);
const x = run('xor', xor);
console.log(`  mistakes per pass: ${x.mistakes.join(' ')}`);
console.log(
  x.converged
    ? '  converged (unexpected: no line separates XOR)'
    : `  never converged: at least ${Math.min(...x.mistakes)} mistakes in every one of ${x.mistakes.length} passes`,
);
console.log(`  last line: ${describeLine(x)}, accuracy ${(x.accuracy * 100).toFixed(1)}%`);
console.log();

writeSvg(flags.out, 'separable.svg', boundary(separable, sep, 'Perceptron on separable points'));
writeSvg(flags.out, 'xor.svg', boundary(xor, x, 'Perceptron on XOR (no line separates it)'));
writeSvg(
  flags.out,
  'mistakes.svg',
  linePlot(
    [
      { name: 'separable', y: sep.mistakes },
      { name: 'XOR', y: x.mistakes },
    ],
    { title: 'Mistakes per pass', xLabel: 'pass', yLabel: 'mistakes' },
  ),
);
console.log();
console.log(
  sep.converged && !x.converged
    ? 'A line was found for the separable points; none exists for XOR.'
    : 'Unexpected: see above.',
);
if (!sep.converged || x.converged) process.exitCode = 1;
