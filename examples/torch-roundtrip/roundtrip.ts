/**
 * Both tsgrad sides of the PyTorch round trip (`roundtrip.py` is the PyTorch side).
 *
 * `writeFixture(dir)` saves, for each model in {@link models}, its weights (`<name>.safetensors`,
 * PyTorch's keys) and an input with tsgrad's output (`<name>.io.safetensors`); and a training
 * run: an MLP after three AdamW steps (`train.model.safetensors`), the optimizer's state
 * (`train.optimizer.safetensors`), and a batch with the parameters one more step gives
 * (`train.batch.safetensors`).
 *
 * `roundtrip.py <dir>` loads all of it into the equivalent `torch.nn` models, compares, and
 * writes `torch/`: its own freshly initialised models with their outputs, and its training
 * state after one step, with the parameters the next step gives. `checkTorchFiles(dir)` loads
 * those back into tsgrad and compares.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, noGrad, randint, randn, safetensors, type Tensor } from '@tsgrad/core';
import {
  BatchNorm1d,
  Embedding,
  GELU,
  GRU,
  LayerNorm,
  Linear,
  LSTM,
  type Module,
  MultiheadAttention,
  mseLoss,
  Sequential,
  TransformerEncoderLayer,
} from '@tsgrad/nn';
import { AdamW, loadOptimizerState, saveOptimizerState } from '@tsgrad/optim';

/** A model of the round trip: how to build it, an input, and its output for that input. */
export interface RoundTripModel {
  build(): Module;
  input(): Tensor;
  run(m: Module, x: Tensor): Tensor;
  /** Runs once in training mode before saving (BatchNorm's running statistics). */
  warmUp?(m: Module, x: Tensor): void;
}

/** The models, by the names `roundtrip.py` builds them under. */
export const models: Record<string, RoundTripModel> = {
  mlp: {
    build: () => new Sequential(new Linear(6, 16), new GELU(), new LayerNorm(16), new Linear(16, 3)),
    input: () => randn([5, 6]),
    run: (m, x) => m.forward(x),
  },
  embedding: {
    build: () => new Embedding(10, 4),
    input: () => randint(0, 10, [2, 3]),
    run: (m, x) => m.forward(x),
  },
  lstm: {
    build: () => new LSTM(4, 5, { numLayers: 2, batchFirst: true }),
    input: () => randn([2, 3, 4]),
    run: (m, x) => (m as LSTM).forward(x)[0],
  },
  gru: {
    build: () => new GRU(4, 5, { bidirectional: true }),
    input: () => randn([3, 2, 4]),
    run: (m, x) => (m as GRU).forward(x)[0],
  },
  mha: {
    build: () => new MultiheadAttention(8, 2, { batchFirst: true }),
    input: () => randn([2, 3, 8]),
    run: (m, x) => (m as MultiheadAttention).forward(x, x, x)[0],
  },
  encoder: {
    build: () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
    input: () => randn([2, 3, 8]),
    run: (m, x) => m.forward(x),
  },
  batchnorm: {
    build: () => new BatchNorm1d(3),
    input: () => randn([4, 3]),
    run: (m, x) => m.forward(x),
    warmUp: (m, x) => {
      m.forward(randn(x.shape).mul(2).add(1));
    },
  },
};

/** The training part: an MLP and AdamW, as `roundtrip.py` builds them. */
export const training = {
  model: () => new Sequential(new Linear(6, 16), new GELU(), new LayerNorm(16), new Linear(16, 3)),
  optimizer: (m: Module) => new AdamW(m.parameters(), { lr: 0.01, weightDecay: 0.01 }),
  /** One step: MSE of the model's output on `x` against `y`. */
  step(m: Module, opt: AdamW, x: Tensor, y: Tensor): void {
    opt.zeroGrad();
    mseLoss(m.forward(x), y).backward();
    opt.step();
  },
};

const meta = { format: 'pt' };

/** Writes the tsgrad side of the round trip into `dir` (created if missing). */
export async function writeFixture(dir: string, seed = 0): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  manualSeed(seed);
  const written: string[] = [];
  const save = async (name: string, tensors: Record<string, Tensor>) => {
    await safetensors.save(tensors, join(dir, name), meta);
    written.push(name);
  };
  for (const [name, spec] of Object.entries(models)) {
    const m = spec.build();
    const x = spec.input();
    if (spec.warmUp) spec.warmUp(m, x);
    m.eval();
    const y = noGrad(() => spec.run(m, x));
    await save(`${name}.safetensors`, m.stateDict());
    await save(`${name}.io.safetensors`, { input: x, output: y });
  }
  const m = training.model();
  const opt = training.optimizer(m);
  const x = randn([8, 6]);
  const y = randn([8, 3]);
  for (let i = 0; i < 3; i++) training.step(m, opt, x, y);
  await save('train.model.safetensors', m.stateDict());
  await saveOptimizerState(join(dir, 'train.optimizer.safetensors'), opt);
  written.push('train.optimizer.safetensors');
  const x2 = randn([8, 6]);
  const y2 = randn([8, 3]);
  training.step(m, opt, x2, y2);
  const expected = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [`expected.${k}`, v]));
  await save('train.batch.safetensors', { x: x2, y: y2, ...expected });
  return written;
}

/** One comparison of {@link checkTorchFiles}. */
export interface Check {
  name: string;
  ok: boolean;
  maxAbsDiff: number;
}

/** `|a − b| ≤ atol + rtol·|b|` elementwise, as `torch.testing.assert_close`. */
async function compare(name: string, a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-6): Promise<Check> {
  const [x, y] = [await a.data(), await b.data()];
  let ok = a.shape.join() === b.shape.join();
  let maxAbsDiff = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(Number(x[i]) - Number(y[i]));
    maxAbsDiff = Math.max(maxAbsDiff, d);
    if (!(d <= atol + rtol * Math.abs(Number(y[i])))) ok = false;
  }
  return { name, ok, maxAbsDiff };
}

/**
 * Loads what `roundtrip.py` wrote into `dir/torch` into tsgrad: each model (strict), run on
 * PyTorch's input and compared with PyTorch's output; then PyTorch's training state, one
 * step further, compared with the parameters PyTorch's next step gave.
 */
export async function checkTorchFiles(dir: string): Promise<Check[]> {
  const from = join(dir, 'torch');
  if (!existsSync(from)) throw new Error(`${from} does not exist: run roundtrip.py on ${dir} first`);
  const out: Check[] = [];
  for (const [name, spec] of Object.entries(models)) {
    const m = spec.build();
    m.loadStateDict(await safetensors.load(join(from, `${name}.safetensors`)), { strict: true });
    m.eval();
    const io = await safetensors.load(join(from, `${name}.io.safetensors`));
    const y = noGrad(() => spec.run(m, io.input!));
    out.push(await compare(name, y, io.output!));
  }
  const m = training.model();
  m.loadStateDict(await safetensors.load(join(from, 'train.model.safetensors')), { strict: true });
  const opt = training.optimizer(m);
  await loadOptimizerState(join(from, 'train.optimizer.safetensors'), opt);
  const batch = await safetensors.load(join(from, 'train.batch.safetensors'));
  training.step(m, opt, batch.x!, batch.y!);
  for (const [k, v] of Object.entries(m.stateDict())) {
    out.push(await compare(`train ${k}`, v, batch[`expected.${k}`]!, 1e-5, 1e-6));
  }
  return out;
}
