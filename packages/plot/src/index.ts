/**
 * Dependency-free SVG charts for training curves, attention maps and decision regions. Each
 * function returns a complete SVG document as a string: write it to a file in Node, or set it
 * as an element's `innerHTML` in a page.
 *
 * @example
 * ```ts
 * import { linePlot } from '@tsgrad/plot';
 * const svg = linePlot({ name: 'loss', y: [0.7, 0.4, 0.2] }, { xLabel: 'step' });
 * ```
 *
 * @packageDocumentation
 * @module @tsgrad/plot
 */
export { type Bar, type BarOptions, barPlot } from './bar.js';
export type { Ramp } from './color.js';
export type { ChartOptions } from './frame.js';
export { type HeatmapOptions, heatmap } from './heatmap.js';
export { type LineOptions, linePlot, type Series } from './line.js';
export { niceTicks } from './scale.js';
export { type ScatterOptions, type ScatterPoint, scatterPlot } from './scatter.js';
