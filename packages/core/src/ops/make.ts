/**
 * How ops make their outputs: wrap a backend storage in a tensor (recording the graph node is
 * `record`, in `autograd/node.ts`).
 */

import type { Backend, Storage } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import type { DType } from '../dtype.js';
import { itemSize } from '../dtype.js';
import { DeviceError, formatShape, ValueError } from '../errors.js';
import type { Layout } from '../layout.js';
import { contiguousLayout, describeValue, numelOf } from '../layout.js';
import { StorageRef } from '../storage.js';
import { Tensor } from '../tensor.js';

/** A new tensor owning `storage`, contiguous with `shape`. */
export function fromStorage(
  backend: Backend,
  storage: Storage,
  shape: readonly number[],
  dtype: DType,
): Tensor {
  const ref = new StorageRef(backend, storage, dtype, numelOf(shape));
  return new Tensor(ref, contiguousLayout(shape));
}

/** A new tensor over the same storage as `t`, through another layout (no copy). */
export function viewWith(t: Tensor, layout: Layout): Tensor {
  return new Tensor(t._ref, layout);
}

/** The backend of `t`. */
export function backendOf(t: Tensor): Backend {
  return t._ref.backend;
}

/** Throws a ValueError naming `op` unless `v` is a tensor (`what` names the argument). */
export function checkTensor(v: unknown, op: string, what = 'argument'): asserts v is Tensor {
  if (!(v instanceof Tensor))
    throw new ValueError(`${op}: expected a tensor as ${what}, got ${describeValue(v)}`);
}

/** The common device of op inputs, or a DeviceError naming the op and devices. */
export function sameDevice(op: string, ...ts: Tensor[]): Backend {
  for (const t of ts) checkTensor(t, op);
  const b = ts[0]!._ref.backend;
  for (let i = 1; i < ts.length; i++) {
    if (ts[i]!._ref.backend !== b) {
      throw new DeviceError(
        `${op}: expected all tensors on the same device, got ${ts.map((t) => t.device).join(' and ')}`,
      );
    }
  }
  return b;
}

/** A one-element tensor of `value` (shape []) on `t`'s device. */
export function scalarLike(t: Tensor, value: number, dtype: DType = t.dtype): Tensor {
  const b = backendOf(t);
  return fromStorage(b, b.fill(1, value, dtype), [], dtype);
}

/** A tensor of `shape` full of `value` on a device. */
export function filled(
  device: Tensor['device'],
  shape: readonly number[],
  value: number,
  dtype: DType,
): Tensor {
  const b = getBackend(device);
  return fromStorage(b, b.fill(numelOf(shape), value, dtype), shape, dtype);
}

/**
 * Refuses, before anything is allocated, a tensor of `shape` and `dtype` larger than the
 * backend's memory policy allows (`maxBytes`, `maxElements`), naming the op, shape and bytes.
 */
export function checkAlloc(backend: Backend, shape: readonly number[], dtype: DType, op: string): void {
  const policy = backend.memory;
  if (policy === undefined) return;
  const n = numelOf(shape);
  const bytes = policy.byteSize ? policy.byteSize(n, dtype) : n * itemSize(dtype);
  const maxBytes = policy.maxBytes ?? Number.POSITIVE_INFINITY;
  const maxElements = policy.maxElements ?? Number.POSITIVE_INFINITY;
  if (bytes > maxBytes || n > maxElements) {
    const limit =
      bytes > maxBytes
        ? `the device holds at most ${maxBytes} bytes in one tensor`
        : `at most ${maxElements} elements`;
    throw new ValueError(
      `${op}: a ${dtype} tensor of shape ${formatShape(shape)} needs ${bytes} bytes (${n} elements); ${limit}`,
    );
  }
}
