/**
 * A backward pass that says what it does: at each node, in the order the pass visits them,
 * the op, the gradient arriving from above, each input's local derivative (in words from
 * `local-derivatives.ts`, in numbers for small tensors) and the chain-rule product sent on.
 */
import type { DType } from '../dtype.js';
import { formatShape } from '../errors.js';
import { formatShortList } from '../format.js';
import { sameShape } from '../layout.js';
import { tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';
import { observedBackward } from './engine.js';
import { gradFactory } from './factory.js';
import { noGrad } from './grad-mode.js';
import { describeLocalDerivative, localDerivatives, withoutLocalDerivative } from './local-derivatives.js';
import { isSlice, type Node, type SliceGrad } from './node.js';
import { topoOrder } from './order.js';

/** Options of {@link explain}. */
export interface ExplainOptions {
  /**
   * Names for the tensors of the graph, shown instead of the generated ones: an object
   * (`{ w, b, loss }`) or name–tensor pairs (a module's `namedParameters()`).
   */
  names?: Record<string, Tensor> | Iterable<readonly [string, Tensor]>;
  /** Tensors with at most this many elements are shown with their numbers (default 4). */
  maxValues?: number;
  /** The gradient to start from (default: 1 for a one-element tensor). */
  gradient?: Tensor;
  /** Keep the graph's saved tensors so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Shape and, for small tensors on a device read synchronously (the CPU), the numbers. */
export interface ExplainedValues {
  readonly shape: readonly number[];
  /** The elements in row-major order; absent for tensors over `maxValues` elements. */
  readonly values?: readonly number[];
}

/** A tensor of the graph as {@link explain} shows it. */
export interface ExplainedTensor extends ExplainedValues {
  /**
   * Its name in `names`; otherwise `t<k>` for the output of step k, `leaf<k>` for a leaf that
   * requires grad, `const<k>` for a tensor that does not.
   */
  readonly name: string;
  readonly dtype: DType;
  readonly requiresGrad: boolean;
  /** True when no op of the graph made it (a parameter or an input). */
  readonly isLeaf: boolean;
}

/** One input of a step: what the chain rule sends to it. */
export interface ExplainedInput {
  readonly tensor: ExplainedTensor;
  /** The op's local derivative with respect to this input, in words and symbols. */
  readonly derivative: string;
  /**
   * The local derivative in numbers, shaped like the input: ∂output/∂input when the output
   * has one element, ∂outputᵢ/∂inputᵢ for an elementwise op on an input of the output's shape.
   */
  readonly local?: readonly number[];
  /**
   * The gradient this step sends to the input: the upstream gradient times the local
   * derivative. Null when the input does not require grad.
   */
  readonly grad: ExplainedValues | null;
}

/** One node of the backward pass. */
export interface ExplainStep {
  /** 1 for the first node the pass visits (the one that made the root). */
  readonly step: number;
  /** The op that made the output (the node's name). */
  readonly op: string;
  /** The tensor the op made, with its forward values. */
  readonly output: ExplainedTensor;
  /** dL/d(output): the gradient that reached the output from above, complete. */
  readonly upstream: ExplainedValues;
  /** Whether the local derivative is one number per element (see the table's `elementwise`). */
  readonly elementwise: boolean;
  readonly inputs: readonly ExplainedInput[];
}

/** A leaf that requires grad, with its `.grad` after the pass. */
export interface ExplainedLeaf {
  readonly tensor: ExplainedTensor;
  readonly grad: ExplainedValues | null;
}

/**
 * What {@link explain} returns: the steps in the order backward ran them, the leaves' `.grad`,
 * and `toString()`, a table with one row per input of each step.
 */
export interface Explanation extends ReadonlyArray<ExplainStep> {
  /** Every leaf that requires grad, with its `.grad` after the pass. */
  readonly leaves: readonly ExplainedLeaf[];
  /** The steps as a readable table, then the leaves' gradients. */
  toString(): string;
}

/**
 * Runs `root.backward()` — accumulating into `.grad` as backward does — and reports each node
 * in the order the pass visits it: the op, the shapes, the local derivative of each input as a
 * formula, and the chain-rule product (upstream gradient × local derivative = the gradient
 * passed to the input), with the numbers of tensors of at most `maxValues` elements.
 * `root.backward({ explain: true })` prints the same report.
 *
 * @example
 * ```ts
 * const x = tensor(0.5, { requiresGrad: true });
 * const y = x.mul(2).tanh();
 * const report = explain(y, { names: { x, y } });
 * report[0]!.inputs[0]!.derivative; // 'd/dx tanh(x) = 1 − tanh²(x)'
 * report[0]!.inputs[0]!.local; // [0.42] (1 − tanh²(1))
 * console.log(report.toString());
 * ```
 */
export function explain(root: Tensor, opts: ExplainOptions = {}): Explanation {
  const maxValues = opts.maxValues ?? 4;
  const label = labeller(root, opts.names);
  const show = (t: Tensor): ExplainedTensor => ({
    name: label(t),
    dtype: t.dtype,
    requiresGrad: t.requiresGrad,
    isLeaf: t.gradFn === null,
    ...valuesOf(t, maxValues),
  });
  const steps: ExplainStep[] = [];
  observedBackward(
    [root],
    opts.gradient === undefined ? undefined : [opts.gradient],
    { retainGraph: opts.retainGraph, createGraph: opts.createGraph },
    (t, node, g, inputGrads) => {
      const locals = localNumbers(t, node, g, maxValues);
      const scalar = node.attrs.scalar !== undefined;
      steps.push({
        step: steps.length + 1,
        op: node.name,
        output: show(t),
        upstream: valuesOf(g, maxValues),
        elementwise: localDerivatives[node.name]?.elementwise ?? false,
        inputs: node.inputs.map((input, i) => {
          const gi = inputGrads[i];
          const local = locals[i];
          return {
            tensor: show(input),
            derivative: describeLocalDerivative(node.name, i, scalar),
            ...(local === undefined ? {} : { local }),
            grad: gi === null || gi === undefined || !input.requiresGrad ? null : valuesOf(gi, maxValues),
          };
        }),
      });
    },
  );
  const leaves = topoOrder([root])
    .filter((t) => t.gradFn === null)
    .map((t) => ({ tensor: show(t), grad: t.grad === null ? null : valuesOf(t.grad, maxValues) }));
  return Object.defineProperties(steps, {
    leaves: { value: leaves },
    toString: { value: () => table(steps, leaves) },
  }) as unknown as Explanation;
}

/** Names for the graph's tensors: the given ones, then `t<k>`, `leaf<k>`, `const<k>`. */
function labeller(root: Tensor, given: ExplainOptions['names']): (t: Tensor) => string {
  const names = new Map<Tensor, string>();
  const pairs = given === undefined ? [] : Symbol.iterator in given ? given : Object.entries(given);
  for (const [name, t] of pairs as Iterable<readonly [string, Tensor]>) names.set(t, name);
  // Numbered in the order the pass visits them, so t<k> is the output of step k.
  let steps = 0;
  let leaves = 0;
  for (const t of topoOrder([root])) {
    if (t.gradFn !== null) steps++;
    else leaves++;
    if (!names.has(t)) names.set(t, t.gradFn !== null ? `t${steps}` : `leaf${leaves}`);
  }
  let constants = 0;
  return (t) => {
    let name = names.get(t);
    if (name === undefined) {
      name = `const${++constants}`;
      names.set(t, name);
    }
    return name;
  };
}

function valuesOf(t: Tensor | SliceGrad, maxValues: number): ExplainedValues {
  if (isSlice(t)) {
    if (numel(t.shape) > maxValues || !readable(t.grad)) return { shape: [...t.shape] };
    return noGrad(() => tidy(() => valuesOf(gradFactory().pad(t), maxValues)));
  }
  const shape = [...t.shape];
  if (t.numel > maxValues || !readable(t)) return { shape };
  return { shape, values: Array.from(t.dataSync(), Number) };
}

const readable = (t: Tensor) => t._ref.backend.readSync !== undefined;
const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The local derivative of each input in numbers, where it is one number per input element:
 * the node's rule run once more on a gradient of ones (a vector–Jacobian product with ones is
 * the Jacobian itself for a one-element output, and its diagonal for an elementwise op).
 */
function localNumbers(out: Tensor, node: Node, g: Tensor, maxValues: number): (number[] | undefined)[] {
  const elementwise = localDerivatives[node.name]?.elementwise ?? false;
  // An op without a formula may not have a local derivative at all (joinGradients hands on
  // whatever its callback chose), so its rule is not run again.
  if (withoutLocalDerivative.has(node.name)) return node.inputs.map(() => undefined);
  const wanted = node.inputs.map(
    (x) =>
      x.requiresGrad &&
      x.numel <= maxValues &&
      readable(x) &&
      (out.numel === 1 || (elementwise && sameShape(x.shape, out.shape))),
  );
  if (!wanted.some((w) => w)) return wanted.map(() => undefined);
  return noGrad(() =>
    tidy(() => {
      const ones = gradFactory().full(g, out.shape, 1);
      const jac = node.apply(ones);
      return wanted.map((w, i) => {
        const d = jac[i];
        if (!w || d === null || d === undefined) return undefined;
        return valuesOf(d, maxValues).values?.slice();
      });
    }),
  );
}

/** The report as text: a table with one row per input of each step, then the leaves. */
function table(steps: readonly ExplainStep[], leaves: readonly ExplainedLeaf[]): string {
  const head = [
    'step',
    'op',
    'output',
    'dL/d(output)',
    'input',
    'local derivative',
    'dL/d(input) = dL/d(output) × local',
  ];
  const rows: string[][] = [];
  for (const s of steps) {
    s.inputs.forEach((input, i) => {
      const first = i === 0;
      rows.push([
        first ? String(s.step) : '',
        first ? s.op : '',
        first ? tensorCell(s.output) : '',
        first ? numbersCell(s.upstream) : '',
        `${input.tensor.name} ${formatShape(input.tensor.shape)}`,
        input.derivative,
        productCell(s, input),
      ]);
    });
  }
  const widths = head.map((h, c) => rows.reduce((w, r) => Math.max(w, r[c]!.length), h.length));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (leaves.length > 0) {
    out.push('', 'leaf gradients (.grad after the pass):');
    for (const l of leaves) {
      out.push(
        `  ${l.tensor.name} ${formatShape(l.tensor.shape)}: ${l.grad === null ? 'none' : numbersCell(l.grad)}`,
      );
    }
  }
  return out.join('\n');
}

function tensorCell(t: ExplainedTensor): string {
  const shape = t.shape.length === 0 ? '' : ` ${formatShape(t.shape)}`;
  return t.values === undefined
    ? `${t.name}${shape}`
    : `${t.name}${shape} = ${formatShortList(t.values, t.shape)}`;
}

function numbersCell(v: ExplainedValues): string {
  return v.values === undefined ? `shape ${formatShape(v.shape)}` : formatShortList(v.values, v.shape);
}

function productCell(s: ExplainStep, input: ExplainedInput): string {
  if (input.grad === null) return input.tensor.requiresGrad ? 'none' : 'none (does not require grad)';
  const up = s.upstream.values;
  if (up !== undefined && input.local !== undefined && input.grad.values !== undefined) {
    const times = up.length === 1 ? '×' : '⊙';
    const shape = input.tensor.shape;
    return `${formatShortList(up, s.upstream.shape)} ${times} ${formatShortList(input.local, shape)} = ${formatShortList(input.grad.values, input.grad.shape)}`;
  }
  return numbersCell(input.grad);
}
