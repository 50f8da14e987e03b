/**
 * `@tsgrad/core`: tensors with reverse-mode autodiff, the backend seam, and the CPU backend.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/core';
 * const w = tensor([0.5, -0.3], { requiresGrad: true });
 * const loss = w.mul(tensor([1, 2])).sum().square();
 * loss.backward();
 * console.log(w.grad!.toString());
 * ```
 *
 * @packageDocumentation
 * @module @tsgrad/core
 */
import { registerBackend } from './backend/backend.js';
import { cpuBackend } from './backend/cpu/cpu-backend.js';

registerBackend('cpu', cpuBackend);

export { detectAnomaly } from './autograd/anomaly.js';
export { backward, type GradOptions, grad } from './autograd/engine.js';
export {
  type ExplainedInput,
  type ExplainedLeaf,
  type ExplainedTensor,
  type ExplainedValues,
  type ExplainOptions,
  type ExplainStep,
  type Explanation,
  explain,
} from './autograd/explain.js';
export { enableGrad, isGradEnabled, noGrad } from './autograd/grad-mode.js';
export { RemovableHandle, type TensorHook } from './autograd/hooks.js';
export type { BackwardRule, Node, NodeAttrs } from './autograd/node.js';
export {
  type Backend,
  type BackendMemory,
  type BinaryOp,
  type Device,
  type FusedKernels,
  getBackend,
  hasBackend,
  type MemoryPolicy,
  type RandomKind,
  type ReduceOp,
  registerBackend,
  registeredDevices,
  type ScanOp,
  type SortResult,
  type Storage,
  type UnaryOp,
  type View,
  type WindowSpec,
} from './backend/backend.js';
export {
  getNumThreads,
  initCpuKernels,
  setCpuMemoryLimit,
  setNumThreads,
} from './backend/cpu/cpu-backend.js';
export {
  arrayType,
  checkDType,
  type DType,
  dtypes,
  isDType,
  isFloating,
  itemSize,
  promoteTypes,
  type TypedArray,
} from './dtype.js';
export {
  AutogradError,
  DeviceError,
  DisposedError,
  DTypeError,
  formatShape,
  ShapeError,
  TsgradError,
  ValueError,
} from './errors.js';
export { type DrawOptions, toDot, toMermaid } from './graph/draw.js';
export * as safetensors from './io/safetensors.js';
export {
  broadcastShapes,
  type CollapsedDims,
  checkShape,
  collapseDims,
  contiguousLayout,
  contiguousStrides,
  isContiguous,
  type Layout,
  numelOf,
  sameShape,
} from './layout.js';
export {
  type AllocationSite,
  type DeviceMemory,
  dispose,
  isKept,
  keep,
  type LiveTensor,
  liveTensors,
  type MemoryOptions,
  memory,
  tidy,
  trackAllocations,
  type VerboseMemory,
} from './memory.js';
export {
  clamp,
  elu,
  gelu,
  hardsigmoid,
  hardswish,
  hardtanh,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  mish,
  relu6,
  SELU_ALPHA,
  SELU_SCALE,
  selu,
  silu,
  softmax,
  softplus,
  softsign,
} from './ops/activation.js';
export { moveToAsync } from './ops/convert.js';
export {
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  randperm,
  type TensorData,
  type TensorDataOptions,
  type TensorOptions,
  tensor,
  zeros,
  zerosLike,
} from './ops/creation.js';
export { einsum } from './ops/einsum.js';
export { where } from './ops/elementwise.js';
export {
  gather,
  type IndexArray,
  type IndexLike,
  indexSelect,
  scatterAdd,
  toIndexTensor,
} from './ops/indexing.js';
export { type JoinedBackward, joinGradients } from './ops/join-gradients.js';
export { addmm, matmul } from './ops/linalg.js';
export {
  type IndexAddOptions,
  index,
  indexAdd,
  maskedFill,
  maskedSelect,
  maskedSelectAsync,
  nonzero,
  nonzeroAsync,
  oneHot,
  scatter,
  takeAlongDim,
} from './ops/masking.js';
export { frac, lerp, xlogy } from './ops/math.js';
export { cat, chunk, split, stack } from './ops/movement.js';
export { all, amax, amin, any, countNonzero, norm } from './ops/norm.js';
export { type AdamStepOptions, adamStep_ } from './ops/optimizers.js';
export { type BaddbmmOptions, baddbmm, cdist, dot, outer } from './ops/products.js';
export { flip, repeat, repeatInterleave, roll, tile, tril, triu } from './ops/rearrange.js';
export { bernoulli, type MultinomialOptions, multinomial, normal_, uniform_ } from './ops/sampling.js';
export { cumprod, cumsum, logcumsumexp } from './ops/scan.js';
export { argsort, kthvalue, median, medianDim, sort, topk, type ValuesIndices } from './ops/sort.js';
export { diagonal, movedim, select, slice, unbind, unfold } from './ops/views.js';
export { type GeneratorState, getRngState, manualSeed, setRngState } from './random.js';
export { type BackwardOptions, type NestedArray, Tensor, type TensorLike } from './tensor.js';
