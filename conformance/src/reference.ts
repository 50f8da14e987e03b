/**
 * The PyTorch reference files (`reference/` at the repository root) and turning their cases
 * into call arguments.
 */
import { readFileSync } from 'node:fs';
import type { Device, DType, Tensor } from '@tsgrad/core';
import { tensor } from '@tsgrad/core';

/** Reads `reference/<name>` (a JSON file). */
export function readReference<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../reference/${name}`, import.meta.url), 'utf8')) as T;
}

/** A tensor as the reference files store it. */
export interface RefTensor {
  shape: number[];
  dtype: 'float64' | 'int32' | 'bool';
  data: (number | boolean)[];
}

/** One case of `ops.json` (and of `parity-ops.json`, whose integer and bool results have no gradient). */
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

/** One case of `optim.json` (and `parity-optim.json`): the parameter after each step. */
export interface OptimCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  param0: RefTensor;
  grads: RefTensor[];
  params: RefTensor[];
}

/** One case of `parity-layers.json`: a module, its parameters by PyTorch name, and PyTorch's results. */
export interface LayerCase {
  name: string;
  module: string;
  config: Record<string, unknown>;
  params: Record<string, RefTensor>;
  args: RefTensor[];
  extraArgs?: RefTensor[];
  out: RefTensor;
  gradOut: RefTensor;
  gradInput: RefTensor;
  paramGrads: Record<string, RefTensor>;
}
