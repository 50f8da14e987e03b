/** Small multiples: several charts of `@tsgrad/plot` laid out in one SVG document. */

/** The width and height an SVG document declares on its outer element. */
function sizeOf(svg: string): [number, number] {
  const w = /<svg[^>]*\bwidth="([\d.]+)"/.exec(svg);
  const h = /<svg[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (!w || !h) throw new Error('grid: a chart without width and height');
  return [Number(w[1]), Number(h[1])];
}

/**
 * Lays `charts` out row by row, `columns` to a row, in one SVG document (each chart becomes a
 * nested `<svg>` at its place). Every cell is as large as the largest chart.
 */
export function grid(charts: readonly string[], columns: number): string {
  const sizes = charts.map(sizeOf);
  const cw = Math.max(...sizes.map((s) => s[0]));
  const ch = Math.max(...sizes.map((s) => s[1]));
  const rows = Math.ceil(charts.length / columns);
  const cells = charts.map((svg, i) => {
    const x = (i % columns) * cw;
    const y = Math.floor(i / columns) * ch;
    return svg.trim().replace(/^<svg /, `<svg x="${x}" y="${y}" `);
  });
  const [w, h] = [cw * Math.min(columns, charts.length), ch * rows];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<rect width="${w}" height="${h}" fill="white"/>${cells.join('')}</svg>\n`
  );
}
