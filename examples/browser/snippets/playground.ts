/**
 * What the playground page gives the snippets it runs: `device`, the device picked on the page,
 * and `show(svg)`, which displays a chart (an SVG document, e.g. from `@tsgrad/plot`) under
 * the snippet's output. A snippet imports them like any module:
 * `import { device, show } from './playground.js';`.
 */
import type { Device } from '@tsgrad/core';

/** The device picked on the page: `'cpu'` or `'webgpu'`. */
export let device: Device = 'cpu';

let display: (svg: string) => void = () => {};

/**
 * Displays an SVG document under the snippet's output.
 *
 * @example
 * ```ts
 * show(linePlot({ name: 'loss', y: losses }, { xLabel: 'step' }));
 * ```
 */
export function show(svg: string): void {
  if (typeof svg !== 'string' || !/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(svg)) {
    const what = typeof svg === 'string' ? `'${svg.slice(0, 30)}'` : typeof svg;
    throw new TypeError(`show: expected an SVG document (a string starting with <svg), got ${what}`);
  }
  display(svg);
}

/**
 * Sets what the next snippet sees: the device, and where `show` puts a chart. The page calls
 * it before each run (and a test, to run the snippets in Node).
 *
 * @example
 * ```ts
 * configure({ device: 'webgpu', display: (svg) => plots.insertAdjacentHTML('beforeend', svg) });
 * ```
 */
export function configure(opts: { device: Device; display: (svg: string) => void }): void {
  device = opts.device;
  display = opts.display;
}
