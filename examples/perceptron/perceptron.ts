/**
 * Rosenblatt's perceptron (1958): one unit that answers sign(w·x + b), trained by the
 * perceptron trick rather than gradient descent — for each point it gets wrong, add the point
 * to the weights (times its label ±1 and a learning rate) and the label to the bias. On points
 * a line can separate it stops after finitely many mistakes (Novikoff's theorem); on XOR no
 * line exists, and it never stops.
 */
import { manualSeed, noGrad, rand, type Tensor, tensor, zeros } from '@tsgrad/core';

/** Points `[n, 2]` with labels ±1. */
export interface LabelledPoints {
  x: number[][];
  y: number[];
}

/** Options of {@link trainPerceptron}. */
export interface PerceptronOptions {
  /** Passes over the data at most; training stops early after a pass without a mistake. */
  epochs: number;
  /** The step of the trick: w ← w + lr·y·x, b ← b + lr·y. */
  lr: number;
  /** Shuffles the visiting order of each pass with this seed. */
  seed: number;
}

/** Defaults of {@link trainPerceptron}. */
export const perceptronDefaults: PerceptronOptions = { epochs: 50, lr: 1, seed: 0 };

/** What {@link trainPerceptron} learned. */
export interface PerceptronResult {
  /** The learned line: w[0]·x1 + w[1]·x2 + b = 0. */
  w: [number, number];
  b: number;
  /** Mistakes (updates) in each pass, one entry per pass run. */
  mistakes: number[];
  /** A pass made no mistake. */
  converged: boolean;
  /** The share of points on the right side of the final line. */
  accuracy: number;
}

/**
 * `n` points uniform in [−1, 1]², labelled by the side of the line x2 = 0.5·x1 + 0.1 they lie
 * on, leaving out those within `margin` of it, so a line separates them with room to spare.
 *
 * @example
 * ```ts
 * const { x, y } = separablePoints(100, 0);
 * ```
 */
export function separablePoints(n: number, seed: number, margin = 0.1): LabelledPoints {
  manualSeed(seed);
  const x: number[][] = [];
  const y: number[] = [];
  while (x.length < n) {
    const [a, b] = Array.from(rand([2]).mul(2).sub(1).dataSync());
    // Signed distance to the line 0.5·x1 − x2 + 0.1 = 0.
    const d = (0.5 * a! - b! + 0.1) / Math.hypot(0.5, 1);
    if (Math.abs(d) < margin) continue;
    x.push([a!, b!]);
    y.push(d > 0 ? 1 : -1);
  }
  return { x, y };
}

/**
 * XOR: the four corners of the unit square with `perCorner` jittered copies each; a corner is
 * +1 when exactly one coordinate is 1.
 *
 * @example
 * ```ts
 * const { x, y } = xorPoints(5, 0); // 20 points
 * ```
 */
export function xorPoints(perCorner: number, seed: number, jitter = 0.1): LabelledPoints {
  manualSeed(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (const [a, b] of [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ] as const) {
    for (let k = 0; k < perCorner; k++) {
      const [da, db] = Array.from(
        rand([2])
          .sub(0.5)
          .mul(2 * jitter)
          .dataSync(),
      );
      x.push([a + da!, b + db!]);
      y.push(a !== b ? 1 : -1);
    }
  }
  return { x, y };
}

/**
 * One step of the perceptron trick on the point `x` with label `y` (±1): when the point lies
 * on the wrong side of the line (or on it), w ← w + lr·y·x and b ← b + lr·y. Returns whether it
 * was a mistake.
 *
 * @example
 * ```ts
 * const w = zeros([2]), b = zeros([]);
 * perceptronStep(w, b, tensor([1, 2]), 1, 1); // true: w is now [1, 2], b is 1
 * ```
 */
export function perceptronStep(w: Tensor, b: Tensor, x: Tensor, y: number, lr: number): boolean {
  return noGrad(() => {
    const margin = y * w.dot(x).add(b).itemSync();
    if (margin > 0) return false;
    w.add_(x.mul(lr * y));
    b.add_(lr * y);
    return true;
  });
}

/**
 * Runs the perceptron trick over the points, pass after pass, from w = 0 and b = 0, until a pass
 * makes no mistake or `epochs` passes have run. `onEpoch` sees each pass's mistakes.
 *
 * @example
 * ```ts
 * const r = trainPerceptron(separablePoints(100, 0));
 * r.converged; // true
 * ```
 */
export function trainPerceptron(
  data: LabelledPoints,
  options: Partial<PerceptronOptions> = {},
  onEpoch?: (epoch: number, mistakes: number) => void,
): PerceptronResult {
  const o = { ...perceptronDefaults, ...options };
  const points = data.x.map((p) => tensor(p));
  const w = zeros([2]);
  const b = zeros([]);
  const mistakes: number[] = [];
  manualSeed(o.seed);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = Array.from(rand([points.length]).argsort().dataSync());
    let wrong = 0;
    for (const i of order) if (perceptronStep(w, b, points[i]!, data.y[i]!, o.lr)) wrong++;
    mistakes.push(wrong);
    onEpoch?.(epoch, wrong);
    if (wrong === 0) break;
  }
  const [w1, w2] = Array.from(w.dataSync());
  const bias = b.itemSync();
  const right = data.x.filter((p, i) => data.y[i]! * (w1! * p[0]! + w2! * p[1]! + bias) > 0).length;
  return {
    w: [w1!, w2!],
    b: bias,
    mistakes,
    converged: mistakes.at(-1) === 0,
    accuracy: right / data.x.length,
  };
}
