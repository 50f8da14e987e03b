/**
 * The pass/fail network from "Large Language Models from scratch, part 1", built from core
 * tensors only: two inputs (hours of study per day / 10, previous grade / 100), three ReLU
 * hidden units, one sigmoid output read as the probability of passing.
 *
 * `studentNetwork()` runs the article's forward pass, then one training step (binary
 * cross-entropy, plain gradient descent) whose gradients come from autograd — through
 * `explain()`, which prints each step of backpropagation — and returns both the numbers and
 * the lines `main.ts` prints.
 */
import { type Explanation, explain, noGrad, type Tensor, tensor } from '@tsgrad/core';

/** The article's starting weights. Row i of `w1` holds the weights leaving input x_{i+1}. */
export const initialWeights = {
  w1: [
    [0.82, 0.71, -0.45],
    [0.65, 0.89, 0.78],
  ],
  b1: [-0.5, -0.6, -0.3],
  w2: [0.85, 0.72, -0.55],
  b2: -0.2,
};

/** A student: 5 hours a day scaled to 0.5, a 60 % grade scaled to 0.6. */
export const student = [0.5, 0.6];
/** The first training sample of the article and its label (0 = fail). */
export const trainingSample = { x: [0.2, 0.3], y: 0 };
/** Learning rate of the training step. */
export const learningRate = 0.5;

/** Weights as plain numbers: `w1[i][j]` connects input i to hidden unit j. */
export interface Weights {
  w1: number[][];
  b1: number[];
  w2: number[];
  b2: number;
}

/** What one forward pass computed. */
export interface Forward {
  zHidden: number[];
  hidden: number[];
  zOut: number;
  p: number;
}

/** Everything the example computes, as numbers, plus the text it prints. */
export interface StudentReport {
  prediction: Forward & { verdict: string };
  step: Forward & { loss: number; grads: Weights; updated: Weights; backprop: Explanation };
  lines: string[];
}

const f4 = (v: number) => (Object.is(v, -0) || Math.abs(v) < 5e-5 ? 0 : v).toFixed(4);
const f3 = (v: number) => v.toFixed(3);

/** "pass", "pass (barely)", "fail (barely)" or "fail" from a probability of passing. */
export function verdict(p: number): string {
  if (p >= 0.5) return p < 0.6 ? 'pass (barely)' : 'pass';
  return p > 0.4 ? 'fail (barely)' : 'fail';
}

interface Params {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

function makeParams(w: Weights): Params {
  const opts = { dtype: 'float64', requiresGrad: true } as const;
  return { w1: tensor(w.w1, opts), b1: tensor(w.b1, opts), w2: tensor(w.w2, opts), b2: tensor(w.b2, opts) };
}

/** x [2] → z [3] = x·W1 + b1 → h = relu(z) → z_out = h·w2 + b2 → p = σ(z_out). */
function forward(params: Params, x: number[]) {
  const xt = tensor(x, { dtype: 'float64' });
  const zHidden = xt.matmul(params.w1).add(params.b1);
  const hidden = zHidden.relu();
  const zOut = hidden.matmul(params.w2).add(params.b2);
  const p = zOut.sigmoid();
  return { x: xt, zHidden, hidden, zOut, p };
}

function numbers(f: ReturnType<typeof forward>): Forward {
  return {
    zHidden: Array.from(f.zHidden.dataSync()),
    hidden: Array.from(f.hidden.dataSync()),
    zOut: f.zOut.itemSync(),
    p: f.p.itemSync(),
  };
}

function readWeights(t: Params | { [K in keyof Params]: Tensor | null }): Weights {
  const arr = (v: Tensor | null) => (v === null ? [] : Array.from(v.dataSync()));
  const w1 = arr(t.w1);
  return {
    w1: [w1.slice(0, 3), w1.slice(3, 6)],
    b1: arr(t.b1),
    w2: arr(t.w2),
    b2: arr(t.b2)[0] ?? 0,
  };
}

/**
 * Runs the article's forward pass and one training step.
 *
 * @example
 * ```ts
 * const report = studentNetwork();
 * console.log(report.lines.join('\n'));
 * ```
 */
export function studentNetwork(): StudentReport {
  const lines: string[] = [];
  const say = (s = '') => lines.push(s);
  const { w1, b1, w2, b2 } = initialWeights;
  const [x1, x2] = student as [number, number];

  // ---- prediction --------------------------------------------------------------------------
  const params = makeParams(initialWeights);
  const pred = numbers(noGrad(() => forward(params, student)));
  const v = verdict(pred.p);
  say('Forward pass: 5 h/day → x1 = 0.5, 60 % → x2 = 0.6');
  for (let j = 0; j < 3; j++) {
    const z = pred.zHidden[j]!;
    say(
      `  z_h${j + 1} = ${w1[0]![j]}·${x1} + ${w1[1]![j]}·${x2} + (${b1[j]}) = ${f4(z)}` +
        `   ReLU → h${j + 1} = ${f4(pred.hidden[j]!)}`,
    );
  }
  say(
    `  z_out = ${w2[0]}·h1 + ${w2[1]}·h2 + (${w2[2]})·h3 + (${b2}) = ${f4(pred.zOut)}` +
      `   sigmoid → p = ${f4(pred.p)}`,
  );
  say(`  probability of passing ${f3(pred.p)} → ${v}`);
  say();

  // ---- one training step -------------------------------------------------------------------
  const { x, y } = trainingSample;
  const lr = learningRate;
  const out = forward(params, x);
  // Binary cross-entropy: L = −[y·log p + (1 − y)·log(1 − p)].
  const loss = out.p
    .log()
    .mul(y)
    .add(
      out.p
        .neg()
        .add(1)
        .log()
        .mul(1 - y),
    )
    .neg();
  const fwd = numbers(out);
  const lossValue = loss.itemSync();
  // Backpropagation through explain(): it runs loss.backward() and reports every op of the
  // graph from the loss down, its local derivative, and the chain rule it applies (upstream
  // gradient × local derivative = the gradient passed to each input).
  const explanation = explain(loss, {
    names: {
      loss,
      p: out.p,
      z_out: out.zOut,
      h: out.hidden,
      z_h: out.zHidden,
      x: out.x,
      w1: params.w1,
      b1: params.b1,
      w2: params.w2,
      b2: params.b2,
    },
    maxValues: 6,
  });
  const grads = readWeights({
    w1: params.w1.grad,
    b1: params.b1.grad,
    w2: params.w2.grad,
    b2: params.b2.grad,
  });
  noGrad(() => {
    for (const t of [params.w1, params.b1, params.w2, params.b2]) t.sub_(t.grad!.mul(lr));
  });
  const updated = readWeights(params);

  say(`Training step: x = (${x.join(', ')}), target y = ${y}, binary cross-entropy, lr = ${lr}`);
  for (let j = 0; j < 3; j++) {
    say(`  z_h${j + 1} = ${f4(fwd.zHidden[j]!)}   ReLU → h${j + 1} = ${f4(fwd.hidden[j]!)}`);
  }
  say(`  z_out = ${f4(fwd.zOut)}   p = σ(z_out) = ${f4(fwd.p)}`);
  say(`  loss L = −[y·log p + (1 − y)·log(1 − p)] = ${f4(lossValue)}`);
  say();
  say('Backpropagation, step by step (explain):');
  for (const l of explanation.toString().split('\n')) say(`  ${l}`);
  const sigmoidStep = explanation.find((s) => s.op === 'sigmoid')!;
  const dzOut = sigmoidStep.inputs[0]!.grad!.values![0]!;
  say();
  say(`  sigmoid and cross-entropy together: dL/dz_out = p − y = ${f4(fwd.p)} − ${y} = ${f4(dzOut)}`);
  if (fwd.hidden.every((h) => h === 0)) {
    say('  (every hidden unit is below zero for this sample, so ReLU passes no gradient back:');
    say('   only the output bias learns from it)');
  }
  say();
  say(`Updated weights (w ← w − ${lr} · dL/dw):`);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      say(
        `  w_x${i + 1}→h${j + 1} = ${w1[i]![j]} − ${lr} · ${f4(grads.w1[i]![j]!)} = ${f4(updated.w1[i]![j]!)}`,
      );
    }
  }
  for (let j = 0; j < 3; j++)
    say(`  b_h${j + 1} = ${b1[j]} − ${lr} · ${f4(grads.b1[j]!)} = ${f4(updated.b1[j]!)}`);
  for (let j = 0; j < 3; j++) {
    say(`  w_h${j + 1}→out = ${w2[j]} − ${lr} · ${f4(grads.w2[j]!)} = ${f4(updated.w2[j]!)}`);
  }
  say(`  b_out = ${b2} − ${lr} · ${f4(grads.b2)} = ${f4(updated.b2)}`);

  const after = numbers(noGrad(() => forward(params, x)));
  say();
  say(
    `After the step p(pass | x = (${x.join(', ')})) = ${f4(after.p)} (was ${f4(fwd.p)}; the target is ${y})`,
  );

  return {
    prediction: { ...pred, verdict: v },
    step: { ...fwd, loss: lossValue, grads, updated, backprop: explanation },
    lines,
  };
}
