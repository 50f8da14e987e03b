/**
 * The browser examples in headless Chromium (Debian's `chromium`, WebGPU through SwiftShader):
 * the XOR page and the MNIST page train on WebGPU and their losses fall; a digit drawn with the
 * mouse on the MNIST page gets the trained network's probabilities; the playground runs
 * snippets on the CPU and on WebGPU and shows what they print and draw. Skipped where no
 * Chromium is installed.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MnistRun } from './mnist.js';
import type { PlaygroundRun } from './playground.js';

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
  it('reads a digit drawn with the mouse after training: probabilities that sum to 1', async () => {
    const { run, page } = await runPage(
      '/mnist.html?device=cpu&steps=30&batch=64&train=2048&test=200',
      'mnistRun',
      120_000,
    );
    expect(await page.textContent('#device')).toMatch(/^Device: CPU \(WebAssembly SIMD kernels, 1 thread\)$/);
    expect(run.probabilities).toBeNull();
    // A '1': one stroke down the middle of the pad, slightly slanted.
    await page.locator('#draw').scrollIntoViewIfNeeded();
    const box = (await page.locator('#draw').boundingBox())!;
    const [x, top, bottom] = [box.x + box.width * 0.5, box.y + box.height * 0.15, box.y + box.height * 0.85];
    await page.mouse.move(x + 10, top);
    await page.mouse.down();
    for (let k = 1; k <= 20; k++) await page.mouse.move(x + 10 - k, top + ((bottom - top) * k) / 20);
    await page.mouse.up();
    await page.waitForFunction(() => window.mnistRun.drawings === 1, undefined, { timeout: 30_000 });
    const p = (await page.evaluate(() => window.mnistRun.probabilities))!;
    expect(p.length).toBe(10);
    for (const q of p) expect(q).toBeGreaterThanOrEqual(0);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(await page.locator('#probs tr').count()).toBe(10);
    expect(await page.locator('#probs tr.best td').first().textContent()).toBe(
      String(p.indexOf(Math.max(...p))),
    );
    // What the network read: a 28×28 image whose ink has its centre of mass at the centre.
    const com = await page.evaluate(() => {
      const c = document.getElementById('seen') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let [m, mx, my] = [0, 0, 0];
      for (let i = 0; i < 28 * 28; i++) {
        const v = d[4 * i]!;
        m += v;
        mx += v * ((i % 28) + 0.5);
        my += v * (Math.floor(i / 28) + 0.5);
      }
      return [mx / m, my / m];
    });
    expect(Math.abs(com[0]! - 14)).toBeLessThan(1);
    expect(Math.abs(com[1]! - 14)).toBeLessThan(1);
    console.log(`drawn '1' read as ${p.indexOf(Math.max(...p))} (p = ${Math.max(...p).toFixed(3)})`);
    await page.close();
  }, 150_000);

  /** Opens the playground and waits until it can run. */
  async function playground(logs: string[]): Promise<Page> {
    const page = await open('/playground.html', logs);
    await page.waitForFunction(() => window.playgroundRun?.ready === true, undefined, { timeout: 60_000 });
    return page;
  }

  /** Runs what the editor holds on `device` and returns the page's record of the run. */
  async function runSnippet(page: Page, device: string, timeout = 60_000): Promise<PlaygroundRun> {
    const before = await page.evaluate(() => window.playgroundRun.runs);
    await page.selectOption('#device', device);
    await page.click('#run');
    await page.waitForFunction((n) => window.playgroundRun.runs > n, before, { timeout });
    return page.evaluate(() => window.playgroundRun);
  }

  it('runs playground snippets on the CPU: their printed lines and charts appear, errors are shown', async () => {
    const logs: string[] = [];
    const page = await playground(logs);
    expect(await page.locator('#starter option').count()).toBeGreaterThanOrEqual(3);
    await page.fill(
      '#code',
      [
        "import { tensor } from '@tsgrad/core';",
        "import { linePlot } from '@tsgrad/plot';",
        "import { device, show } from './playground.js';",
        'const x: ReturnType<typeof tensor> = tensor([1, 2, 3], { device });',
        'console.log(device, await x.mul(2).toArray(), { n: 1 });',
        "show(linePlot({ name: 'loss', y: [3, 1, 2] }));",
        'show(\'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4" cx="5" cy="5"/></svg>\');',
      ].join('\n'),
    );
    let run = await runSnippet(page, 'cpu');
    expect(run.error, logs.join('\n')).toBeNull();
    expect(run.output).toEqual(['cpu [2, 4, 6] {"n":1}']);
    expect(run.plots).toBe(2);
    expect(await page.locator('#plots > svg').count()).toBe(2);
    expect(await page.locator('#plots circle').count()).toBe(1);
    expect(await page.textContent('#output')).toBe('cpu [2, 4, 6] {"n":1}');

    await page.fill(
      '#code',
      "import { show } from './playground.js';\nconsole.log('before');\nshow('a chart');",
    );
    run = await runSnippet(page, 'cpu');
    expect(run.output).toEqual(['before']);
    expect(run.error).toMatch(
      /show: expected an SVG document \(a string starting with <svg\), got 'a chart'/,
    );
    expect(await page.textContent('#output .error')).toBe(run.error);
    expect(await page.locator('#plots > svg').count()).toBe(0);

    await page.selectOption('#starter', '02-xor');
    expect(await page.inputValue('#code')).toMatch(/^\/\/ XOR/);
    run = await runSnippet(page, 'cpu');
    expect(run.error, logs.join('\n')).toBeNull();
    expect(run.output[0]).toMatch(/^step 0: loss 0\.\d+$/);
    expect(run.output).toContain('predictions: 0.000 0.999 0.999 0.002');
    expect(run.plots).toBe(2);

    // A snippet that does not compile: the compiler's message, not just "the import failed".
    await page.fill('#code', 'const x: number = ;');
    run = await runSnippet(page, 'cpu');
    expect(run.error).toMatch(/Unexpected token[\s\S]*const x: number = ;/);
    await page.close();
  }, 150_000);

  it('runs a playground snippet on WebGPU, and offers WebGPU only where navigator.gpu is', async () => {
    const logs: string[] = [];
    const page = await playground(logs);
    expect(await page.evaluate(() => window.playgroundRun.webgpuUnavailable)).toBeNull();
    await page.selectOption('#starter', '01-neuron');
    const run = await runSnippet(page, 'webgpu', 120_000);
    expect(run.error, logs.join('\n')).toBeNull();
    expect(run.output).toEqual([
      'z = 0.4050, p = 0.5999',
      '∂p/∂w = [0.1200, 0.1440]',
      '∂p/∂b = 0.2400',
      'computed on webgpu',
    ]);
    await page.close();

    const bare = await browser.newPage();
    await bare.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await bare.goto(new URL('/playground.html', url).href);
    await bare.waitForFunction(() => window.playgroundRun?.ready === true, undefined, { timeout: 60_000 });
    expect(await bare.locator('#device option[value="webgpu"]').isDisabled()).toBe(true);
    expect(await bare.textContent('#device-note')).toBe(
      'WebGPU: this browser has no navigator.gpu (try a recent Chrome or Edge)',
    );
    await bare.close();
  }, 180_000);
});
