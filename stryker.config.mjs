// Mutation testing with StrykerJS (not part of CI: it runs the tests once per mutant and takes
// a long time). `pnpm mutation [area…]` (scripts/mutation.mjs) runs Stryker once per area below
// with TSGRAD_MUTATION_AREA set; `TSGRAD_MUTATION_AREA=clip npx stryker run` runs one by hand.
// Each area mutates a few source files and runs only the test files that pin them (named one by
// one: Stryker hands glob matches to vitest as paths outside its sandbox, which match nothing);
// with perTest coverage analysis a mutant runs only the tests that reach it.

import { readFileSync } from 'node:fs';

/**
 * `file:first-last` line ranges: from each line matching `from` to the next line matching
 * `to`, for every line matching `from` (so an area can name code inside a larger file).
 */
function blocks(file, pairs) {
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n');
  return pairs.flatMap(([from, to]) => {
    const found = [];
    lines.forEach((line, a) => {
      if (!from.test(line)) return;
      const b = lines.findIndex((l, i) => i >= a && to.test(l));
      found.push(`${file}:${a + 1}-${b + 1}`);
    });
    if (found.length === 0) throw new Error(`stryker.config.mjs: no line of ${file} matches ${from}`);
    return found;
  });
}

/** What each area mutates, and the tests that must kill its mutants. */
export const AREAS = {
  // The gradient rules of the elementwise primitives: the derivative tables (unary, binary,
  // tensor ∘ number), the where rule, what each op saves for backward and how it records.
  grad: {
    mutate: blocks('packages/core/src/ops/elementwise.ts', [
      [/^const zeroGrad/, /^};$/],
      [/^function halfOnTies/, /^};$/],
      [/^const scalarRules/, /^};$/],
      [/^ {2}const saved = /, /;$/],
      [/^ {2}return record\(y, op, \[(x|a)\]/, /;$/],
      [/^ {2}return record\(y, op, \[A, B\]/, /^ {2}\}\);$/],
      [/^ {2}return record\($/, /^ {2}\);$/],
    ]),
    testFiles: [
      'packages/core/test/autograd.test.ts',
      'packages/core/test/binary-gradients.test.ts',
      'packages/core/test/saved-tensors.test.ts',
      'packages/core/test/inplace.test.ts',
      'packages/core/test/elementwise-math.test.ts',
      'packages/core/test/edge.test.ts',
      'conformance/test/gradcheck.test.ts',
      'conformance/test/reference.test.ts',
    ],
  },
  functional: {
    mutate: ['packages/nn/src/functional.ts'],
    testFiles: [
      'packages/nn/test/functional.test.ts',
      'packages/nn/test/functional-options.test.ts',
      'packages/nn/test/layer-options.test.ts',
      'packages/nn/test/bad-input.test.ts',
      'packages/nn/test/activations.test.ts',
      'packages/nn/test/gradcheck.test.ts',
      'packages/nn/test/edge.test.ts',
      'packages/nn/test/layer-norm-kaiming.test.ts',
      'packages/nn/test/parity-modules.test.ts',
    ],
  },
  losses: {
    mutate: ['packages/nn/src/losses.ts', 'packages/nn/src/distribution-losses.ts'],
    testFiles: [
      'packages/nn/test/loss-modules.test.ts',
      'packages/nn/test/loss-formulas.test.ts',
      'packages/nn/test/bad-input.test.ts',
      'packages/nn/test/loss-curvature.test.ts',
      'packages/nn/test/functional.test.ts',
      'packages/nn/test/gradcheck.test.ts',
      'packages/nn/test/edge.test.ts',
      'packages/nn/test/parity-modules.test.ts',
    ],
  },
  clip: {
    mutate: ['packages/nn/src/clip.ts'],
    testFiles: ['packages/nn/test/clip.test.ts', 'packages/nn/test/edge.test.ts'],
  },
  data: {
    mutate: ['packages/nn/src/data.ts', 'packages/nn/src/shuffle.ts'],
    testFiles: [
      'packages/nn/test/data.test.ts',
      'packages/nn/test/data-loader.test.ts',
      'packages/nn/test/bad-input.test.ts',
      'packages/nn/test/data-shuffle.test.ts',
      'packages/nn/test/edge.test.ts',
    ],
  },
  optim: {
    mutate: ['packages/optim/src/**/*.ts'],
    testFiles: [
      'packages/optim/test/edge.test.ts',
      'packages/optim/test/lbfgs.test.ts',
      'packages/optim/test/optimizer.test.ts',
      'packages/optim/test/reference.test.ts',
      'packages/optim/test/schedulers.test.ts',
      'packages/optim/test/state-file.test.ts',
      'packages/optim/test/update-rules.test.ts',
      'packages/optim/test/scheduler-options.test.ts',
      'packages/optim/test/option-checks.test.ts',
      'packages/optim/test/lbfgs-reference.test.ts',
    ],
  },
};

const area = process.env.TSGRAD_MUTATION_AREA ?? 'clip';
const spec = AREAS[area];
if (spec === undefined) {
  throw new Error(`TSGRAD_MUTATION_AREA: unknown area '${area}' (one of ${Object.keys(AREAS).join(', ')})`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // A static mutant changes code that runs once, when its module loads (a table of rules, a
  // constant). The vitest runner keeps modules loaded between mutants, so such a mutant is
  // never switched on and would count as surviving; Stryker leaves them out (as "ignored").
  ignoreStatic: true,
  mutate: spec.mutate,
  testFiles: spec.testFiles,
  // The machine is usually shared; raise with --concurrency when it is not.
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${area}.json` },
  htmlReporter: { fileName: `reports/mutation/${area}.html` },
  // A rerun tests again only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: `reports/mutation/${area}.incremental.json`,
  tempDirName: `.stryker-tmp/${area}`,
  cleanTempDir: 'always',
  ignorePatterns: ['/.stryker-tmp', '/coverage', '/docs/api'],
  thresholds: { high: 90, low: 85, break: 85 },
};
