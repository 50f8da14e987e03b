/**
 * Reverse-mode differentiation: order the graph so every tensor comes after all tensors that
 * use it, then walk that order once, sending each gradient to the inputs of the op that made
 * the tensor and summing what arrives. The walk is iterative, so graphs of any depth work.
 */
import { AutogradError, formatShape, ShapeError } from '../errors.js';
import { isContiguous } from '../layout.js';
import { keep, tidy } from '../memory.js';
import { filled } from '../ops/make.js';
import { nextStorageSerial } from '../storage.js';
import type { Tensor } from '../tensor.js';
import { checkAnomaly } from './anomaly.js';
import { setGradEnabled } from './grad-mode.js';
import type { SliceGrad } from './node.js';

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

/** Tensors reachable from the roots through gradFn inputs, each after every tensor that uses it. */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const post: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: Tensor[] = [];
  const next: number[] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push(r);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const t = stack[top]!;
      const inputs = t.gradFn === null ? [] : t.gradFn.inputs;
      const i = next[top]!;
      if (i < inputs.length) {
        next[top] = i + 1;
        const c = inputs[i]!;
        if (c.requiresGrad && !seen.has(c)) {
          seen.add(c);
          stack.push(c);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        post.push(t);
      }
    }
  }
  return post.reverse();
}

function seedGradient(out: Tensor, g: Tensor | undefined, op: string): Tensor {
  if (g === undefined) {
    if (out.numel !== 1) {
      throw new AutogradError(
        `${op}: a gradient can be implied only for one-element outputs, got shape ${formatShape(out.shape)}; pass one`,
      );
    }
    return filled(out.device, out.shape, 1, out.dtype);
  }
  if (g.shape.length !== out.shape.length || g.shape.some((d, i) => d !== out.shape[i])) {
    throw new ShapeError(
      `${op}: gradient of shape ${formatShape(g.shape)} does not match output ${formatShape(out.shape)}`,
    );
  }
  return g;
}

/**
 * The core walk. Returns the gradient reaching each tensor in `capture` when given; otherwise
 * accumulates into the `.grad` of leaves (and of tensors that asked to retain theirs).
 */
function run(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  retainGraph: boolean,
  createGraph: boolean,
  capture: ReadonlySet<Tensor> | null,
): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>();
  roots.forEach((r, i) => {
    const prev = grads.get(r);
    grads.set(r, prev === undefined ? seeds[i]! : prev.add(seeds[i]!));
  });
  const order = topoOrder(roots);
  const captured = new Map<Tensor, Tensor>();
  const pass: Pass = { firstSerial: nextStorageSerial(), given: new Set(seeds.map((s) => s._ref)) };
  const owned = createGraph ? null : new Owned(pass);
  const prevMode = setGradEnabled(createGraph);
  try {
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (capture !== null) {
        if (capture.has(t)) {
          captured.set(t, g);
          owned?.keep(g);
        }
      } else if (t.gradFn === null || t.retainsGrad) {
        accumulate(t, g, createGraph, pass);
        if (t.grad === g) owned?.keep(g);
      }
      const node = t.gradFn;
      if (node !== null) {
        // Without createGraph, what a backward function makes besides its results is garbage
        // (worth freeing at once when the backend pools buffers of this size).
        const inGrads = owned?.worthFreeing(g) ? tidy(() => node.apply(g)) : node.apply(g);
        checkAnomaly(node.name, inGrads);
        for (let i = 0; i < node.inputs.length; i++) {
          const input = node.inputs[i]!;
          const gi = inGrads[i];
          if (gi === null || gi === undefined || !input.requiresGrad) continue;
          const prev = grads.get(input);
          if ('kind' in gi) {
            grads.set(input, addSlice(prev, gi, owned));
            continue;
          }
          owned?.hold(gi);
          if (prev === undefined) {
            grads.set(input, gi);
          } else {
            const sum = prev.add(gi);
            owned?.hold(sum);
            owned?.drop(prev);
            owned?.drop(gi);
            grads.set(input, sum);
          }
        }
        if (!retainGraph) node.release();
      }
      owned?.drop(g);
    }
  } finally {
    setGradEnabled(prevMode);
  }
  return captured;
}

/**
 * Adds a slice gradient to the pending gradient `prev` of its input: in place when the pass
 * owns `prev` alone, otherwise into a new zero buffer (plus `prev`). Rules return slices only
 * outside createGraph, when `owned` exists.
 */
function addSlice(prev: Tensor | undefined, s: SliceGrad, owned: Owned | null): Tensor {
  const { grad, dim, start } = s;
  // The slice of `buf` where the gradient goes; the view is disposed at once, so that it
  // does not count as a second holder of buf's storage.
  const into = (buf: Tensor, write: (view: Tensor) => void) => {
    const view = buf.narrow(dim, start, grad.shape[dim]!);
    write(view);
    view.dispose();
  };
  if (prev !== undefined && owned?.exclusive(prev)) {
    into(prev, (v) => v.add_(grad));
    return prev;
  }
  const buf = filled(grad.device, s.shape, 0, grad.dtype);
  into(buf, (v) => v.copy_(grad));
  if (prev !== undefined) {
    buf.add_(prev);
    owned?.drop(prev);
  }
  owned?.hold(buf);
  return buf;
}

/**
 * Gradient tensors a backward pass made and nobody else can see, counted by how many
 * pending gradients refer to each. One that is no longer pending and did not become a
 * `.grad` or a result is disposed at once, so its buffer is reused by the rest of the pass
 * instead of waiting for the garbage collector.
 */
class Owned {
  private readonly counts = new Map<Tensor, number>();
  private readonly kept = new Set<Tensor>();
  constructor(private readonly pass: Pass) {}

  /** Small buffers the backend leaves to the garbage collector are not worth tracking. */
  worthFreeing(t: Tensor): boolean {
    return t.numel >= (t._ref.backend.untrackedBelow ?? 0);
  }

  hold(t: Tensor): void {
    if (t._ref.serial < this.pass.firstSerial || this.kept.has(t) || !this.worthFreeing(t)) return;
    this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
  }

  /** Whether `t` can be written in place: held once, by the pass alone, over all its storage. */
  exclusive(t: Tensor): boolean {
    return this.counts.get(t) === 1 && t._ref.holders === 1 && coversStorage(t);
  }

  keep(t: Tensor): void {
    this.kept.add(t);
    this.counts.delete(t);
  }

  drop(t: Tensor): void {
    const n = this.counts.get(t);
    if (n === undefined) return;
    if (n > 1) {
      this.counts.set(t, n - 1);
    } else {
      this.counts.delete(t);
      t.dispose();
    }
  }
}

/**
 * A gradient can become a leaf's `.grad` without a copy when nothing outside this backward pass
 * can see its storage: the storage was made during the pass (so only the pass's own
 * intermediates share it), it was not given to another tensor already (`add` hands one
 * gradient to both inputs), and the gradient covers it exactly.
 */
function adoptable(g: Tensor, pass: Pass): boolean {
  return g._ref.serial >= pass.firstSerial && !pass.given.has(g._ref) && coversStorage(g);
}

/** Whether `t` is its whole storage, contiguous, from the first element. */
function coversStorage(t: Tensor): boolean {
  return t.offset === 0 && t._ref.size === t.numel && isContiguous(t.layout);
}

/** What one backward pass remembers about the storages it hands out. */
interface Pass {
  firstSerial: number;
  given: Set<unknown>;
}

function accumulate(t: Tensor, g: Tensor, createGraph: boolean, pass: Pass): void {
  if (t.grad === null) {
    t.grad = keep(createGraph ? g : adoptable(g, pass) ? g : g.detach().clone());
    pass.given.add(g._ref);
  } else if (createGraph) {
    t.grad = keep(t.grad.add(g));
  } else {
    t.grad.add_(g);
  }
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
  for (const o of outputs) {
    if (!o.requiresGrad) {
      throw new AutogradError(
        `backward: tensor of shape ${formatShape(o.shape)} does not require grad and has no gradFn`,
      );
    }
  }
  const seeds = outputs.map((o, i) => seedGradient(o, gradients?.[i], 'backward'));
  const createGraph = opts.createGraph ?? false;
  run(outputs, seeds, opts.retainGraph ?? createGraph, createGraph, null);
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
  for (const t of [...outs, ...ins]) {
    if (!t.requiresGrad) {
      throw new AutogradError(`grad: tensor of shape ${formatShape(t.shape)} does not require grad`);
    }
  }
  const seeds = outs.map((o, i) => seedGradient(o, opts.gradOutputs?.[i], 'grad'));
  const createGraph = opts.createGraph ?? false;
  const captured = run(outs, seeds, opts.retainGraph ?? createGraph, createGraph, new Set(ins));
  return ins.map((t, i) => {
    const g = captured.get(t);
    if (g !== undefined) return g;
    if (opts.allowUnused) return null;
    throw new AutogradError(
      `grad: input ${i} (shape ${formatShape(t.shape)}) was not used to compute the outputs; pass { allowUnused: true }`,
    );
  });
}
