/**
 * Training checkpoints: model state, optimizer state, epoch, RNG state and any extra JSON,
 * in one safetensors file (tensors under `model.` / `optimizer.` keys, everything else as
 * JSON in the metadata), written atomically so a crash mid-save leaves the previous file.
 */
import {
  type GeneratorState,
  getRngState,
  ShapeError,
  safetensors,
  setRngState,
  Tensor,
  TsgradError,
  ValueError,
} from '@tsgrad/core';
import type { Module } from './module.js';

/** Anything with PyTorch-style state dicts of nested objects, arrays, numbers and tensors. */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(state: any): unknown;
}

/** What {@link saveCheckpoint} stores. */
export interface CheckpointContents {
  model: Module;
  optimizer?: Stateful | null;
  /** Other stateful objects (schedulers …), by name. */
  others?: Record<string, Stateful>;
  epoch?: number;
  /** Free-form JSON (metrics, config). */
  extra?: unknown;
}

/** What {@link loadCheckpoint} returns after restoring the objects. */
export interface LoadedCheckpoint {
  epoch: number | null;
  rngState: GeneratorState;
  extra: unknown;
}

const META_KEY = 'tsgrad.checkpoint';

/** Replaces tensors in a JSON-like value by `{ $tensor: key }`, collecting them. */
function pack(value: unknown, prefix: string, tensors: Record<string, Tensor>): unknown {
  if (value instanceof Tensor) {
    tensors[prefix] = value;
    return { $tensor: prefix };
  }
  if (Array.isArray(value)) return value.map((v, i) => pack(v, `${prefix}.${i}`, tensors));
  if (value instanceof Map) {
    return { $map: [...value].map(([k, v], i) => [k, pack(v, `${prefix}.${i}`, tensors)]) };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = pack(v, `${prefix}.${k}`, tensors);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  return value;
}

function unpack(value: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(value)) return value.map((v) => unpack(v, tensors));
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$tensor === 'string') {
      const t = Object.hasOwn(tensors, o.$tensor) ? tensors[o.$tensor] : undefined;
      if (t === undefined)
        throw new ValueError(`loadCheckpoint: tensor '${o.$tensor}' is missing from the file`);
      return t;
    }
    if (typeof o.$number === 'string') return Number(o.$number);
    if (Array.isArray(o.$map)) {
      return new Map(
        o.$map.map((kv) => {
          if (!Array.isArray(kv) || kv.length !== 2)
            throw new ValueError('loadCheckpoint: a $map entry is not a [key, value] pair');
          return [kv[0], unpack(kv[1], tensors)];
        }),
      );
    }
    // fromEntries defines own properties: a key named `__proto__` stays a key.
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unpack(v, tensors)]));
  }
  return value;
}

/**
 * The checkpoint as safetensors bytes (the model's tensors keep PyTorch's names under a
 * `model.` prefix, so the file also opens with PyTorch's safetensors).
 *
 * @example
 * ```ts
 * const bytes = await checkpointBytes({ model, optimizer: opt, epoch: 3 });
 * ```
 */
export async function checkpointBytes(c: CheckpointContents): Promise<Uint8Array> {
  const tensors: Record<string, Tensor> = {};
  const others: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(c.others ?? {}))
    others[k] = pack(o.stateDict(), `others.${k}`, tensors);
  const meta = {
    version: 1,
    model: pack(c.model.stateDict(), 'model', tensors),
    optimizer: c.optimizer ? pack(c.optimizer.stateDict(), 'optimizer', tensors) : null,
    others,
    epoch: c.epoch ?? null,
    rngState: getRngState(),
    extra: c.extra ?? null,
  };
  return safetensors.serializeAsync(tensors, { [META_KEY]: JSON.stringify(meta) });
}

/**
 * Saves model, optimizer, epoch and the global RNG state to `path`, atomically. Node only.
 *
 * @example
 * ```ts
 * await saveCheckpoint('run/ckpt.safetensors', { model, optimizer: opt, epoch });
 * ```
 */
export async function saveCheckpoint(path: string, c: CheckpointContents): Promise<void> {
  await safetensors.writeFileAtomic(path, await checkpointBytes(c));
}

/** What {@link loadCheckpoint} restores into. */
export interface RestoreTargets {
  model: Module;
  optimizer?: Stateful | null;
  others?: Record<string, Stateful>;
  /** Restore the global RNG state (true), so a resumed run draws the same numbers. */
  restoreRng?: boolean;
  /** Passed to `model.loadStateDict` (true). */
  strict?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The checkpoint's JSON part, checked for the structure {@link checkpointBytes} writes. */
function parseMeta(bytes: Uint8Array): {
  meta: {
    model: Record<string, unknown>;
    optimizer: unknown;
    others: Record<string, unknown>;
    epoch: number | null;
    rngState: GeneratorState;
    extra: unknown;
  };
} {
  const op = 'loadCheckpoint';
  const header = safetensors.readHeader(bytes);
  const raw = header.metadata[META_KEY];
  if (raw === undefined) throw new ValueError(`${op}: not a tsgrad checkpoint (no '${META_KEY}' metadata)`);
  let meta: unknown;
  try {
    meta = JSON.parse(raw);
  } catch (e) {
    throw new ValueError(`${op}: the '${META_KEY}' metadata is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(meta)) throw new ValueError(`${op}: the '${META_KEY}' metadata must be a JSON object`);
  if (!isObject(meta.model)) throw new ValueError(`${op}: the checkpoint's model state is not an object`);
  const others = meta.others ?? {};
  if (!isObject(others)) throw new ValueError(`${op}: the checkpoint's 'others' is not an object`);
  const epoch = meta.epoch ?? null;
  if (epoch !== null && typeof epoch !== 'number')
    throw new ValueError(`${op}: the checkpoint's epoch is ${JSON.stringify(epoch)}, not a number`);
  const rng = meta.rngState;
  if (
    !isObject(rng) ||
    !Number.isSafeInteger(rng.seed) ||
    !Number.isSafeInteger(rng.counter) ||
    (rng.counter as number) < 0
  ) {
    throw new ValueError(
      `${op}: the checkpoint's rngState ${JSON.stringify(rng)} is not { seed, counter } with integer seed and counter >= 0`,
    );
  }
  return {
    meta: {
      model: meta.model,
      optimizer: meta.optimizer ?? null,
      others,
      epoch,
      rngState: { seed: rng.seed as number, counter: rng.counter as number },
      extra: meta.extra ?? null,
    },
  };
}

/**
 * Restores a checkpoint from bytes into the given model and optimizer, all or nothing: the
 * file, the model's keys and shapes, the optimizer's and the others' state and the RNG state
 * are checked before anything changes, and if an optimizer or scheduler still refuses its
 * state, what was already restored is put back. A malformed or mismatched checkpoint throws a
 * `TsgradError` and leaves every target as it was.
 *
 * @example
 * ```ts
 * const { epoch } = restoreCheckpoint(bytes, { model, optimizer: opt });
 * ```
 */
export function restoreCheckpoint(bytes: Uint8Array, into: RestoreTargets): LoadedCheckpoint {
  const op = 'loadCheckpoint';
  const { meta } = parseMeta(bytes);
  if (into.optimizer && meta.optimizer === null)
    throw new ValueError(`${op}: the checkpoint has no optimizer state`);
  for (const k of Object.keys(into.others ?? {})) {
    if (!Object.hasOwn(meta.others, k)) throw new ValueError(`${op}: the checkpoint has no state for '${k}'`);
  }
  const tensors = safetensors.deserialize(bytes);
  const modelState = unpack(meta.model, tensors) as Record<string, unknown>;
  checkModelState(into.model, modelState, into.strict ?? true);
  const optimizerState = into.optimizer ? unpack(meta.optimizer, tensors) : undefined;
  const otherStates = Object.keys(into.others ?? {}).map((k) => unpack(meta.others[k], tensors));

  // Stateful objects validate in their own loadStateDict: restore them first, keeping their
  // current state to put back if a later one refuses; the model (checked above) goes last.
  const restored: [Stateful, unknown][] = [];
  try {
    if (into.optimizer) {
      const before = into.optimizer.stateDict();
      into.optimizer.loadStateDict(optimizerState);
      restored.push([into.optimizer, before]);
    }
    Object.values(into.others ?? {}).forEach((o, i) => {
      const before = o.stateDict();
      o.loadStateDict(otherStates[i]);
      restored.push([o, before]);
    });
    into.model.loadStateDict(modelState as Record<string, Tensor>, { strict: into.strict ?? true });
  } catch (e) {
    for (const [o, before] of restored.reverse()) o.loadStateDict(before);
    if (e instanceof TsgradError) throw e;
    throw new ValueError(`${op}: the checkpoint's state was refused (${(e as Error).message})`);
  }
  if (into.restoreRng ?? true) setRngState(meta.rngState);
  return { epoch: meta.epoch, rngState: meta.rngState, extra: meta.extra };
}

/** Checks a model state dict against `model` (tensors, keys, shapes) without changing it. */
function checkModelState(model: Module, dict: Record<string, unknown>, strict: boolean): void {
  const own = model.stateDict() as Record<string, Tensor>;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(dict)) {
    if (!(v instanceof Tensor)) {
      problems.push(`'${k}' is not a tensor`);
      continue;
    }
    const t = own[k];
    if (t === undefined || !Object.hasOwn(own, k)) {
      if (strict) problems.push(`unexpected key '${k}'`);
    } else if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      throw new ShapeError(
        `loadCheckpoint: size mismatch for '${k}': checkpoint has [${v.shape.join(', ')}], model has [${t.shape.join(', ')}]`,
      );
    }
  }
  if (strict)
    for (const k of Object.keys(own)) if (!Object.hasOwn(dict, k)) problems.push(`missing key '${k}'`);
  if (problems.length > 0)
    throw new ValueError(`loadCheckpoint: the model state does not fit: ${problems.join('; ')}`);
}

/**
 * Loads a checkpoint file into the model and optimizer and restores the RNG state. Node only.
 *
 * @example
 * ```ts
 * const { epoch } = await loadCheckpoint('run/ckpt.safetensors', { model, optimizer: opt });
 * for (let e = (epoch ?? -1) + 1; e < epochs; e++) { ... }
 * ```
 */
export async function loadCheckpoint(path: string, into: RestoreTargets): Promise<LoadedCheckpoint> {
  return restoreCheckpoint(await safetensors.readFileCleaning(path), into);
}
