/**
 * `pnpm figures [name …]`: remakes the guides' figures. Each `docs/figures/<guide>.ts` (other
 * than this runner) exports `figures()`, returning `{ file: svg }` pairs computed with tsgrad and
 * drawn with `@tsgrad/plot`; they are written to `docs/guides/figures/<file>`. Names given on the
 * command line pick which scripts run (by file name without `.ts`).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'guides', 'figures');
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();
if (scripts.length === 0) {
  console.error(`no figure scripts${wanted.length > 0 ? ` named ${wanted.join(', ')}` : ''} in docs/figures`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
for (const f of scripts) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as {
    figures: () => Promise<Record<string, string>> | Record<string, string>;
  };
  for (const [file, svg] of Object.entries(await mod.figures())) {
    writeFileSync(join(out, file), svg);
    console.log(`${f}: docs/guides/figures/${file}`);
  }
}
