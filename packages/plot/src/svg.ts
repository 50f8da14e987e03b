/**
 * SVG text building blocks shared by the charts: escaping, elements, the colour cycle and
 * number formatting.
 */

/** Escapes text for use inside SVG element content and attribute values. */
export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** One SVG element: `el('line', { x1: 0 })` is `<line x1="0"/>`; undefined attributes are left out. */
export function el(name: string, attrs: Record<string, string | number | undefined>, body?: string): string {
  let out = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === 'number' ? round(v) : esc(v)}"`;
  }
  return body === undefined ? `${out}/>` : `${out}>${body}</${name}>`;
}

/** Coordinates to two decimals: enough for a screen, and short files. */
function round(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Series colours, in order (a colour-blind-safe cycle). */
export const palette = [
  '#0072b2',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#000000',
  '#f0e442',
];

/** A tick or cell value in at most `digits` significant digits, without trailing zeros. */
export function formatNumber(v: number, digits = 3): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 2)).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** The outer `<svg>` element with a white background and the chart's font. */
export function svgDocument(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="12">` +
    el('rect', { width, height, fill: 'white' }) +
    body +
    '</svg>\n'
  );
}

/** A text label; `anchor` is SVG's text-anchor. */
export function text(
  x: number,
  y: number,
  s: string,
  opts: { anchor?: 'start' | 'middle' | 'end'; size?: number; rotate?: boolean; bold?: boolean } = {},
): string {
  return el(
    'text',
    {
      x,
      y,
      'text-anchor': opts.anchor ?? 'middle',
      'font-size': opts.size,
      'font-weight': opts.bold === true ? 'bold' : undefined,
      transform: opts.rotate === true ? `rotate(-90 ${round(x)} ${round(y)})` : undefined,
    },
    esc(s),
  );
}

/**
 * An element id made from the text of what it names (a 32-bit FNV-1a hash), so that several
 * charts can share one page and the same chart always gets the same id.
 */
export function idFor(prefix: string, content: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < content.length; i++) {
    h ^= content.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${prefix}-${h.toString(36)}`;
}
