/**
 * How tsgrad dtypes live in WGSL: float32 as `f32`, int32 as `i32`, bool as a `u32` that is
 * 0 or 1 (WGSL has no 8-bit storage type), and conversions between them that follow the CPU
 * backend (float to int32 truncates toward zero, wraps like a JavaScript Int32Array store,
 * and turns NaN and ±Infinity into 0; nonzero to bool is 1).
 */

import type { DType } from '@tsgrad/core';
import { DTypeError } from '@tsgrad/core';

/** WGSL scalar types tsgrad stores. */
export type WgslScalar = 'f32' | 'i32' | 'u32';

/** The WGSL element type of a dtype's storage; float64 has none. */
export function wgslType(dtype: DType): WgslScalar {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    default:
      throw new DTypeError(`webgpu: ${dtype} is not supported (WebGPU has no float64; use float32)`);
  }
}

/** The zero literal of a dtype's WGSL type. */
export function zeroOf(dtype: DType): string {
  return dtype === 'float32' ? '0.0' : dtype === 'int32' ? '0i' : '0u';
}

/**
 * A WGSL bool: whether `expr` (of `dtype`) is nonzero. Floats are tested on their bits: some
 * drivers compile `x != 0.0` as an ordered comparison, which is false for NaN.
 */
export function truthy(expr: string, dtype: DType): string {
  if (dtype === 'float32') return `((bitcast<u32>(${expr}) & 0x7fffffffu) != 0u)`;
  return `((${expr}) != ${zeroOf(dtype)})`;
}

/** A WGSL expression converting `expr` (of dtype `from`) to dtype `to`. */
export function convert(expr: string, from: DType, to: DType): string {
  if (from === to) return expr;
  if (to === 'bool') return `select(0u, 1u, ${truthy(expr, from)})`;
  if (to === 'float32') return `f32(${expr})`;
  // to int32
  return from === 'float32' ? `f2i(${expr})` : `i32(${expr})`;
}
