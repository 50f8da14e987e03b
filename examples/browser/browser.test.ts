/**
 * The browser example in headless Chromium (Debian's `chromium`, WebGPU through SwiftShader):
 * the page trains XOR on WebGPU and its loss falls. Skipped where no Chromium is installed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { XorRun } from './main.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);

describe.skipIf(!haveChromium)(`browser example (${chromiumPath})`, () => {
  it('trains XOR on WebGPU in headless Chromium and plots a falling loss', async () => {
    const { createServer } = await import('vite');
    const { chromium } = await import('playwright-core');
    const server = await createServer({
      configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
      // navigator.gpu exists only in secure contexts, which http://localhost is.
      server: { port: 0, host: 'localhost', strictPort: false },
      logLevel: 'error',
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    expect(url).toBeDefined();
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--enable-unsafe-webgpu'],
    });
    const logs: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(url!);
      await page.waitForFunction(() => window.xorRun?.done === true, null, { timeout: 150_000 });
      const run = (await page.evaluate(() => window.xorRun)) as XorRun;
      expect(run.error, logs.join('\n')).toBeNull();
      expect(run.device).toBe('webgpu');
      const first = run.losses[0]![1];
      const last = run.losses.at(-1)![1];
      expect(last).toBeLessThan(first / 4);
      // The curve was drawn: the canvas is not blank.
      const inked = await page.evaluate(() => {
        const c = document.getElementById('loss') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      });
      expect(inked).toBeGreaterThan(500);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 200_000);
});
