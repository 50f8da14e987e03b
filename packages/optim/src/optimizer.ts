/**
 * The optimizer base: parameter groups with their own options, per-parameter state, and a
 * state dict in PyTorch's layout. Subclasses implement the update of one group; the base runs
 * it without recording a graph and frees the update's temporaries.
 */
import {
  dispose,
  enableGrad,
  formatShape,
  isKept,
  keep,
  noGrad,
  ShapeError,
  sameShape,
  Tensor,
  tidy,
  ValueError,
} from '@tsgrad/core';
import { copyPlain } from './copy-plain.js';
import { toCamelCase, toSnakeCase } from './state-dict-keys.js';

/** Options every optimizer has. */
export interface OptimizerOptions {
  /** Learning rate. */
  lr: number;
}

/**
 * A parameter group: its parameters and its own copy of every option. Options are writable,
 * which is how schedulers change `lr`; schedulers also store their bookkeeping here
 * (`initialLr`, …), as PyTorch does.
 */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = O & {
  params: Tensor[];
  [extra: string]: unknown;
};

/** A parameter group as passed to a constructor: parameters plus options that override the defaults. */
export type ParamGroupInput<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & {
  params: Tensor | Tensor[];
};

/** What an optimizer's constructor takes: a list of parameters, or a list of parameter groups. */
export type Params<O extends OptimizerOptions = OptimizerOptions> = Tensor[] | ParamGroupInput<O>[];

/** One value of a parameter's optimizer state. */
export type StateValue = Tensor | number | Tensor[] | number[];

/** One parameter's optimizer state (moment estimates, step count …). */
export type ParamState = Record<string, StateValue>;

/**
 * A snapshot of an optimizer, laid out as PyTorch's `state_dict()`: `state` keyed by the
 * parameter's index (counting through the groups in order), and `param_groups` with each
 * group's options and `params` as lists of those indices. Keys are PyTorch's snake_case names
 * (`exp_avg`, `momentum_buffer`, `weight_decay`, `initial_lr` …), not tsgrad's camelCase
 * option names. Unlike PyTorch, scalar state (`step`, ASGD's `eta` …) is a plain number
 * rather than a 0-d tensor; {@link Optimizer.loadStateDict} accepts either.
 */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by parameter index. */
  state: Record<number, ParamState>;
  /** Each group's options (snake_case) and parameter indices. */
  param_groups: Array<{ params: number[]; [option: string]: unknown }>;
}

/** State fields that are scalars (or lists of them): PyTorch saves 0-d tensors, tsgrad numbers. */
const scalarState = new Set(['step', 'eta', 'mu', 'mu_product', 't', 'ro', 'al', 'H_diag', 'prev_loss']);

/** Options of {@link Optimizer.zeroGrad}. */
export interface ZeroGradOptions {
  /** Set gradients to null (default) instead of filling them with zeros. */
  setToNone?: boolean;
}

/**
 * Base class of all optimizers. Subclasses give their defaults, check options and implement
 * {@link Optimizer.updateGroup}; users call {@link Optimizer.step} and {@link Optimizer.zeroGrad}.
 *
 * @example
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.1 });
 * loss.backward();
 * opt.step();
 * opt.zeroGrad();
 * ```
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions> {
  /** The options a group gets when it does not set them. */
  readonly defaults: O;
  /** The parameter groups, each with its own options. */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first update. */
  state = new Map<Tensor, ParamState>();
  /** The optimizer's name, used in error messages. */
  protected readonly name: string;

  protected constructor(name: string, params: Params<O>, defaults: O) {
    this.name = name;
    this.checkOptions(defaults);
    this.defaults = copyPlain(defaults);
    const list = [...(params as Array<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor)) {
      this.addParamGroup({ params: list as Tensor[] } as ParamGroupInput<O>);
    } else if (list.every((p) => !(p instanceof Tensor))) {
      for (const g of list as ParamGroupInput<O>[]) this.addParamGroup(g);
    } else {
      throw new ValueError(`${name}: params must be all tensors or all parameter groups, not a mix`);
    }
  }

  /** Throws a ValueError for options outside their allowed values. */
  protected abstract checkOptions(options: O): void;

  /** Updates the parameters of one group in place from their `.grad` (runs under noGrad). */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /**
   * Adds a group of parameters, with options that override the defaults (useful for
   * fine-tuning: a new layer gets its own learning rate).
   *
   * @example
   * ```ts
   * opt.addParamGroup({ params: head.parameters(), lr: 1e-2 });
   * ```
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const [i, p] of params.entries()) {
      if (!(p instanceof Tensor)) {
        throw new ValueError(`${this.name}: params[${i}] is not a Tensor`);
      }
      if (!p.isLeaf) {
        throw new ValueError(
          `${this.name}: cannot optimize a non-leaf tensor (params[${i}], shape ${formatShape(p.shape)}); pass leaves such as parameters or x.detach()`,
        );
      }
    }
    if (new Set(params).size !== params.length) {
      throw new ValueError(`${this.name}: a parameter group contains the same tensor twice`);
    }
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => taken.has(p))) {
      throw new ValueError(`${this.name}: some parameters appear in more than one parameter group`);
    }
    const { params: _ignored, ...options } = group;
    const merged = { ...copyPlain(this.defaults), ...copyPlain(options) } as unknown as O;
    this.checkOptions(merged);
    this.paramGroups.push({ ...merged, params } as ParamGroup<O>);
  }

  /**
   * Clears the gradients of all parameters. With `setToNone` (the default) `.grad` becomes
   * null and a gradient that autograd made is disposed (its memory is freed at once, which
   * matters on the GPU); otherwise it is filled with zeros.
   *
   * @example
   * ```ts
   * opt.zeroGrad();                       // p.grad === null
   * opt.zeroGrad({ setToNone: false });   // p.grad is zeros
   * ```
   */
  zeroGrad({ setToNone = true }: ZeroGradOptions = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          if (isKept(g) && !g.isDisposed) g.dispose();
        } else {
          const plain = g.gradFn === null ? g : g.detach();
          noGrad(() => plain.zero_());
          p.grad = plain;
        }
      }
    }
  }

  /**
   * Performs one update of every parameter that has a gradient. `closure`, when given,
   * recomputes the loss (with gradients on) before the update and its result is returned.
   *
   * @example
   * ```ts
   * opt.zeroGrad();
   * loss.backward();
   * opt.step();
   * ```
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    this.checkGroupLrs();
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() =>
      tidy(() => {
        for (const group of this.paramGroups) this.updateGroup(group);
      }),
    );
    return loss;
  }

  /**
   * Refuses to step with a learning rate that became NaN, infinite or negative after
   * construction (set by hand or by a scheduler), which would turn every parameter into NaN.
   */
  protected checkGroupLrs(): void {
    for (let i = 0; i < this.paramGroups.length; i++) {
      const lr = this.paramGroups[i]!.lr as unknown;
      if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
        throw new ValueError(
          `${this.name}.step: param group ${i} has learning rate ${String(lr)} (must be a finite number >= 0); it was changed after the optimizer was made`,
        );
      }
    }
  }

  /**
   * The gradient an update starts from: `p.grad`, negated with `maximize`, plus
   * `weightDecay`·p (L2 weight decay, coupled to the gradient as PyTorch's optimizers do).
   */
  protected gradient(p: Tensor, maximize: boolean, weightDecay = 0): Tensor {
    const g = maximize ? p.grad!.neg() : p.grad!;
    // Stryker disable next-line ConditionalExpression: adding 0·p changes nothing
    return weightDecay === 0 ? g : g.add(p.mul(weightDecay));
  }

  /**
   * The state of `p`, made by `init` on first use. Tensors in it are kept, so no `tidy` frees
   * them; the optimizer owns and disposes them.
   */
  protected stateOf(p: Tensor, init: () => ParamState): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = init();
      for (const v of Object.values(s)) if (v instanceof Tensor) keep(v);
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * A snapshot of the optimizer (state tensors are copied), in PyTorch's layout.
   *
   * @example
   * ```ts
   * const saved = opt.stateDict();
   * // … later, on an optimizer over the same parameters:
   * opt2.loadStateDict(saved);
   * ```
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const groups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const ids = params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      const out: { params: number[]; [option: string]: unknown } = { params: ids };
      for (const [k, v] of Object.entries(options)) out[toSnakeCase(k)] = copyPlain(v);
      return out;
    });
    const state: Record<number, ParamState> = {};
    const copy = (v: StateValue): StateValue =>
      v instanceof Tensor ? v.clone() : Array.isArray(v) ? ((v as StateValue[]).map(copy) as StateValue) : v;
    noGrad(() => {
      for (const [p, s] of this.state) {
        // Only parameters of the groups get state (from stateOf or loadStateDict).
        const i = index.get(p)!;
        state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [toSnakeCase(k), copy(v)]));
      }
    });
    return { state, param_groups: groups };
  }

  /**
   * Whether a saved state tensor fits parameter `p`. By default it must have `p`'s shape;
   * optimizers whose state is not per-element (LBFGS) say otherwise.
   */
  protected stateFits(p: Tensor, _key: string, t: Tensor): boolean {
    return sameShape(t.shape, p.shape);
  }

  /**
   * Restores a snapshot from {@link Optimizer.stateDict} (of this optimizer or of one over
   * parameters of the same shapes, in the same order). State tensors are copied and cast to
   * their parameter's dtype and device.
   *
   * @example
   * ```ts
   * opt.loadStateDict(checkpoint.optimizer);
   * ```
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    const saved = dict.param_groups;
    if (!Array.isArray(saved) || saved.length !== this.paramGroups.length) {
      throw new ValueError(
        `${op}: the state dict has ${Array.isArray(saved) ? saved.length : 'no'} parameter groups (param_groups), the optimizer ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    for (const [gi, g] of saved.entries()) {
      const params = this.paramGroups[gi]!.params;
      if (g.params.length !== params.length) {
        throw new ValueError(
          `${op}: parameter group ${gi} has ${g.params.length} parameters in the state dict but ${params.length} in the optimizer`,
        );
      }
      for (const [j, id] of g.params.entries()) byIndex.set(id, params[j]!);
    }
    const next = new Map<Tensor, ParamState>();
    const made: Tensor[] = [];
    const restore = (key: string, pkey: string, p: Tensor, v: unknown): StateValue => {
      if (Array.isArray(v)) return v.map((x) => restore(key, pkey, p, x)) as StateValue;
      if (!(v instanceof Tensor)) return v as number;
      if (scalarState.has(key) && v.ndim === 0) return v.itemSync();
      if (!this.stateFits(p, key, v)) {
        throw new ShapeError(
          `${op}: state '${key}' of parameter ${pkey} has shape ${formatShape(v.shape)}, the parameter ${formatShape(p.shape)}`,
        );
      }
      let t = v.device === p.device ? v.clone() : v.to(p.device);
      if (t.dtype !== p.dtype) {
        const cast = t.to(p.dtype);
        t.dispose();
        t = cast;
      }
      made.push(t);
      return keep(t);
    };
    try {
      noGrad(() => {
        for (const [key, s] of Object.entries(dict.state ?? {})) {
          const p = byIndex.get(Number(key));
          if (p === undefined) {
            throw new ValueError(`${op}: state for parameter ${key}, which no parameter group lists`);
          }
          const copy: ParamState = {};
          for (const [k, v] of Object.entries(s)) copy[toCamelCase(k)] = restore(k, key, p, v);
          next.set(p, copy);
        }
      });
    } catch (e) {
      dispose(made);
      throw e;
    }
    for (const s of this.state.values()) dispose(Object.values(s));
    this.state = next;
    saved.forEach((g, gi) => {
      const group = this.paramGroups[gi]! as Record<string, unknown>;
      for (const k of Object.keys(group)) if (k !== 'params') delete group[k];
      // Options the dict lacks (a dict from an older version) keep their defaults.
      for (const [k, v] of Object.entries(this.defaults)) group[k] = copyPlain(v);
      for (const [k, v] of Object.entries(g)) if (k !== 'params') group[toCamelCase(k)] = copyPlain(v);
    });
  }
}
