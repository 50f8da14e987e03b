/**
 * Bad input to the functional API, the losses and the layers: each call throws the error class
 * that says what kind of mistake it is, with a message that names the call and the offending
 * argument or shapes (so a user sees `conv2d: …`, not an error from deep inside matmul).
 */
import { DTypeError, ones, ShapeError, type TsgradError, tensor, ValueError, zeros } from '@tsgrad/core';
import {
  BahdanauAttention,
  BatchNorm1d,
  Conv2d,
  DataLoader,
  Dropout,
  defaultCollate,
  Embedding,
  functional as F,
  Flatten,
  GRUCell,
  init,
  LSTM,
  LuongAttention,
  MLP,
  MultiheadAttention,
  PositionalEncoding,
  packPaddedSequence,
  padPackedSequence,
  padSequence,
  RNN,
  RNNCell,
  Sequential,
  TensorDataset,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  Unflatten,
} from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

type Case = [string, () => unknown, new (...a: never[]) => TsgradError, RegExp];

function check(cases: Case[]): void {
  test.each(cases)('%s', (_name, call, type, message) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err, `expected ${type.name} matching ${message}`).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
  });
}

const x4 = () => zeros([1, 2, 5, 5]);
const w4 = () => zeros([3, 2, 3, 3]);
const i32 = (v: number[]) => tensor(v, { dtype: 'int32' });

describe('convolution, pooling and resampling', () => {
  check([
    ['conv2d: 3-D weight', () => F.conv2d(x4(), zeros([3, 2, 3])), ShapeError, /^conv2d: weight must be 4-D/],
    [
      'conv2d: 2-D input',
      () => F.conv2d(zeros([5, 5]), w4()),
      ShapeError,
      /^conv2d: expected a \[N, C, H, W\] or \[C, H, W\] input, got \[5,5\]/,
    ],
    [
      'conv1d: 4-D input',
      () => F.conv1d(x4(), zeros([3, 2, 3])),
      ShapeError,
      /^conv1d: expected a \[N, C, L\] or \[C, L\] input/,
    ],
    [
      'conv2d: int input',
      () => F.conv2d(zeros([1, 2, 5, 5], { dtype: 'int32' }), w4()),
      ValueError,
      /^conv2d: input must be float32 or float64, got int32/,
    ],
    [
      'conv2d: groups do not divide',
      () => F.conv2d(x4(), w4(), null, { groups: 2 }),
      ShapeError,
      /^conv2d: input \[1,2,5,5\] and weight \[3,2,3,3\] do not fit groups=2/,
    ],
    [
      'conv2d: bias size',
      () => F.conv2d(x4(), w4(), zeros([2])),
      ShapeError,
      /^conv2d: bias must be \[3\], got \[2\]/,
    ],
    [
      'conv2d: zero stride',
      () => F.conv2d(x4(), w4(), null, { stride: 0 }),
      ValueError,
      /^conv2d: stride and dilation must be positive/,
    ],
    [
      'conv2d: three strides',
      () => F.conv2d(x4(), w4(), null, { stride: [1, 1, 1] }),
      ValueError,
      /^conv2d: stride must be a non-negative integer or 2 of them, got \[1,1,1\]/,
    ],
    [
      'conv2d: fractional padding',
      () => F.conv2d(x4(), w4(), null, { padding: 0.5 }),
      ValueError,
      /^conv2d: padding must be a non-negative integer/,
    ],
    [
      "conv2d: 'same' with stride",
      () => F.conv2d(x4(), w4(), null, { padding: 'same', stride: 2 }),
      ValueError,
      /^conv2d: padding='same' is not supported for strided convolutions/,
    ],
    [
      'conv2d: unknown padding word',
      () => F.conv2d(x4(), w4(), null, { padding: 'full' as never }),
      ValueError,
      /^conv2d: padding must be a number, a list of numbers, 'same' or 'valid', got 'full'/,
    ],
    [
      'conv2d: kernel larger than input',
      () => F.conv2d(zeros([1, 2, 2, 2]), w4()),
      ShapeError,
      /^conv2d: input \[1,2,2,2\] is smaller than the \(dilated\) kernel \[3,3\]/,
    ],
    [
      'convTranspose2d: 3-D weight',
      () => F.convTranspose2d(x4(), zeros([2, 3, 3])),
      ShapeError,
      /^convTranspose2d: weight must be 4-D \[in, out\/groups, kH, kW\]/,
    ],
    [
      'convTranspose2d: weight for other channels',
      () => F.convTranspose2d(x4(), zeros([3, 2, 3, 3])),
      ShapeError,
      /^convTranspose2d: input \[1,2,5,5\] and weight \[3,2,3,3\] do not fit groups=1/,
    ],
    [
      'convTranspose2d: bias size',
      () => F.convTranspose2d(x4(), zeros([2, 3, 3, 3]), zeros([2])),
      ShapeError,
      /^convTranspose2d: bias must be \[3\], got \[2\]/,
    ],
    [
      'convTranspose2d: zero dilation',
      () => F.convTranspose2d(x4(), zeros([2, 3, 3, 3]), null, { dilation: 0 }),
      ValueError,
      /^convTranspose2d: stride and dilation must be positive/,
    ],
    [
      'convTranspose2d: outputPadding too large',
      () => F.convTranspose2d(x4(), zeros([2, 3, 3, 3]), null, { stride: 2, outputPadding: 2 }),
      ValueError,
      /^convTranspose2d: outputPadding must be smaller than stride or dilation, got 2/,
    ],
    [
      'convTranspose2d: padding eats the output',
      () => F.convTranspose2d(zeros([1, 2, 1, 1]), zeros([2, 3, 1, 1]), null, { padding: 1 }),
      ShapeError,
      /^convTranspose2d: padding 1 leaves an empty output/,
    ],
    [
      'maxPool2d: zero kernel',
      () => F.maxPool2d(x4(), 0),
      ValueError,
      /^maxPool2d: kernelSize, stride and dilation must be positive/,
    ],
    [
      'maxPool2d: padding over half the kernel',
      () => F.maxPool2d(x4(), 2, { padding: 2 }),
      ValueError,
      /^maxPool2d: padding should be at most half the kernel size, got padding 2 for kernel 2/,
    ],
    [
      'maxPool2d: window larger than input',
      () => F.maxPool2d(zeros([1, 1, 2, 2]), 3),
      ShapeError,
      /^maxPool2d: input \[1,1,2,2\] is smaller than the window 3/,
    ],
    [
      'adaptiveAvgPool2d: zero size',
      () => F.adaptiveAvgPool2d(x4(), 0),
      ValueError,
      /^adaptiveAvgPool2d: outputSize must be a positive integer or two, got 0/,
    ],
    [
      'adaptiveAvgPool2d: three sizes',
      () => F.adaptiveAvgPool2d(x4(), [1, 2, 3]),
      ValueError,
      /outputSize must be a positive integer or two, got \[1,2,3\]/,
    ],
    [
      'interpolate: 5-D input',
      () => F.interpolate(zeros([1, 1, 2, 2, 2]), { size: 3 }),
      ShapeError,
      /^interpolate: expected a \[N, C, L\] or \[N, C, H, W\] input, got \[1,1,2,2,2\]/,
    ],
    [
      'interpolate: bilinear on 3-D',
      () => F.interpolate(zeros([1, 1, 4]), { size: 3, mode: 'bilinear' }),
      ValueError,
      /^interpolate: mode 'bilinear' needs a 4-D input/,
    ],
    [
      'interpolate: linear on 4-D',
      () => F.interpolate(x4(), { size: 3, mode: 'linear' }),
      ValueError,
      /^interpolate: mode 'linear' needs a 3-D input/,
    ],
    [
      'interpolate: unknown mode',
      () => F.interpolate(x4(), { size: 3, mode: 'cubic' as never }),
      ValueError,
      /^interpolate: mode must be 'nearest', 'linear' or 'bilinear', got 'cubic'/,
    ],
    [
      'interpolate: size and scaleFactor',
      () => F.interpolate(x4(), { size: 3, scaleFactor: 2 }),
      ValueError,
      /^interpolate: give exactly one of size and scaleFactor/,
    ],
    [
      'interpolate: neither',
      () => F.interpolate(x4(), {}),
      ValueError,
      /give exactly one of size and scaleFactor/,
    ],
    [
      'interpolate: negative scale',
      () => F.interpolate(x4(), { scaleFactor: [2, -1] }),
      ValueError,
      /^interpolate: scaleFactor must be positive, one or 2 of them, got \[2,-1\]/,
    ],
    [
      'interpolate: scale to nothing',
      () => F.interpolate(x4(), { scaleFactor: 0.1 }),
      ValueError,
      /^interpolate: output size \[0,0\] is empty/,
    ],
    [
      'pad: fractional amount',
      () => F.pad(x4(), [0.5, 1]),
      ValueError,
      /^pad: amounts must be integers, got \[0.5,1\]/,
    ],
    [
      'pad: reflect an empty dim',
      () => F.pad(zeros([1, 0]), [1, 1], { mode: 'replicate' }),
      ShapeError,
      /^pad: replicate padding needs a non-empty dim 1 in \[1,0\]/,
    ],
    [
      'Conv2d: groups do not divide the channels',
      () => new Conv2d(4, 6, 3, { groups: 4 }),
      ValueError,
      /^Conv2d: inChannels \(4\) and outChannels \(6\) must both be divisible by groups \(4\)/,
    ],
  ]);
});

describe('functional layers', () => {
  check([
    [
      'embedding: float indices',
      () => F.embedding(tensor([0.5]), zeros([3, 2])),
      DTypeError,
      /^embedding: indices must be int32, got float32/,
    ],
    [
      'embedding: fractional index list',
      () => F.embedding([0.5], zeros([3, 2])),
      ValueError,
      /^embedding: indices must hold integers/,
    ],
    [
      'linear: 1-D weight',
      () => F.linear(zeros([2, 3]), zeros([3])),
      ShapeError,
      /^linear: weight must be 2-D \[out, in\], got \[3\]/,
    ],
    [
      'layerNorm: shape not at the end',
      () => F.layerNorm(zeros([2, 3]), [2]),
      ShapeError,
      /^layerNorm: input \[2,3\] does not end in normalizedShape \[2\]/,
    ],
    [
      'layerNorm: empty normalizedShape',
      () => F.layerNorm(zeros([2, 3]), []),
      ShapeError,
      /does not end in normalizedShape \[\]/,
    ],
    [
      'batchNorm: 1-D input',
      () => F.batchNorm(zeros([3]), null, null, { training: true }),
      ShapeError,
      /^batchNorm: expected input of at least 2 dims \[N, C, \.\.\.\], got \[3\]/,
    ],
    [
      'batchNorm: weight of the wrong size',
      () => F.batchNorm(zeros([2, 3]), null, null, { training: true, weight: ones([2]) }),
      ShapeError,
      /^batchNorm: weight must have shape \[3\] for input \[2,3\], got \[2\]/,
    ],
    [
      'batchNorm: one value per channel',
      () => F.batchNorm(zeros([1, 3]), null, null, { training: true }),
      ValueError,
      /^batchNorm: expected more than 1 value per channel in training, got input \[1,3\]/,
    ],
    [
      'batchNorm: eval without running stats',
      () => F.batchNorm(zeros([2, 3]), zeros([3]), null),
      ValueError,
      /^batchNorm: running statistics are required when training is false/,
    ],
    [
      'embedding: 1-D weight',
      () => F.embedding([0], zeros([3])),
      ShapeError,
      /^embedding: weight must be 2-D \[num, dim\], got \[3\]/,
    ],
    [
      'dropout: p above 1',
      () => F.dropout(zeros([2]), { p: 1.5, training: true }),
      ValueError,
      /^dropout: p must be in \[0, 1\], got 1.5/,
    ],
    [
      'attention: 1-D query',
      () => F.scaledDotProductAttention(zeros([4]), zeros([2, 4]), zeros([2, 4])),
      ShapeError,
      /^scaledDotProductAttention: q, k, v need at least 2 dims, got \[4\], \[2,4\], \[2,4\]/,
    ],
    [
      'attention: key width',
      () => F.scaledDotProductAttention(zeros([3, 4]), zeros([2, 5]), zeros([2, 4])),
      ShapeError,
      /^scaledDotProductAttention: q \[3,4\], k \[2,5\], v \[2,4\] do not fit/,
    ],
    [
      'attention: value length',
      () => F.scaledDotProductAttention(zeros([3, 4]), zeros([2, 4]), zeros([3, 4])),
      ShapeError,
      /do not fit/,
    ],
    [
      'groupNorm: int input',
      () => F.groupNorm(zeros([2, 4], { dtype: 'int32' }), 2),
      DTypeError,
      /^groupNorm: input must be floating, got int32/,
    ],
    [
      'groupNorm: 1-D input',
      () => F.groupNorm(zeros([4]), 2),
      ShapeError,
      /^groupNorm: expected input \[N, C, \*\], got \[4\]/,
    ],
    [
      'groupNorm: groups do not split channels',
      () => F.groupNorm(zeros([2, 4]), 3),
      ValueError,
      /^groupNorm: 4 channels of input \[2,4\] do not split into 3 groups/,
    ],
    [
      'groupNorm: weight size',
      () => F.groupNorm(zeros([2, 4]), 2, { weight: ones([3]) }),
      ShapeError,
      /^groupNorm: weight must have shape \[4\] for input \[2,4\], got \[3\]/,
    ],
    [
      'instanceNorm: no spatial dims',
      () => F.instanceNorm(zeros([2, 4])),
      ShapeError,
      /^instanceNorm: expected input \[N, C, \*\] with spatial dims, got \[2,4\]/,
    ],
    [
      'instanceNorm: one spatial element',
      () => F.instanceNorm(zeros([2, 4, 1])),
      ValueError,
      /^instanceNorm: expected more than 1 spatial element per channel, got input \[2,4,1\]/,
    ],
    [
      'instanceNorm: running stats missing',
      () => F.instanceNorm(zeros([2, 4, 3]), { useInputStats: false }),
      ValueError,
      /^instanceNorm: runningMean and runningVar are required when useInputStats is false/,
    ],
    [
      'rmsNorm: shape not at the end',
      () => F.rmsNorm(zeros([2, 3]), 2),
      ShapeError,
      /^rmsNorm: input \[2,3\] does not end in normalizedShape \[2\]/,
    ],
    [
      'rmsNorm: weight shape',
      () => F.rmsNorm(zeros([2, 3]), [3], { weight: ones([2]) }),
      ShapeError,
      /^rmsNorm: weight must have shape \[3\], got \[2\]/,
    ],
    [
      'normalize: p zero',
      () => F.normalize(zeros([2, 3]), { p: 0 }),
      ValueError,
      /^normalize: p must be positive, got 0/,
    ],
    [
      'normalize: dim out of range',
      () => F.normalize(zeros([2, 3]), { dim: 2 }),
      ValueError,
      /^normalize: dim 2 is out of range for input \[2,3\]/,
    ],
    [
      'cosineSimilarity: dim out of range',
      () => F.cosineSimilarity(zeros([2, 3]), zeros([2, 3]), { dim: 5 }),
      ValueError,
      /^cosineSimilarity: dim 5 is out of range for inputs \[2,3\] and \[2,3\]/,
    ],
    [
      'pairwiseDistance: scalars',
      () => F.pairwiseDistance(tensor(1), tensor(2)),
      ShapeError,
      /^pairwiseDistance: inputs must have at least 1 dim, got scalars/,
    ],
  ]);
});

describe('losses', () => {
  const f = () => zeros([2, 3]);
  const pairLosses = [
    'mseLoss',
    'l1Loss',
    'huberLoss',
    'smoothL1Loss',
    'bceLoss',
    'bceWithLogitsLoss',
  ] as const;
  check(
    pairLosses.flatMap((name): Case[] => [
      [
        `${name}: shapes differ`,
        () => F[name](zeros([2]), zeros([3])),
        ShapeError,
        new RegExp(`^${name}: input \\[2\\] and target \\[3\\] must have the same shape`),
      ],
      [
        `${name}: unknown reduction`,
        () => F[name](f(), f(), { reduction: 'avg' as never }),
        ValueError,
        new RegExp(`^${name}: reduction must be 'mean', 'sum' or 'none', got 'avg'`),
      ],
    ]),
  );
  check([
    [
      'smoothL1Loss: beta 0, unknown reduction',
      () => F.smoothL1Loss(f(), f(), { beta: 0, reduction: 'avg' as never }),
      ValueError,
      /^smoothL1Loss: reduction must be/,
    ],
    [
      'nllLoss: unknown reduction',
      () => F.nllLoss(f(), i32([0, 1]), { reduction: 'avg' as never }),
      ValueError,
      /^nllLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'/,
    ],
    [
      'nllLoss: float target',
      () => F.nllLoss(f(), tensor([0.5, 1])),
      DTypeError,
      /^nllLoss: target must be int32, got float32/,
    ],
    [
      'nllLoss: target out of range',
      () => F.nllLoss(f(), i32([0, 3])),
      ValueError,
      /^nllLoss: target 3 is out of bounds for 3 classes/,
    ],
    [
      'nllLoss: negative target',
      () => F.nllLoss(f(), i32([-1, 0])),
      ValueError,
      /^nllLoss: target -1 is out of bounds for 3 classes/,
    ],
    [
      'crossEntropyLoss: fractional label list',
      () => F.crossEntropyLoss(f(), [0.5, 1]),
      ValueError,
      /^crossEntropyLoss: target must hold integers/,
    ],
    [
      'crossEntropyLoss: target out of range',
      () => F.crossEntropyLoss(f(), [0, 7]),
      ValueError,
      /^crossEntropyLoss: target 7 is out of bounds for 3 classes/,
    ],
    [
      'crossEntropyLoss: negative label smoothing',
      () => F.crossEntropyLoss(f(), i32([0, 1]), { labelSmoothing: -0.1 }),
      ValueError,
      /labelSmoothing must be in \[0, 1\], got -0.1/,
    ],
    [
      'cosineEmbeddingLoss: 3-D inputs with a 2-D target',
      () => F.cosineEmbeddingLoss(zeros([1, 2, 3]), zeros([1, 2, 3]), ones([1, 2])),
      ShapeError,
      /^cosineEmbeddingLoss: expected inputs/,
    ],
    [
      'gaussianNllLoss: variance of another last dim',
      () => F.gaussianNllLoss(zeros([2, 3, 4]), zeros([2, 3, 4]), ones([2, 3, 5])),
      ShapeError,
      /^gaussianNllLoss: variance \[2,3,5\] does not fit input \[2,3,4\]/,
    ],
    [
      'gaussianNllLoss: variance of another lead',
      () => F.gaussianNllLoss(zeros([2, 3, 4]), zeros([2, 3, 4]), ones([1, 3, 1])),
      ShapeError,
      /variance \[1,3,1\] does not fit/,
    ],
    [
      'gaussianNllLoss: variance [N, 1] for [N, C, D]',
      () => F.gaussianNllLoss(zeros([2, 3, 4]), zeros([2, 3, 4]), ones([2, 1])),
      ShapeError,
      /variance \[2,1\] does not fit/,
    ],
    [
      'mseLoss: int input',
      () => F.mseLoss(zeros([2], { dtype: 'int32' }), zeros([2])),
      DTypeError,
      /^mseLoss: input must be floating, got int32/,
    ],
    [
      'huberLoss: delta zero',
      () => F.huberLoss(f(), f(), { delta: 0 }),
      ValueError,
      /^huberLoss: delta must be positive, got 0/,
    ],
    [
      'smoothL1Loss: negative beta',
      () => F.smoothL1Loss(f(), f(), { beta: -1 }),
      ValueError,
      /^smoothL1Loss: beta must be non-negative, got -1/,
    ],
    [
      'nllLoss: 1-D input with a 1-D target',
      () => F.nllLoss(zeros([3]), i32([0])),
      ShapeError,
      /^nllLoss: for input \[3\] the target must be a 0-d index/,
    ],
    [
      'nllLoss: class weight size',
      () => F.nllLoss(f(), i32([0, 1]), { weight: ones([2]) }),
      ShapeError,
      /^nllLoss: weight must have shape \[3\], got \[2\]/,
    ],
    [
      'crossEntropyLoss: int input',
      () => F.crossEntropyLoss(zeros([2, 3], { dtype: 'int32' }), i32([0, 1])),
      DTypeError,
      /^crossEntropyLoss: input must be floating, got int32/,
    ],
    [
      'crossEntropyLoss: label smoothing above 1',
      () => F.crossEntropyLoss(f(), i32([0, 1]), { labelSmoothing: 2 }),
      ValueError,
      /^crossEntropyLoss: labelSmoothing must be in \[0, 1\], got 2/,
    ],
    [
      'crossEntropyLoss: unknown reduction',
      () => F.crossEntropyLoss(f(), i32([0, 1]), { reduction: 'avg' as never }),
      ValueError,
      /^crossEntropyLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'/,
    ],
    [
      'crossEntropyLoss: probabilities of another shape',
      () => F.crossEntropyLoss(f(), zeros([2, 2])),
      ShapeError,
      /^crossEntropyLoss: probability target \[2,2\] must have the input's shape \[2,3\]/,
    ],
    [
      'klDivLoss: unknown reduction',
      () => F.klDivLoss(f(), f(), { reduction: 'avg' as never }),
      ValueError,
      /^klDivLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'/,
    ],
    [
      'klDivLoss: int target',
      () => F.klDivLoss(f(), zeros([2, 3], { dtype: 'int32' })),
      DTypeError,
      /^klDivLoss: inputs must be floating, got int32/,
    ],
    [
      'marginRankingLoss: shapes differ',
      () => F.marginRankingLoss(zeros([2]), zeros([3]), zeros([2])),
      ShapeError,
      /^marginRankingLoss: inputs \[2\], \[3\] and target \[2\] must have the same shape/,
    ],
    [
      'gaussianNllLoss: shapes differ',
      () => F.gaussianNllLoss(zeros([2]), zeros([3]), ones([2])),
      ShapeError,
      /^gaussianNllLoss: input \[2\] and target \[3\] must have the same shape/,
    ],
    [
      'cosineEmbeddingLoss: 3-D inputs',
      () => F.cosineEmbeddingLoss(zeros([1, 2, 3]), zeros([1, 2, 3]), ones([1])),
      ShapeError,
      /^cosineEmbeddingLoss: expected inputs \[N, D\] \(or \[D\]\) and target \[N\] \(or \[\]\), got \[1,2,3\], \[1,2,3\] and \[1\]/,
    ],
  ]);
});

describe('layers', () => {
  const enc = () => new TransformerEncoderLayer(4, 2, { dropout: 0 });
  const dec = () => new TransformerDecoderLayer(4, 2, { dropout: 0 });
  check([
    ['Dropout: p below 0', () => new Dropout(-0.1), ValueError, /^Dropout: p must be in \[0, 1\], got -0.1/],
    [
      'Embedding: paddingIdx out of range',
      () => new Embedding(3, 2, { paddingIdx: 3 }),
      ValueError,
      /^Embedding: paddingIdx 3 is out of range for 3 embeddings/,
    ],
    [
      'Embedding: negative paddingIdx out of range',
      () => new Embedding(3, 2, { paddingIdx: -4 }),
      ValueError,
      /paddingIdx -4 is out of range/,
    ],
    ['MLP: one size', () => new MLP([3]), ValueError, /^MLP: need at least 2 sizes, got \[3\]/],
    [
      'MLP: unknown activation',
      () => new MLP([3, 2], { activation: 'swish' as never }),
      ValueError,
      /^MLP: unknown activation 'swish'/,
    ],
    [
      'Flatten: 0-d input',
      () => new Flatten().forward(tensor(1)),
      ShapeError,
      /^Flatten: cannot flatten a 0-d tensor/,
    ],
    [
      'Unflatten: dim out of range',
      () => new Unflatten(2, [2, 1]).forward(zeros([2, 2])),
      ShapeError,
      /^Unflatten: dim 2 is out of range for input \[2,2\]/,
    ],
    [
      'Sequential.at: out of range',
      () => new Sequential(new Dropout()).at(1),
      ValueError,
      /^Sequential.at: index 1 out of range for 1 modules/,
    ],
    [
      'RNN: zero layers',
      () => new RNN(2, 3, { numLayers: 0 }),
      ValueError,
      /^RNN: numLayers must be a positive integer, got 0/,
    ],
    [
      'LSTM: dropout above 1',
      () => new LSTM(2, 3, { dropout: 2 }),
      ValueError,
      /^LSTM: dropout must be in \[0, 1\], got 2/,
    ],
    [
      'RNN: unknown nonlinearity',
      () => new RNN(2, 3, { nonlinearity: 'gelu' as never }),
      ValueError,
      /^RNN: nonlinearity must be 'tanh' or 'relu', got 'gelu'/,
    ],
    [
      'RNN: 1-D input',
      () => new RNN(2, 3).forward(zeros([2])),
      ShapeError,
      /^RNN: expected 2-D \(unbatched\) or 3-D input, got \[2\]/,
    ],
    [
      'LSTM: packed input and lengths',
      () =>
        new LSTM(2, 3).forward(packPaddedSequence(zeros([2, 1, 2]), [2]) as never, null, { lengths: [2] }),
      ValueError,
      /^LSTM: a PackedSequence carries its lengths; do not pass lengths too/,
    ],
    [
      'RNNCell: input width',
      () => new RNNCell(2, 3).forward(zeros([4, 5])),
      ShapeError,
      /^RNNCell: expected input \[B, 2\] or \[2\], got \[4,5\]/,
    ],
    [
      'GRUCell: state shape',
      () => new GRUCell(2, 3).forward(zeros([4, 2]), zeros([4, 2])),
      ShapeError,
      /^GRUCell: h must have shape \[4,3\], got \[4,2\]/,
    ],
    [
      'BahdanauAttention: keys of another batch',
      () => new BahdanauAttention(2, 3, 4).forward(zeros([2, 2]), zeros([3, 5, 3])),
      ShapeError,
      /^BahdanauAttention: expected query \[B, 2\] and keys \[B, S, 3\], got \[2,2\] and \[3,5,3\]/,
    ],
    [
      'LuongAttention: unknown method',
      () => new LuongAttention(4, 'bilinear' as never),
      ValueError,
      /^LuongAttention: method must be 'dot', 'general' or 'concat', got 'bilinear'/,
    ],
    [
      'MultiheadAttention: key batch',
      () =>
        new MultiheadAttention(4, 2, { batchFirst: true }).forward(
          zeros([2, 3, 4]),
          zeros([1, 3, 4]),
          zeros([1, 3, 4]),
        ),
      ShapeError,
      /^MultiheadAttention: query \[2,3,4\], key \[1,3,4\], value \[1,3,4\] do not fit/,
    ],
    [
      'MultiheadAttention: 2-D mask size',
      () =>
        new MultiheadAttention(4, 2).forward(zeros([3, 4]), zeros([3, 4]), zeros([3, 4]), {
          attnMask: zeros([3, 2]),
        }),
      ShapeError,
      /^MultiheadAttention: attnMask must be \[3, 3\], got \[3,2\]/,
    ],
    [
      'MultiheadAttention: 3-D mask size',
      () =>
        new MultiheadAttention(4, 2).forward(zeros([3, 4]), zeros([3, 4]), zeros([3, 4]), {
          attnMask: zeros([1, 3, 3]),
        }),
      ShapeError,
      /^MultiheadAttention: attnMask must be \[2, 3, 3\], got \[1,3,3\]/,
    ],
    [
      'MultiheadAttention: 4-D mask',
      () =>
        new MultiheadAttention(4, 2).forward(zeros([3, 4]), zeros([3, 4]), zeros([3, 4]), {
          attnMask: zeros([1, 2, 3, 3]),
        }),
      ShapeError,
      /^MultiheadAttention: attnMask must be 2-D or 3-D, got \[1,2,3,3\]/,
    ],
    [
      'MultiheadAttention: padding mask size',
      () =>
        new MultiheadAttention(4, 2).forward(zeros([3, 1, 4]), zeros([3, 1, 4]), zeros([3, 1, 4]), {
          keyPaddingMask: zeros([1, 2], { dtype: 'bool' }),
        }),
      ShapeError,
      /^MultiheadAttention: keyPaddingMask must be \[1, 3\], got \[1,2\]/,
    ],
    [
      'Transformer: activation',
      () => new TransformerEncoderLayer(4, 2, { activation: 'tanh' as never }),
      ValueError,
      /^Transformer: activation must be 'relu', 'gelu' or a function, got 'tanh'/,
    ],
    [
      'TransformerEncoder: zero layers',
      () => new TransformerEncoder(enc(), 0),
      ValueError,
      /^TransformerEncoder: numLayers must be a positive integer, got 0/,
    ],
    [
      'TransformerDecoder: fractional layers',
      () => new TransformerDecoder(dec(), 1.5),
      ValueError,
      /^TransformerDecoder: numLayers must be a positive integer, got 1.5/,
    ],
    [
      'PositionalEncoding: too long',
      () => new PositionalEncoding(4, { maxLen: 3, dropout: 0 }).forward(zeros([4, 1, 4])),
      ShapeError,
      /^PositionalEncoding: expected \[L, N, 4\] with L ≤ 3, got \[4,1,4\]/,
    ],
    [
      'PositionalEncoding: batch first, wrong width',
      () => new PositionalEncoding(4, { batchFirst: true }).forward(zeros([1, 2, 5])),
      ShapeError,
      /^PositionalEncoding: expected \[N, L, 4\] with L ≤ 5000, got \[1,2,5\]/,
    ],
    [
      'Transformer: src and tgt ranks differ',
      () =>
        new Transformer({
          dModel: 4,
          nhead: 2,
          numEncoderLayers: 1,
          numDecoderLayers: 1,
          dimFeedforward: 8,
        }).forward(zeros([3, 1, 4]), zeros([3, 4])),
      ShapeError,
      /^Transformer: src and tgt must both be 3-D \(or both 2-D unbatched\), got \[3,1,4\] and \[3,4\]/,
    ],
    [
      'Transformer: negative mask size',
      () => Transformer.generateSquareSubsequentMask(-1),
      ValueError,
      /^Transformer.generateSquareSubsequentMask: n must be a non-negative integer, got -1/,
    ],
    [
      'BatchNorm1d: module without running stats in eval',
      () => new BatchNorm1d(3, { trackRunningStats: false }).eval().forward(zeros([1, 3])),
      ValueError,
      /batchNorm: expected more than 1 value per channel in training/,
    ],
    [
      'init.orthogonal_: 1-D',
      () => init.orthogonal_(zeros([3])),
      ShapeError,
      /^orthogonal_: needs at least 2 dims, got \[3\]/,
    ],
    [
      'init.calculateGain: unknown nonlinearity',
      () => init.calculateGain('swish' as never),
      ValueError,
      /^calculateGain: unsupported nonlinearity 'swish'/,
    ],
  ]);
});

describe('data and sequences', () => {
  check([
    [
      'TensorDataset: no tensors',
      () => new TensorDataset(),
      ValueError,
      /^TensorDataset: needs at least one tensor/,
    ],
    [
      'TensorDataset: first dims differ',
      () => new TensorDataset(zeros([3, 2]), zeros([2])),
      ShapeError,
      /^TensorDataset: all tensors need the same first dim, got \[3,2\], \[2\]/,
    ],
    [
      'TensorDataset: a 0-d tensor',
      () => new TensorDataset(tensor(1)),
      ShapeError,
      /same first dim, got \[\]/,
    ],
    [
      'TensorDataset.get: out of range',
      () => new TensorDataset(zeros([3])).get(3),
      ValueError,
      /^TensorDataset.get: index 3 out of range for 3 samples/,
    ],
    [
      'TensorDataset.get: fractional index',
      () => new TensorDataset(zeros([3])).get(0.5),
      ValueError,
      /index 0.5 out of range/,
    ],
    [
      'DataLoader: zero batch size',
      () => new DataLoader(new TensorDataset(zeros([3])), { batchSize: 0 }),
      ValueError,
      /^DataLoader: batchSize must be a positive integer, got 0/,
    ],
    [
      'defaultCollate: a tensor then a number',
      () => defaultCollate([zeros([2]), 1] as never[]),
      ValueError,
      /^defaultCollate: sample is a Tensor in the first sample but number in another/,
    ],
    [
      'defaultCollate: a boolean then null',
      () => defaultCollate([true, null] as never[]),
      ValueError,
      /is a boolean in the first sample but null in another/,
    ],
    [
      'defaultCollate: a string then an array',
      () => defaultCollate(['a', [1]] as never[]),
      ValueError,
      /is a string in the first sample but an array in another/,
    ],
    [
      'defaultCollate: number arrays of two lengths',
      () => defaultCollate([[1, 2], [1]]),
      ShapeError,
      /is an array of 2 numbers in the first sample but of 1 in sample 1/,
    ],
    [
      'defaultCollate: tuples of two lengths',
      () => defaultCollate([[zeros([1]), 1], [zeros([1])]] as never[]),
      ValueError,
      /^defaultCollate: sample is a tuple of 2 in the first sample but not in every sample/,
    ],
    [
      'defaultCollate: a missing key',
      () => defaultCollate([{ a: 1, b: 2 }, { a: 1 }] as never[]),
      ValueError,
      /^defaultCollate: sample.b is missing from a sample/,
    ],
    [
      'defaultCollate: a class instance',
      () => defaultCollate([{ a: 1 }, new Map()] as never[]),
      ValueError,
      /sample.a is missing from a sample/,
    ],
    [
      'padSequence: no sequences',
      () => padSequence([]),
      ValueError,
      /^padSequence: expected at least one sequence/,
    ],
    [
      'padSequence: unknown side',
      () => padSequence([zeros([2])], { paddingSide: 'top' as never }),
      ValueError,
      /^padSequence: paddingSide must be 'right' or 'left', got 'top'/,
    ],
    [
      'packPaddedSequence: 1-D input',
      () => packPaddedSequence(zeros([3]), [3]),
      ShapeError,
      /^packPaddedSequence: expected input \[T, B, \*\], got \[3\]/,
    ],
    [
      'packPaddedSequence: 2-D lengths',
      () => packPaddedSequence(zeros([3, 1]), i32([3]).reshape([1, 1])),
      ShapeError,
      /^packPaddedSequence: lengths must be 1-D, got \[1,1\]/,
    ],
    [
      'padPackedSequence: totalLength too short',
      () => padPackedSequence(packPaddedSequence(zeros([3, 1]), [3]), { totalLength: 2 }),
      ValueError,
      /^padPackedSequence: totalLength 2 is less than the longest sequence \(3\)/,
    ],
  ]);
});
