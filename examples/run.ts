/**
 * `pnpm example <name> [flags]`: runs `examples/<name>/main.ts` with the remaining flags.
 * A missing or unknown name lists the examples that exist. Folders with an `index.html` are
 * web pages, served with Vite (`pnpm web`) rather than run in Node; naming one says so.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function folders(file: string): string[] {
  return readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(here, d.name, file)))
    .map((d) => d.name)
    .sort();
}

const [name, ...rest] = process.argv.slice(2);
const pages = folders('index.html');
if (name !== undefined && pages.includes(name)) {
  console.error(
    `'${name}' is a web page: pnpm web, then open http://localhost:5173 (see examples/${name}/README.md)`,
  );
  process.exit(1);
}
const names = folders('main.ts').filter((n) => !pages.includes(n));
if (name === undefined || !names.includes(name)) {
  const what = name === undefined ? 'which example?' : `unknown example '${name}'`;
  console.error(`${what}; available: ${names.join(', ')}`);
  console.error('usage: pnpm example <name> [flags]');
  process.exit(1);
}
// The example reads its flags from process.argv.slice(2), as if started directly.
process.argv = [process.argv[0]!, join(here, name, 'main.ts'), ...rest];
await import(pathToFileURL(join(here, name, 'main.ts')).href);
