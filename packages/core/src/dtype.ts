import { DTypeError } from './errors.js';

/**
 * Element types a tensor can hold, and the rules that pick the type of an op's result.
 *
 * @example
 * ```ts
 * promoteTypes('int32', 'float32'); // 'float32'
 * ```
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that stores each dtype's elements on the CPU. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Constructor of the typed array for a dtype. */
export function arrayType(
  dtype: DType,
): Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int32':
      return Int32Array;
    case 'bool':
      return Uint8Array;
  }
}

/** Bytes per element. */
export function itemSize(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
}

/** True for float32 and float64, the dtypes that can carry gradients. */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/**
 * The smaller dtype that holds both, as PyTorch promotes: bool < int32 < float32 < float64.
 *
 * @example
 * ```ts
 * promoteTypes('bool', 'int32'); // 'int32'
 * ```
 */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/**
 * The dtype of `tensor op scalar`: a scalar never widens a tensor of its own kind
 * (PyTorch's rule), but a fractional number makes an integer tensor float32.
 */
export function promoteWithScalar(t: DType, scalar: number | boolean): DType {
  if (typeof scalar === 'boolean') return t;
  if (isFloating(t)) return t;
  if (Number.isInteger(scalar)) return t === 'bool' ? 'int32' : t;
  return 'float32';
}

/** All dtypes, for iteration in tests. */
export const dtypes: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/**
 * Whether a name is a dtype's (and so not a device's: `t.to(name)` tells them apart this way).
 *
 * @example
 * ```ts
 * isDType('int32'); // true
 * isDType('cpu'); // false
 * ```
 */
export function isDType(name: string): name is DType {
  return name === 'float32' || name === 'float64' || name === 'int32' || name === 'bool';
}

/**
 * Refuses anything that is not a dtype name, listing the supported ones; `op` is the call the
 * user made.
 *
 * @example
 * ```ts
 * checkDType('float32', 'zeros'); // fine
 * checkDType('float16', 'zeros'); // DTypeError: zeros: unknown dtype "float16"; supported: float32, float64, int32, bool
 * ```
 */
export function checkDType(dtype: unknown, op: string): asserts dtype is DType {
  if (typeof dtype === 'string' && isDType(dtype)) return;
  const got = typeof dtype === 'string' ? JSON.stringify(dtype) : String(dtype);
  throw new DTypeError(`${op}: unknown dtype ${got}; supported: ${dtypes.join(', ')}`);
}
