/**
 * An ONNX model exported by @tsgrad/onnx runs in onnxruntime-web (WebAssembly, one thread) in
 * headless Chromium with tsgrad's outputs (float32, rel 1e-5), at two batch sizes over the
 * model's dynamic batch axis. The runtime's files come from the installed package through this
 * example's Vite server. Skipped where no Chromium is installed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallMlpFixture } from './onnx-fixture.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-5, abs = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(abs + rel * Math.abs(e));
  }
}

describe.skipIf(!haveChromium)(`onnxruntime-web in headless Chromium (${chromiumPath})`, () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  const logs: string[] = [];

  beforeAll(async () => {
    const { createServer } = await import('vite');
    const { chromium } = await import('playwright-core');
    server = await createServer({
      configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
      server: { port: 0, host: 'localhost', strictPort: false },
      logLevel: 'error',
    });
    await server.listen();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking'],
    });
    page = await browser.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(server.resolvedUrls!.local[0]!)) logs.push(`outside request: ${r.url()}`);
    });
    await page.goto(new URL('/onnx.html', server.resolvedUrls!.local[0]!).href);
    await page.waitForFunction(() => window.onnxReady === true, null, { timeout: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each([5, 2])("gives tsgrad's outputs for a batch of %i", async (batch) => {
    const { onnx, input, expected } = await smallMlpFixture(batch);
    const outputs = await page.evaluate(([model, x]) => window.runOnnx(model, { x }), [
      Array.from(onnx),
      { data: Array.from(input.data), dims: input.dims },
    ] as const);
    expect(logs.filter((l) => l.startsWith('outside request') || l.startsWith('pageerror'))).toEqual([]);
    expect(outputs.y!.dims).toEqual(expected.dims);
    expectClose(outputs.y!.data, expected.data);
  });
});
