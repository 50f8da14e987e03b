/**
 * `@tsgrad/optim`: optimizers (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, NAdam, RAdam,
 * Adamax, ASGD, Rprop, LBFGS) and learning-rate schedulers, with PyTorch's algorithms, defaults and state-dict layout.
 *
 * @example
 * ```ts
 * import { Adam, StepLR } from '@tsgrad/optim';
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new StepLR(opt, 10, { gamma: 0.5 });
 * for (let epoch = 0; epoch < 30; epoch++) {
 *   // … loss.backward(); opt.step(); opt.zeroGrad(); …
 *   sched.step();
 * }
 * ```
 *
 * @packageDocumentation
 * @module @tsgrad/optim
 */
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, type AdamOptions } from './adam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { AdamW } from './adamw.js';
export { ASGD, type ASGDOptions } from './asgd.js';
export { LBFGS, type LBFGSOptions } from './lbfgs.js';
export { NAdam, type NAdamOptions } from './nadam.js';
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type Params,
  type StateValue,
  type ZeroGradOptions,
} from './optimizer.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Rprop, type RpropOptions } from './rprop.js';
export { ConstantLR, type ConstantLROptions } from './schedulers/constant-lr.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './schedulers/cosine-annealing-lr.js';
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from './schedulers/cosine-annealing-warm-restarts.js';
export { CyclicLR, type CyclicLROptions } from './schedulers/cyclic-lr.js';
export { ExponentialLR } from './schedulers/exponential-lr.js';
export { LambdaLR, type LrLambda } from './schedulers/lambda-lr.js';
export { LinearLR, type LinearLROptions } from './schedulers/linear-lr.js';
export { LRScheduler, type LRSchedulerOptions } from './schedulers/lr-scheduler.js';
export { MultiStepLR, type MultiStepLROptions } from './schedulers/multi-step-lr.js';
export { OneCycleLR, type OneCycleLROptions } from './schedulers/one-cycle-lr.js';
export { PolynomialLR, type PolynomialLROptions } from './schedulers/polynomial-lr.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './schedulers/reduce-lr-on-plateau.js';
export { Scheduler, type SchedulerStateDict } from './schedulers/scheduler.js';
export { SequentialLR } from './schedulers/sequential-lr.js';
export { StepLR, type StepLROptions } from './schedulers/step-lr.js';
export { SGD, type SGDOptions } from './sgd.js';
export {
  loadOptimizerState,
  optimizerStateFromBytes,
  optimizerStateToBytes,
  saveOptimizerState,
} from './state-file.js';
