/**
 * Errors thrown for user mistakes. Every message names the op and the shapes, dtypes or
 * devices involved, e.g. `matmul: cannot multiply [2,3] by [4,5] (inner dimensions 3 and 4 differ)`.
 *
 * @example
 * ```ts
 * try { a.matmul(b); } catch (e) { if (e instanceof ShapeError) console.log(e.message); }
 * ```
 */
export class TsgradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (broadcasting, matmul, reshape, indices out of range). */
export class ShapeError extends TsgradError {}

/** A dtype an op cannot take (e.g. grad on an int32 tensor, float64 on WebGPU). */
export class DTypeError extends TsgradError {}

/** Tensors on different devices, or a device that is not available. */
export class DeviceError extends TsgradError {}

/** Misuse of autograd: a second backward through a freed graph, in-place on a saved tensor … */
export class AutogradError extends TsgradError {}

/** An argument outside its allowed values (a negative size, an unknown option …). */
export class ValueError extends TsgradError {}

/** Use of a tensor after `dispose()`. */
export class DisposedError extends TsgradError {}

/**
 * Formats a shape as error messages show it: `[2,3]`.
 *
 * @example
 * ```ts
 * formatShape([2, 3]); // '[2,3]'
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
