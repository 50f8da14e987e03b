import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'scalar/index': 'src/scalar/index.ts',
    internal: 'src/internal.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: ['fast-check', 'node:fs', 'node:fs/promises', 'node:path', 'node:worker_threads', 'node:os'],
});
