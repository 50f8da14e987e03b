/**
 * References of the movement ops (reshape, permute, transpose, flatten, squeeze, unsqueeze,
 * expand, narrow, slice, cat, stack) and of the indexing ops gather and indexSelect.
 */
import { isArr } from './elementwise.js';
import {
  type Arr,
  cast,
  type DType,
  need,
  normDim,
  numel,
  promote,
  ravel,
  store,
  stridesOf,
  unravel,
} from './reference.js';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** A size list given as numbers or as one array (`reshape(2, 3)` or `reshape([2, 3])`). */
function sizesOf(args: readonly unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as unknown[])] : [...args];
}

/** `x.reshape(...shape)`: one size may be -1 (inferred); the element count must not change. */
export function reshape(x: Arr, args: readonly unknown[]): Arr {
  const sizes = sizesOf(args);
  need(
    sizes.every((s) => isInt(s) && s >= -1),
    'sizes must be integers ≥ -1',
  );
  const s = sizes as number[];
  const free = s.filter((v) => v === -1).length;
  need(free <= 1, 'more than one -1');
  const known = numel(s.filter((v) => v !== -1));
  const n = x.data.length;
  const shape = s.map((v) => {
    if (v !== -1) return v;
    need(known !== 0 && n % known === 0, 'cannot infer -1');
    return n / known;
  });
  need(numel(shape) === n, 'element count changes');
  return { ...x, shape };
}

/** `x` with its dims reordered: output dim i is input dim `perm[i]`. */
function reorder(x: Arr, perm: readonly number[]): Arr {
  const shape = perm.map((p) => x.shape[p]!);
  const st = stridesOf(x.shape);
  const data = Array.from({ length: x.data.length }, (_, i) => {
    const idx = unravel(i, shape);
    return x.data[idx.reduce((a, v, d) => a + v * st[perm[d]!]!, 0)]!;
  });
  return { shape, dtype: x.dtype, data };
}

export function permute(x: Arr, args: readonly unknown[]): Arr {
  const dims = sizesOf(args);
  const rank = x.shape.length;
  need(dims.length === rank, 'permute needs every dim once');
  const perm = dims.map((d) => normDim(d, rank));
  need(new Set(perm).size === rank, 'a dim appears twice');
  return reorder(x, perm);
}

export function transpose(x: Arr, d0: unknown, d1: unknown): Arr {
  const rank = x.shape.length;
  const a = normDim(d0, rank);
  const b = normDim(d1, rank);
  if (rank === 0) return x;
  const perm = [...Array(rank).keys()];
  [perm[a], perm[b]] = [perm[b]!, perm[a]!];
  return reorder(x, perm);
}

export function flatten(x: Arr, start: unknown = 0, end: unknown = -1): Arr {
  const rank = x.shape.length;
  const s = normDim(start, rank);
  const e = normDim(end, rank);
  need(s <= e, 'start after end');
  if (rank === 0) return { ...x, shape: [1] };
  return { ...x, shape: [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)] };
}

export function squeeze(x: Arr, dim?: unknown): Arr {
  if (dim === undefined) return { ...x, shape: x.shape.filter((d) => d !== 1) };
  const d = normDim(dim, x.shape.length);
  return x.shape[d] === 1 ? { ...x, shape: x.shape.filter((_, i) => i !== d) } : x;
}

export function unsqueeze(x: Arr, dim: unknown): Arr {
  const d = normDim(dim, x.shape.length + 1);
  return { ...x, shape: [...x.shape.slice(0, d), 1, ...x.shape.slice(d)] };
}

/** `x.expand(...shape)`: size-1 dims grow, new dims lead, -1 keeps an existing size. */
export function expand(x: Arr, args: readonly unknown[]): Arr {
  const sizes = sizesOf(args);
  need(
    sizes.every((s) => isInt(s) && s >= -1),
    'sizes must be integers ≥ -1',
  );
  const s = sizes as number[];
  const lead = s.length - x.shape.length;
  need(lead >= 0, 'fewer sizes than dims');
  const shape = s.map((v, i) => {
    const own = i < lead ? undefined : x.shape[i - lead];
    if (v === -1) {
      need(own !== undefined, '-1 for a new dim');
      return own!;
    }
    need(own === undefined || own === v || own === 1, `cannot expand ${own} to ${v}`);
    return v;
  });
  const data = Array.from({ length: numel(shape) }, (_, i) => {
    const idx = unravel(i, shape).slice(lead);
    return x.data[
      ravel(
        idx.map((v, d) => (x.shape[d] === 1 ? 0 : v)),
        x.shape,
      )
    ]!;
  });
  return { shape, dtype: x.dtype, data };
}

/** Elements `start, start + step, …` (below `end`) of dim `d`. */
function take(x: Arr, d: number, start: number, end: number, step: number): Arr {
  const picks: number[] = [];
  for (let i = start; i < end; i += step) picks.push(i);
  const shape = x.shape.slice();
  shape[d] = picks.length;
  const data = Array.from({ length: numel(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    idx[d] = picks[idx[d]!]!;
    return x.data[ravel(idx, x.shape)]!;
  });
  return { shape, dtype: x.dtype, data };
}

/** `x.narrow(dim, start, length)`: a negative start counts from the end. */
export function narrow(x: Arr, dim: unknown, start: unknown, length: unknown): Arr {
  need(x.shape.length > 0, 'narrow of a 0-d tensor');
  const d = normDim(dim, x.shape.length);
  const size = x.shape[d]!;
  need(isInt(start) && isInt(length), 'start and length must be integers');
  need(start >= -size && start <= size, 'start out of range');
  const s = start < 0 ? start + size : start;
  need(length >= 0 && s + length <= size, 'length out of range');
  return take(x, d, s, s + length, 1);
}

/** `x.slice(dim, start, end, step)`: Python slicing of one dim (bounds wrap once, then clamp). */
export function slice(x: Arr, dim: unknown = 0, start?: unknown, end?: unknown, step: unknown = 1): Arr {
  need(x.shape.length > 0, 'slice of a 0-d tensor');
  const d = normDim(dim, x.shape.length);
  need(start === undefined || isInt(start), 'start must be an integer');
  need(end === undefined || isInt(end), 'end must be an integer');
  need(isInt(step) && step > 0, 'step must be a positive integer');
  const size = x.shape[d]!;
  const bound = (v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    return Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  };
  return take(x, d, bound(start as number | undefined, 0), bound(end as number | undefined, size), step);
}

/** The tensors of a `cat`/`stack` list, converted to their common dtype. */
function joined(list: unknown): Arr[] {
  need(Array.isArray(list) && list.length > 0 && list.every(isArr), 'needs a non-empty list of tensors');
  const arrs = list as Arr[];
  const dtype = arrs.reduce<DType>(
    (t, a) => promote({ shape: [1], dtype: t, data: [] }, { ...a, shape: [1] }),
    arrs[0]!.dtype,
  );
  return arrs.map((a) => cast(a, dtype));
}

/** `cat(list, dim)`: shapes agree outside `dim`; dtypes promote. */
export function cat(list: unknown, dim: unknown = 0): Arr {
  const arrs = joined(list);
  const first = arrs[0]!;
  need(
    arrs.every((a) => a.shape.length > 0),
    'cat of a 0-d tensor',
  );
  const rank = first.shape.length;
  const d = normDim(dim, rank);
  for (const a of arrs) {
    need(
      a.shape.length === rank && a.shape.every((s, i) => i === d || s === first.shape[i]),
      'shapes differ',
    );
  }
  const shape = first.shape.slice();
  shape[d] = arrs.reduce((n, a) => n + a.shape[d]!, 0);
  const data = Array.from({ length: numel(shape) }, (_, i) => {
    const idx = unravel(i, shape);
    let k = idx[d]!;
    for (const a of arrs) {
      if (k < a.shape[d]!) {
        idx[d] = k;
        return a.data[ravel(idx, a.shape)]!;
      }
      k -= a.shape[d]!;
    }
    throw new Error('unreachable');
  });
  return { shape, dtype: first.dtype, data };
}

/** `stack(list, dim)`: equal shapes, a new dim at `dim`. */
export function stack(list: unknown, dim: unknown = 0): Arr {
  const arrs = joined(list);
  const first = arrs[0]!;
  need(
    arrs.every((a) => a.shape.length === first.shape.length && a.shape.every((s, i) => s === first.shape[i])),
    'shapes differ',
  );
  const d = normDim(dim, first.shape.length + 1);
  return cat(
    arrs.map((a) => ({ ...a, shape: [...a.shape.slice(0, d), 1, ...a.shape.slice(d)] })),
    d,
  );
}

/** An index argument: an int32 tensor, or integers (nested arrays); null when it is neither. */
function indexOf(index: unknown): Arr | null {
  if (isArr(index)) return index.dtype === 'int32' ? index : null;
  const flat: number[] = [];
  const shape: number[] = [];
  const walk = (v: unknown, depth: number): boolean => {
    if (Array.isArray(v)) {
      if (shape.length === depth) shape.push(v.length);
      else if (shape[depth] !== v.length) return false;
      return v.every((e) => walk(e, depth + 1));
    }
    if (!isInt(v) || depth !== shape.length) return false;
    flat.push(v);
    return true;
  };
  if (!walk(index, 0)) return null;
  return { shape, dtype: 'int32', data: flat.map((v) => store(v, 'int32')) };
}

/** `x.gather(dim, index)` (x of rank ≥ 1): out[i][j] = x[index[i][j]][j] for dim 0. */
export function gather(x: Arr, dim: unknown, index: unknown): Arr {
  const idx = indexOf(index);
  need(idx !== null, 'index must be an int32 tensor or integers');
  const d = normDim(dim, x.shape.length);
  need(idx.shape.length === x.shape.length, 'index has another rank');
  need(
    idx.shape.every((s, i) => i === d || s <= x.shape[i]!),
    'index larger than the input outside dim',
  );
  const data = idx.data.map((v, i) => {
    need(v >= 0 && v < x.shape[d]!, `index ${v} out of range`);
    const at = unravel(i, idx.shape);
    at[d] = v;
    return x.data[ravel(at, x.shape)]!;
  });
  return { shape: idx.shape, dtype: x.dtype, data };
}

/** An index out of range where nothing is read (an empty result) may pass or be refused. */
function emptyResult(shape: readonly number[], x: Arr, bad: boolean): Arr | null {
  if (numel(shape) !== 0) return null;
  return {
    shape,
    dtype: x.dtype,
    data: [],
    ...(bad ? { orReject: 'an index out of range, never read' } : {}),
  };
}

/** `x.indexSelect(dim, index)` (x of rank ≥ 1): entries `index` (1-d) of dim `dim`, in order. */
export function indexSelect(x: Arr, dim: unknown, index: unknown): Arr {
  const idx = indexOf(index);
  need(idx !== null, 'index must be an int32 tensor or integers');
  need(idx.shape.length <= 1, 'index must be 1-d (or 0-d, one index)');
  const d = normDim(dim, x.shape.length);
  const shape = x.shape.slice();
  shape[d] = idx.data.length;
  const bad = idx.data.some((v) => v < 0 || v >= x.shape[d]!);
  const empty = emptyResult(shape, x, bad);
  if (empty !== null) return empty;
  need(!bad, 'an index out of range');
  const data = Array.from({ length: numel(shape) }, (_, i) => {
    const at = unravel(i, shape);
    at[d] = idx.data[at[d]!]!;
    return x.data[ravel(at, x.shape)]!;
  });
  return { shape, dtype: x.dtype, data };
}
