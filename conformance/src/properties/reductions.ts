/**
 * References of the reductions (sum, mean, prod, max, min, amax, amin, argmax, argmin,
 * logsumexp), softmax and logSoftmax, and matmul.
 */
import { isArr } from './elementwise.js';
import {
  type Arr,
  broadcast,
  type DType,
  epsOf,
  isFloat,
  need,
  normDim,
  numel,
  ravel,
  store,
  unravel,
} from './reference.js';

/** The axes a `dim` argument names: all for undefined, else distinct valid dims. */
export function axesOf(dim: unknown, rank: number): number[] {
  if (dim === undefined) return [...Array(rank).keys()];
  const list = Array.isArray(dim) ? dim : [dim];
  need(Array.isArray(dim) || typeof dim === 'number', 'dim is neither a number nor a list');
  const axes = list.map((d) => normDim(d, rank));
  need(new Set(axes).size === axes.length, 'a dim appears twice');
  return rank === 0 ? [] : axes;
}

function checkKeepdim(keepdim: unknown): boolean {
  need(keepdim === undefined || typeof keepdim === 'boolean', 'keepdim is not a boolean');
  return keepdim === true;
}

/** One reduced value and the error it may carry. */
type Combine = (values: number[]) => { v: number; err?: number };

/** Reduces `x` over `axes` with `combine`, into `dtype`. */
function reduceWith(x: Arr, axes: readonly number[], keepdim: boolean, dtype: DType, combine: Combine): Arr {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = numel(kept);
  const groups: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    groups[
      ravel(
        idx.map((v, d) => (axes.includes(d) ? 0 : v)),
        kept,
      )
    ]!.push(x.data[i]!);
  }
  const data: number[] = [];
  const err: number[] = [];
  for (const g of groups) {
    const r = combine(g);
    data.push(store(r.v, dtype));
    err.push(r.err ?? 0);
  }
  const shape = keepdim ? kept : x.shape.filter((_, i) => !axes.includes(i));
  return { shape, dtype, data, err };
}

const sumOf = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
const absSum = (v: readonly number[]) => v.reduce((a, b) => a + Math.abs(b), 0);
/** NaN if any is NaN, else the largest (smallest). */
const maxOf = (v: readonly number[]) => (v.some(Number.isNaN) ? Number.NaN : Math.max(...v));
const minOf = (v: readonly number[]) => (v.some(Number.isNaN) ? Number.NaN : Math.min(...v));

/** A bound on the error of a floating sum of `v` in `dtype` (exact results have none). */
function sumErr(v: readonly number[], dtype: DType): number {
  return (v.length + 2) * epsOf(dtype) * absSum(v);
}

export type ReductionName = 'sum' | 'mean' | 'prod' | 'max' | 'min' | 'amax' | 'amin' | 'logsumexp';

/** `x.<op>(dim, keepdim)` for the value reductions. */
export function reduce(op: ReductionName, x: Arr, dim: unknown, keepdim: unknown): Arr {
  const axes = axesOf(dim, x.shape.length);
  const keep = checkKeepdim(keepdim);
  const extent = axes.reduce((a, i) => a * x.shape[i]!, 1);
  switch (op) {
    case 'sum': {
      const dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
      return reduceWith(x, axes, keep, dtype, (v) => ({
        v: isFloat(dtype) ? sumOf(v) : wrapSum(v),
        err: sumErr(v, dtype),
      }));
    }
    case 'mean': {
      need(isFloat(x.dtype), 'mean of an integer tensor');
      return reduceWith(x, axes, keep, x.dtype, (v) => {
        const s = sumOf(v);
        // A sum beyond the dtype's range may overflow before the division (PyTorch on a CPU
        // sums float32 in float64 and does not; on CUDA it does): any answer passes there.
        if (Number.isFinite(s) && !Number.isFinite(store(s, x.dtype)))
          return { v: s / v.length, err: Number.POSITIVE_INFINITY };
        return {
          v: s / v.length,
          err: sumErr(v, x.dtype) / Math.max(v.length, 1) + 2 * epsOf(x.dtype) * Math.abs(s / v.length),
        };
      });
    }
    case 'prod': {
      const dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
      return reduceWith(x, axes, keep, dtype, (v) => {
        const p = isFloat(dtype) ? v.reduce((a, b) => a * b, 1) : v.reduce((a, b) => Math.imul(a, b), 1);
        return { v: p, err: (v.length + 2) * epsOf(dtype) * Math.abs(p) };
      });
    }
    case 'max':
    case 'amax':
    case 'min':
    case 'amin': {
      need(extent > 0, `${op} over nothing`);
      const f = op === 'max' || op === 'amax' ? maxOf : minOf;
      return reduceWith(x, axes, keep, x.dtype, (v) => ({ v: f(v) }));
    }
    case 'logsumexp': {
      const dtype = isFloat(x.dtype) ? x.dtype : 'float32';
      return reduceWith(x, axes, keep, dtype, (v) => {
        const m = maxOf(v);
        // All -∞ (or nothing) gives -∞, a +∞ gives +∞, a NaN gives NaN.
        if (v.length === 0 || !Number.isFinite(m))
          return { v: v.length === 0 ? Number.NEGATIVE_INFINITY : m };
        const s = sumOf(v.map((t) => Math.exp(t - m)));
        return { v: m + Math.log(s), err: 4 * epsOf(dtype) * (Math.abs(m) + Math.log(s) + v.length) };
      });
    }
  }
}

/** The int32 sum of integers, wrapping around as int32 arithmetic does. */
function wrapSum(v: readonly number[]): number {
  return v.reduce((a, b) => (a + b) | 0, 0);
}

/** `x.argmax(dim, keepdim)` / `argmin`: the first extreme, NaN counting as the extreme. */
export function argReduce(op: 'argmax' | 'argmin', x: Arr, dim: unknown, keepdim: unknown): Arr {
  need(dim === undefined || typeof dim === 'number', `${op} takes one dim`);
  const keep = checkKeepdim(keepdim);
  const rank = x.shape.length;
  const d = dim === undefined ? undefined : normDim(dim, rank);
  need(d === undefined ? x.data.length > 0 : (x.shape[d] ?? 1) > 0, `${op} over nothing`);
  const pick = (v: number[]) => {
    let best = 0;
    for (let i = 1; i < v.length && !Number.isNaN(v[best]!); i++) {
      const a = v[i]!;
      if (Number.isNaN(a) || (op === 'argmax' ? a > v[best]! : a < v[best]!)) best = i;
    }
    return { v: best };
  };
  if (d === undefined) {
    const r = reduceWith({ shape: [x.data.length], dtype: x.dtype, data: x.data }, [0], false, 'int32', pick);
    return { ...r, shape: keep ? x.shape.map(() => 1) : [] };
  }
  return reduceWith(x, rank === 0 ? [] : [d], keep, 'int32', pick);
}

/** `softmax(x, dim)` or `logSoftmax`, computed as PyTorch does: shifted by the max along `dim`. */
export function softmax(op: 'softmax' | 'logSoftmax', x: Arr, dim: unknown): Arr {
  const rank = x.shape.length;
  const d = normDim(dim, rank);
  const dtype: DType = isFloat(x.dtype) ? x.dtype : 'float32';
  const eps = epsOf(dtype);
  const shape = rank === 0 ? [1] : x.shape;
  const size = shape[d]!;
  const data = x.data.map((v) => store(v, dtype));
  const out = new Array<number>(data.length);
  const err = new Array<number>(data.length).fill(0);
  const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < data.length; i++) {
    if (Math.floor(i / stride) % size !== 0) continue;
    const line = Array.from({ length: size }, (_, k) => i + k * stride);
    const vals = line.map((j) => data[j]!);
    const m = maxOf(vals);
    const shifted = vals.map((v) => v - m);
    const s = sumOf(shifted.map(Math.exp));
    line.forEach((j, k) => {
      const sh = shifted[k]!;
      out[j] = store(op === 'softmax' ? Math.exp(sh) / s : sh - Math.log(s), dtype);
      err[j] =
        op === 'softmax'
          ? 4 * (size + 2) * eps
          : 4 * eps * (Math.abs(vals[k]!) + Math.abs(m) + Math.log(size) + 2);
    });
  }
  return { shape: x.shape, dtype, data: out, err };
}

/**
 * `a.matmul(b)`: PyTorch's rules for 1-d operands and broadcast batch dims. Operands of
 * different dtypes are promoted (PyTorch refuses them; tsgrad's choice); integers multiply
 * exactly, wrapping around as int32 arithmetic does.
 */
export function matmul(a: Arr, other: unknown): Arr {
  need(isArr(other), 'the other operand is not a tensor');
  let b = other;
  need(a.shape.length > 0 && b.shape.length > 0, 'matmul of a 0-d tensor');
  need(a.dtype !== 'bool' && b.dtype !== 'bool', 'bool matmul');
  const dtype: DType =
    a.dtype === 'float64' || b.dtype === 'float64'
      ? 'float64'
      : isFloat(a.dtype) || isFloat(b.dtype)
        ? 'float32'
        : 'int32';
  a = { ...a, dtype, data: a.data.map((v) => store(v, dtype)) };
  b = { ...b, dtype, data: b.data.map((v) => store(v, dtype)) };
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const [m, k] = as.slice(-2) as [number, number];
  const [k2, n] = bs.slice(-2) as [number, number];
  need(k === k2, 'inner dimensions differ');
  const batch = broadcast(as.slice(0, -2), bs.slice(0, -2));
  const eps = epsOf(dtype);
  const data: number[] = [];
  const err: number[] = [];
  for (let bi = 0; bi < numel(batch); bi++) {
    const bidx = unravel(bi, batch);
    const at = (s: readonly number[], arr: Arr, r: number, c: number) => {
      const lead = s.length - 2;
      const idx = [...bidx.slice(batch.length - lead).map((v, i) => (s[i] === 1 ? 0 : v)), r, c];
      return arr.data[ravel(idx, s)]!;
    };
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let mag = 0;
        let wrapped = 0;
        for (let t = 0; t < k; t++) {
          const p = at(as, a, i, t) * at(bs, b, t, j);
          s += p;
          mag += Math.abs(p);
          wrapped = (wrapped + Math.imul(at(as, a, i, t), at(bs, b, t, j))) | 0;
        }
        data.push(store(isFloat(dtype) ? s : wrapped, dtype));
        err.push((k + 2) * eps * mag);
      }
    }
  }
  let shape = [...batch, m, n];
  if (a.shape.length === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  return { shape, dtype, data, err };
}
