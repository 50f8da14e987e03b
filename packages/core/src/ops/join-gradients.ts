/**
 * An identity on several tensors whose backward is one step: the gradients of all of them
 * reach one function together. A module's full backward hook is built on it, as PyTorch's
 * `BackwardHook` is built on a multi-output identity function.
 *
 * Each tensor is passed on as an alias (a view of the same storage) that depends on one
 * shared scalar, the joint; the joint depends on the original tensors. A backward pass
 * reaches every alias before the joint, so each alias stores its gradient, and the joint,
 * reached once, hands them all over and sends them (or their replacements) on.
 */
import { isGradEnabled } from '../autograd/grad-mode.js';
import { record } from '../autograd/node.js';
import { formatShape, ShapeError } from '../errors.js';
import { keep } from '../memory.js';
import type { Tensor } from '../tensor.js';
import { scalarLike, viewWith } from './make.js';

/** Called once per backward pass with the gradients of the joined tensors (null where none arrived). */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is a void function
export type JoinedBackward = (grads: (Tensor | null)[]) => readonly (Tensor | null)[] | undefined | void;

/**
 * The same tensors, joined so that a backward pass hands their gradients to `onBackward`
 * at once (null for a tensor that needs no gradient or that no gradient reached). When
 * `onBackward` returns an array, its tensors replace the gradients sent on to `tensors`.
 * Tensors that do not require grad, and every tensor while recording is off, come back as
 * they are.
 *
 * @example
 * ```ts
 * const [a2, b2] = joinGradients([a, b], ([ga, gb]) => [ga!.mul(2), gb]);
 * a2.mul(b2).sum().backward(); // a.grad is 2·b, b.grad is a
 * ```
 */
export function joinGradients(tensors: readonly Tensor[], onBackward: JoinedBackward): Tensor[] {
  const needing = tensors.filter((t) => t.requiresGrad);
  if (!isGradEnabled() || needing.length === 0) return [...tensors];
  const none = (): (Tensor | null)[] => tensors.map(() => null);
  let arrived = none();
  let sent: (Tensor | null)[] = [];
  const joint = record(scalarLike(needing[0]!, 0), 'joinGradients', needing, [], () => sent);
  // A hook on the joint, not its rule, calls onBackward: the pass frees what a rule makes
  // besides its results, but not what a hook makes, so what onBackward makes stays valid.
  joint._hooks = [
    {
      fn: () => {
        const grads = arrived;
        arrived = none();
        sent = checked(tensors, onBackward(grads) ?? grads);
      },
    },
  ];
  return tensors.map((t, i) => {
    if (!t.requiresGrad) return t;
    const alias = record(viewWith(t, t.layout), 'joinGradients', [joint], [], () => [scalarLike(joint, 0)]);
    // A hook rather than the rule stores the gradient: the pass never frees what a hook saw.
    alias._hooks = [
      {
        fn: (g) => {
          arrived[i] = g;
        },
      },
    ];
    return alias;
  });
}

/** The gradients for the tensors that need one, checked against them; kept, as the caller's. */
function checked(tensors: readonly Tensor[], out: readonly (Tensor | null)[]): (Tensor | null)[] {
  if (out.length !== tensors.length) {
    throw new ShapeError(`joinGradients: expected ${tensors.length} gradients back, got ${out.length}`);
  }
  const sent: (Tensor | null)[] = [];
  tensors.forEach((t, i) => {
    if (!t.requiresGrad) return;
    const g = out[i] ?? null;
    if (g !== null && (g.shape.length !== t.shape.length || g.shape.some((d, k) => d !== t.shape[k]))) {
      throw new ShapeError(
        `joinGradients: gradient ${i} has shape ${formatShape(g.shape)}, its tensor ${formatShape(t.shape)}`,
      );
    }
    sent.push(g === null ? null : keep(g));
  });
  return sent;
}
