// Import cycles between folders, over run-time imports (type-only imports are erased by the
// build and do not count: Tensor's `gradFn` names autograd's Node type, and Node holds Tensors).
// A cycle inside one folder is fine; one that leaves a folder and comes back is not.
const layering = require('./.dependency-cruiser.cjs');

// Tensor's methods call the op functions in ops/, and the ops build Tensors: the one cycle kept.
const TENSOR_AND_OPS = '^packages/core/src/(tensor\\.ts|ops/[^/]+)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles-between-folders',
      comment: "a cycle through a module stays inside that module's folder ($1).",
      severity: 'error',
      from: { path: '^(.+)/[^/]+$', pathNot: TENSOR_AND_OPS },
      to: { circular: true, via: { pathNot: '^$1/[^/]+$' } },
    },
    {
      name: 'tensor-and-ops-cycle-stays-between-them',
      comment: 'a cycle through tensor.ts or ops/ may pass only through tensor.ts and ops/.',
      severity: 'error',
      from: { path: TENSOR_AND_OPS },
      to: { circular: true, via: { pathNot: TENSOR_AND_OPS } },
    },
  ],
  options: { ...layering.options, tsPreCompilationDeps: false },
};
