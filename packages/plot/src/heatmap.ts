/** Heat maps: attention weights, confusion matrices, filters and feature maps. */
import { type Ramp, rampColor } from './color.js';
import { type ChartOptions, frameFor, labels } from './frame.js';
import { extent } from './scale.js';
import { el, formatNumber, svgDocument, text } from './svg.js';

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends ChartOptions {
  /** A label under each column (e.g. the source tokens). */
  xLabels?: readonly string[];
  /** A label left of each row (e.g. the output tokens). */
  yLabels?: readonly string[];
  /** The value range of the colour ramp; by default the data's. */
  range?: [number, number];
  /** Writes each cell's value in it (for small matrices). */
  showValues?: boolean;
  /** 'sequential' (default) or 'diverging' (centred on 0 unless `range` says otherwise). */
  ramp?: Ramp;
}

/**
 * Draws a matrix as coloured cells, row 0 at the top, with a colour bar; returns the SVG string.
 *
 * @example
 * ```ts
 * import { heatmap } from '@tsgrad/plot';
 * const svg = heatmap([[0.9, 0.1], [0.2, 0.8]], {
 *   title: 'Attention', xLabels: ['a', 'b'], yLabels: ['b', 'a'], showValues: true,
 * });
 * ```
 */
export function heatmap(rows: readonly (readonly number[])[], opts: HeatmapOptions = {}): string {
  const nRows = rows.length;
  const nCols = nRows === 0 ? 0 : rows[0]!.length;
  rows.forEach((r, i) => {
    if (r.length !== nCols)
      throw new RangeError(`heatmap: row ${i} has ${r.length} values, row 0 has ${nCols}`);
  });
  if (opts.xLabels !== undefined && opts.xLabels.length !== nCols) {
    throw new RangeError(`heatmap: ${opts.xLabels.length} xLabels for ${nCols} columns`);
  }
  if (opts.yLabels !== undefined && opts.yLabels.length !== nRows) {
    throw new RangeError(`heatmap: ${opts.yLabels.length} yLabels for ${nRows} rows`);
  }
  const ramp = opts.ramp ?? 'sequential';
  let [lo, hi] = opts.range ?? extent(rows.flat());
  if (opts.range === undefined && ramp === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    [lo, hi] = [-m, m];
  }
  const f = frameFor(opts, 56);
  const cw = (f.right - f.left) / Math.max(nCols, 1);
  const ch = (f.bottom - f.top) / Math.max(nRows, 1);
  const t = (v: number) => (v - lo) / (hi - lo || 1);
  let body = labels(f, opts);
  rows.forEach((r, i) => {
    r.forEach((v, j) => {
      const x = f.left + j * cw;
      const y = f.top + i * ch;
      body += el(
        'rect',
        { x, y, width: cw + 0.5, height: ch + 0.5, fill: rampColor(t(v), ramp) },
        `<title>${formatNumber(v)}</title>`,
      );
      if (opts.showValues === true) {
        const dark = ramp === 'diverging' ? Math.abs(t(v) - 0.5) > 0.3 : t(v) < 0.6;
        body += el(
          'text',
          { x: x + cw / 2, y: y + ch / 2 + 4, 'text-anchor': 'middle', fill: dark ? 'white' : 'black' },
          formatNumber(v, 2),
        );
      }
    });
  });
  opts.xLabels?.forEach((s, j) => {
    body += text(f.left + (j + 0.5) * cw, f.bottom + 16, s);
  });
  opts.yLabels?.forEach((s, i) => {
    body += text(f.left - 6, f.top + (i + 0.5) * ch + 4, s, { anchor: 'end' });
  });
  // The colour bar: 20 steps from lo (bottom) to hi (top), with both ends written.
  const bx = f.right + 14;
  const steps = 20;
  const sh = (f.bottom - f.top) / steps;
  for (let k = 0; k < steps; k++) {
    body += el('rect', {
      x: bx,
      y: f.bottom - (k + 1) * sh,
      width: 14,
      height: sh + 0.5,
      fill: rampColor((k + 0.5) / steps, ramp),
    });
  }
  body += text(bx + 18, f.top + 10, formatNumber(hi), { anchor: 'start', size: 10 });
  body += text(bx + 18, f.bottom, formatNumber(lo), { anchor: 'start', size: 10 });
  return svgDocument(f.width, f.height, body);
}
