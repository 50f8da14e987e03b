/**
 * Reverse-mode differentiation: order the graph so every tensor comes after all tensors that
 * use it, then walk that order once, sending each gradient to the inputs of the op that made
 * the tensor and summing what arrives. The walk is iterative, so graphs of any depth work.
 * How a pass that records no graph reuses gradient buffers is in `buffer-reuse.ts`.
 */
import { AutogradError, formatShape, ShapeError } from '../errors.js';
import { sameShape } from '../layout.js';
import { keep, tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';
import { checkAnomaly } from './anomaly.js';
import { BufferReuse } from './buffer-reuse.js';
import { gradFactory } from './factory.js';
import { setGradEnabled } from './grad-mode.js';
import { runTensorHooks } from './hooks.js';
import { isSlice, type Node, type SliceGrad } from './node.js';
import { leadingTo, topoOrder } from './order.js';

/** Options of {@link grad}. */
export interface GradOptions {
  /** Gradients of the outputs (default: 1 for one-element outputs). */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Keep saved tensors for another backward pass. Defaults to `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward pass for higher-order gradients. */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/** The gradient a backward pass starts from at `out`: `g`, or 1 for a one-element output. */
function seedGradient(out: Tensor, g: Tensor | undefined, op: string): Tensor {
  if (!out.requiresGrad) {
    throw new AutogradError(
      `${op}: tensor of shape ${formatShape(out.shape)} does not require grad and has no gradFn`,
    );
  }
  if (g === undefined) {
    if (out.numel !== 1) {
      throw new AutogradError(
        `${op}: a gradient can be implied only for one-element outputs, got shape ${formatShape(out.shape)}; pass one`,
      );
    }
    return gradFactory().full(out, out.shape, 1);
  }
  if (!sameShape(g.shape, out.shape)) {
    throw new ShapeError(
      `${op}: gradient of shape ${formatShape(g.shape)} does not match output ${formatShape(out.shape)}`,
    );
  }
  // As PyTorch: the gradient takes the output's dtype, so .grad keeps the leaf's dtype.
  return g.dtype === out.dtype ? g : gradFactory().cast(g, out.dtype);
}

/**
 * Called by a backward pass each time it runs a node's rule: `t` is the tensor the node made,
 * `grad` its complete gradient, `inputGrads` what the rule sent to each input. Called before
 * those gradients are summed into anything, while the node can still run its rule again.
 */
export type BackwardObserver = (
  t: Tensor,
  node: Node,
  grad: Tensor,
  inputGrads: readonly (Tensor | SliceGrad | null)[],
) => void;

/**
 * The core walk. Returns the gradient reaching each tensor in `capture` when given; otherwise
 * accumulates into the `.grad` of leaves (and of tensors that asked to retain theirs).
 */
function run(
  op: string,
  roots: readonly Tensor[],
  gradients: readonly (Tensor | undefined)[] | undefined,
  opts: { retainGraph?: boolean; createGraph?: boolean },
  capture: ReadonlySet<Tensor> | null,
  observe: BackwardObserver | null = null,
): Map<Tensor, Tensor> {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const seeds = roots.map((r, i) => seedGradient(r, gradients?.[i], op));
  // The gradient pending for each tensor: the sum of what has reached it so far.
  const grads = new Map<Tensor, Tensor>();
  roots.forEach((r, i) => {
    grads.set(r, sum(grads.get(r), seeds[i]!, null));
  });
  const captured = new Map<Tensor, Tensor>();
  const reuse = createGraph ? null : new BufferReuse(seeds);
  // Rules run with recording on exactly when the pass builds a graph of its own.
  const prevMode = setGradEnabled(createGraph);
  try {
    const order = topoOrder(roots);
    // grad() runs only the rules that lead to its inputs; backward() runs them all.
    const through = capture === null ? null : leadingTo(order, capture);
    for (const t of order) {
      // Every tensor that uses t came earlier, so its gradient is complete.
      let g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (through !== null && !through.has(t) && !capture!.has(t)) {
        // Leads to no input of grad(): PyTorch runs neither its rule nor its hooks.
        reuse?.drop(g);
        continue;
      }
      if (t._hooks !== null) g = runTensorHooks(t, t._hooks, g, reuse);
      if (capture?.has(t)) {
        captured.set(t, g);
        reuse?.keep(g);
      } else if (capture === null && (t.gradFn === null || t.retainsGrad)) {
        accumulate(t, g, reuse);
      }
      const node = t.gradFn;
      if (node !== null && (through === null || through.has(t))) {
        // Without createGraph, what a backward rule makes besides its results is garbage
        // (worth freeing at once when the backend pools buffers of this size).
        const inGrads = reuse?.worthFreeing(g) ? tidy(() => node.apply(g)) : node.apply(g);
        checkAnomaly(node.name, inGrads);
        observe?.(t, node, g, inGrads);
        for (let i = 0; i < node.inputs.length; i++) {
          const input = node.inputs[i]!;
          const gi = inGrads[i];
          if (gi === null || gi === undefined || !input.requiresGrad) continue;
          grads.set(input, sum(grads.get(input), gi, reuse));
        }
        if (!retainGraph) node.release();
      }
      reuse?.drop(g);
    }
  } finally {
    setGradEnabled(prevMode);
  }
  return captured;
}

/** A tensor's pending gradient `prev` plus `g`; while recording, differentiable (slices padded). */
function sum(prev: Tensor | undefined, g: Tensor | SliceGrad, reuse: BufferReuse | null): Tensor {
  if (reuse !== null) return reuse.add(prev, g);
  const whole = isSlice(g) ? gradFactory().pad(g) : g;
  return prev === undefined ? whole : prev.add(whole);
}

/** Adds a tensor's complete gradient into its `.grad`. */
function accumulate(t: Tensor, g: Tensor, reuse: BufferReuse | null): void {
  if (reuse !== null) reuse.accumulate(t, g);
  else t.grad = keep(t.grad === null ? g : t.grad.add(g));
}

/**
 * Backpropagates from `outputs` into the `.grad` of the graph's leaves (what
 * `Tensor.backward` calls).
 *
 * @example
 * ```ts
 * backward([loss]);
 * ```
 */
export function backward(
  outputs: readonly Tensor[],
  gradients?: readonly (Tensor | undefined)[],
  opts: { retainGraph?: boolean; createGraph?: boolean } = {},
): void {
  run('backward', outputs, gradients, opts, null);
}

/**
 * @internal {@link backward} that reports each node it runs to `observe` (what `explain` reads).
 */
export function observedBackward(
  outputs: readonly Tensor[],
  gradients: readonly (Tensor | undefined)[] | undefined,
  opts: { retainGraph?: boolean; createGraph?: boolean },
  observe: BackwardObserver,
): void {
  run('backward', outputs, gradients, opts, null, observe);
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned instead of accumulated into
 * `.grad` (like `torch.autograd.grad`).
 *
 * @example
 * ```ts
 * const x = tensor([3], { requiresGrad: true });
 * const [dy] = grad([x.pow(2).sum()], [x], { createGraph: true }); // 2x = 6
 * const [d2y] = grad([dy!.sum()], [x]); // 2
 * ```
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  for (const t of ins) {
    if (!t.requiresGrad) {
      throw new AutogradError(`grad: input of shape ${formatShape(t.shape)} does not require grad`);
    }
  }
  const captured = run('grad', outs, opts.gradOutputs, opts, new Set(ins));
  return ins.map((t, i) => {
    const g = captured.get(t);
    if (g !== undefined) return g;
    if (opts.allowUnused) return null;
    throw new AutogradError(
      `grad: input ${i} (shape ${formatShape(t.shape)}) was not used to compute the outputs; pass { allowUnused: true }`,
    );
  });
}
