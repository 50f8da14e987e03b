/**
 * Vanishing gradients in a deep MLP: the same stack of Linear layers with sigmoid, tanh or ReLU
 * between them (and ReLU again with Kaiming's initialisation), trained on one problem, with
 * `Diagnostics` measuring the gradient norm of every layer's weights at initialisation and
 * during training. A sigmoid's slope is at most 1/4, so each layer the gradient passes back
 * through shrinks it: the layers near the input get almost nothing.
 */
import { manualSeed, noGrad, rand } from '@tsgrad/core';
import { bceWithLogitsLoss, Diagnostics, init, type LayerStats, Linear, MLP } from '@tsgrad/nn';
import { SGD } from '@tsgrad/optim';

/** The networks compared: an activation, and how the Linear layers are initialised. */
export const variants = ['sigmoid', 'tanh', 'relu', 'relu + kaiming'] as const;

/** One of {@link variants}. */
export type Variant = (typeof variants)[number];

/** Options of {@link compareActivations}. */
export interface VanishingOptions {
  /** Hidden layers (the network has depth + 1 Linear layers). */
  depth: number;
  width: number;
  steps: number;
  lr: number;
  seed: number;
}

/** Defaults of {@link compareActivations}. */
export const vanishingDefaults: VanishingOptions = { depth: 10, width: 32, steps: 200, lr: 0.05, seed: 0 };

/** What one network did. */
export interface VariantResult {
  variant: Variant;
  /** ‖∂loss/∂W‖ of each Linear layer, input to output, at initialisation. */
  initGradNorms: number[];
  /** The same, averaged over the training steps. */
  trainGradNorms: number[];
  /** The loss before each step, then after the last. */
  losses: number[];
  /** The share of training points classified right after training. */
  accuracy: number;
  /** The diagnostics of every layer at initialisation and after the last step. */
  initStats: LayerStats[];
  finalStats: LayerStats[];
}

/**
 * Points uniform in [−1, 1]², labelled 1 inside the circle of radius 0.7 around the origin
 * (a boundary no line draws, so the network must use its depth).
 *
 * @example
 * ```ts
 * const { x, y } = circleData(256, 0);
 * ```
 */
export function circleData(n: number, seed: number) {
  manualSeed(seed);
  const x = rand([n, 2]).mul(2).sub(1);
  const y = x.square().sum(1, true).lt(0.49).to('float32');
  return { x, y };
}

/** The deep MLP of one variant, from the seed. */
export function deepNet(variant: Variant, o: VanishingOptions): MLP {
  manualSeed(o.seed + 1);
  const sizes = [2, ...Array<number>(o.depth).fill(o.width), 1];
  const activation = variant === 'relu + kaiming' ? 'relu' : variant;
  const net = new MLP(sizes, { activation });
  if (variant === 'relu + kaiming') {
    noGrad(() => {
      for (const m of net.modules()) {
        if (!(m instanceof Linear)) continue;
        init.kaimingNormal_(m.weight, { nonlinearity: 'relu' });
        init.zeros_(m.bias!);
      }
    });
  }
  return net;
}

/**
 * Trains each variant on the same data with the same optimizer (full-batch SGD with momentum
 * 0.9) and reports the gradient norms per layer. `onStep` sees each step's loss.
 *
 * @example
 * ```ts
 * const results = compareActivations({ depth: 10, steps: 200 });
 * results[0].initGradNorms; // sigmoid: shrinking toward the input
 * ```
 */
export function compareActivations(
  options: Partial<VanishingOptions> = {},
  onStep?: (variant: number, step: number, loss: number) => void,
): VariantResult[] {
  const o = { ...vanishingDefaults, ...options };
  const { x, y } = circleData(256, o.seed);
  const linearNorms = (stats: LayerStats[]) =>
    stats.filter((s) => s.type === 'Linear').map((s) => s.weightGradNorm!);
  return variants.map((variant, k) => {
    const net = deepNet(variant, o);
    const diag = new Diagnostics(net);
    const opt = new SGD(net.parameters(), { lr: o.lr, momentum: 0.9 });
    const losses: number[] = [];
    let initStats: LayerStats[] = [];
    const sums = Array<number>(o.depth + 1).fill(0);
    for (let step = 0; step < o.steps; step++) {
      opt.zeroGrad();
      const loss = bceWithLogitsLoss(net.call(x), y);
      loss.backward();
      losses.push(loss.itemSync());
      const stats = diag.record(() => opt.step());
      if (step === 0) initStats = stats;
      linearNorms(stats).forEach((g, i) => {
        sums[i]! += g / o.steps;
      });
      onStep?.(k, step + 1, losses.at(-1)!);
    }
    // One more pass measures the trained network (its gradients, and the units' state).
    const logits = net.call(x);
    const loss = bceWithLogitsLoss(logits, y);
    loss.backward();
    losses.push(loss.itemSync());
    const finalStats = diag.stats();
    diag.remove();
    const predicted = Array.from(logits.dataSync(), (v) => (v > 0 ? 1 : 0));
    const labels = Array.from(y.dataSync());
    return {
      variant,
      initGradNorms: linearNorms(initStats),
      trainGradNorms: sums,
      losses,
      accuracy: predicted.filter((p, i) => p === labels[i]).length / labels.length,
      initStats,
      finalStats,
    };
  });
}
