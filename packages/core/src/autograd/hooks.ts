/**
 * Tensor hooks: functions a backward pass calls with the gradient it computed for a tensor,
 * before that gradient is used (accumulated into a leaf's `.grad`, returned by `grad()`, or
 * sent on to the inputs of the op that made the tensor). A hook may return a replacement.
 */
import { formatShape, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { BufferReuse } from './buffer-reuse.js';

/** A hook on a tensor's gradient: returns a replacement gradient, or nothing to keep it. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is a void function
export type TensorHook = (grad: Tensor) => Tensor | undefined | void;

/**
 * What registering a hook returns: `remove()` unregisters it (calling it again does nothing).
 *
 * @example
 * ```ts
 * const handle = x.registerHook((g) => g.mul(2));
 * handle.remove();
 * ```
 */
export class RemovableHandle {
  private removeFn: (() => void) | null;

  /** A handle whose first `remove()` calls `removeFn`. */
  constructor(removeFn: () => void) {
    this.removeFn = removeFn;
  }

  /** Unregisters the hook. */
  remove(): void {
    this.removeFn?.();
    this.removeFn = null;
  }
}

/**
 * Appends `fn` to `list` and returns the handle that takes it out again; `onEmpty` runs when
 * the list becomes empty through a removal.
 *
 * @internal Used by `Tensor.registerHook` and the module hooks of `@tsgrad/nn`.
 */
export function addHook<F>(list: { fn: F }[], fn: F, onEmpty?: () => void): RemovableHandle {
  const entry = { fn };
  list.push(entry);
  return new RemovableHandle(() => {
    const i = list.indexOf(entry);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) onEmpty?.();
  });
}

/**
 * Runs the hooks of `t` on its gradient `g`, in registration order, each on the result of
 * the one before. Every gradient a hook sees or returns is the caller's from then on, so the
 * pass never frees it.
 */
export function runTensorHooks(
  t: Tensor,
  hooks: readonly { fn: TensorHook }[],
  g: Tensor,
  reuse: BufferReuse | null,
): Tensor {
  for (const { fn } of hooks.slice()) {
    reuse?.keep(g);
    const r = fn(g);
    if (r === undefined) continue;
    if (r.shape.length !== g.shape.length || r.shape.some((d, i) => d !== g.shape[i])) {
      throw new ShapeError(
        `registerHook: a hook returned a gradient of shape ${formatShape(r.shape)} for a tensor of shape ${formatShape(t.shape)}`,
      );
    }
    g = r;
  }
  reuse?.keep(g);
  return g;
}
