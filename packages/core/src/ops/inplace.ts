/**
 * In-place ops. They compute out of place, write the result into the tensor's storage and
 * bump its version, so autograd can refuse to use a saved tensor that changed underneath it.
 * On a leaf that requires grad they throw (outside `noGrad`), as PyTorch does.
 */

import { isGradEnabled } from '../autograd/grad-mode.js';
import type { BinaryOp } from '../backend/backend.js';
import { isFloating } from '../dtype.js';
import { AutogradError, DTypeError, formatShape, ShapeError } from '../errors.js';
import { sameShape } from '../layout.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { clamp } from './activation.js';
import { castTo } from './convert.js';
import { binaryOp } from './elementwise.js';
import { backendOf, sameDevice } from './make.js';

/** Throws when autograd forbids changing `t` in place: a leaf that requires grad, or a recorded tensor. */
export function checkInplace(op: string, t: Tensor): void {
  if (isGradEnabled() && t.requiresGrad) {
    if (t.isLeaf) {
      throw new AutogradError(
        `${op}: a leaf tensor that requires grad (shape ${formatShape(t.shape)}) cannot be modified in place; wrap the update in noGrad()`,
      );
    }
    throw new AutogradError(
      `${op}: in-place ops on tensors recorded by autograd are not supported; use the out-of-place form`,
    );
  }
}

/** Writes `value` (already of t's shape-compatible form) into t's storage. */
function writeInto(op: string, t: Tensor, value: Tensor): void {
  sameDevice(op, t, value);
  let v = value;
  if (v.dtype !== t.dtype) v = castTo(v, t.dtype);
  if (!sameShape(v.shape, t.shape)) {
    try {
      v = v.expand([...t.shape]);
    } catch {
      throw new ShapeError(
        `${op}: result of shape ${formatShape(value.shape)} cannot be written into ${formatShape(t.shape)}`,
      );
    }
  }
  backendOf(t).assign(t._view(op), v._view(op));
  // A cast or an expanded view made here holds storage nothing else frees.
  if (v !== value) v.dispose();
  t._ref.version++;
}

/** `t = t op other` in place. */
export function inplaceBinary<T extends Tensor>(op: BinaryOp, t: T, other: TensorLike): T {
  const name = `${op}_`;
  checkInplace(name, t);
  // Detached aliases for the computation, disposed after it so they hold no storage.
  const a = t.detach();
  const b = typeof other === 'number' ? other : other.detach();
  const r = binaryOp(op, a, b);
  a.dispose();
  if (typeof b !== 'number') b.dispose();
  if (isFloating(r.dtype) && !isFloating(t.dtype)) {
    throw new DTypeError(`${name}: result type ${r.dtype} cannot be stored in a ${t.dtype} tensor`);
  }
  writeInto(name, t, r);
  r.dispose();
  return t;
}

/** Sets every element to `value`. */
export function fill_<T extends Tensor>(t: T, value: number): T {
  checkInplace('fill_', t);
  const b = backendOf(t);
  const one = b.fill(1, value, t.dtype);
  b.assign(t._view('fill_'), {
    storage: one,
    dtype: t.dtype,
    layout: { shape: t.shape, strides: t.shape.map(() => 0), offset: 0 },
  });
  b.free(one);
  t._ref.version++;
  return t;
}

/** Copies `src` into `t`. */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  checkInplace('copy_', t);
  // The detached alias is disposed at once, so that it does not keep src's storage alive.
  const s = src.detach();
  writeInto('copy_', t, s);
  s.dispose();
  return t;
}

/** Clamps in place. */
export function clamp_<T extends Tensor>(t: T, min?: number, max?: number): T {
  checkInplace('clamp_', t);
  const a = t.detach();
  const r = clamp(a, min, max);
  a.dispose();
  writeInto('clamp_', t, r);
  r.dispose();
  return t;
}
