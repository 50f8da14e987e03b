/**
 * The playground's starter snippets (snippets/*.ts) run in Node on the CPU as they are: each
 * prints, the charts it shows are SVG documents, and a snippet that trains ends with a loss
 * well below its first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configure, show } from './snippets/playground.js';

const snippets = readdirSync(new URL('./snippets/', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'playground.ts')
  .sort();

describe.each(snippets)('snippets/%s', (file) => {
  const source = readFileSync(new URL(`./snippets/${file}`, import.meta.url), 'utf8');
  const trains = /\.step\(\)/.test(source);
  const shows = /\bshow\(/.test(source);
  const printed: string[] = [];
  const shown: string[] = [];
  const log = console.log;
  beforeAll(async () => {
    configure({ device: 'cpu', display: (svg) => shown.push(svg) });
    console.log = (...args: unknown[]) => printed.push(args.join(' '));
    try {
      await import(`./snippets/${file}`);
    } finally {
      console.log = log;
    }
  }, 60_000);
  afterAll(() => {
    console.log = log;
  });

  it('prints what it computes', () => {
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.join('\n')).not.toMatch(/NaN|undefined/);
  });

  if (shows) {
    it('shows SVG documents', () => {
      expect(shown.length).toBeGreaterThan(0);
      for (const svg of shown) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    });
  }

  if (trains) {
    it('prints a loss that falls to a tenth', () => {
      const losses = printed.flatMap((l) => [...l.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1])));
      expect(losses.length).toBeGreaterThan(1);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! / 10);
    });
  }
});

describe('show', () => {
  it('takes SVG documents and refuses anything else with the reason', () => {
    const shown: string[] = [];
    configure({ device: 'cpu', display: (svg) => shown.push(svg) });
    show('<svg xmlns="http://www.w3.org/2000/svg"></svg>');
    show('<?xml version="1.0"?>\n<svg width="1"></svg>');
    expect(shown.length).toBe(2);
    expect(() => show('<div>no</div>')).toThrow(/show: expected an SVG document .* got '<div>no<\/div>'/);
    expect(() => show(42 as unknown as string)).toThrow(/got number/);
  });
});
