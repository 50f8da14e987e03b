/**
 * XOR, the function a single neuron cannot learn, learned by a 2-2-1 network: two tanh hidden
 * units and a sigmoid output (trained on its logit with binary cross-entropy), full-batch SGD
 * with momentum from a seeded random initialisation.
 */
import { manualSeed, noGrad, type Tensor, tensor } from '@tsgrad/core';
import { bceWithLogitsLoss, Linear, Sequential, Tanh } from '@tsgrad/nn';
import { SGD } from '@tsgrad/optim';

/** Options of {@link trainXor}. */
export interface XorOptions {
  seed: number;
  steps: number;
  lr: number;
  momentum: number;
}

/** Defaults of {@link trainXor}. */
export const xorDefaults: XorOptions = { seed: 0, steps: 500, lr: 0.5, momentum: 0.9 };

/** What {@link trainXor} learned. */
export interface XorResult {
  inputs: number[][];
  targets: number[];
  /** Probability of 1 for each input after training. */
  predictions: number[];
  /** Loss before the first step and after the last. */
  initialLoss: number;
  finalLoss: number;
  /** Learned weights: hidden `[2][2]` (row j = unit j's input weights), biases, output. */
  weights: { hidden: number[][]; hiddenBias: number[]; output: number[]; outputBias: number };
  /** Every prediction on the right side of 0.5. */
  solved: boolean;
}

/**
 * Trains the 2-2-1 network on the four XOR points.
 *
 * @example
 * ```ts
 * const { predictions, solved } = trainXor({ seed: 0 });
 * ```
 */
export function trainXor(options: Partial<XorOptions> = {}): XorResult {
  const o = { ...xorDefaults, ...options };
  manualSeed(o.seed);
  const inputs = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const targets = [0, 1, 1, 0];
  const x = tensor(inputs);
  const y = tensor(targets).reshape([4, 1]);
  const hidden = new Linear(2, 2);
  const output = new Linear(2, 1);
  const model = new Sequential(hidden, new Tanh(), output);
  const opt = new SGD(model.parameters(), { lr: o.lr, momentum: o.momentum });

  let initialLoss = Number.NaN;
  let finalLoss = Number.NaN;
  for (let step = 0; step < o.steps; step++) {
    opt.zeroGrad();
    const loss = bceWithLogitsLoss(model.call(x), y);
    loss.backward();
    opt.step();
    if (step === 0) initialLoss = loss.itemSync();
  }
  const predictions = noGrad(() => {
    const logits: Tensor = model.call(x);
    finalLoss = bceWithLogitsLoss(logits, y).itemSync();
    return Array.from(logits.sigmoid().dataSync());
  });
  const w = Array.from(hidden.weight.dataSync());
  return {
    inputs,
    targets,
    predictions,
    initialLoss,
    finalLoss,
    weights: {
      hidden: [w.slice(0, 2), w.slice(2, 4)],
      hiddenBias: Array.from(hidden.bias!.dataSync()),
      output: Array.from(output.weight.dataSync()),
      outputBias: output.bias!.itemSync(),
    },
    solved: predictions.every((p, i) => p > 0.5 === (targets[i] === 1)),
  };
}
