/**
 * Buffer reuse in a backward pass that records no graph. Such a pass makes many gradients
 * nobody outside it can see; it frees each one as soon as it has been passed on (so the rest of
 * the pass reuses its buffer instead of waiting for the garbage collector), adds slice
 * gradients in place into one buffer per input, and hands a gradient over as a leaf's `.grad`
 * without copying it when nothing else can see its storage. A pass that records a graph
 * (`createGraph`) does none of this: every gradient it makes may be used again.
 */
import { isContiguous } from '../layout.js';
import { isKept, keep } from '../memory.js';
import { nextStorageSerial, type StorageRef } from '../storage.js';
import type { Tensor } from '../tensor.js';
import { gradFactory } from './factory.js';
import { isSlice, type SliceGrad } from './node.js';

/**
 * The gradients one backward pass made and nobody else can see, counted by how many pending
 * gradients refer to each. One that is no longer pending and did not become a `.grad` or a
 * result is disposed at once.
 */
export class BufferReuse {
  private readonly counts = new Map<Tensor, number>();
  private readonly kept = new Set<Tensor>();
  /** Storages made from here on were made by this pass. */
  private readonly firstSerial = nextStorageSerial();
  /** Storages already handed out (the seeds, and gradients that became a `.grad`). */
  private readonly given: Set<StorageRef>;

  constructor(seeds: readonly Tensor[]) {
    this.given = new Set(seeds.map((s) => s._ref));
  }

  /** Small buffers the backend leaves to the garbage collector are not worth tracking. */
  worthFreeing(t: Tensor): boolean {
    return t.numel >= (t._ref.backend.memory?.untrackedBelow ?? 0);
  }

  /** `prev + g` for the pending gradient `prev` of one tensor, reusing buffers where it can. */
  add(prev: Tensor | undefined, g: Tensor | SliceGrad): Tensor {
    if (isSlice(g)) return this.addSlice(prev, g);
    this.hold(g);
    if (prev === undefined) return g;
    const sum = prev.add(g);
    this.hold(sum);
    this.drop(prev);
    this.drop(g);
    return sum;
  }

  /**
   * Adds `g` into `t.grad`. A first gradient becomes `t.grad` itself when nothing outside the
   * pass can see its storage: the storage was made during the pass (so only the pass's own
   * intermediates share it), it was not given to another tensor already (`add` hands one
   * gradient to both inputs) nor seen by a hook, and the gradient covers it exactly.
   */
  accumulate(t: Tensor, g: Tensor): void {
    if (t.grad !== null) {
      t.grad.add_(g);
      return;
    }
    const adoptable =
      g._ref.serial >= this.firstSerial &&
      !this.given.has(g._ref) &&
      !this.kept.has(g) &&
      !isKept(g) &&
      coversStorage(g);
    t.grad = keep(adoptable ? g : g.detach().clone());
    this.given.add(g._ref);
    if (adoptable) this.keep(g);
  }

  /** Marks `t` as seen by the caller: never freed by the pass (nor is what `keep()` marked). */
  keep(t: Tensor): void {
    this.kept.add(t);
    this.counts.delete(t);
  }

  /** `t` is no longer pending here; frees it when nothing else in the pass refers to it. */
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

  private hold(t: Tensor): void {
    if (t._ref.serial < this.firstSerial || this.kept.has(t) || !this.worthFreeing(t) || isKept(t)) return;
    this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
  }

  /** Whether `t` can be written in place: held once, by the pass alone, over all its storage. */
  private exclusive(t: Tensor): boolean {
    return this.counts.get(t) === 1 && t._ref.holders === 1 && coversStorage(t);
  }

  /**
   * Adds a slice gradient to the pending gradient `prev` of its input: in place when the pass
   * owns `prev` alone, otherwise into a new zero buffer (plus `prev`).
   */
  private addSlice(prev: Tensor | undefined, s: SliceGrad): Tensor {
    const { grad, dim, start } = s;
    // The slice of `buf` where the gradient goes; the view is disposed at once, so that it
    // does not count as a second holder of buf's storage.
    const into = (buf: Tensor, write: (view: Tensor) => void) => {
      const view = buf.narrow(dim, start, grad.shape[dim]!);
      write(view);
      view.dispose();
    };
    if (prev !== undefined && this.exclusive(prev)) {
      into(prev, (v) => v.add_(grad));
      return prev;
    }
    const buf = gradFactory().full(grad, s.shape, 0);
    into(buf, (v) => v.copy_(grad));
    if (prev !== undefined) {
      buf.add_(prev);
      this.drop(prev);
    }
    this.hold(buf);
    return buf;
  }
}

/** Whether `t` is its whole storage, contiguous, from the first element. */
function coversStorage(t: Tensor): boolean {
  return t.offset === 0 && t._ref.size === t.numel && isContiguous(t.layout);
}
