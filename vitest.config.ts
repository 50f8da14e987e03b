import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@tsgrad\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
      { find: /^@tsgrad\/core\/scalar$/, replacement: src('core/src/scalar/index.ts') },
      { find: /^@tsgrad\/core\/internal$/, replacement: src('core/src/internal.ts') },
      { find: /^@tsgrad\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@tsgrad\/nn$/, replacement: src('nn/src/index.ts') },
      { find: /^@tsgrad\/optim$/, replacement: src('optim/src/index.ts') },
      { find: /^@tsgrad\/gpu$/, replacement: src('gpu/src/index.ts') },
      { find: /^@tsgrad\/onnx$/, replacement: src('onnx/src/index.ts') },
      { find: /^@tsgrad\/plot$/, replacement: src('plot/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'conformance/test/**/*.test.ts',
      'examples/**/*.test.ts',
      'docs/**/*.test.ts',
      'scripts/*.test.ts',
    ],
    setupFiles: ['scripts/fast-check-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Off by default; `.ci/run` sets TSGRAD_COVERAGE=1, and scripts/test-summary.mjs then prints
    // coverage per package (scripts/coverage-report.mjs) before the totals line.
    coverage: {
      enabled: process.env.TSGRAD_COVERAGE === '1',
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['packages/*/src/**/*.d.ts'],
      reporter: ['json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
