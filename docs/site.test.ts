/**
 * The documentation site (`pnpm docs:api`, typedoc with docs/typedoc.json) as a reader meets it:
 * each module under the name a user imports it by, the guides in reading order with their
 * titles, and every figure a guide shows present in the repository (typedoc copies the files
 * that relative image links name into the site).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const guideDir = join(root, 'docs/guides');
const guides = readdirSync(guideDir)
  .filter((f) => f.endsWith('.md'))
  .sort();

/** A JSON file that may hold comments, as typedoc and tsc read theirs. */
function readJsonc(path: string): any {
  const { config, error } = ts.parseConfigFileTextToJson(path, readFileSync(path, 'utf8'));
  if (error) throw new Error(`${path}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  return config;
}

describe('modules on the site', () => {
  const typedoc = readJsonc(join(root, 'docs/typedoc.json'));
  const entryPoints: string[] = typedoc.entryPoints.map((p: string) => resolve(root, 'docs', p));
  // The import paths a user writes, and the source file each resolves to in this repository.
  const paths: Record<string, [string]> = readJsonc(join(root, 'tsconfig.base.json')).compilerOptions.paths;
  const importPaths = Object.entries(paths).map(([name, [file]]) => ({ name, file: resolve(root, file) }));

  it('lists every public import path as an entry point (internal ones excepted)', () => {
    for (const { name, file } of importPaths) {
      if (name.endsWith('/internal')) continue;
      expect(entryPoints, `${name} (${file}) is missing from docs/typedoc.json`).toContain(file);
    }
  });

  it.each(entryPoints.map((f) => [f.slice(root.length + 1), f]))(
    '%s names its module by its import path',
    (_, file) => {
      const name = importPaths.find((p) => p.file === file)?.name;
      expect(name, 'an entry point without an import path in tsconfig.base.json').toBeDefined();
      const header = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
      expect(header).toMatch(/^\s*\* @packageDocumentation$/m);
      expect(/^\s*\* @module (\S+)$/m.exec(header)?.[1]).toBe(name);
    },
  );
});

describe.each(guides)('docs/guides/%s', (file) => {
  const text = readFileSync(join(guideDir, file), 'utf8');

  it('is numbered, so that the site lists the guides in reading order', () => {
    expect(file).toMatch(/^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/);
  });

  it('starts with front matter that gives its title', () => {
    const front = /^---\ntitle: (.+)\n---\n/.exec(text);
    expect(front, 'the file must start with ---, title: …, ---').not.toBeNull();
    // A plain YAML scalar, read as written: no quotes or indicator first, no `: ` or ` #` inside.
    expect(front![1]).toMatch(/^[^\s'"[\]{}&*!|>%@`#,?:-]/);
    expect(front![1]).not.toMatch(/: | #|\s$/);
  });

  it('shows only figures that exist', () => {
    for (const [, alt, target] of text.matchAll(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g)) {
      expect(alt!.trim().length, `${target} needs alt text`).toBeGreaterThan(0);
      expect(target, 'figures live in the repository, linked relatively').not.toMatch(/^[a-z]+:|^\//i);
      expect(existsSync(join(guideDir, target!)), `${target} does not exist`).toBe(true);
    }
  });
});
