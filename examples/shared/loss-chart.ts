/** The language-model examples' loss chart: training loss per step, validation loss, and chance. */
import { linePlot } from '@tsgrad/plot';

/** What {@link lossChart} draws. */
export interface LossHistory {
  /** The training loss of every step (step 1 first). */
  losses: readonly number[];
  /** Validation losses at their steps. */
  evals: readonly { step: number; valLoss: number }[];
  /** ln(vocab), drawn dashed: the loss of a uniform guess. */
  uniformLoss: number;
  /** A validation loss to reach, drawn dashed (0 or absent: none). */
  target?: number;
  title: string;
}

/** An SVG line chart of `h`, in nats per character against steps. */
export function lossChart(h: LossHistory): string {
  const steps = h.losses.map((_, i) => i + 1);
  // A trailing mean of 25 steps shows the trend through the minibatch noise.
  const mean = h.losses.map((_, i) => {
    const from = Math.max(0, i - 24);
    return h.losses.slice(from, i + 1).reduce((a, b) => a + b, 0) / (i + 1 - from);
  });
  const across = (y: number) => ({ x: [1, Math.max(steps.length, 2)], y: [y, y], dashed: true });
  return linePlot(
    [
      { name: 'train (each step)', x: steps, y: h.losses, color: '#c6d4e6' },
      { name: 'train (mean of 25)', x: steps, y: mean },
      { name: 'validation', x: h.evals.map((e) => e.step), y: h.evals.map((e) => e.valLoss) },
      { name: 'uniform guess', ...across(h.uniformLoss) },
      ...(h.target ? [{ name: 'target', ...across(h.target) }] : []),
    ],
    { title: h.title, xLabel: 'step', yLabel: 'cross-entropy (nats per character)' },
  );
}
