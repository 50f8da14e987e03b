/**
 * `Module`, the base of every layer. Parameters, submodules and buffers are found by
 * scanning the module's own properties in the order they were assigned (class fields in
 * declaration order), which is PyTorch's registration order, so names like `0.weight` or
 * `encoder.layers.1.linear1.bias` come out as PyTorch's.
 */
import {
  type Device,
  type DType,
  formatShape,
  getBackend,
  isDType,
  isFloating,
  noGrad,
  type RemovableHandle,
  ShapeError,
  sameShape,
  type Tensor,
  Tensor as TensorClass,
  ValueError,
} from '@tsgrad/core';
import {
  addModuleHook,
  type ForwardHook,
  type ForwardPreHook,
  type FullBackwardHook,
} from './module-hooks.js';
import { Parameter } from './parameter.js';

/** What {@link Module.loadStateDict} reports. */
export interface LoadResult {
  /** Keys the module has but the dict lacks. */
  missingKeys: string[];
  /** Keys the dict has but the module lacks. */
  unexpectedKeys: string[];
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw on missing or unexpected keys (default true). Shape mismatches always throw. */
  strict?: boolean;
}

const SKIP = new Set(['training', '_bufferNames', '_nonPersistent']);

/**
 * Base class of layers and models. Subclasses assign parameters and submodules to
 * properties in their constructor and implement `forward`.
 *
 * @example
 * ```ts
 * class TwoLayer extends Module {
 *   fc1 = new Linear(4, 8);
 *   fc2 = new Linear(8, 1);
 *   override forward(x: Tensor): Tensor {
 *     return this.fc2.forward(this.fc1.forward(x).relu());
 *   }
 * }
 * const m = new TwoLayer();
 * [...m.namedParameters()].map(([n]) => n); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 * ```
 */
export class Module {
  /** True in training mode (the default), false after `eval()`. */
  training = true;
  /** @internal Names of registered buffers, in registration order. */
  _bufferNames: string[] = [];
  /** @internal Buffers left out of `stateDict()`. */
  _nonPersistent: Set<string> = new Set();

  /**
   * The computation; subclasses override it.
   *
   * @param _args - the layer's inputs: each layer's `forward` gives their shapes, e.g.
   *   [N, inFeatures] for a {@link Linear}
   * @returns the layer's output, e.g. [N, outFeatures] for a {@link Linear}
   */
  forward(..._args: any[]): any {
    throw new ValueError(`${this.constructor.name}.forward: not implemented`);
  }

  /**
   * Runs `forward` (PyTorch's `module(x)`).
   *
   * @example
   * ```ts
   * const y = new Linear(3, 2).call(randn([5, 3]));
   * ```
   */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return this.forward(...args);
  }

  /**
   * Registers a hook that runs before every call of this module (through `forward` or
   * `call`) with the arguments; returning an array replaces them. Hooks run in registration
   * order. Registering the first hook gives the instance a `forward` that runs the hooks
   * around the class's own; a module without hooks runs as before.
   *
   * @example
   * ```ts
   * const handle = layer.registerForwardPreHook((_m, [x]) => [(x as Tensor).mul(2)]);
   * layer.forward(x); // runs on 2x
   * handle.remove();
   * ```
   */
  registerForwardPreHook(fn: ForwardPreHook<this>): RemovableHandle {
    return addModuleHook(this, 'pre', fn as ForwardPreHook);
  }

  /**
   * Registers a hook that runs after every call of this module with its arguments and
   * result; returning a value replaces the result. Hooks run in registration order.
   *
   * @example
   * ```ts
   * const acts: Tensor[] = [];
   * const handle = model.fc1.registerForwardHook((_m, _inputs, out) => {
   *   acts.push((out as Tensor).detach());
   * });
   * ```
   */
  registerForwardHook(fn: ForwardHook<this>): RemovableHandle {
    return addModuleHook(this, 'post', fn as ForwardHook);
  }

  /**
   * Registers a hook that runs once per backward pass through each call of this module,
   * with the gradients of its tensor arguments (`gradInput`) and of the tensors it returned
   * (`gradOutput`), null where there is none; returning an array replaces `gradInput` in
   * what flows back to the arguments. Hooks run in registration order, each seeing the
   * `gradInput` the one before returned.
   *
   * @example
   * ```ts
   * layer.registerFullBackwardHook((_m, gradInput, gradOutput) => {
   *   console.log(gradOutput[0]?.shape);
   *   return gradInput.map((g) => (g === null ? null : g.clamp(-1, 1))); // clip what flows back
   * });
   * ```
   */
  registerFullBackwardHook(fn: FullBackwardHook<this>): RemovableHandle {
    return addModuleHook(this, 'backward', fn as FullBackwardHook);
  }

  /**
   * Registers (or replaces) a parameter under `name`; the same as assigning the property.
   *
   * @example
   * ```ts
   * m.registerParameter('scale', new Parameter(ones([1])));
   * ```
   */
  registerParameter(name: string, param: Parameter | null): void {
    checkName(name, this);
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /**
   * Registers a submodule under `name`; the same as assigning the property.
   *
   * @example
   * ```ts
   * m.registerModule('head', new Linear(8, 2));
   * ```
   */
  registerModule(name: string, module: Module | null): void {
    checkName(name, this);
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  /**
   * Registers a tensor that is state but not a parameter (running statistics, masks).
   * Buffers move with `to()` and appear in `stateDict()` unless `persistent` is false.
   *
   * @example
   * ```ts
   * m.registerBuffer('running_mean', zeros([16]));
   * ```
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    checkName(name, this);
    if (tensor instanceof Parameter) {
      throw new ValueError(`registerBuffer: '${name}' is a Parameter; use registerParameter`);
    }
    if (!this._bufferNames.includes(name)) this._bufferNames.push(name);
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  /** Own properties in assignment order, with their values. */
  private ownEntries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const k of Object.keys(this)) {
      if (!SKIP.has(k)) out.push([k, (this as unknown as Record<string, unknown>)[k]]);
    }
    return out;
  }

  /**
   * Direct submodules with their property names.
   *
   * @example
   * ```ts
   * for (const [name, child] of model.namedChildren()) console.log(name);
   * ```
   */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) yield [k, v];
  }

  /** Direct submodules. @example `[...model.children()].length` */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /**
   * This module and all below it, depth first, with dotted names ('' for this one).
   * Each module appears once even if shared.
   *
   * @example
   * ```ts
   * [...model.namedModules()].map(([n]) => n); // ['', '0', '1', ...]
   * ```
   */
  *namedModules(prefix = '', seen: Set<Module> = new Set()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k, seen);
  }

  /** This module and all below it. @example `[...model.modules()].length` */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Own parameters (not submodules'), in registration order. */
  private *ownParameters(): Generator<[string, Parameter]> {
    for (const [k, v] of this.ownEntries()) if (v instanceof Parameter) yield [k, v];
  }

  /** Own buffers (not submodules'), in registration order. */
  private *ownBuffers(): Generator<[string, Tensor]> {
    const self = this as unknown as Record<string, unknown>;
    for (const k of this._bufferNames) {
      const v = self[k];
      if (v instanceof TensorClass) yield [k, v];
    }
  }

  /**
   * Parameters with PyTorch's dotted names (`0.weight`, `layers.1.linear1.bias`); a parameter
   * shared by two modules appears once.
   *
   * @example
   * ```ts
   * for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   * ```
   */
  *namedParameters(): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [prefix ? `${prefix}.${k}` : k, p];
      }
    }
  }

  /**
   * All parameters, for an optimizer.
   *
   * @example
   * ```ts
   * const opt = new SGD(model.parameters(), { lr: 0.1 });
   * ```
   */
  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Buffers with dotted names. @example `[...bn.namedBuffers()]` */
  *namedBuffers(): Generator<[string, Tensor]> {
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, b] of m.ownBuffers()) yield [prefix ? `${prefix}.${k}` : k, b];
    }
  }

  /** All buffers. @example `model.buffers().length` */
  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }

  /**
   * Sets training mode on this module and all below it.
   *
   * @example
   * ```ts
   * model.train(); // dropout active, batch norm uses batch statistics
   * ```
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. @example `model.eval()` */
  eval(): this {
    return this.train(false);
  }

  /**
   * Calls `fn` on every submodule (children first) and then on this module.
   *
   * @example
   * ```ts
   * model.apply((m) => { if (m instanceof Linear) init.zeros_(m.bias!); });
   * ```
   */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Moves parameters and buffers to a device, or casts floating ones to a dtype (a dtype's
   * name is a dtype; any other name must be a registered device). Parameters stay the same
   * objects, so an optimizer made before still updates them.
   *
   * @example
   * ```ts
   * const model = new Linear(3, 2).to('float64');
   * ```
   */
  to(target: Device | DType): this {
    const isDevice = !isDType(target);
    if (isDevice) getBackend(target, 'Module.to');
    const convert = (t: Tensor): Tensor => {
      if (isDevice) return t.to(target);
      return isFloating(t.dtype) ? t.to(target) : t;
    };
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.ownParameters()) {
          const moved = convert(p.detach());
          p._setData(moved);
          moved.dispose(); // p.detach() made a new tensor, so moved is never p
        }
        const self = m as unknown as Record<string, unknown>;
        for (const [k, b] of m.ownBuffers()) self[k] = convert(b);
      }
    });
    return this;
  }

  /**
   * Clears the gradients of all parameters (sets them to null, as PyTorch does by default).
   *
   * @example
   * ```ts
   * model.zeroGrad();
   * ```
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }

  /**
   * Parameters and persistent buffers by PyTorch's keys. The tensors share storage with
   * the module (detached from the graph).
   *
   * @example
   * ```ts
   * const sd = model.stateDict(); // { '0.weight': Tensor, '0.bias': Tensor, ... }
   * ```
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      const pre = prefix ? `${prefix}.` : '';
      for (const [k, p] of m.ownParameters()) out[pre + k] = p.detach();
      for (const [k, b] of m.ownBuffers()) if (!m._nonPersistent.has(k)) out[pre + k] = b.detach();
    }
    return out;
  }

  /**
   * Copies tensors from `dict` into the parameters and buffers with the same keys.
   * Shapes must match; with `strict` (the default) missing or unexpected keys throw.
   *
   * @example
   * ```ts
   * model.loadStateDict(await safetensors.load('model.safetensors'));
   * ```
   */
  loadStateDict(dict: Record<string, Tensor>, opts: LoadStateDictOptions = {}): LoadResult {
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict) || dict instanceof Map) {
      throw new ValueError(
        `loadStateDict: expected an object of tensors by name, got ${dict === null ? 'null' : Array.isArray(dict) ? 'an array' : dict instanceof Map ? 'a Map (pass Object.fromEntries(map))' : typeof dict}`,
      );
    }
    for (const [k, v] of Object.entries(dict)) {
      if (!(v instanceof TensorClass)) {
        const got = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
        throw new ValueError(`loadStateDict: '${k}' is ${got}, not a Tensor`);
      }
    }
    const strict = opts.strict ?? true;
    const targets = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      const pre = prefix ? `${prefix}.` : '';
      for (const [k, p] of m.ownParameters()) targets.set(pre + k, p);
      for (const [k, b] of m.ownBuffers()) if (!m._nonPersistent.has(k)) targets.set(pre + k, b);
    }
    const missingKeys = [...targets.keys()].filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !targets.has(k));
    const mismatched: string[] = [];
    for (const [k, t] of targets) {
      const src = dict[k];
      if (src === undefined) continue;
      if (!sameShape(src.shape, t.shape)) {
        mismatched.push(
          `'${k}': checkpoint has ${formatShape(src.shape)}, model has ${formatShape(t.shape)}`,
        );
      }
    }
    if (mismatched.length > 0) {
      throw new ShapeError(`loadStateDict: size mismatch for ${mismatched.join('; ')}`);
    }
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
      if (unexpectedKeys.length)
        parts.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
      throw new ValueError(`loadStateDict: ${parts.join('; ')}`);
    }
    noGrad(() => {
      for (const [k, t] of targets) {
        const src = dict[k];
        if (src === undefined) continue;
        t.copy_(src.to(t.device)); // to() returns src itself on its own device
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The constructor arguments shown by `toString()`, e.g. `inFeatures=3, outFeatures=2`. */
  extraRepr(): string {
    return '';
  }

  /**
   * A printout like PyTorch's:
   * ```
   * Sequential(
   *   (0): Linear(inFeatures=6, outFeatures=16, bias=true)
   *   (1): GELU(approximate='none')
   * )
   * ```
   * @example
   * ```ts
   * console.log(model.toString());
   * ```
   */
  toString(): string {
    const name = this.constructor.name;
    const lines: string[] = [];
    const extra = this.extraRepr();
    if (extra) lines.push(...extra.split('\n'));
    for (const [k, m] of this.namedChildren()) {
      const sub = m.toString().split('\n');
      lines.push(`(${k}): ${sub[0]}`, ...sub.slice(1));
    }
    if (lines.length === 0) return `${name}()`;
    if (lines.length === 1 && this.namedChildren().next().done) return `${name}(${lines[0]})`;
    return `${name}(\n${lines.map((l) => `  ${l}`).join('\n')}\n)`;
  }
}

function checkName(name: string, m: Module): void {
  if (name === '' || name.includes('.')) {
    throw new ValueError(`${m.constructor.name}: invalid name '${name}' (non-empty, no dots)`);
  }
  if (SKIP.has(name)) throw new ValueError(`${m.constructor.name}: '${name}' is reserved`);
}

/**
 * A deep copy of a module: new parameters and buffers holding copies of the data, the same
 * structure and settings (PyTorch's `copy.deepcopy(module)`).
 *
 * @example
 * ```ts
 * const layer2 = cloneModule(layer1); // same weights, independent storage
 * ```
 */
export function cloneModule<M extends Module>(m: M): M {
  const map = new Map<unknown, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (map.has(v)) return map.get(v);
    if (v instanceof Parameter) {
      const p = new Parameter(
        noGrad(() => v.detach().clone()),
        v.requiresGrad,
      );
      map.set(v, p);
      return p;
    }
    if (v instanceof TensorClass) {
      const t = noGrad(() => v.detach().clone());
      map.set(v, t);
      return t;
    }
    if (v instanceof Module) {
      const out = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
      map.set(v, out);
      for (const k of Object.keys(v)) out[k] = copy((v as unknown as Record<string, unknown>)[k]);
      return out;
    }
    if (Array.isArray(v)) return v.map(copy);
    if (v instanceof Set) return new Set([...v].map(copy));
    if (v instanceof Map) return new Map([...v].map(([a, b]) => [a, copy(b)]));
    if (Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = copy(x);
      return out;
    }
    return v;
  };
  return copy(m) as M;
}
