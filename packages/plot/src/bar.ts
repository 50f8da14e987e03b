/** Bar charts: per-layer statistics, parameter counts, grouped comparisons. */
import { axes, type ChartOptions, frameFor, labels, legend } from './frame.js';
import { extent, linearScale } from './scale.js';
import { el, palette, svgDocument, text } from './svg.js';

/** One bar, or a group of bars (one per series) under one label. */
export interface Bar {
  label: string;
  value: number | readonly number[];
}

/** Options of {@link barPlot}. */
export interface BarOptions extends ChartOptions {
  /** The names of the series when bars are grouped, for the legend. */
  seriesNames?: readonly string[];
}

/**
 * Draws vertical bars from 0, grouped when a bar's value is an array; returns the SVG string.
 *
 * @example
 * ```ts
 * import { barPlot } from '@tsgrad/plot';
 * const svg = barPlot(
 *   [{ label: 'layer 1', value: [0.1, 0.5] }, { label: 'layer 2', value: [0.02, 0.4] }],
 *   { title: 'Gradient norm', seriesNames: ['sigmoid', 'ReLU'] },
 * );
 * ```
 */
export function barPlot(bars: readonly Bar[], opts: BarOptions = {}): string {
  const values = bars.map((b) => (typeof b.value === 'number' ? [b.value] : b.value));
  const perGroup = Math.max(1, ...values.map((v) => v.length));
  const [lo, hi] = extent([0, ...values.flat()]);
  const f = frameFor(opts);
  const ys = linearScale([Math.min(0, lo), Math.max(0, hi)], [f.bottom, f.top]);
  const slot = (f.right - f.left) / Math.max(bars.length, 1);
  const bw = (slot * 0.8) / perGroup;
  let body = labels(f, opts) + axes(f, { at: () => f.left, ticks: [] }, ys);
  const zero = ys.at(0);
  values.forEach((vs, i) => {
    vs.forEach((v, k) => {
      const x = f.left + i * slot + slot * 0.1 + k * bw;
      const y = ys.at(v);
      body += el('rect', {
        x,
        y: Math.min(y, zero),
        width: bw,
        height: Math.abs(zero - y),
        fill: palette[k % palette.length],
      });
    });
    body += text(f.left + (i + 0.5) * slot, f.bottom + 18, bars[i]!.label);
  });
  const names = opts.seriesNames ?? [];
  return svgDocument(
    f.width,
    f.height,
    body +
      legend(
        f,
        names.map((name, k) => ({ name, color: palette[k % palette.length]! })),
      ),
  );
}
