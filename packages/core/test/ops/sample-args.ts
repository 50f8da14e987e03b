/**
 * Turning registry samples and reference cases into call arguments.
 */
import type { Device, DType, Tensor } from '@tsgrad/core';
import { tensor } from '@tsgrad/core';

/** A tensor as `ops.json` stores it. */
export interface RefTensor {
  shape: number[];
  dtype: 'float64' | 'int32' | 'bool';
  data: (number | boolean)[];
}

/** One case of `ops.json`. */
export interface RefCase {
  name: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  out: RefTensor;
  gradOut?: RefTensor;
  grads?: (RefTensor | null)[];
}

export function isRefTensor(v: unknown): v is RefTensor {
  return typeof v === 'object' && v !== null && 'shape' in v && 'dtype' in v && 'data' in v;
}

/** A reference tensor on `device`, its floats converted to `dtype`. */
export function fromRef(r: RefTensor, dtype: DType, device: Device, requiresGrad = false): Tensor {
  const d: DType = r.dtype === 'float64' ? dtype : r.dtype;
  return tensor(
    r.data.map((v) => Number(v)),
    { shape: r.shape, dtype: d, device, requiresGrad: requiresGrad && r.dtype === 'float64' },
  );
}

/** Whether a value is a floating tensor. */
export function isFloatTensor(v: unknown): v is Tensor {
  return (
    typeof v === 'object' &&
    v !== null &&
    'dtype' in v &&
    ((v as Tensor).dtype === 'float64' || (v as Tensor).dtype === 'float32')
  );
}
