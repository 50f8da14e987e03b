/**
 * The guides' and READMEs' code (the root one and each package's) must run as written: each
 * ```ts block of the listed files is written to a scratch module and imported, in order. A block
 * that imports a workspace package this checkout lacks is reported skipped with that reason.
 * What the blocks print is checked too: every `console.log(…)` line ends in a comment
 * `// → expected`, and the block's printed lines, in order, must match those comments (see
 * {@link matchesExpected}).
 * ```python blocks are excerpts of the Python scripts beside the examples, and must appear in
 * one of them verbatim (those scripts run where PyTorch is installed); ```sh blocks are
 * commands, whose example names and repository paths must exist.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const guides = readdirSync(join(root, 'docs/guides'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/guides/${f}`);
const runnable = [
  'README.md',
  ...guides,
  'packages/core/README.md',
  'packages/nn/README.md',
  'packages/optim/README.md',
  'packages/gpu/README.md',
  'packages/onnx/README.md',
  'packages/plot/README.md',
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
      const expected = expectedOutputs(code);
      const printed: string[] = [];
      const log = console.log;
      console.log = (...args: unknown[]) => {
        printed.push(args.map(show).join(' '));
      };
      try {
        await import(pathToFileURL(path).href);
      } finally {
        console.log = log;
      }
      expect(printed.length, `lines printed by ${file} block ${i + 1}: ${printed.join(' | ')}`).toBe(
        expected.length,
      );
      printed.forEach((line, k) => {
        expect(
          matchesExpected(line, expected[k]!),
          `printed '${line}', the guide says '${expected[k]}'`,
        ).toBe(true);
      });
    });
  });
});

/**
 * The expected output of each `console.log(` line of a block: the text after `// → ` on that
 * line. A `console.log` line without one fails the test, so every printed value is checked.
 */
function expectedOutputs(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    if (!line.includes('console.log(')) continue;
    const at = line.indexOf('// → ');
    expect(at, `a console.log line without '// → expected output': ${line.trim()}`).toBeGreaterThan(-1);
    out.push(line.slice(at + 5).trim());
  }
  return out;
}

/** A printed value as the comments write it: arrays as [a, b], numbers in full. */
function show(v: unknown): string {
  if (Array.isArray(v) || ArrayBuffer.isView(v))
    return `[${Array.from(v as ArrayLike<unknown>, show).join(', ')}]`;
  return String(v);
}

const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?Infinity|NaN/gi;

/**
 * Whether a printed line matches a guide's `// → expected`: the same text around the numbers
 * (spaces ignored), and each number equal to the expected one to the digits the guide shows
 * (`0.6667` accepts 0.66666668; `4` needs 4 up to 1e-9). Text after ` — ` in the comment is a
 * remark, not output.
 */
function matchesExpected(printed: string, expected: string): boolean {
  const want = expected.split(' — ')[0]!.trim();
  const skeleton = (s: string) => s.replace(NUMBER, '#').replace(/\s+/g, '');
  if (skeleton(printed) !== skeleton(want)) return false;
  const got = printed.match(NUMBER) ?? [];
  const exp = want.match(NUMBER) ?? [];
  return exp.every((e, k) => {
    const g = Number(got[k]);
    const x = Number(e);
    if (Number.isNaN(x) || !Number.isFinite(x)) return Object.is(g, x) || g === x;
    const decimals = /\.(\d+)/.exec(e.split(/e/i)[0]!)?.[1]?.length ?? 0;
    const scale = /e/i.test(e) ? Math.abs(x) * 10 ** -decimals : 10 ** -decimals;
    return Math.abs(g - x) <= 0.5 * scale + 1e-9 * Math.max(1, Math.abs(x));
  });
}

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

describe('docs/guides/18-deploying-and-scaling.md', () => {
  const text = readFileSync(join(root, 'docs/guides/18-deploying-and-scaling.md'), 'utf8');
  it('shows Python that is part of the tested scripts, verbatim', () => {
    const blocks = [...text.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    const sources = pythonSources();
    for (const b of blocks) expect(sources.includes(b), b.slice(0, 80)).toBe(true);
  });
});

describe.each(['README.md', ...guides])('%s: commands', (file) => {
  const text = readFileSync(join(root, file), 'utf8');
  const cmds = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');
  const scripts = Object.keys(
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts,
  );
  it('names examples, root scripts and repository paths that exist', () => {
    for (const [, name] of cmds.matchAll(/pnpm (?:run )?example ([a-z0-9-]+)/g)) {
      expect(existsSync(join(root, 'examples', name!, 'main.ts')), `example ${name}`).toBe(true);
    }
    for (const [, script] of cmds.matchAll(/^\s*pnpm (?:run )?([a-z:-]+)/gm)) {
      if (['install', 'add', 'exec', 'dlx'].includes(script!)) continue;
      expect(scripts, `pnpm ${script}`).toContain(script);
    }
    for (const [path] of cmds.matchAll(/\b(?:examples|docs|scripts|bench|packages)\/[\w./-]+\.(?:py|ts|md)/g))
      expect(existsSync(join(root, path)), path).toBe(true);
  });
});

describe('matchesExpected', () => {
  it('compares numbers to the digits shown and the text around them exactly', () => {
    expect(matchesExpected('[0, -0.3333333432674408, 4]', '[0, -0.3333, 4]')).toBe(true);
    expect(matchesExpected('[0, -0.3334333, 4]', '[0, -0.3333, 4]')).toBe(false);
    expect(matchesExpected('[2, 4]', '[2, 4] — rows, features')).toBe(true);
    expect(matchesExpected('[2, 5]', '[2, 4]')).toBe(false);
    expect(matchesExpected('[2, 4] [1]', '[2, 4]')).toBe(false);
    expect(matchesExpected('0.01 0.01', '0.01 0.01')).toBe(true);
    expect(matchesExpected('1.2345e-7', '1.23e-7')).toBe(true);
    expect(matchesExpected('-Infinity NaN', '-Infinity NaN')).toBe(true);
  });
});
