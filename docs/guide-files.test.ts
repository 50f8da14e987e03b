/**
 * A guide may show a file of this repository whole: an HTML comment `<!-- file: PATH -->` on the
 * line before a fenced block says which, and the block must equal that file, so the guide
 * cannot drift from code that is tested (e.g. a vitest test file, which cannot run as one of
 * the guide's stand-alone ```ts blocks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const guides = readdirSync(join(root, 'docs/guides')).filter((f) => f.endsWith('.md'));
const shown = guides.flatMap((guide) => {
  const text = readFileSync(join(root, 'docs/guides', guide), 'utf8');
  return [...text.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)^```$/gm)].map((m) => ({
    guide,
    path: m[1]!,
    block: m[2]!,
  }));
});

describe('files shown whole in the guides', () => {
  it('include the testing example', () => {
    expect(shown.map((s) => s.path)).toContain('docs/guides/testing-example/log-sum-exp.test.ts');
  });
  it.each(shown)('$guide shows $path as it is', ({ path, block }) => {
    expect(block).toBe(readFileSync(join(root, path), 'utf8'));
  });
});
