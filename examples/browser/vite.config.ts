/**
 * Serves the page with the workspace packages taken from their sources, so no build is needed:
 *   npx vite examples/browser      (then open http://localhost:5173)
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const src = (p: string) => fileURLToPath(new URL(`../../packages/${p}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: [
      { find: /^@tsgrad\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@tsgrad\/nn$/, replacement: src('nn/src/index.ts') },
      { find: /^@tsgrad\/optim$/, replacement: src('optim/src/index.ts') },
      { find: /^@tsgrad\/gpu$/, replacement: src('gpu/src/index.ts') },
    ],
  },
  server: { host: 'localhost' },
});
