/** Scatter plots, optionally over a classifier's decision regions. */
import { tint } from './color.js';
import { axes, type ChartOptions, frameFor, labels, legend } from './frame.js';
import { extent, linearScale } from './scale.js';
import { el, palette, svgDocument } from './svg.js';

/** One point; points of the same `group` (a class index) share a colour. */
export interface ScatterPoint {
  x: number;
  y: number;
  group?: number;
}

/** Options of {@link scatterPlot}. */
export interface ScatterOptions extends ChartOptions {
  /** The names of the groups, for the legend. */
  groupNames?: readonly string[];
  /** Axis ranges; by default the points' extent with a margin. */
  xRange?: [number, number];
  yRange?: [number, number];
  /**
   * Shades the plane by a classifier: `predict(x, y)` is the probability of group 1 (two
   * groups) and the background blends group 0's colour into group 1's, with the 0.5 level as the
   * boundary; sampled on a `resolution`² grid (40 by default). Takes a batch of points and
   * returns one probability per point, so a network can be run once for the whole grid.
   */
  background?: {
    predict: (points: readonly [number, number][]) => readonly number[];
    resolution?: number;
  };
}

/**
 * Draws points coloured by group, over an optional decision-region background; returns SVG.
 *
 * @example
 * ```ts
 * import { scatterPlot } from '@tsgrad/plot';
 * const svg = scatterPlot(
 *   [{ x: 0, y: 0, group: 0 }, { x: 1, y: 1, group: 0 }, { x: 0, y: 1, group: 1 }, { x: 1, y: 0, group: 1 }],
 *   { title: 'XOR', groupNames: ['0', '1'], background: { predict: (ps) => ps.map(([x, y]) => (x > 0.5) !== (y > 0.5) ? 1 : 0) } },
 * );
 * ```
 */
export function scatterPlot(points: readonly ScatterPoint[], opts: ScatterOptions = {}): string {
  const pad = (r: [number, number]): [number, number] => {
    const m = (r[1] - r[0]) * 0.08;
    return [r[0] - m, r[1] + m];
  };
  const xr = opts.xRange ?? pad(extent(points.map((p) => p.x)));
  const yr = opts.yRange ?? pad(extent(points.map((p) => p.y)));
  const f = frameFor(opts);
  const xs = linearScale(xr, [f.left, f.right]);
  const ys = linearScale(yr, [f.bottom, f.top]);
  let body = '';
  if (opts.background !== undefined) {
    const n = opts.background.resolution ?? 40;
    const grid: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        grid.push([xr[0] + ((j + 0.5) / n) * (xr[1] - xr[0]), yr[1] - ((i + 0.5) / n) * (yr[1] - yr[0])]);
      }
    }
    const p = opts.background.predict(grid);
    if (p.length !== grid.length) {
      throw new RangeError(
        `scatterPlot: background.predict returned ${p.length} values for ${grid.length} points`,
      );
    }
    const cw = (f.right - f.left) / n;
    const chh = (f.bottom - f.top) / n;
    grid.forEach((_, k) => {
      const q = Math.min(1, Math.max(0, p[k]!));
      const color =
        q >= 0.5
          ? tint(palette[1]!, 0.15 + 0.35 * (q - 0.5) * 2)
          : tint(palette[0]!, 0.15 + 0.35 * (0.5 - q) * 2);
      body += el('rect', {
        x: f.left + (k % n) * cw,
        y: f.top + Math.floor(k / n) * chh,
        width: cw + 0.5,
        height: chh + 0.5,
        fill: color,
      });
    });
  }
  body += labels(f, opts) + axes(f, xs, ys);
  for (const pt of points) {
    const g = pt.group ?? 0;
    body += el('circle', {
      cx: xs.at(pt.x),
      cy: ys.at(pt.y),
      r: 4,
      fill: palette[g % palette.length],
      stroke: 'white',
    });
  }
  const names = opts.groupNames ?? [];
  return svgDocument(
    f.width,
    f.height,
    body +
      legend(
        f,
        names.map((name, g) => ({ name, color: palette[g % palette.length]! })),
      ),
  );
}
