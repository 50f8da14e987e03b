/**
 * `toDot` and `toMermaid`: the recorded graph from a tensor (or a scalar `Value`) back to its
 * leaves, as text that Graphviz or Mermaid draws.
 */
import { formatShape } from '../errors.js';
import { formatShort, formatShortList } from '../format.js';
import { Value } from '../scalar/value.js';
import type { Tensor } from '../tensor.js';
import { type DrawnGraph, type DrawnNode, writeDot, writeMermaid } from './text.js';

/** Options of {@link toDot} and {@link toMermaid}. */
export interface DrawOptions {
  /**
   * Also show each `.grad`: its numbers for tensors of at most four elements (and for
   * Values), its shape otherwise.
   */
  grads?: boolean;
  /**
   * Names for tensors of the graph (an object such as `{ w, b }`, or name–tensor pairs such as
   * a module's `namedParameters()`). A Value shows its own `label`.
   */
  names?: Record<string, Tensor> | Iterable<readonly [string, Tensor]>;
}

/**
 * The graph that computed `root`, back to its leaves, as Graphviz DOT: one node per tensor —
 * an ellipse for each op's result (op, shape, dtype), a filled box for each leaf that requires
 * grad (a parameter, by name when `names` gives one), a dashed box for each leaf that does
 * not — and an edge from each input to the op it feeds. Works on a scalar
 * {@link Value} too. Render with `dot -Tsvg`.
 *
 * @example
 * ```ts
 * const w = tensor([0.5, -1], { requiresGrad: true });
 * const loss = w.mul(tensor([1, 2])).sum();
 * loss.backward();
 * const dot = toDot(loss, { grads: true, names: { w } });
 * // digraph autograd { … n0 [label="w\nparameter\n[2] float32\ngrad [1, 2]", …]; … n0 -> n2; … }
 * ```
 */
export function toDot(root: Tensor | Value, opts: DrawOptions = {}): string {
  return writeDot(drawn(root, opts));
}

/**
 * The same drawing as {@link toDot}, as a Mermaid `flowchart` (GitHub and many Markdown
 * viewers render a ```mermaid block).
 *
 * @example
 * ```ts
 * const x = tensor([1, 2], { requiresGrad: true });
 * const text = toMermaid(x.exp().sum());
 * // flowchart LR
 * //   n0["leaf1<br/>parameter<br/>[2] float32"]:::parameter
 * //   n1(["exp<br/>[2] float32"]):::op …
 * ```
 */
export function toMermaid(root: Tensor | Value, opts: DrawOptions = {}): string {
  return writeMermaid(drawn(root, opts));
}

function drawn(root: Tensor | Value, opts: DrawOptions): DrawnGraph {
  return root instanceof Value ? valueGraph(root, opts) : tensorGraph(root, opts);
}

/**
 * The nodes reachable from `root` through `inputsOf`, each after all of its inputs (an
 * iterative depth-first walk, so long graphs do not overflow the stack).
 */
function forwardOrder<T>(root: T, inputsOf: (t: T) => readonly T[]): T[] {
  const order: T[] = [];
  const seen = new Set<T>([root]);
  const stack: [T, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = inputsOf(top[0]);
    if (top[1] < inputs.length) {
      const c = inputs[top[1]++]!;
      if (!seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order;
}

/** Nodes and edges for a walk in forward order, ids n0, n1, … in that order. */
function graphOf<T>(
  order: readonly T[],
  inputsOf: (t: T) => readonly T[],
  node: (t: T) => Omit<DrawnNode, 'id'>,
): DrawnGraph {
  const ids = new Map(order.map((t, i) => [t, `n${i}`]));
  return {
    nodes: order.map((t) => ({ id: ids.get(t)!, ...node(t) })),
    edges: order.flatMap((t) => inputsOf(t).map((x) => [ids.get(x)!, ids.get(t)!] as const)),
  };
}

function tensorGraph(root: Tensor, opts: DrawOptions): DrawnGraph {
  const names = new Map<Tensor, string>();
  const given = opts.names ?? [];
  const pairs = Symbol.iterator in given ? given : Object.entries(given);
  for (const [name, t] of pairs as Iterable<readonly [string, Tensor]>) names.set(t, name);
  const inputsOf = (t: Tensor) => t.gradFn?.inputs ?? [];
  const order = forwardOrder(root, inputsOf);
  let leaves = 0;
  let constants = 0;
  return graphOf(order, inputsOf, (t) => {
    const node = t.gradFn;
    const name = names.get(t);
    const lines: string[] = [];
    if (node !== null) {
      const scalar = node.attrs.scalar;
      const op = typeof scalar === 'number' ? `${node.name} ${formatShort(scalar)}` : node.name;
      lines.push(name === undefined ? op : `${name} = ${op}`);
    } else if (t.requiresGrad) lines.push(name ?? `leaf${++leaves}`, 'parameter');
    else lines.push(name ?? `const${++constants}`);
    lines.push(`${formatShape(t.shape)} ${t.dtype}`);
    if (opts.grads && t.grad !== null) lines.push(`grad ${gradText(t.grad)}`);
    return { lines, kind: node !== null ? 'op' : t.requiresGrad ? 'parameter' : 'constant' };
  });
}

function gradText(g: Tensor): string {
  if (g.numel > 4 || g._ref.backend.readSync === undefined) return formatShape(g.shape);
  const values = Array.from(g.dataSync(), Number);
  if (g.numel > 1) return formatShortList(values, g.shape);
  return g.ndim === 0 ? formatShort(values[0]!) : `[${formatShort(values[0]!)}]`;
}

function valueGraph(root: Value, opts: DrawOptions): DrawnGraph {
  const inputsOf = (v: Value) => v.inputs;
  return graphOf(forwardOrder(root, inputsOf), inputsOf, (v) => {
    const title = v.op === '' ? v.label || 'value' : v.label === '' ? v.op : `${v.label} = ${v.op}`;
    const lines = [title, `data ${formatShort(v.data)}`];
    if (opts.grads) lines.push(`grad ${formatShort(v.grad)}`);
    return { lines, kind: v.op === '' ? 'parameter' : 'op' };
  });
}
