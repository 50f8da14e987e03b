/**
 * An optimizer's state dict as a safetensors file that PyTorch can rebuild
 * `optimizer.load_state_dict(...)` from, and that tsgrad reads back from PyTorch.
 *
 * Layout (the tensors are plain safetensors; the rest is JSON in the header's metadata):
 *
 * ```
 * tensors:      state.<param index>.<key>       e.g. state.0.exp_avg, state.3.momentum_buffer
 *               state.<param index>.<key>.<j>   the j-th tensor of a list (LBFGS's old_dirs …)
 * __metadata__: format      "pt"
 *               state_dict  JSON: { "state": { "0": { "step": 3, "exp_avg": { "$tensor": "state.0.exp_avg" } } },
 *                                   "param_groups": [ { "lr": 0.001, "betas": [0.9, 0.999], …, "params": [0, 1] } ] }
 * ```
 *
 * Keys are PyTorch's (`state`, `param_groups`, `exp_avg`, `weight_decay` …, see
 * {@link OptimizerStateDict}). Numbers that JSON cannot hold (±Infinity, NaN) are written as
 * `{ "$number": "Infinity" }`. Scalar state (`step` …) is a JSON number; PyTorch keeps it as a
 * 0-d tensor, and a file whose `step` is a 0-d tensor reads as well.
 */
import { dispose, safetensors, Tensor, ValueError } from '@tsgrad/core';
import type { Optimizer, OptimizerStateDict, ParamState, StateValue } from './optimizer.js';

/** The metadata key that holds the JSON part of the state dict. */
const KEY = 'state_dict';

function pack(v: unknown, name: string, tensors: Record<string, Tensor>): unknown {
  if (v instanceof Tensor) {
    tensors[name] = v;
    return { $tensor: name };
  }
  if (Array.isArray(v)) return v.map((x, j) => pack(x, `${name}.${j}`, tensors));
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pack(x, `${name}.${k}`, tensors)]));
  }
  return v;
}

function unpack(v: unknown, tensors: Record<string, Tensor>, where: string): unknown {
  if (Array.isArray(v)) return v.map((x) => unpack(x, tensors, where));
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$tensor === 'string') {
      const t = tensors[o.$tensor];
      if (t === undefined)
        throw new ValueError(
          `${where}: tensor '${o.$tensor}' is named in the state dict but not in the file`,
        );
      return t;
    }
    if (typeof o.$number === 'string') return Number(o.$number);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unpack(x, tensors, where)]));
  }
  return v;
}

/**
 * The safetensors bytes of an optimizer state dict (see the module's layout), readable by
 * {@link optimizerStateFromBytes} and by PyTorch's `safetensors` plus a few lines of Python.
 * Tensors on any device are read asynchronously.
 *
 * @example
 * ```ts
 * const bytes = await optimizerStateToBytes(opt.stateDict());
 * ```
 */
export async function optimizerStateToBytes(dict: OptimizerStateDict): Promise<Uint8Array> {
  if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.param_groups)) {
    throw new ValueError('optimizerStateToBytes: expected a state dict with param_groups');
  }
  const tensors: Record<string, Tensor> = {};
  const state: Record<string, unknown> = {};
  for (const [i, s] of Object.entries(dict.state ?? {})) {
    state[i] = Object.fromEntries(
      Object.entries(s).map(([k, v]) => [k, pack(v, `state.${i}.${k}`, tensors)]),
    );
  }
  const groups = dict.param_groups.map((g) => pack(g, 'param_groups', {}));
  const json = JSON.stringify({ state, param_groups: groups });
  return safetensors.serializeAsync(tensors, { format: 'pt', [KEY]: json });
}

/**
 * Reads an optimizer state dict from the bytes of {@link optimizerStateToBytes} or of the
 * PyTorch side of the round trip; pass it to `loadStateDict`.
 *
 * @example
 * ```ts
 * opt.loadStateDict(optimizerStateFromBytes(bytes));
 * ```
 */
export function optimizerStateFromBytes(bytes: Uint8Array): OptimizerStateDict {
  const op = 'optimizerStateFromBytes';
  const raw = safetensors.readHeader(bytes).metadata[KEY];
  if (raw === undefined) {
    throw new ValueError(`${op}: not an optimizer state file (no '${KEY}' in the safetensors metadata)`);
  }
  let parsed: { state?: unknown; param_groups?: unknown };
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new ValueError(`${op}: the '${KEY}' metadata is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || !Array.isArray(parsed.param_groups)) {
    throw new ValueError(`${op}: the '${KEY}' metadata has no param_groups list`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const rawState = parsed.state ?? {};
  if (!isObject(rawState) || !Object.values(rawState).every(isObject)) {
    throw new ValueError(`${op}: the '${KEY}' metadata's state must map parameter indices to objects`);
  }
  const tensors = safetensors.deserialize(bytes);
  const state: Record<number, ParamState> = {};
  for (const [i, s] of Object.entries(rawState as Record<string, Record<string, unknown>>)) {
    state[Number(i)] = Object.fromEntries(
      Object.entries(s).map(([k, v]) => [k, unpack(v, tensors, op) as StateValue]),
    );
  }
  const used = new Set(Object.values(state).flatMap((s) => Object.values(s).flat()));
  dispose(Object.values(tensors).filter((t) => !used.has(t)));
  return {
    state,
    param_groups: unpack(parsed.param_groups, {}, op) as OptimizerStateDict['param_groups'],
  };
}

/**
 * Writes an optimizer's state (or a state dict) to a safetensors file, atomically. Node only.
 * The Python side of the guide "Deploying and scaling" loads it with
 * `optimizer.load_state_dict(...)`.
 *
 * @example
 * ```ts
 * await saveOptimizerState('adam.safetensors', opt);
 * ```
 */
export async function saveOptimizerState(
  path: string,
  source: Optimizer | OptimizerStateDict,
): Promise<void> {
  const own = !('param_groups' in source);
  const dict = own ? (source as Optimizer).stateDict() : (source as OptimizerStateDict);
  try {
    await safetensors.writeFileAtomic(path, await optimizerStateToBytes(dict));
  } finally {
    if (own) disposeState(dict);
  }
}

/**
 * Loads a file of {@link saveOptimizerState} (or one PyTorch wrote in the same layout) into
 * an optimizer over the same parameters, in the same order. Node only.
 *
 * @example
 * ```ts
 * await loadOptimizerState('adam.safetensors', opt);
 * ```
 */
export async function loadOptimizerState(path: string, optimizer: Optimizer): Promise<void> {
  const dict = optimizerStateFromBytes(await safetensors.readFileCleaning(path));
  try {
    optimizer.loadStateDict(dict);
  } finally {
    disposeState(dict);
  }
}

function disposeState(dict: OptimizerStateDict): void {
  dispose(dict.state);
}
