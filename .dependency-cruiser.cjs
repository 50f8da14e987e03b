// The layering of tsgrad, checked by `pnpm layering` (part of `pnpm check`, so of `.ci/run`).
// Paths are relative to the repository root; `@tsgrad/*` resolve through tsconfig.json's paths
// to each package's entry file, so an import of `@tsgrad/nn` is an edge to packages/nn/src.
// Type-only imports count here: a kernel that names the Tensor type knows Tensor.
// Import cycles are checked by .dependency-cruiser-cycles.cjs over run-time imports only.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-package',
      comment:
        'core is the bottom layer: its src and tests import no other tsgrad package, example or bench.',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: '^(packages/(?!core/)|conformance/|examples/|bench/)' },
    },
    {
      name: 'nn-and-optim-never-import-gpu',
      comment: 'nn and optim run on any registered backend; WebGPU is one the user picks.',
      severity: 'error',
      from: { path: '^packages/(nn|optim)/' },
      to: { path: '^packages/gpu/' },
    },
    {
      name: 'optim-never-imports-nn',
      comment: 'optimizers update plain tensors; they know no Module or Parameter.',
      severity: 'error',
      from: { path: '^packages/optim/' },
      to: { path: '^packages/nn/' },
    },
    {
      name: 'nn-never-imports-optim',
      comment: 'layers and losses do not depend on how they are trained.',
      severity: 'error',
      from: { path: '^packages/nn/' },
      to: { path: '^packages/optim/' },
    },
    {
      name: 'gpu-never-imports-nn-or-optim',
      comment: 'a backend implements primitives for core; it knows no layer or optimizer.',
      severity: 'error',
      from: { path: '^packages/gpu/' },
      to: { path: '^packages/(nn|optim)/' },
    },
    {
      name: 'onnx-imports-core-only',
      comment:
        "the exporter walks core's recorded graph; it knows no layer, optimizer or backend (its tests build models from nn).",
      severity: 'error',
      from: { path: '^packages/onnx/src/' },
      to: { path: '^packages/(nn|optim|gpu)/' },
    },
    {
      name: 'no-package-imports-onnx',
      comment: 'export sits above the packages it exports from.',
      severity: 'error',
      from: { path: '^packages/(core|nn|optim|gpu)/' },
      to: { path: '^packages/onnx/' },
    },
    {
      name: 'plot-imports-nothing',
      comment: 'charts are plain SVG strings: plot imports no tsgrad package and no npm package.',
      severity: 'error',
      from: { path: '^packages/plot/src/' },
      to: { path: '^packages/(?!plot/)|node_modules' },
    },
    {
      name: 'packages-never-import-examples-or-bench',
      comment: 'examples, benchmarks and the conformance suite sit above every package.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(conformance|examples|bench)/' },
    },
    {
      name: 'import-packages-through-their-entries',
      comment:
        'another package is imported by name (its index, /internal, /testing or /scalar), never from its src files.',
      severity: 'error',
      from: { path: '^(packages/([^/]+)|conformance|examples|docs)/' },
      to: {
        path: '^packages/[^/]+/src/',
        pathNot: ['^packages/$2/', '^packages/[^/]+/src/(index|internal|testing/index|scalar/index)\\.ts$'],
      },
    },
    {
      name: 'bench-imports-packages-through-their-entries',
      comment:
        "the same for benchmarks, but bench/cpu/matmul-kernels.ts times core's CPU matmul kernels directly.",
      severity: 'error',
      from: { path: '^bench/' },
      to: {
        path: '^packages/[^/]+/src/',
        pathNot: [
          '^packages/[^/]+/src/(index|internal|testing/index|scalar/index)\\.ts$',
          '^packages/core/src/backend/cpu/kernels/matmul\\.ts$',
        ],
      },
    },
    {
      name: 'core-has-no-runtime-dependencies',
      comment:
        "core's src imports no npm package (Node built-ins only); fast-check serves @tsgrad/core/testing alone.",
      severity: 'error',
      from: { path: '^packages/core/src/', pathNot: '^packages/core/src/testing/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-peer', 'npm-optional', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'backend-knows-no-tensor',
      comment:
        'the backend seam and its kernels work on storages and layouts; Tensor, autograd and ops sit above.',
      severity: 'error',
      from: { path: '^packages/core/src/backend/' },
      to: { path: '^packages/core/src/(tensor\\.ts$|autograd/|ops/)' },
    },
    {
      name: 'cpu-kernels-never-reach-tensor',
      comment: 'CPU kernels reach Tensor through no chain of imports either (a re-export would hide it).',
      severity: 'error',
      from: { path: '^packages/core/src/backend/cpu/' },
      to: { path: '^packages/core/src/tensor\\.ts$', reachable: true },
    },
    {
      name: 'autograd-imports-no-ops',
      comment:
        'the graph and its walk are written against Tensor methods, not the op modules that record nodes.',
      severity: 'error',
      from: { path: '^packages/core/src/autograd/' },
      to: { path: '^packages/core/src/ops/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/|^(docs/api|\\.tmp|\\.stryker-tmp|reports)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.mjs', '.js', '.d.ts'],
    },
  },
};
