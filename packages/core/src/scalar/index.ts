/**
 * `@tsgrad/core/scalar`: autograd on single numbers, small enough to read in one sitting — a
 * {@link Value} holds a number and its gradient, and each op's forward and backward sit side
 * by side. `toDot` and `toMermaid` draw a Value's graph as they draw a tensor's. Nothing here
 * needs a tensor or a backend.
 *
 * @example
 * ```ts
 * import { Value } from '@tsgrad/core/scalar';
 * const x = new Value(0.5, 'x');
 * const y = x.mul(2).tanh();
 * y.backward();
 * console.log(x.grad); // 2·(1 − tanh²(1)) ≈ 0.8399
 * ```
 * @module @tsgrad/core/scalar
 */
export { type DrawOptions, toDot, toMermaid } from '../graph/draw.js';
export { Value } from './value.js';
