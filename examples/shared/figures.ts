/** Writes the examples' SVG charts: `--out <dir>` (default `out/<example>`), created if missing. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `svg` as `<dir>/<name>` and prints where it went; returns the path. */
export function writeSvg(dir: string, name: string, svg: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, svg);
  console.log(`wrote ${path}`);
  return path;
}
