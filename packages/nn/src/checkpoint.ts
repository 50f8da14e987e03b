/**
 * Training checkpoints: model state, optimizer state, epoch, RNG state and any extra JSON,
 * in one safetensors file (tensors under `model.` / `optimizer.` keys, everything else as
 * JSON in the metadata), written atomically so a crash mid-save leaves the previous file.
 */
import { type GeneratorState, getRngState, safetensors, setRngState, Tensor, ValueError } from '@tsgrad/core';
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
      const t = tensors[o.$tensor];
      if (t === undefined)
        throw new ValueError(`loadCheckpoint: tensor '${o.$tensor}' is missing from the file`);
      return t;
    }
    if (typeof o.$number === 'string') return Number(o.$number);
    if (Array.isArray(o.$map))
      return new Map((o.$map as [unknown, unknown][]).map(([k, v]) => [k, unpack(v, tensors)]));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = unpack(v, tensors);
    return out;
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

/**
 * Restores a checkpoint from bytes into the given model and optimizer.
 *
 * @example
 * ```ts
 * const { epoch } = restoreCheckpoint(bytes, { model, optimizer: opt });
 * ```
 */
export function restoreCheckpoint(bytes: Uint8Array, into: RestoreTargets): LoadedCheckpoint {
  const header = safetensors.readHeader(bytes);
  const raw = header.metadata[META_KEY];
  if (raw === undefined)
    throw new ValueError(`loadCheckpoint: not a tsgrad checkpoint (no '${META_KEY}' metadata)`);
  const meta = JSON.parse(raw) as {
    model: unknown;
    optimizer: unknown;
    others: Record<string, unknown>;
    epoch: number | null;
    rngState: GeneratorState;
    extra: unknown;
  };
  const tensors = safetensors.deserialize(bytes);
  into.model.loadStateDict(unpack(meta.model, tensors) as Record<string, Tensor>, {
    strict: into.strict ?? true,
  });
  if (into.optimizer) {
    if (meta.optimizer === null)
      throw new ValueError('loadCheckpoint: the checkpoint has no optimizer state');
    into.optimizer.loadStateDict(unpack(meta.optimizer, tensors));
  }
  for (const [k, o] of Object.entries(into.others ?? {})) {
    if (!(k in meta.others)) throw new ValueError(`loadCheckpoint: the checkpoint has no state for '${k}'`);
    o.loadStateDict(unpack(meta.others[k], tensors));
  }
  if (into.restoreRng ?? true) setRngState(meta.rngState);
  return { epoch: meta.epoch, rngState: meta.rngState, extra: meta.extra };
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
  const fs = await import('node:fs/promises');
  return restoreCheckpoint(new Uint8Array(await fs.readFile(path)), into);
}
