/**
 * The layering rules bite: dependency-cruiser, run with the repository's two configs on a small
 * tree that breaks each rule once (written under .tmp/, outside the real packages), reports
 * every rule by name, and leaves alone the imports the rules allow.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

// Every import is a value that is used, so it stays a run-time import for the cycle check.
const files: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'ESNext',
      moduleResolution: 'Bundler',
      baseUrl: '.',
      paths: Object.fromEntries(
        ['core', 'nn', 'optim', 'gpu'].map((p) => [`@tsgrad/${p}`, [`packages/${p}/src/index.ts`]]),
      ),
    },
  }),
  'packages/core/src/index.ts': "export { Tensor } from './tensor.js';\n",
  // Allowed: tensor.ts and ops/ import each other.
  'packages/core/src/tensor.ts':
    "import { relu } from './ops/relu.js';\nexport class Tensor {}\nexport const r = relu;\n",
  'packages/core/src/ops/relu.ts':
    "import { Tensor } from '../tensor.js';\nimport { engine } from '../autograd/engine.js';\nexport const relu = () => [new Tensor(), engine];\n",
  'packages/core/src/autograd/engine.ts':
    "import { relu } from '../ops/relu.js';\nexport const engine = () => relu;\n",
  // Allowed: a cycle inside one folder.
  'packages/core/src/autograd/graph.ts':
    "import { walk } from './walk.js';\nexport const record = () => walk;\n",
  'packages/core/src/autograd/walk.ts':
    "import { record } from './graph.js';\nexport const walk = () => record;\n",
  'packages/core/src/backend/cpu/kernel.ts':
    "import { Tensor } from '../../tensor.js';\nexport const k = Tensor;\n",
  'packages/core/src/backend/cpu/through-index.ts':
    "import * as core from '../../index.js';\nexport const c = core;\n",
  'packages/core/src/random.ts': "import fc from 'fast-check';\nexport const f = fc;\n",
  'packages/core/test/uses-nn.test.ts': "import { layer } from '@tsgrad/nn';\nexport const l = layer;\n",
  'packages/nn/src/index.ts':
    "import { gpu } from '@tsgrad/gpu';\nimport { step } from '@tsgrad/optim';\nimport { ex } from '../../../examples/ex.js';\nexport const layer = [gpu, step, ex];\n",
  'packages/optim/src/index.ts': "import { layer } from '@tsgrad/nn';\nexport const step = layer;\n",
  'packages/gpu/src/index.ts':
    "import { layer } from '@tsgrad/nn';\nimport { Tensor } from '../../core/src/tensor.js';\nexport const gpu = [layer, Tensor];\n",
  // Allowed: examples import packages by name.
  'examples/ex.ts': "import { Tensor } from '@tsgrad/core';\nexport const ex = Tensor;\n",
  // Allowed: the CPU matmul kernel benchmark; not allowed: any other file under a package's src.
  'packages/core/src/backend/cpu/kernels/matmul.ts': 'export const matmul = 1;\n',
  'bench/kernels.ts':
    "import { matmul } from '../packages/core/src/backend/cpu/kernels/matmul.js';\nexport const m = matmul;\n",
  'bench/deep.ts': "import { Tensor } from '../packages/core/src/tensor.js';\nexport const t = Tensor;\n",
};

let dir = '';

function violations(config: string): { rule: string; from: string; to: string }[] {
  const run = spawnSync(
    process.execPath,
    [depcruise, '.', '--config', join(root, config), '--output-type', 'json'],
    { cwd: dir, encoding: 'utf8' },
  );
  const result = JSON.parse(run.stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[] };
  };
  // An npm module is named by its package, wherever the package manager put it.
  const short = (to: string) => to.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1');
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: short(v.to) }));
}

describe('layering rules', () => {
  beforeAll(() => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    dir = mkdtempSync(join(root, '.tmp', 'layering-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('report each broken package and folder rule, and only those', () => {
    const found = violations('.dependency-cruiser.cjs');
    const pairs = found.map((v) => `${v.rule}: ${v.from} → ${v.to}`).sort();
    expect(pairs).toEqual(
      [
        'autograd-imports-no-ops: packages/core/src/autograd/engine.ts → packages/core/src/ops/relu.ts',
        'backend-knows-no-tensor: packages/core/src/backend/cpu/kernel.ts → packages/core/src/tensor.ts',
        'bench-imports-packages-through-their-entries: bench/deep.ts → packages/core/src/tensor.ts',
        'core-has-no-runtime-dependencies: packages/core/src/random.ts → fast-check',
        'core-imports-no-package: packages/core/test/uses-nn.test.ts → packages/nn/src/index.ts',
        'cpu-kernels-never-reach-tensor: packages/core/src/backend/cpu/kernel.ts → packages/core/src/tensor.ts',
        'cpu-kernels-never-reach-tensor: packages/core/src/backend/cpu/through-index.ts → packages/core/src/tensor.ts',
        'gpu-never-imports-nn-or-optim: packages/gpu/src/index.ts → packages/nn/src/index.ts',
        'import-packages-through-their-entries: packages/gpu/src/index.ts → packages/core/src/tensor.ts',
        'nn-and-optim-never-import-gpu: packages/nn/src/index.ts → packages/gpu/src/index.ts',
        'nn-never-imports-optim: packages/nn/src/index.ts → packages/optim/src/index.ts',
        'optim-never-imports-nn: packages/optim/src/index.ts → packages/nn/src/index.ts',
        'packages-never-import-examples-or-bench: packages/nn/src/index.ts → examples/ex.ts',
      ].sort(),
    );
  });

  it('report cycles that leave a folder, but not the tensor.ts ↔ ops/ one or one inside a folder', () => {
    const rules = new Set(violations('.dependency-cruiser-cycles.cjs').map((v) => `${v.rule}: ${v.from}`));
    // ops/relu.ts ↔ autograd/engine.ts leaves ops/; nn ↔ gpu leaves nn.
    expect(rules).toContain('tensor-and-ops-cycle-stays-between-them: packages/core/src/ops/relu.ts');
    expect(rules).toContain('no-cycles-between-folders: packages/core/src/autograd/engine.ts');
    expect(rules).toContain('no-cycles-between-folders: packages/nn/src/index.ts');
    expect(rules).not.toContain('tensor-and-ops-cycle-stays-between-them: packages/core/src/tensor.ts');
    expect(rules).not.toContain('no-cycles-between-folders: packages/core/src/autograd/graph.ts');
    expect(rules).not.toContain('no-cycles-between-folders: packages/core/src/autograd/walk.ts');
  });
});
