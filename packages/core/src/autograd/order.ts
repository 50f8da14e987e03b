/**
 * Which tensors a backward pass visits, and in what order: every tensor after all tensors
 * that use it, so that its gradient is complete when the walk reaches it.
 */
import type { Tensor } from '../tensor.js';

/** Tensors reachable from the roots through gradFn inputs, each after every tensor that uses it. */
export function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const post: Tensor[] = [];
  const seen = new Set<Tensor>();
  // A depth-first walk with its own stack: each entry is a tensor and how many of its inputs
  // have been visited. A tensor is done, and joins `post`, once all its inputs are.
  const stack: [Tensor, number][] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push([r, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = top[0].gradFn?.inputs ?? [];
      if (top[1] < inputs.length) {
        const c = inputs[top[1]++]!;
        if (c.requiresGrad && !seen.has(c)) {
          seen.add(c);
          stack.push([c, 0]);
        }
      } else {
        stack.pop();
        post.push(top[0]);
      }
    }
  }
  return post.reverse();
}

/**
 * The tensors of `order` whose backward rule leads to a tensor of `targets` (as PyTorch's
 * `grad()` runs only the part of the graph between the outputs and the inputs asked for, so
 * that the rest of the graph keeps its saved tensors for a later pass).
 */
export function leadingTo(order: readonly Tensor[], targets: ReadonlySet<Tensor>): Set<Tensor> {
  const through = new Set<Tensor>();
  // Walking from the end, every input of a tensor has been decided before the tensor.
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const inputs = t.gradFn?.inputs ?? [];
    for (const c of inputs) {
      if (targets.has(c) || through.has(c)) {
        through.add(t);
        break;
      }
    }
  }
  return through;
}
