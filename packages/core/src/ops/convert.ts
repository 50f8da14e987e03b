/**
 * Changing a tensor's dtype or device. Casts between float dtypes are differentiable.
 */
import { record, recordTraceOnly } from '../autograd/node.js';
import type { Device } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import type { DType } from '../dtype.js';
import { isFloating } from '../dtype.js';
import { DeviceError, DTypeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { backendOf, fromStorage } from './make.js';

/**
 * `x` converted to `dtype` (x itself when it already has it). Floats become int32 by
 * truncation toward zero. As in PyTorch, a cast of an existing tensor does not check its
 * values (that would read the tensor back): NaN, ±Infinity and values outside int32 give an
 * unspecified int32 (on the CPU, NaN and ±Infinity give 0 and others wrap modulo 2³²). Only
 * `tensor(data, { dtype: 'int32' })` and `full` refuse them, as PyTorch's `tensor()` does.
 *
 * @example
 * ```ts
 * castTo(tensor([1.7, -1.7]), 'int32'); // [1, -1]
 * ```
 */
export function castTo(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const b = backendOf(x);
  if (!b.dtypes.includes(dtype)) {
    throw new DTypeError(`to: the ${x.device} device does not support ${dtype}`);
  }
  const y = fromStorage(b, b.cast(x._view('to'), dtype), x.shape, dtype);
  if (!isFloating(dtype) || !isFloating(x.dtype)) return recordTraceOnly(y, 'cast', [x]);
  const from = x.dtype;
  return record(y, 'cast', [x], [], (g) => [castTo(g, from)]);
}

/**
 * A copy of `x` on `device` (x itself when already there). Differentiable.
 *
 * @example
 * ```ts
 * const c = moveTo(x, 'cpu');
 * ```
 */
export function moveTo(x: Tensor, device: Device): Tensor {
  const target = getBackend(device, 'to');
  if (target === backendOf(x)) return x;
  if (!target.dtypes.includes(x.dtype)) {
    throw new DTypeError(
      `to: the ${device} device does not support ${x.dtype}${x.dtype === 'float64' ? '; convert with .to("float32") first' : ''}`,
    );
  }
  const src = backendOf(x);
  const from = x.device;
  const v = x._view('to');
  const contiguous = src.cast(v, v.dtype);
  const n = x.numel;
  if (src.readSync === undefined) {
    src.free(contiguous);
    throw new DeviceError(
      `to: moving from ${from} needs an async read; use await moveToAsync(t, '${device}')`,
    );
  }
  const host = src.readSync(contiguous, x.dtype, n);
  src.free(contiguous);
  const y = fromStorage(target, target.fromArray(host, x.dtype), x.shape, x.dtype);
  return record(y, 'to', [x], [], (g) => [moveTo(g, from)]);
}

/**
 * A copy of `x` on `device`, read asynchronously (works from every device, e.g. WebGPU to CPU).
 * Not recorded by autograd.
 *
 * @example
 * ```ts
 * const c = await moveToAsync(gpuTensor, 'cpu');
 * ```
 */
export async function moveToAsync(x: Tensor, device: Device): Promise<Tensor> {
  const target = getBackend(device, 'toAsync');
  if (target === backendOf(x)) return x;
  if (!target.dtypes.includes(x.dtype)) {
    throw new DTypeError(`toAsync: the ${device} device does not support ${x.dtype}`);
  }
  const host = await x.data();
  return fromStorage(target, target.fromArray(host, x.dtype), x.shape, x.dtype);
}
