/**
 * The autograd graph: each tensor made by a differentiable op records a node saying which op
 * made it, from which inputs, and the rule that turns the output's gradient into the inputs'.
 */
import { AutogradError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { isGradEnabled, isTracing } from './grad-mode.js';

/**
 * What an op's node says about its call beyond its tensor inputs: dims, scalar operands,
 * index tensors, so an exporter can rebuild the op from the graph. Values are numbers,
 * booleans, number lists or tensors (an index or condition the op reads but does not
 * differentiate).
 */
export interface NodeAttrs {
  readonly [key: string]: number | boolean | string | readonly number[] | Tensor | undefined;
}

const noAttrs: NodeAttrs = Object.freeze({});

/**
 * A gradient that is zero everywhere but one slice: `grad` placed at `start…` along `dim` of
 * a tensor of `shape`. Views that take a slice (narrow, and so split and chunk) return one
 * instead of padding `grad` with zeros themselves. The engine decides what it becomes: added
 * straight into one buffer for the input (so taking T slices of a tensor costs one buffer
 * rather than T), or padded into a differentiable tensor when the pass records a graph
 * (`createGraph`).
 */
export interface SliceGrad {
  readonly kind: 'slice';
  readonly grad: Tensor;
  readonly shape: readonly number[];
  readonly dim: number;
  readonly start: number;
}

/** Whether a rule's result is a slice gradient rather than a whole tensor. */
export function isSlice(g: Tensor | SliceGrad): g is SliceGrad {
  return 'kind' in g;
}

/** Gradients of the inputs (null where an input needs none) from the output's gradient. */
export type BackwardRule = (grad: Tensor) => readonly (Tensor | SliceGrad | null)[];

/**
 * The `gradFn` of a tensor made by a differentiable op.
 *
 * @example
 * ```ts
 * const y = x.exp();
 * y.gradFn?.name; // 'exp'
 * ```
 */
export class Node {
  private rule: BackwardRule | null;
  private saved: readonly Tensor[];
  private readonly versions: number[];

  constructor(
    /** The op's name, used in error messages and anomaly reports. */
    readonly name: string,
    /** The op's tensor inputs, in order; the gradients returned by the rule match them. */
    readonly inputs: readonly Tensor[],
    saved: readonly Tensor[],
    rule: BackwardRule,
    /** The op's non-tensor arguments (see {@link NodeAttrs}); empty for most ops. */
    readonly attrs: NodeAttrs = noAttrs,
  ) {
    this.rule = rule;
    this.saved = saved;
    this.versions = saved.map((t) => t.version);
  }

  /** Runs the backward rule after checking that no saved tensor was modified in place. */
  apply(grad: Tensor): readonly (Tensor | SliceGrad | null)[] {
    if (this.rule === null) {
      throw new AutogradError(
        `backward: trying to backward through the graph a second time (at '${this.name}'); ` +
          'its saved tensors were freed by the first backward() or grad(). Pass { retainGraph: true } ' +
          'to the first call if you need to backward through the graph again.',
      );
    }
    for (let i = 0; i < this.saved.length; i++) {
      const t = this.saved[i]!;
      if (t.version !== this.versions[i]) {
        throw new AutogradError(
          `backward: a tensor of shape ${formatShape(t.shape)} saved by '${this.name}' was modified by an ` +
            `in-place operation (version ${t.version}, expected ${this.versions[i]})`,
        );
      }
    }
    return this.rule(grad);
  }

  /**
   * Drops the rule and saved tensors so their memory can be reclaimed. A node that saved
   * nothing has nothing to free and stays usable, so a later pass may go through it again
   * (as in PyTorch, where only a freed saved tensor stops a second backward).
   */
  release(): void {
    if (this.saved.length === 0) return;
    this.rule = null;
    this.saved = [];
  }
}

/**
 * Records `out` as made by op `name` from `inputs` when gradients are on and an input
 * requires them. `saved` lists the tensors the rule reads, for in-place checks; `attrs` the
 * op's other arguments. While a trace runs (see `traced`), every op records a node, whether
 * or not an input requires grad, so the graph holds the whole forward pass.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  saved: readonly Tensor[],
  rule: BackwardRule,
  attrs?: NodeAttrs,
): Tensor {
  if (isTracing()) {
    out.gradFn = new Node(name, inputs, saved, rule, attrs);
    if (inputs.some((t) => t.requiresGrad)) out._requiresGrad = true;
    return out;
  }
  if (!isGradEnabled()) return out;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i]!.requiresGrad) any = true;
  if (!any) return out;
  out.gradFn = new Node(name, inputs, saved, rule, attrs);
  out._requiresGrad = true;
  return out;
}

const noGradient: BackwardRule = () => [];

/**
 * Records a node for an op that has no gradient (a comparison, an argmax, an integer cast)
 * only while a trace runs, so an exporter sees where its result came from; otherwise returns
 * `out` untouched. Such a node is never differentiated.
 */
export function recordTraceOnly(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  attrs?: NodeAttrs,
): Tensor {
  if (!isTracing()) return out;
  out.gradFn = new Node(name, inputs, [], noGradient, attrs);
  return out;
}
