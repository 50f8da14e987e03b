/**
 * Shape, strides and offset of a tensor over its storage — one small value that every kernel
 * receives with the storage. Views (transpose, narrow, expand, permute) make a new layout over
 * the same storage; only `contiguous()` copies.
 *
 * @example
 * ```ts
 * const l = contiguousLayout([2, 3]); // strides [3, 1], offset 0
 * transposeLayout(l, 0, 1);            // shape [3, 2], strides [1, 3]
 * ```
 */
import { formatShape, ShapeError } from './errors.js';

/** How a tensor's elements sit in its storage (in elements, not bytes). */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Number of elements of a shape. */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/**
 * Refuses a shape that no tensor can have: every dim must be a non-negative safe integer
 * (`-1` too where `allowInfer`, as reshape, view and expand accept it), and the element count
 * must be a safe integer. `op` is the call the user made, for the message. O(rank), no
 * allocation when the shape is fine.
 *
 * @example
 * ```ts
 * checkShape([2, 3], 'zeros');      // fine
 * checkShape([2.5], 'expand');      // ShapeError: expand: invalid shape [2.5] (dim 0 is 2.5 …)
 * checkShape([-1, 3], 'view', true); // fine: -1 is inferred
 * ```
 */
export function checkShape(shape: readonly number[], op: string, allowInfer = false): void {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${op}: expected a shape (an array of sizes), got ${describeValue(shape)}`);
  }
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d === 'number' && Number.isSafeInteger(d) && (d >= 0 || (allowInfer && d === -1))) {
      if (d >= 0) n *= d;
      continue;
    }
    const allowed = allowInfer ? 'a non-negative integer or -1' : 'a non-negative integer';
    throw new ShapeError(
      `${op}: invalid shape [${shape.map(describeValue).join(',')}] (dim ${i} is ${describeValue(d)}; each size must be ${allowed})`,
    );
  }
  if (!Number.isSafeInteger(n)) {
    throw new ShapeError(
      `${op}: shape ${formatShape(shape)} has ${n} elements, more than any tensor can hold`,
    );
  }
}

/** A short description of any value for error messages: numbers as written, others by kind. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v);
  if (typeof v === 'symbol') return v.toString();
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    return name !== undefined && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof v}`;
}

/** Row-major strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** A row-major layout at offset 0. */
export function contiguousLayout(shape: readonly number[]): Layout {
  return { shape, strides: contiguousStrides(shape), offset: 0 };
}

/**
 * True when the strides walk the shape in row-major order without gaps (size-1 dims ignored).
 * The offset plays no part, so any shape-and-strides pair can be asked.
 *
 * @example
 * ```ts
 * isContiguous(contiguousLayout([2, 3]));           // true
 * isContiguous({ shape: [3, 2], strides: [1, 3] }); // false: a transposed [2, 3]
 * ```
 */
export function isContiguous(l: Pick<Layout, 'shape' | 'strides'>): boolean {
  let acc = 1;
  for (let i = l.shape.length - 1; i >= 0; i--) {
    const d = l.shape[i]!;
    if (d !== 1 && l.strides[i] !== acc) return false;
    acc *= d;
  }
  return true;
}

/**
 * True when two shapes are the same, dimension by dimension.
 *
 * @example
 * ```ts
 * sameShape([2, 3], [2, 3]); // true
 * sameShape([2, 3], [3, 2]); // false
 * sameShape([], [1]);        // false: a scalar is not a one-element vector
 * ```
 */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A shape and the strides of each of several operands over it (see {@link collapseDims}). */
export interface CollapsedDims {
  shape: number[];
  strides: number[][];
}

/**
 * Fewer dimensions for the same walk of several operands of one shape: size-1 dims are
 * dropped, and neighbouring dims are merged wherever every operand steps through them as
 * through one (outer stride = inner stride × inner size). Elements keep their row-major
 * order, so a kernel may loop over the collapsed shape instead of the original. A
 * contiguous operand collapses to one dim; the result always has at least one dim.
 *
 * @example
 * ```ts
 * // A [4, 3, 5] slice of a [4, 3, 8] tensor (narrowed along the last dim) is 12 rows of 5:
 * collapseDims([4, 3, 5], [[24, 8, 1]]);  // { shape: [12, 5], strides: [[8, 1]] }
 * // A transposed matrix keeps both dims; so does a row broadcast beside it:
 * collapseDims([3, 2], [[1, 3], [0, 1]]); // { shape: [3, 2], strides: [[1, 3], [0, 1]] }
 * ```
 */
export function collapseDims(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): CollapsedDims {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    let mergeable = last >= 0;
    for (let k = 0; k < strides.length && mergeable; k++) {
      mergeable = outStrides[k]![last] === strides[k]![d]! * size;
    }
    if (mergeable) {
      outShape[last]! *= size;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(size);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  return { shape: outShape, strides: outStrides };
}

/** Normalises a possibly negative axis, naming `op` in the error. */
export function normDim(dim: number, ndim: number, op: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new ShapeError(
      `${op}: dim ${describeValue(dim)} is out of range for a tensor of ${ndim} dimensions`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** The broadcast shape of two shapes (NumPy rules), or a ShapeError naming `op`. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast (dimension ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A view of `l` expanded to `shape` (new leading dims and size-1 dims get stride 0). */
export function expandLayout(l: Layout, shape: readonly number[], op = 'expand'): Layout {
  const n = shape.length;
  const k = l.shape.length;
  if (n < k) {
    throw new ShapeError(
      `${op}: cannot expand ${formatShape(l.shape)} to fewer dimensions ${formatShape(shape)}`,
    );
  }
  const strides = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const j = i - (n - k);
    const target = shape[i]!;
    if (j < 0) {
      strides[i] = 0;
      continue;
    }
    const d = l.shape[j]!;
    if (d === target) strides[i] = l.strides[j]!;
    else if (d === 1) strides[i] = 0;
    else throw new ShapeError(`${op}: cannot expand ${formatShape(l.shape)} to ${formatShape(shape)}`);
  }
  return { shape: shape.slice(), strides, offset: l.offset };
}

/** Reorders the axes of a layout. */
export function permuteLayout(l: Layout, dims: readonly number[]): Layout {
  return { shape: dims.map((d) => l.shape[d]!), strides: dims.map((d) => l.strides[d]!), offset: l.offset };
}

/** Swaps two axes. */
export function transposeLayout(l: Layout, a: number, b: number): Layout {
  const dims = l.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permuteLayout(l, dims);
}

/** Elements `start … start+length-1` along `dim`. */
export function narrowLayout(l: Layout, dim: number, start: number, length: number): Layout {
  const shape = l.shape.slice();
  shape[dim] = length;
  return { shape, strides: l.strides, offset: l.offset + start * l.strides[dim]! };
}

/**
 * The layout of `l` reshaped to `shape` without copying, or null when the strides do not
 * allow it (then the caller copies first). Splits and merges of dims are allowed as long as
 * each merged group is contiguous within itself.
 */
export function reshapeLayout(l: Layout, shape: readonly number[]): Layout | null {
  if (isContiguous(l)) return { shape: shape.slice(), strides: contiguousStrides(shape), offset: l.offset };
  // Drop size-1 dims, then match groups of old dims to groups of new dims with equal products.
  const oldShape: number[] = [];
  const oldStrides: number[] = [];
  for (let i = 0; i < l.shape.length; i++) {
    if (l.shape[i] !== 1) {
      oldShape.push(l.shape[i]!);
      oldStrides.push(l.strides[i]!);
    }
  }
  const strides = new Array<number>(shape.length).fill(0);
  let oi = 0;
  let ni = 0;
  while (ni < shape.length || oi < oldShape.length) {
    while (ni < shape.length && shape[ni] === 1) {
      strides[ni] = 1;
      ni++;
    }
    if (ni >= shape.length && oi >= oldShape.length) break;
    if (ni >= shape.length || oi >= oldShape.length) return null;
    // Grow a group of old dims and new dims until their products match.
    let po = oldShape[oi]!;
    let pn = shape[ni]!;
    const o0 = oi;
    const n0 = ni;
    while (po !== pn) {
      if (po < pn) {
        oi++;
        if (oi >= oldShape.length) return null;
        po *= oldShape[oi]!;
      } else {
        ni++;
        if (ni >= shape.length) return null;
        pn *= shape[ni]!;
      }
    }
    for (let k = o0; k < oi; k++) {
      if (oldStrides[k] !== oldStrides[k + 1]! * oldShape[k + 1]!) return null;
    }
    let st = oldStrides[oi]!;
    for (let k = ni; k >= n0; k--) {
      strides[k] = st;
      st *= shape[k]!;
    }
    oi++;
    ni++;
  }
  return { shape: shape.slice(), strides, offset: l.offset };
}
