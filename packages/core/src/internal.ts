/**
 * `@tsgrad/core/internal`: what tsgrad's own packages, tests and benchmarks share beyond the
 * public API — the CPU backend object, the composite references of fused kernels, the random
 * generator's hash, the autograd node class, the table of local derivatives `explain` prints. Not for users: these change without notice.
 *
 * @example
 * ```ts
 * import { uniformAt } from '@tsgrad/core/internal';
 * uniformAt(42, 0); // the first number rand() draws under key 42
 * ```
 * @module @tsgrad/core/internal
 */
export { isTracing, traced } from './autograd/grad-mode.js';
export {
  describeLocalDerivative,
  type LocalDerivative,
  localDerivatives,
  withoutLocalDerivative,
} from './autograd/local-derivatives.js';
export { Node, type NodeAttrs } from './autograd/node.js';
export { cpuBackend } from './backend/cpu/cpu-backend.js';
export { layerNorm } from './ops/norm.js';
export { adamStepComposite_, lerp_ } from './ops/optimizers.js';
export { lstmCell } from './ops/recurrent.js';
export { sumTo } from './ops/reduce.js';
export { col2im, im2col } from './ops/windows.js';
export { hash32, normalAt, uniformAt } from './random.js';
