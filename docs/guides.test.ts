/**
 * The guides' and READMEs' code (the root one and each package's) must run as written: each ```ts block of the listed files is
 * written to a scratch module and imported.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runnable = [
  'README.md',
  'docs/guides/from-neuron-to-transformer.md',
  'packages/core/README.md',
  'packages/nn/README.md',
  'packages/optim/README.md',
  'packages/gpu/README.md',
];
const scratch = join(root, '.tmp', 'doc-snippets');

describe.each(runnable)('%s', (file) => {
  const text = readFileSync(join(root, file), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  it('has code blocks', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs`, async () => {
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
