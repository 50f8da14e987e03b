/** Line charts: loss curves, gradient norms per layer, optimizer races. */
import { axes, type ChartOptions, frameFor, labels, legend } from './frame.js';
import { extent, linearScale, logScale, type Scale } from './scale.js';
import { el, idFor, palette, svgDocument } from './svg.js';

/** One line: y values, at x = 0, 1, 2, … unless `x` is given. */
export interface Series {
  /** Shown in the legend; a chart with no named series has no legend. */
  name?: string;
  y: readonly number[];
  /** Same length as `y`. */
  x?: readonly number[];
  /** A CSS colour; by default the next one of the palette. */
  color?: string;
  dashed?: boolean;
}

/** Options of {@link linePlot}. */
export interface LineOptions extends ChartOptions {
  /** A base-10 log y axis (for losses spanning decades); values ≤ 0 are left out. */
  logY?: boolean;
  /** Fixes the y range instead of fitting the data. */
  yRange?: [number, number];
}

/**
 * Draws one or more series as lines and returns the SVG document as a string. Points that are
 * NaN or infinite (or ≤ 0 on a log axis) break the line rather than bending it.
 *
 * @example
 * ```ts
 * import { linePlot } from '@tsgrad/plot';
 * const svg = linePlot(
 *   [{ name: 'train', y: [1, 0.5, 0.3] }, { name: 'test', y: [1.1, 0.7, 0.6] }],
 *   { title: 'Loss', xLabel: 'epoch', yLabel: 'loss' },
 * );
 * // writeFileSync('loss.svg', svg) in Node, or element.innerHTML = svg in a page
 * ```
 */
export function linePlot(series: Series | readonly Series[], opts: LineOptions = {}): string {
  const all: readonly Series[] = Array.isArray(series) ? series : [series as Series];
  for (const s of all) {
    if (s.x !== undefined && s.x.length !== s.y.length) {
      throw new RangeError(
        `linePlot: series '${s.name ?? ''}' has ${s.x.length} x values for ${s.y.length} y values`,
      );
    }
  }
  const xs = (s: Series) => s.x ?? s.y.map((_, i) => i);
  const ok = (v: number) => Number.isFinite(v) && (opts.logY !== true || v > 0);
  const f = frameFor(opts);
  const xScale = linearScale(extent(all.flatMap(xs)), [f.left, f.right]);
  const yDomain = opts.yRange ?? extent(all.flatMap((s) => s.y.filter(ok)));
  const yScale: Scale =
    opts.logY === true
      ? logScale(yDomain[0] > 0 ? yDomain : [1e-3, 1], [f.bottom, f.top])
      : linearScale(yDomain, [f.bottom, f.top]);
  // A stand-in id while the lines are drawn; the real one is a hash of the drawing.
  const clipId = 'plot-area-?';
  let body = labels(f, opts) + axes(f, xScale, yScale);
  const named: { name: string; color: string; dashed?: boolean }[] = [];
  all.forEach((s, i) => {
    const color = s.color ?? palette[i % palette.length]!;
    const x = xs(s);
    let d = '';
    let pen = false;
    s.y.forEach((v, k) => {
      if (!ok(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${xScale.at(x[k]!).toFixed(1)} ${yScale.at(v).toFixed(1)}`;
      pen = true;
    });
    body += el('path', {
      d,
      fill: 'none',
      stroke: color,
      'stroke-width': 2,
      'stroke-dasharray': s.dashed === true ? '6 4' : undefined,
      'clip-path': `url(#${clipId})`,
    });
    if (s.name !== undefined) named.push({ name: s.name, color, dashed: s.dashed });
  });
  const clip = el(
    'clipPath',
    { id: clipId },
    el('rect', { x: f.left, y: f.top, width: f.right - f.left, height: f.bottom - f.top }),
  );
  const doc = svgDocument(f.width, f.height, `<defs>${clip}</defs>${body}${legend(f, named)}`);
  return doc.replaceAll(clipId, idFor('plot-area', doc));
}
