/**
 * `@tsgrad/nn`: modules, layers, losses, initialisers, data loading and checkpoints, with
 * PyTorch's names, defaults and numbers.
 *
 * @example
 * ```ts
 * import { manualSeed, randn } from '@tsgrad/core';
 * import { MLP, functional as F } from '@tsgrad/nn';
 * manualSeed(0);
 * const model = new MLP([4, 16, 3]);
 * const loss = F.crossEntropyLoss(model.forward(randn([8, 4])), labels);
 * loss.backward();
 * ```
 * @packageDocumentation
 */
export {
  type CheckpointContents,
  checkpointBytes,
  type LoadedCheckpoint,
  loadCheckpoint,
  type RestoreTargets,
  restoreCheckpoint,
  type Stateful,
  saveCheckpoint,
} from './checkpoint.js';
export { type ClipGradNormOptions, clipGradNorm_, clipGradValue_, l1Penalty } from './clip.js';
export { Flatten, Identity, ModuleDict, ModuleList, Sequential } from './containers.js';
export {
  type Collated,
  ConcatDataset,
  DataLoader,
  type DataLoaderOptions,
  type Dataset,
  defaultCollate,
  type RandomSplitOptions,
  randomSplit,
  Subset,
  TensorDataset,
} from './data.js';
export {
  type DiagnosticMetric,
  Diagnostics,
  type DiagnosticsOptions,
  type DiagnosticsRecord,
  type LayerStats,
  statsTable,
} from './diagnostics.js';
export {
  type CosineEmbeddingOptions,
  cosineEmbeddingLoss,
  type GaussianNllOptions,
  gaussianNllLoss,
  type KlDivOptions,
  klDivLoss,
  type MarginRankingOptions,
  marginRankingLoss,
} from './distribution-losses.js';
export * as functional from './functional.js';
export {
  type AttentionOptions,
  type BatchNormOptions,
  batchNorm,
  type DropoutOptions,
  dropout,
  type EmbeddingOptions,
  embedding,
  type LayerNormOptions,
  layerNorm,
  linear,
  scaledDotProductAttention,
} from './functional.js';
export * as init from './init.js';
export {
  ELU,
  GELU,
  Hardsigmoid,
  Hardswish,
  Hardtanh,
  LeakyReLU,
  LogSigmoid,
  LogSoftmax,
  Mish,
  ReLU,
  ReLU6,
  SELU,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Softsign,
  Tanh,
} from './layers/activations.js';
export {
  BahdanauAttention,
  LuongAttention,
  MultiheadAttention,
  type MultiheadAttentionOptions,
  type MultiheadForwardOptions,
  type SeqAttentionOptions,
} from './layers/attention.js';
export {
  AdaptiveAvgPool2d,
  AvgPool2d,
  type AvgPoolModuleOptions,
  Conv1d,
  Conv2d,
  type ConvModuleOptions,
  ConvTranspose2d,
  type ConvTransposeModuleOptions,
  MaxPool1d,
  MaxPool2d,
  type MaxPoolModuleOptions,
  Upsample,
} from './layers/conv.js';
export { Dropout } from './layers/dropout.js';
export { Embedding, type EmbeddingModuleOptions } from './layers/embedding.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export {
  BCELoss,
  BCEWithLogitsLoss,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  GaussianNLLLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MarginRankingLoss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
} from './layers/losses.js';
export { type ActivationName, MLP, type MLPOptions } from './layers/mlp.js';
export {
  BatchNorm1d,
  BatchNorm2d,
  BatchNormBase,
  type BatchNormModuleOptions,
  GroupNorm,
  type GroupNormModuleOptions,
  LayerNorm,
  type LayerNormModuleOptions,
  RMSNorm,
  type RMSNormModuleOptions,
} from './layers/norm.js';
export {
  type CellOptions,
  GRU,
  GRUCell,
  LSTM,
  LSTMCell,
  RNN,
  RNNBase,
  RNNCell,
  type RNNForwardOptions,
  type RNNOptions,
  type SimpleRNNOptions,
} from './layers/rnn.js';
export {
  type DecoderForwardOptions,
  type EncoderForwardOptions,
  PositionalEncoding,
  type PositionalEncodingOptions,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerForwardOptions,
  type TransformerLayerOptions,
  type TransformerOptions,
} from './layers/transformer.js';
export {
  type BceOptions,
  type BceWithLogitsOptions,
  bceLoss,
  bceWithLogitsLoss,
  type CrossEntropyOptions,
  crossEntropyLoss,
  type HuberOptions,
  huberLoss,
  l1Loss,
  mseLoss,
  type NllOptions,
  nllLoss,
  type Reduction,
  type ReductionOptions,
  type SmoothL1Options,
  smoothL1Loss,
} from './losses.js';
export {
  type IdxArray,
  loadMnist,
  type MnistOptions,
  type MnistSplit,
  mnistFromBytes,
  parseIdx,
} from './mnist.js';
export { cloneModule, type LoadResult, type LoadStateDictOptions, Module } from './module.js';
export type { ForwardHook, ForwardPreHook, FullBackwardHook } from './module-hooks.js';
export {
  type CosineSimilarityOptions,
  cosineSimilarity,
  type GroupNormOptions,
  groupNorm,
  type InstanceNormOptions,
  instanceNorm,
  type NormalizeOptions,
  normalize,
  type PairwiseDistanceOptions,
  pairwiseDistance,
  type RmsNormOptions,
  rmsNorm,
} from './normalization.js';
export { Parameter } from './parameter.js';
export { ParameterDict, ParameterList, Unflatten } from './parameter-containers.js';
export {
  PackedSequence,
  type PackOptions,
  type PadPackedOptions,
  type PadSequenceOptions,
  packPaddedSequence,
  padPackedSequence,
  padSequence,
} from './sequences.js';
