/**
 * Convolutions: conv2d forward and backward (batch 64, 28×28, 1→32→64 channels, 3×3 kernels, ReLU
 * between), and one training step of a LeNet-style network (the model of `pnpm example cnn`,
 * batch 64, Adam). tsgrad and PyTorch take turns, then TF.js's wasm backend runs on its own
 * (`compareSteps`). TF.js 4.22's wasm backend has no `Conv2DBackpropFilter` kernel, so its
 * training steps write the convolution's gradient out in kernels it has (`trainableConv`); a
 * forward-only table compares the convolutions themselves. tfjs-cpu takes minutes per training
 * step, so it is timed only with `TSGRAD_BENCH_TFJS_CPU=1`.
 */
import { initCpuKernels, manualSeed, noGrad, randint, randn, type Tensor, tidy } from '@tsgrad/core';
import { Conv2d, crossEntropyLoss } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { lenet } from '../../examples/cnn/train.js';
import { type Peer, tf } from '../peers.js';
import type { Table } from '../table.js';
import type { TorchCase } from '../torch/peer.js';
import { compareSteps, slowPeers, stepTable, type TfjsStep, tfjsTrainingStep } from '../training.js';
import type { Suite } from './suite.js';

const BATCH = 64;
const timing = { warmupMs: 1000, turnMs: 500, rounds: 6, minCalls: 10 };

/** tsgrad: conv 1→32, ReLU, conv 32→64; backward of the sum of the output into both weights. */
function tsgradConv(): () => void {
  manualSeed(0);
  const c1 = new Conv2d(1, 32, 3);
  const c2 = new Conv2d(32, 64, 3);
  const x = randn([BATCH, 1, 28, 28]);
  const params = [...c1.parameters(), ...c2.parameters()];
  return () =>
    tidy(() => {
      // Last step's gradients are freed (kept out of tidy, as gradients are), not left to the GC.
      for (const p of params) {
        p.grad?.dispose();
        p.grad = null;
      }
      const y = c2.forward(c1.forward(x).relu());
      y.sum().backward();
      c1.weight.grad!.dataSync();
    });
}

/**
 * A stride-1 'valid' convolution TF.js can train on its current backend: `tf.conv2d` itself,
 * or on wasm, which has no `Conv2DBackpropFilter` kernel, `tf.conv2d` with a gradient written
 * out in kernels wasm has: the input's through `conv2dTranspose`, the filter's as a conv2d of
 * the input (channels first, the batch as the summed channel) with the output gradient.
 */
function trainableConv(): (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D {
  if (tf.getBackend() !== 'wasm') return (x, w) => tf.conv2d(x, w, 1, 'valid');
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.conv2d(x, w, 1, 'valid'),
      gradFunc: (g: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const dy = g as tf.Tensor4D;
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = tf.conv2dTranspose(dy, ws, xs.shape, 1, 'valid');
        const byChannel = tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D;
        const dw = tf.transpose(
          tf.conv2d(byChannel, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid'),
          [1, 2, 0, 3],
        );
        return [dx, dw];
      },
    };
  }) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
}

function tfConv(): TfjsStep {
  const w1 = tf.variable(tf.randomUniform([3, 3, 1, 32], -0.3, 0.3, 'float32', 1));
  const b1 = tf.variable(tf.zeros([32]));
  const w2 = tf.variable(tf.randomUniform([3, 3, 32, 64], -0.06, 0.06, 'float32', 2));
  const b2 = tf.variable(tf.zeros([64]));
  const x = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 3);
  const f = () => {
    const conv = trainableConv();
    const h = tf.relu(tf.add(conv(x as tf.Tensor4D, w1 as tf.Tensor4D), b1));
    return tf.sum(tf.add(conv(h as tf.Tensor4D, w2 as tf.Tensor4D), b2)) as tf.Scalar;
  };
  const step = () => {
    const { grads, value } = tf.variableGrads(f, [w1, b1, w2, b2]);
    grads[w1.name]!.dataSync();
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
  };
  const dispose = () => {
    for (const t of [w1, b1, w2, b2, x]) t.dispose();
  };
  return { step, dispose };
}

function tsgradLenet(): () => void {
  manualSeed(0);
  const model = lenet();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([BATCH, 1, 28, 28]);
  const y: Tensor = randint(0, 10, [BATCH], { dtype: 'int32' });
  return () =>
    tidy(() => {
      opt.zeroGrad();
      const loss = crossEntropyLoss(model.call(x), y);
      loss.backward();
      opt.step();
      loss.itemSync();
    });
}

function tfLenet(): TfjsStep {
  const shapes: number[][] = [
    [5, 5, 1, 16],
    [16],
    [5, 5, 16, 32],
    [32],
    [800, 120],
    [120],
    [120, 84],
    [84],
    [84, 10],
    [10],
  ];
  const params = shapes.map((s, i) => tf.variable(tf.randomUniform(s, -0.1, 0.1, 'float32', i)));
  const [w1, b1, w2, b2, f1, fb1, f2, fb2, f3, fb3] = params as [tf.Variable, ...tf.Variable[]];
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: BATCH }, (_, i) => (i * 7) % 10),
    'int32',
  );
  const y = tf.oneHot(labels, 10);
  return tfjsTrainingStep(opt, () => {
    const conv = trainableConv();
    const padded = tf.pad(x, [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ]);
    let h = tf.relu(tf.add(conv(padded, w1 as tf.Tensor4D), b1!)) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.relu(tf.add(conv(h, w2 as tf.Tensor4D), b2!)) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, 'valid');
    let z: tf.Tensor = tf.reshape(h, [BATCH, 800]);
    z = tf.relu(tf.add(tf.matMul(z as tf.Tensor2D, f1!), fb1!));
    z = tf.relu(tf.add(tf.matMul(z as tf.Tensor2D, f2!), fb2!));
    z = tf.add(tf.matMul(z as tf.Tensor2D, f3!), fb3!);
    return tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar;
  }, [...params, x, labels, y]);
}

/** tsgrad: the forward pass of the two convolutions alone. */
function tsgradConvForward(): () => void {
  manualSeed(0);
  const c1 = new Conv2d(1, 32, 3);
  const c2 = new Conv2d(32, 64, 3);
  const x = randn([BATCH, 1, 28, 28]);
  return () => {
    // tidy frees the intermediates at once, as the TF.js step's tf.tidy does.
    tidy(() => noGrad(() => c2.forward(c1.forward(x).relu()).dataSync()));
  };
}

function tfConvForward(): TfjsStep {
  const w1 = tf.randomUniform([3, 3, 1, 32], -0.3, 0.3, 'float32', 1) as tf.Tensor4D;
  const b1 = tf.zeros([32]);
  const w2 = tf.randomUniform([3, 3, 32, 64], -0.06, 0.06, 'float32', 2) as tf.Tensor4D;
  const b2 = tf.zeros([64]);
  const x = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const step = () => {
    const y = tf.tidy(() => {
      const h = tf.relu(tf.add(tf.conv2d(x, w1, 1, 'valid'), b1)) as tf.Tensor4D;
      return tf.add(tf.conv2d(h, w2, 1, 'valid'), b2);
    });
    y.dataSync();
    y.dispose();
  };
  const dispose = () => {
    for (const t of [w1, b1, w2, b2, x]) t.dispose();
  };
  return { step, dispose };
}

/** One table: tsgrad's step against TF.js's and PyTorch's (see `compareSteps`). */
async function table(
  title: string,
  ours: () => void,
  theirs: () => TfjsStep,
  torch: TorchCase,
  peers: Peer[],
): Promise<Table> {
  const r = await compareSteps({ peers, ours, tfjs: theirs, torch, timing, tfjsCpu: slowPeers });
  const t = stepTable(title, r.ours, r.rows);
  if (torch !== 'conv_forward') {
    t.notes = [
      ...(t.notes ?? []),
      "tfjs-wasm has no Conv2DBackpropFilter kernel: its step computes the filter's gradient as a conv2d (see trainableConv).",
    ];
  }
  return t;
}

export const run: Suite = async ({ peers }) => {
  await initCpuKernels();
  return [
    await table(
      `conv2d forward only, batch ${BATCH}, 28×28, 1→32→64 channels, 3×3 (higher steps/s is better)`,
      tsgradConvForward(),
      tfConvForward,
      'conv_forward',
      peers,
    ),
    await table(
      `conv2d forward + backward, batch ${BATCH}, 28×28, 1→32→64 channels, 3×3 (higher steps/s is better)`,
      tsgradConv(),
      tfConv,
      'conv',
      peers,
    ),
    await table(
      `LeNet-style training step (conv 16, 32 5×5 + max pool, FC 800-120-84-10), batch ${BATCH}, Adam (higher steps/s is better)`,
      tsgradLenet(),
      tfLenet,
      'lenet',
      peers,
    ),
  ];
};
