/**
 * `@tsgrad/optim`: optimizers (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW) and
 * learning-rate schedulers, with PyTorch's algorithms, defaults and state-dict layout.
 *
 * @example
 * ```ts
 * import { Adam, StepLR } from '@tsgrad/optim';
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new StepLR(opt, { stepSize: 10, gamma: 0.5 });
 * for (let epoch = 0; epoch < 30; epoch++) {
 *   // … loss.backward(); opt.step(); opt.zeroGrad(); …
 *   sched.step();
 * }
 * ```
 * @packageDocumentation
 */
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type Params,
  type ZeroGradOptions,
} from './optimizer.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { SGD, type SGDOptions } from './sgd.js';
