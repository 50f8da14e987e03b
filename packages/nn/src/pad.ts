/**
 * `pad` (`torch.nn.functional.pad`): constant padding is a join with filled blocks (negative
 * amounts crop), the other modes pick input elements by an index per padded dim, so their
 * gradients (the sums of the copies) come from `cat`, `narrow` and `indexSelect`.
 */
import {
  cat,
  formatShape,
  full,
  indexSelect,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
} from '@tsgrad/core';

/** How {@link pad} fills the new elements. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Options of {@link pad}. */
export interface PadOptions {
  /** `'constant'` (default): `value`; `'reflect'`: mirrored without the edge; `'replicate'`: the edge; `'circular'`: wrapped around. */
  mode?: PadMode;
  /** The fill of constant padding (0). */
  value?: number;
}

/** The source index of each output position along a dim of `n` elements, per mode. */
function sourceIndex(mode: Exclude<PadMode, 'constant'>, n: number, before: number, after: number): number[] {
  const out: number[] = [];
  for (let j = -before; j < n + after; j++) {
    if (mode === 'replicate') out.push(Math.min(Math.max(j, 0), n - 1));
    else if (mode === 'circular') out.push(((j % n) + n) % n);
    else out.push(j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j);
  }
  return out;
}

/**
 * Pads `x` by `pad`, a flat list of (before, after) amounts starting from the last dim —
 * `[left, right]` pads the last dim, `[left, right, top, bottom]` the last two — as PyTorch's
 * `F.pad`. Modes: `'constant'` fills with `value` (negative amounts crop), `'reflect'` mirrors
 * without repeating the edge (amounts below the dim's size), `'replicate'` repeats the edge,
 * `'circular'` wraps around (amounts at most the dim's size).
 *
 * @example
 * ```ts
 * pad(tensor([[1, 2, 3]]), [1, 2]);                      // [[0, 1, 2, 3, 0, 0]]
 * pad(tensor([[1, 2, 3]]), [2, 1], { mode: 'reflect' }); // [[3, 2, 1, 2, 3, 2]]
 * pad(tensor([[1, 2, 3]]), [1, 1], { mode: 'circular' }); // [[3, 1, 2, 3, 1]]
 * ```
 */
export function pad(x: Tensor, pad: readonly number[], opts: PadOptions = {}): Tensor {
  const mode = opts.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new ValueError(`pad: unknown mode '${mode}' (constant, reflect, replicate or circular)`);
  }
  if (pad.length % 2 !== 0 || pad.length / 2 > x.ndim) {
    throw new ShapeError(
      `pad: padding [${pad}] must hold (before, after) pairs for at most ${x.ndim} dims of ${formatShape(x.shape)}`,
    );
  }
  if (pad.some((p) => !Number.isInteger(p)))
    throw new ValueError(`pad: amounts must be integers, got [${pad}]`);
  if (mode !== 'constant' && opts.value !== undefined && opts.value !== 0) {
    throw new ValueError(`pad: value applies only to constant padding, not '${mode}'`);
  }
  let y = x;
  for (let k = 0; k < pad.length / 2; k++) {
    const d = x.ndim - 1 - k;
    const before = pad[2 * k]!;
    const after = pad[2 * k + 1]!;
    if (before === 0 && after === 0) continue;
    const n = y.shape[d]!;
    if (n + before + after < 0 || (mode !== 'constant' && n + before + after <= 0)) {
      throw new ShapeError(
        `pad: padding (${before}, ${after}) leaves nothing of dim ${d} of size ${n} in ${formatShape(x.shape)}`,
      );
    }
    if (mode === 'constant') {
      y = padConstant(y, d, before, after, opts.value ?? 0);
      continue;
    }
    if (mode === 'reflect' && (before >= n || after >= n)) {
      throw new ShapeError(
        `pad: reflect padding (${before}, ${after}) must be less than the size ${n} of dim ${d} in ${formatShape(x.shape)}`,
      );
    }
    if (mode === 'circular' && (before > n || after > n)) {
      throw new ShapeError(
        `pad: circular padding (${before}, ${after}) must be at most the size ${n} of dim ${d} in ${formatShape(x.shape)}`,
      );
    }
    if (n === 0)
      throw new ShapeError(`pad: ${mode} padding needs a non-empty dim ${d} in ${formatShape(x.shape)}`);
    const idx = tensor(sourceIndex(mode, n, before, after), { dtype: 'int32', device: y.device });
    y = indexSelect(y, d, idx);
  }
  return y === x ? x.clone() : y;
}

function padConstant(x: Tensor, d: number, before: number, after: number, value: number): Tensor {
  let y = x;
  const n = y.shape[d]!;
  // Negative amounts crop first.
  const cropStart = Math.max(0, -before);
  const cropEnd = Math.max(0, -after);
  if (cropStart > 0 || cropEnd > 0) y = y.narrow(d, cropStart, n - cropStart - cropEnd);
  const block = (len: number) =>
    full(
      y.shape.map((s, i) => (i === d ? len : s)),
      value,
      { dtype: y.dtype, device: y.device },
    );
  const parts: Tensor[] = [];
  if (before > 0) parts.push(block(before));
  parts.push(y);
  if (after > 0) parts.push(block(after));
  return parts.length === 1 ? y : cat(parts, d);
}
