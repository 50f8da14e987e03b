/**
 * Module hooks: functions that run when a module is called, before and after its forward,
 * and during backward with the gradients of its inputs and outputs (PyTorch's
 * `register_forward_pre_hook`, `register_forward_hook` and `register_full_backward_hook`).
 *
 * tsgrad code calls `model.forward(x)` as often as `model.call(x)`, so the hooks run on
 * both. Registering the first hook on a module puts a `forward` on that instance (not
 * enumerable, so it is no parameter, submodule or state) that runs the hooks around the
 * class's `forward`; removing the last hook takes it away again. A module without hooks is
 * called exactly as before, at no cost, and a subclass's `super.forward(x)` reaches the
 * parent class's method directly, so hooks never run twice for one call.
 */
import {
  isGradEnabled,
  joinGradients,
  RemovableHandle,
  type Tensor,
  Tensor as TensorClass,
} from '@tsgrad/core';
import type { Module } from './module.js';

/**
 * Runs before `forward` with its arguments; returning an array replaces them (any other
 * value replaces them with that one argument).
 */
export type ForwardPreHook<M extends Module = Module> = (module: M, inputs: unknown[]) => unknown;

/** Runs after `forward` with its arguments and result; returning a value replaces the result. */
export type ForwardHook<M extends Module = Module> = (
  module: M,
  inputs: unknown[],
  output: unknown,
) => unknown;

/**
 * Runs once per backward pass through a call of the module, with the gradients of its tensor
 * arguments (`gradInput`, in argument order) and of the tensors it returned (`gradOutput`),
 * null where a tensor has none. Returning an array replaces `gradInput` in what flows on.
 */
export type FullBackwardHook<M extends Module = Module> = (
  module: M,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is a void function
) => readonly (Tensor | null)[] | undefined | void;

type Entry<F> = { fn: F };

interface Hooks {
  pre: Entry<ForwardPreHook>[];
  post: Entry<ForwardHook>[];
  backward: Entry<FullBackwardHook>[];
  /** The instance's own `forward` before the hooks' one was put in place, if it had one. */
  own: PropertyDescriptor | undefined;
}

const hooksOf = new WeakMap<Module, Hooks>();

/** Adds a hook of `kind` to `m`, putting the hook-running `forward` in place with the first. */
export function addModuleHook<K extends 'pre' | 'post' | 'backward'>(
  m: Module,
  kind: K,
  fn: Hooks[K][number]['fn'],
): RemovableHandle {
  let h = hooksOf.get(m);
  if (h === undefined) {
    h = { pre: [], post: [], backward: [], own: Object.getOwnPropertyDescriptor(m, 'forward') };
    hooksOf.set(m, h);
    const inner: (...args: unknown[]) => unknown = m.forward;
    const hooks = h;
    Object.defineProperty(m, 'forward', {
      value: (...args: unknown[]) => callWithHooks(m, hooks, inner, args),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  const list = h[kind] as Entry<typeof fn>[];
  const entry = { fn };
  list.push(entry);
  const hooks = h;
  return new RemovableHandle(() => {
    list.splice(list.indexOf(entry), 1);
    if (hooks.pre.length + hooks.post.length + hooks.backward.length > 0) return;
    hooksOf.delete(m);
    if (hooks.own === undefined) delete (m as { forward?: unknown }).forward;
    else Object.defineProperty(m, 'forward', hooks.own);
  });
}

function callWithHooks(
  m: Module,
  h: Hooks,
  inner: (...args: unknown[]) => unknown,
  args: unknown[],
): unknown {
  for (const { fn } of h.pre.slice()) {
    const r = fn(m, args);
    if (r !== undefined) args = Array.isArray(r) ? r : [r];
  }
  const joined = h.backward.length > 0 && isGradEnabled() ? joinBackward(m, h, args) : null;
  if (joined !== null) args = joined.args;
  let out = inner.apply(m, args);
  for (const { fn } of h.post.slice()) {
    const r = fn(m, args, out);
    if (r !== undefined) out = r;
  }
  return joined === null ? out : joined.wrapOutput(out);
}

/**
 * Joins the module's tensor arguments, and later its tensor results, so that one backward
 * pass through this call hands the full backward hooks all their gradients at once. The
 * results' gradients arrive first (every result depends on the arguments).
 */
function joinBackward(m: Module, h: Hooks, args: unknown[]) {
  const at: number[] = [];
  args.forEach((a, i) => {
    if (a instanceof TensorClass) at.push(i);
  });
  const tensors = at.map((i) => args[i] as Tensor);
  const anyNeedsGrad = tensors.some((t) => t.requiresGrad);
  let gradOutput: (Tensor | null)[] = [];
  const runHooks = (gradInput: (Tensor | null)[]) => {
    for (const { fn } of h.backward.slice()) {
      const r = fn(m, gradInput, gradOutput);
      if (r !== undefined) gradInput = [...r];
    }
    return gradInput;
  };
  const joinedInputs = joinGradients(tensors, runHooks);
  const newArgs = [...args];
  at.forEach((i, k) => {
    newArgs[i] = joinedInputs[k];
  });
  const wrapOutput = (out: unknown): unknown => {
    const found: Tensor[] = [];
    collectTensors(out, found);
    const joined = joinGradients(found, (g) => {
      gradOutput = g;
      // Without an argument that needs a gradient, no later step would run the hooks.
      if (!anyNeedsGrad) runHooks(tensors.map(() => null));
    });
    let k = 0;
    return replaceTensors(out, () => joined[k++]!);
  };
  return { args: newArgs, wrapOutput };
}

/** The tensors of a result: a tensor, or arrays of them (and other values). */
function collectTensors(v: unknown, out: Tensor[]): void {
  if (v instanceof TensorClass) out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectTensors(x, out);
}

/** The same structure with each tensor, in `collectTensors`' order, replaced by `next()`. */
function replaceTensors(v: unknown, next: () => Tensor): unknown {
  if (v instanceof TensorClass) return next();
  if (Array.isArray(v)) return v.map((x) => replaceTensors(x, next));
  return v;
}
