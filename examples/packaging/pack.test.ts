/**
 * The packages as a user gets them: `pnpm pack` turns `@tsgrad/core`, `nn`, `optim`, `gpu`, `onnx` and `plot`
 * into tarballs, npm installs them into a fresh project outside the workspace, and that project
 * (`project/`) trains a small model in Node on the CPU and on WebGPU, type-checks against the
 * installed declarations, and is bundled by Vite into a page that trains in headless Chromium.
 * Uses the built `dist/` folders (building them when missing); the third-party dependencies
 * (`webgpu`) come from the npm registry or npm's cache.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const projectSource = fileURLToPath(new URL('./project', import.meta.url));
const names = ['core', 'nn', 'optim', 'gpu', 'onnx', 'plot'] as const;
const pnpm = ['-y', 'pnpm@10.34.9'];
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);

/**
 * The environment for npm in the scratch project: without the `npm_*` variables that the
 * enclosing `npm test` / `pnpm run` set for the workspace, except npm's own network and cache
 * settings.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cache|.*proxy|strict_ssl|cafile|ca)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k) || keep.test(k)),
  );
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
}

interface TrainResult {
  device: string;
  losses?: number[];
  skipped?: string;
}

function expectTrained(losses: readonly number[] | null | undefined): void {
  expect(losses?.length).toBeGreaterThan(5);
  expect(losses!.every(Number.isFinite)).toBe(true);
  expect(losses!.at(-1)!).toBeLessThan(losses![0]! / 4);
}

describe('the packed packages, installed with npm outside the workspace', () => {
  let dir: string;
  const tarballs = new Map<string, string>();

  beforeAll(async () => {
    if (!names.every((n) => existsSync(join(root, 'packages', n, 'dist', 'index.js')))) {
      await exec('npx', [...pnpm, 'run', 'build'], { cwd: root });
    }
    dir = mkdtempSync(join(tmpdir(), 'tsgrad-pack-'));
    const out = join(dir, 'tarballs');
    mkdirSync(out);
    for (const n of names) {
      await exec('npx', [...pnpm, 'pack', '--pack-destination', out], { cwd: join(root, 'packages', n) });
    }
    for (const file of readdirSync(out)) {
      const n = names.find((x) => file.startsWith(`tsgrad-${x}-`));
      if (n !== undefined) tarballs.set(n, file);
    }
    cpSync(projectSource, dir, { recursive: true });
    const dependencies = Object.fromEntries(
      names.map((n) => [`@tsgrad/${n}`, `file:tarballs/${tarballs.get(n)}`]),
    );
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'tsgrad-consumer', private: true, type: 'module', dependencies }, null, 2)}\n`,
    );
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: dir,
      env: npmEnv(),
    });
  }, 300_000);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function manifestOf(n: string): Promise<{ manifest: Manifest; files: string[] }> {
    const tgz = join(dir, 'tarballs', tarballs.get(n)!);
    const { stdout: json } = await exec('tar', ['-xzOf', tgz, 'package/package.json']);
    const { stdout: list } = await exec('tar', ['-tzf', tgz]);
    return { manifest: JSON.parse(json) as Manifest, files: list.trim().split('\n') };
  }

  it('packs each package with its dist, README and LICENSE, and real versions for workspace ranges', async () => {
    expect([...tarballs.keys()].sort()).toEqual([...names].sort());
    for (const n of names) {
      const { manifest, files } = await manifestOf(n);
      expect(manifest.name).toBe(`@tsgrad/${n}`);
      for (const f of [
        'package/package.json',
        'package/README.md',
        'package/LICENSE',
        'package/dist/index.js',
      ]) {
        expect(files, n).toContain(f);
      }
      expect(files.filter((f) => !/^package\/(dist\/|README\.md$|LICENSE$|package\.json$)/.test(f))).toEqual(
        [],
      );
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        expect(range, `${n} → ${dep}`).not.toMatch(/^workspace:/);
        if (dep.startsWith('@tsgrad/')) expect(range).toBe(manifest.version);
      }
    }
  });

  async function trainInNode(device: string): Promise<TrainResult> {
    const { stdout } = await exec('node', ['node-train.js', device], { cwd: dir });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as TrainResult;
  }

  it('trains in Node on the CPU', async () => {
    const result = await trainInNode('cpu');
    expectTrained(result.losses);
  });

  it('trains in Node on WebGPU', async (ctx) => {
    const result = await trainInNode('webgpu');
    if (result.skipped !== undefined) ctx.skip(result.skipped);
    expectTrained(result.losses);
  });

  it('exports an ONNX model with @tsgrad/onnx', async () => {
    const { stdout } = await exec('node', ['export-onnx.js'], { cwd: dir });
    const { bytes, head } = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      bytes: number;
      head: number[];
    };
    expect(bytes).toBeGreaterThan(100);
    // ModelProto field 1 (ir_version) as a varint: tag 0x08, then the version.
    expect(head[0]).toBe(0x08);
    expect(head[1]).toBeGreaterThanOrEqual(7);
  });

  it('type-checks against the installed declarations', async () => {
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    const lib = 'es2022,dom,esnext.disposable';
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--lib',
      lib,
      'types.ts',
    ];
    await expect(exec('node', [tsc, ...args], { cwd: dir })).resolves.toBeDefined();
  });

  describe.skipIf(!haveChromium)(`bundled by Vite, in headless Chromium (${chromiumPath})`, () => {
    let server: PreviewServer;
    let browser: Browser;

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('runs core alone, and trains on the CPU and on WebGPU where the browser gives an adapter', async () => {
      const { build, preview } = await import('vite');
      const { chromium } = await import('playwright-core');
      const config = { root: dir, configFile: false as const, logLevel: 'error' as const };
      const input = { main: join(dir, 'index.html'), coreOnly: join(dir, 'core-only.html') };
      await build({ ...config, build: { outDir: 'dist', target: 'es2022', rollupOptions: { input } } });
      server = await preview({ ...config, preview: { port: 0, host: 'localhost', strictPort: false } });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking'],
      });
      const url = server.resolvedUrls!.local[0]!;
      const coreOnly = await browser.newPage();
      await coreOnly.goto(new URL('core-only.html', url).href);
      await coreOnly.waitForFunction(() => 'coreOnly' in window, null, { timeout: 30_000 });
      expect(await coreOnly.evaluate(() => (window as unknown as { coreOnly: unknown }).coreOnly)).toEqual({
        sum: [4, 6],
        error: null,
      });
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(url);
      await page.waitForFunction(
        () => (window as unknown as { packRun?: { done: boolean } }).packRun?.done,
        null,
        {
          timeout: 120_000,
        },
      );
      const run = (await page.evaluate(() => (window as unknown as { packRun: unknown }).packRun)) as {
        cpu: number[] | null;
        webgpu: number[] | null;
        webgpuSkipped: string | null;
        error: string | null;
      };
      expect(run.error, logs.join('\n')).toBeNull();
      expectTrained(run.cpu);
      if (run.webgpuSkipped === null) expectTrained(run.webgpu);
      else console.log(`WebGPU in Chromium skipped: ${run.webgpuSkipped}`);
    }, 180_000);
  });
});
