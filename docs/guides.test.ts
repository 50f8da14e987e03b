/**
 * The guides' and READMEs' code (the root one and each package's) must run as written: each
 * ```ts block of the listed files is written to a scratch module and imported, in order. A block
 * that imports a workspace package this checkout lacks is reported skipped with that reason.
 * ```python blocks are excerpts of the Python scripts beside the examples, and must appear in
 * one of them verbatim (those scripts run where PyTorch is installed); ```sh blocks are
 * commands, whose example names and repository paths must exist.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runnable = [
  'README.md',
  'docs/guides/from-neuron-to-transformer.md',
  'docs/guides/deploying.md',
  'packages/core/README.md',
  'packages/nn/README.md',
  'packages/optim/README.md',
  'packages/gpu/README.md',
  'packages/onnx/README.md',
];
const scratch = join(root, '.tmp', 'doc-snippets');

describe.each(runnable)('%s', (file) => {
  const text = readFileSync(join(root, file), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  it('has code blocks', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  blocks.forEach((code, i) => {
    const missing = [...code.matchAll(/from '@tsgrad\/([a-z-]+)'/g)]
      .map((m) => m[1]!)
      .find((pkg) => !existsSync(join(root, 'packages', pkg)));
    const title = missing
      ? `block ${i + 1} runs — skipped: no packages/${missing} in this checkout`
      : `block ${i + 1} runs`;
    it.skipIf(missing !== undefined)(title, async () => {
      mkdirSync(scratch, { recursive: true });
      const path = join(scratch, `${file.replace(/[^a-z0-9]/gi, '_')}_${i}.ts`);
      writeFileSync(path, `${code}\nexport {};\n`);
      const log = console.log;
      console.log = () => {};
      try {
        await import(pathToFileURL(path).href);
      } finally {
        console.log = log;
      }
    });
  });
});

/** Python scripts beside the examples, whose excerpts the guides show. */
function pythonSources(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py')) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(join(root, 'examples'));
  return out.join('\n');
}

describe('docs/guides/deploying.md', () => {
  const text = readFileSync(join(root, 'docs/guides/deploying.md'), 'utf8');
  it('shows Python that is part of the tested scripts, verbatim', () => {
    const blocks = [...text.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    const sources = pythonSources();
    for (const b of blocks) expect(sources.includes(b), b.slice(0, 80)).toBe(true);
  });
  it('names examples and paths that exist in its commands', () => {
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    const cmds = blocks.join('\n');
    for (const [, name] of cmds.matchAll(/run example ([a-z-]+)/g)) {
      expect(existsSync(join(root, 'examples', name!, 'main.ts')), name).toBe(true);
    }
    for (const [path] of cmds.matchAll(/examples\/[\w./-]+\.py/g))
      expect(existsSync(join(root, path)), path).toBe(true);
  });
});
