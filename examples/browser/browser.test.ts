/**
 * The browser examples in headless Chromium (Debian's `chromium`, WebGPU through SwiftShader):
 * the XOR page and the MNIST page train on WebGPU and their losses fall. Skipped where no
 * Chromium is installed.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MnistRun } from './mnist.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);

describe.skipIf(!haveChromium)(`browser examples (${chromiumPath})`, () => {
  let server: ViteDevServer;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const { createServer } = await import('vite');
    const { chromium } = await import('playwright-core');
    server = await createServer({
      configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
      // navigator.gpu exists only in secure contexts, which http://localhost is.
      server: { port: 0, host: 'localhost', strictPort: false },
      logLevel: 'error',
    });
    await server.listen();
    url = server.resolvedUrls!.local[0]!;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--enable-unsafe-webgpu'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string, logs: string[]): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(new URL(path, url).href);
    return page;
  }

  async function inkOf(page: Page): Promise<number> {
    return page.evaluate(() => {
      const c = document.getElementById('loss') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
  }

  /**
   * Opens a page, waits until its record `window[key]` says it is done and checks that it
   * ended without an error; the page stays open for the caller to inspect and close.
   */
  async function runPage<K extends 'xorRun' | 'mnistRun' | 'threadsRun'>(
    path: string,
    key: K,
    timeout: number,
  ): Promise<{ run: Window[K]; page: Page }> {
    const logs: string[] = [];
    const page = await open(path, logs);
    await page.waitForFunction(
      (k) => (window as unknown as Record<string, { done?: boolean }>)[k]?.done === true,
      key,
      {
        timeout,
      },
    );
    const run = (await page.evaluate((k) => window[k], key)) as Window[K];
    expect(run.error, logs.join('\n')).toBeNull();
    return { run, page };
  }

  it('trains XOR on WebGPU and plots a falling loss', async () => {
    const { run, page } = await runPage('/', 'xorRun', 150_000);
    expect(run.device).toBe('webgpu');
    expect(run.losses.at(-1)![1]).toBeLessThan(run.losses[0]![1] / 4);
    expect(await inkOf(page)).toBeGreaterThan(500);
    await page.close();
  }, 200_000);

  it('trains the MNIST classifier on WebGPU: the loss falls and test accuracy beats chance', async () => {
    const { run, page } = await runPage(
      '/mnist.html?steps=40&batch=64&train=4096&test=500',
      'mnistRun',
      250_000,
    );
    expect(run.device).toBe('webgpu');
    expect(run.losses.at(-1)![1]).toBeLessThan(run.losses[0]![1] / 2);
    expect(run.testAccuracy!).toBeGreaterThan(0.6);
    expect(await inkOf(page)).toBeGreaterThan(500);
    await page.close();
  }, 300_000);

  async function cpuRun(query: string): Promise<MnistRun> {
    const path = `/mnist.html?device=cpu&steps=60&batch=64&train=4096&test=500${query}`;
    const { run, page } = await runPage(path, 'mnistRun', 120_000);
    await page.close();
    return run;
  }

  it('trains the MNIST classifier on the CPU backend, with the same numbers when cross-origin isolated', async () => {
    const single = await cpuRun('');
    expect(single.device).toBe('cpu');
    expect(single.cpuKernels).toEqual({ wasm: true, threads: 1 });
    expect(single.losses.at(-1)![1]).toBeLessThan(single.losses[0]![1] / 2);
    expect(single.testAccuracy!).toBeGreaterThan(0.6);
    const isolated = await cpuRun('&isolated');
    expect(isolated.cpuKernels).toEqual({ wasm: true, threads: Math.min(8, cpus().length) });
    expect(isolated.losses).toEqual(single.losses);
    expect(isolated.testAccuracy).toBe(single.testAccuracy);
  }, 240_000);

  it('splits large CPU matmuls across worker threads on a cross-origin isolated page, with the same bits', async () => {
    const { run, page } = await runPage('/threads.html?isolated', 'threadsRun', 120_000);
    await page.close();
    expect(run.crossOriginIsolated).toBe(true);
    expect(run.threads).toBe(Math.min(8, cpus().length));
    expect(run.sameResults).toBe(true);
    console.log(
      `512² matmul in Chromium: ${run.single.toFixed(1)} GFLOP/s on 1 thread, ${run.all.toFixed(1)} on ${run.threads}`,
    );
  }, 150_000);
});
