/** The plotting area shared by the charts: margins, title, axis lines, ticks, labels and legend. */
import type { Scale } from './scale.js';
import { el, esc, formatNumber, text } from './svg.js';

/** What every chart accepts: size, title and axis labels. */
export interface ChartOptions {
  /** Printed above the plot. */
  title?: string;
  /** Printed under the x axis. */
  xLabel?: string;
  /** Printed, turned, left of the y axis. */
  yLabel?: string;
  /** Pixels; 640 by default. */
  width?: number;
  /** Pixels; 400 by default. */
  height?: number;
}

/** The pixel box the data is drawn in. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The plot box for a chart of the given options; `extraRight` leaves room for a colour bar. */
export function frameFor(opts: ChartOptions, extraRight = 0): Frame {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const top = opts.title === undefined ? 16 : 36;
  const bottom = height - (opts.xLabel === undefined ? 30 : 48);
  const left = opts.yLabel === undefined ? 56 : 74;
  return { width, height, left, right: width - 16 - extraRight, top, bottom };
}

/** Title and axis labels. */
export function labels(f: Frame, opts: ChartOptions): string {
  let out = '';
  if (opts.title !== undefined) out += text(f.width / 2, 22, opts.title, { size: 15, bold: true });
  if (opts.xLabel !== undefined) out += text((f.left + f.right) / 2, f.height - 10, opts.xLabel);
  if (opts.yLabel !== undefined) out += text(16, (f.top + f.bottom) / 2, opts.yLabel, { rotate: true });
  return out;
}

/** The axis lines with ticks, tick labels and light grid lines. */
export function axes(f: Frame, x: Scale, y: Scale): string {
  let out = '';
  for (const t of x.ticks) {
    const px = x.at(t);
    out += el('line', { x1: px, x2: px, y1: f.top, y2: f.bottom, stroke: '#eee' });
    out += el('line', { x1: px, x2: px, y1: f.bottom, y2: f.bottom + 5, stroke: '#333' });
    out += text(px, f.bottom + 18, formatNumber(t));
  }
  for (const t of y.ticks) {
    const py = y.at(t);
    out += el('line', { x1: f.left, x2: f.right, y1: py, y2: py, stroke: '#eee' });
    out += el('line', { x1: f.left - 5, x2: f.left, y1: py, y2: py, stroke: '#333' });
    out += text(f.left - 8, py + 4, formatNumber(t), { anchor: 'end' });
  }
  out += el('path', { d: `M${f.left} ${f.top}V${f.bottom}H${f.right}`, fill: 'none', stroke: '#333' });
  return out;
}

/** A legend box in the top right corner of the plot: a swatch and a name per entry. */
export function legend(
  f: Frame,
  entries: readonly { name: string; color: string; dashed?: boolean }[],
): string {
  if (entries.length === 0) return '';
  const w = 24 + 7 * Math.max(...entries.map((e) => e.name.length));
  const x = f.right - w - 8;
  let out = el('rect', {
    x,
    y: f.top + 6,
    width: w,
    height: 18 * entries.length + 6,
    fill: 'white',
    'fill-opacity': 0.85,
    stroke: '#ccc',
  });
  entries.forEach((e, i) => {
    const y = f.top + 19 + 18 * i;
    out += el('line', {
      x1: x + 6,
      x2: x + 20,
      y1: y - 4,
      y2: y - 4,
      stroke: e.color,
      'stroke-width': 3,
      'stroke-dasharray': e.dashed === true ? '4 3' : undefined,
    });
    out += el('text', { x: x + 24, y }, esc(e.name));
  });
  return out;
}
