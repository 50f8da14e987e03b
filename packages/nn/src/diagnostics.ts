/**
 * Training diagnostics: hooks on a model's layers that measure, per layer, what goes wrong
 * when a network does not train — ReLU units that never fire, tanh and sigmoid units stuck at
 * their limits, gradients that vanish or explode on their way to the input, and optimizer
 * steps that are too large or too small for the weights they change.
 *
 * A forward hook on each activation module counts dead and saturated units of its output and
 * puts a tensor hook on that output for the norm of its gradient; a tensor hook on each
 * layer's weights takes the norm of their gradient. `beforeStep()` / `afterStep()` around the
 * optimizer's step measure the update: ‖W_after − W_before‖ / ‖W_before‖.
 */
import { noGrad, type Tensor, Tensor as TensorClass } from '@tsgrad/core';
import { type LineOptions, linePlot, type Series } from '@tsgrad/plot';
import { ReLU, Sigmoid, Tanh } from './layers/activations.js';
import type { Module } from './module.js';

/**
 * Options of {@link Diagnostics}.
 *
 * @example
 * ```ts
 * const diag = new Diagnostics(model, { tanhSaturation: 0.99, sigmoidSaturation: [0.01, 0.99] });
 * ```
 */
export interface DiagnosticsOptions {
  /** A tanh output counts as saturated where |y| > this (0.97). */
  tanhSaturation?: number;
  /** A sigmoid output counts as saturated where y < low or y > high ([0.03, 0.97]). */
  sigmoidSaturation?: [low: number, high: number];
}

/**
 * What {@link Diagnostics} measured for one layer; a field is undefined where it does not
 * apply to the layer or has not been measured yet.
 *
 * @example
 * ```ts
 * const relus = diag.stats().filter((s) => s.dead !== undefined);
 * relus.map((s) => `${s.name}: ${(s.dead! * 100).toFixed(1)}% dead`);
 * ```
 */
export interface LayerStats {
  /** The module's dotted name in the model (`'0'`, `'encoder.fc1'`); `''` for the model itself. */
  name: string;
  /** The module's class name (`'Linear'`, `'ReLU'`). */
  type: string;
  /** ReLU: the share of units (output features) that are 0 for every sample of the batch. */
  dead?: number;
  /** Tanh and Sigmoid: the share of output values beyond the saturation thresholds. */
  saturated?: number;
  /** ‖∂loss/∂output‖ of the latest backward pass. */
  outputGradNorm?: number;
  /** ‖∂loss/∂W‖ of the latest backward pass, over the layer's weights (parameters other than biases). */
  weightGradNorm?: number;
  /** ‖ΔW‖ / ‖W‖ across the latest optimizer step (between `beforeStep()` and `afterStep()`). */
  updateRatio?: number;
}

/**
 * The per-layer numbers {@link Diagnostics} can plot.
 *
 * @example
 * ```ts
 * const metric: DiagnosticMetric = 'updateRatio';
 * const svg = diag.plotHistory(metric);
 * ```
 */
export type DiagnosticMetric = Exclude<keyof LayerStats, 'name' | 'type'>;

/**
 * One optimizer step's statistics, as {@link Diagnostics.afterStep} recorded them.
 *
 * @example
 * ```ts
 * const firstLayer = diag.history.map((r: DiagnosticsRecord) => r.layers[0]!.weightGradNorm);
 * ```
 */
export interface DiagnosticsRecord {
  /** 0 for the first `afterStep()`, then 1, 2, … */
  step: number;
  layers: LayerStats[];
}

const METRIC_LABELS: Record<DiagnosticMetric, string> = {
  dead: 'dead ReLU units',
  saturated: 'saturated units',
  outputGradNorm: '‖∂L/∂output‖',
  weightGradNorm: '‖∂L/∂W‖',
  updateRatio: '‖ΔW‖ / ‖W‖',
};

/** What one watched layer holds between measurements: small tensors, read when asked. */
interface Layer {
  name: string;
  module: Module;
  weights: Tensor[];
  kind: 'relu' | 'tanh' | 'sigmoid' | null;
  /** Units (dead) or values (saturated) counted, and of how many. */
  count: { hits: Tensor; of: number } | null;
  outputGradNorm: Tensor | null;
  /** The gradient norm of each weight in the latest backward pass. */
  weightGradNorms: (Tensor | null)[];
  before: Tensor[] | null;
  updateRatio: Tensor | null;
}

/**
 * Watches a model's layers through hooks and reports, per layer, dead ReLUs, saturated
 * tanh/sigmoid units, gradient norms (of the layer's output and of its weights) and the
 * update-to-weight ratio of optimizer steps, as numbers, an aligned table or SVG charts.
 *
 * The layers watched are the model's leaf modules that hold weights (Linear, Conv2d, …) or are
 * `ReLU`, `Tanh` or `Sigmoid` modules (activations applied as functions inside another
 * module's `forward` are not seen). Each measurement is of the latest call: a module called
 * several times in one forward pass reports its last call. Numbers are read synchronously when
 * asked for (`stats()`, `afterStep()`, `table()`), which needs the model on the CPU backend.
 *
 * @example
 * ```ts
 * import { randn } from '@tsgrad/core';
 * import { Diagnostics, MLP, mseLoss } from '@tsgrad/nn';
 * import { SGD } from '@tsgrad/optim';
 * const model = new MLP([4, 8, 1]);
 * const opt = new SGD(model.parameters(), { lr: 0.1 });
 * const diag = new Diagnostics(model);
 * for (let step = 0; step < 3; step++) {
 *   opt.zeroGrad();
 *   mseLoss(model.call(randn([16, 4])), randn([16, 1])).backward();
 *   diag.record(() => opt.step()); // beforeStep(), the step, afterStep()
 * }
 * console.log(diag.table()); // one row per layer: dead, saturated, gradient norms, update ratio
 * diag.remove();
 * ```
 */
export class Diagnostics {
  /** What each `afterStep()` recorded, oldest first. @example `diag.history.length` */
  readonly history: DiagnosticsRecord[] = [];
  private readonly layers: Layer[] = [];
  private readonly handles: { remove(): void }[] = [];
  private readonly tanhLimit: number;
  private readonly sigmoidLimits: [number, number];
  private attached = true;

  /**
   * Attaches the hooks to `model`'s layers.
   *
   * @example
   * ```ts
   * const diag = new Diagnostics(new MLP([2, 16, 16, 1], { activation: 'tanh' }));
   * ```
   */
  constructor(model: Module, options: DiagnosticsOptions = {}) {
    this.tanhLimit = options.tanhSaturation ?? 0.97;
    this.sigmoidLimits = options.sigmoidSaturation ?? [0.03, 0.97];
    for (const [name, module] of model.namedModules()) {
      if (module.children().next().done !== true) continue;
      const weights = [...module.namedParameters()].filter(([n]) => !n.startsWith('bias')).map(([, p]) => p);
      const kind =
        module instanceof ReLU
          ? 'relu'
          : module instanceof Tanh
            ? 'tanh'
            : module instanceof Sigmoid
              ? 'sigmoid'
              : null;
      if (weights.length === 0 && kind === null) continue;
      const layer: Layer = {
        name,
        module,
        weights,
        kind,
        count: null,
        outputGradNorm: null,
        weightGradNorms: weights.map(() => null),
        before: null,
        updateRatio: null,
      };
      this.layers.push(layer);
      this.handles.push(module.registerForwardHook((_m, _inputs, out) => this.onOutput(layer, out)));
      weights.forEach((w, i) => {
        this.handles.push(
          w.registerHook((g) => {
            if (this.attached) layer.weightGradNorms[i] = noGrad(() => g.norm());
          }),
        );
      });
    }
  }

  private onOutput(layer: Layer, out: unknown): void {
    if (!(out instanceof TensorClass)) return;
    noGrad(() => {
      const rows = out.ndim === 0 ? out.reshape([1, 1]) : out.reshape([out.shape[0]!, -1]);
      if (layer.kind === 'relu') {
        layer.count = { hits: rows.eq(0).all(0).countNonzero(), of: rows.shape[1]! };
      } else if (layer.kind === 'tanh') {
        layer.count = { hits: rows.abs().gt(this.tanhLimit).countNonzero(), of: rows.numel };
      } else if (layer.kind === 'sigmoid') {
        const [lo, hi] = this.sigmoidLimits;
        layer.count = { hits: rows.lt(lo).logicalOr(rows.gt(hi)).countNonzero(), of: rows.numel };
      }
    });
    if (out.requiresGrad) {
      out.registerHook((g) => {
        if (this.attached) layer.outputGradNorm = noGrad(() => g.norm());
      });
    }
  }

  /**
   * Snapshots the weights; call it after `backward()` and before `optimizer.step()`.
   *
   * @example
   * ```ts
   * loss.backward();
   * diag.beforeStep();
   * opt.step();
   * diag.afterStep();
   * ```
   */
  beforeStep(): void {
    for (const l of this.layers) l.before = noGrad(() => l.weights.map((w) => w.clone()));
  }

  /**
   * Measures ‖W_after − W_before‖ / ‖W_before‖ for each layer's weights since `beforeStep()`,
   * appends the statistics of every layer to {@link Diagnostics.history} and returns them.
   *
   * @example
   * ```ts
   * diag.beforeStep();
   * opt.step();
   * const layers = diag.afterStep();
   * layers.map((l) => l.updateRatio); // around 1e-3 is healthy for SGD-like training
   * ```
   */
  afterStep(): LayerStats[] {
    for (const l of this.layers) {
      const before = l.before;
      if (before === null || before.length === 0) continue;
      l.updateRatio = noGrad(() => {
        const delta = joinedNorm(l.weights.map((w, i) => w.sub(before[i]!).norm()));
        return delta.div(joinedNorm(before.map((w) => w.norm())));
      });
      l.before = null;
    }
    const layers = this.stats();
    this.history.push({ step: this.history.length, layers });
    return layers;
  }

  /**
   * Runs `step` (the optimizer's step) between `beforeStep()` and `afterStep()`; returns
   * what `afterStep()` recorded.
   *
   * @example
   * ```ts
   * loss.backward();
   * diag.record(() => opt.step());
   * ```
   */
  record(step: () => unknown): LayerStats[] {
    this.beforeStep();
    step();
    return this.afterStep();
  }

  /**
   * The latest statistics of every watched layer, in the model's order.
   *
   * @example
   * ```ts
   * model.call(x).sum().backward();
   * diag.stats().map((l) => l.weightGradNorm); // one per layer with weights
   * ```
   */
  stats(): LayerStats[] {
    return this.layers.map((l) => {
      const s: LayerStats = { name: l.name, type: l.module.constructor.name };
      if (l.count !== null) {
        const share = l.count.hits.itemSync() / l.count.of;
        if (l.kind === 'relu') s.dead = share;
        else s.saturated = share;
      }
      if (l.outputGradNorm !== null) s.outputGradNorm = l.outputGradNorm.itemSync();
      if (l.weights.length > 0 && l.weightGradNorms.every((g) => g !== null)) {
        s.weightGradNorm = Math.hypot(...l.weightGradNorms.map((g) => g!.itemSync()));
      }
      if (l.updateRatio !== null) s.updateRatio = l.updateRatio.itemSync();
      return s;
    });
  }

  /**
   * The latest statistics as a table with aligned columns: shares in percent, norms and
   * ratios in exponent notation, `—` where a number does not apply.
   *
   * @example
   * ```ts
   * console.log(diag.table());
   * // layer  type     dead  saturated  ‖∂L/∂output‖  ‖∂L/∂W‖  ‖ΔW‖/‖W‖
   * // 0      Linear      —          —       1.23e-1  4.56e-1   9.87e-3
   * // 1      ReLU    12.5%          —       8.76e-2        —         —
   * ```
   */
  table(): string {
    return statsTable(this.stats());
  }

  /**
   * A line chart of one metric across the layers, input to output (log y for norms and
   * ratios), from the latest statistics; returns the SVG document as a string.
   *
   * @example
   * ```ts
   * import { writeFileSync } from 'node:fs';
   * writeFileSync('grad-norms.svg', diag.plotLayers('weightGradNorm'));
   * ```
   */
  plotLayers(metric: DiagnosticMetric, options: LineOptions = {}): string {
    const layers = this.stats().filter((l) => l[metric] !== undefined);
    return linePlot(
      { name: METRIC_LABELS[metric], y: layers.map((l) => l[metric]!), x: layers.map((_, i) => i + 1) },
      {
        title: `${METRIC_LABELS[metric]} per layer`,
        xLabel: 'layer (input → output)',
        yLabel: METRIC_LABELS[metric],
        logY: isRatio(metric),
        ...options,
      },
    );
  }

  /**
   * A line chart of one metric over the recorded steps, one line per layer (log y for norms
   * and ratios); returns the SVG document as a string.
   *
   * @example
   * ```ts
   * import { writeFileSync } from 'node:fs';
   * writeFileSync('update-ratio.svg', diag.plotHistory('updateRatio'));
   * ```
   */
  plotHistory(metric: DiagnosticMetric, options: LineOptions = {}): string {
    const series: Series[] = this.layers
      .map((l, i) => ({
        name: `${l.name || 'model'} ${l.module.constructor.name}`,
        y: this.history.map((r) => r.layers[i]![metric] ?? Number.NaN),
      }))
      .filter((s) => s.y.some(Number.isFinite));
    return linePlot(series, {
      title: `${METRIC_LABELS[metric]} during training`,
      xLabel: 'step',
      yLabel: METRIC_LABELS[metric],
      logY: isRatio(metric),
      ...options,
    });
  }

  /**
   * Detaches every hook; the statistics measured so far stay readable.
   *
   * @example
   * ```ts
   * diag.remove();
   * ```
   */
  remove(): void {
    this.attached = false;
    for (const h of this.handles) h.remove();
    this.handles.length = 0;
  }
}

/** Norms and ratios span decades; shares lie in [0, 1]. */
function isRatio(metric: DiagnosticMetric): boolean {
  return metric !== 'dead' && metric !== 'saturated';
}

/** The norm of several tensors taken as one vector, from their norms. */
function joinedNorm(norms: Tensor[]): Tensor {
  return norms.length === 1
    ? norms[0]!
    : norms
        .map((n) => n.square())
        .reduce((a, b) => a.add(b))
        .sqrt();
}

/**
 * Formats per-layer statistics as a table with aligned columns (what
 * {@link Diagnostics.table} prints), e.g. to compare the statistics of several models.
 *
 * @example
 * ```ts
 * import { statsTable } from '@tsgrad/nn';
 * console.log(statsTable([{ name: '0', type: 'Linear', weightGradNorm: 0.5 }]));
 * // layer  type    dead  saturated  ‖∂L/∂output‖  ‖∂L/∂W‖  ‖ΔW‖/‖W‖
 * // 0      Linear     —          —             —  5.00e-1         —
 * ```
 */
export function statsTable(layers: readonly LayerStats[]): string {
  const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
  const exp = (v: number | undefined) => (v === undefined ? '—' : v.toExponential(2));
  const rows = [
    ['layer', 'type', 'dead', 'saturated', '‖∂L/∂output‖', '‖∂L/∂W‖', '‖ΔW‖/‖W‖'],
    ...layers.map((l) => [
      l.name || 'model',
      l.type,
      pct(l.dead),
      pct(l.saturated),
      exp(l.outputGradNorm),
      exp(l.weightGradNorm),
      exp(l.updateRatio),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
