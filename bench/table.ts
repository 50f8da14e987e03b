/** Plain-text tables for the benchmark report. */

/** One printed table: a title, column headers and rows of cells. */
export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
  notes?: string[];
}

/** Renders a table with columns padded to their widest cell (first column left-aligned). */
export function renderTable(t: Table): string {
  const widths = t.headers.map((h, c) => Math.max(h.length, ...t.rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [`## ${t.title}`, line(t.headers), rule, ...t.rows.map(line)];
  for (const n of t.notes ?? []) out.push(`  ${n}`);
  return `${out.join('\n')}\n`;
}

/** A number with a sensible count of significant digits for a table cell. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** The ratio cell "×1.23" (tsgrad's figure over a peer's, oriented so that > 1 is better). */
export function ratio(ours: number, theirs: number, higherIsBetter = true): string {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || ours <= 0 || theirs <= 0) return '—';
  const r = higherIsBetter ? ours / theirs : theirs / ours;
  return `×${r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
}
