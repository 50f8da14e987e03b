/**
 * `@tsgrad/core/testing`: tools to test your own differentiable functions.
 *
 * - {@link gradcheck} compares the gradients autograd computes with central finite
 *   differences, element by element, in float64.
 * - {@link gradgradcheck} does the same for second derivatives.
 * - {@link arbShape}, {@link arbBroadcastableShapes} and {@link arbTensor} are
 *   [fast-check](https://fast-check.dev) arbitraries for property tests over random shapes,
 *   broadcasting and values (fast-check is a peer dependency).
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { arbTensor, gradcheck } from '@tsgrad/core/testing';
 *
 * fc.assert(
 *   fc.property(arbTensor({ shape: [3, 4], min: -2, max: 2 }), (x) =>
 *     gradcheck((t) => t.tanh().mul(t).sum(1), [x.requiresGrad_()]),
 *   ),
 * );
 * ```
 *
 * @packageDocumentation
 * @module @tsgrad/core/testing
 */
import fc from 'fast-check';
import type { Device, DType, Tensor } from '../index.js';
import { enableGrad, grad, noGrad, sameShape, tensor, tidy, ValueError } from '../index.js';

/**
 * A function under test: tensors in, one tensor or several out.
 *
 * @example
 * ```ts
 * const f: TensorFunction = (x, w) => x.matmul(w).tanh();
 * ```
 */
export type TensorFunction = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/**
 * Options of {@link gradcheck} and {@link gradgradcheck}.
 *
 * @example
 * ```ts
 * gradcheck(f, [x], { eps: 1e-6, atol: 1e-7, rtol: 1e-5, name: 'myOp' });
 * ```
 */
export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, against the numerical value (default 1e-3). */
  rtol?: number;
  /** Name used in error messages (default: the function's name). */
  name?: string;
  /** Seed of the fixed random output weights `v` in `vᵀJ` (default 0). */
  seed?: number;
}

/**
 * Thrown by {@link gradcheck} when an analytical gradient differs from the numerical one.
 *
 * @example
 * ```ts
 * try { gradcheck(f, [x]); } catch (e) { if (e instanceof GradcheckError) console.log(e.message); }
 * ```
 */
export class GradcheckError extends ValueError {}

/** Deterministic weights in [0.5, 1.5) with random sign; the global RNG is left alone. */
function weights(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = (seed * 2654435761 + 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    out[i] = (u < 0.5 ? -1 : 1) * (0.5 + 2 * Math.abs(u - 0.5));
  }
  return out;
}

function asList(y: Tensor | readonly Tensor[]): readonly Tensor[] {
  return Array.isArray(y) ? (y as readonly Tensor[]) : [y as Tensor];
}

function isFloat(t: Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float64';
}

function fmtIndex(k: number, shape: readonly number[]): string {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return `[${idx.join(',')}]`;
}

/** Σ v·f(inputs) over the floating outputs, without recording a graph. */
function weightedSum(fn: TensorFunction, inputs: readonly Tensor[], vs: readonly Float64Array[]): number {
  return noGrad(() =>
    tidy(() => {
      const outs = asList(fn(...inputs)).filter(isFloat);
      let s = 0;
      outs.forEach((o, i) => {
        const d = o.dataSync();
        const v = vs[i]!;
        for (let k = 0; k < d.length; k++) s += d[k]! * v[k]!;
      });
      return s;
    }),
  );
}

/**
 * Checks `fn`'s gradients against central finite differences. For fixed random output
 * weights `v`, the gradient autograd gives for `Σ v·fn(inputs)` is compared, for every
 * element `x_j` of every input that requires grad, with
 * `(Σ v·fn(x + ε e_j) − Σ v·fn(x − ε e_j)) / 2ε`. Inputs that require grad must be float64
 * CPU tensors; other inputs (indices, masks) are passed through unchanged.
 *
 * Returns `true`, or throws a {@link GradcheckError} naming the function, the input, the
 * element and both values.
 *
 * @example
 * ```ts
 * const x = tensor([[0.3, -1.2], [2, 0.5]], { dtype: 'float64', requiresGrad: true });
 * gradcheck((t) => t.sigmoid().mul(t), [x]); // true
 * ```
 */
export function gradcheck(fn: TensorFunction, inputs: readonly Tensor[], opts: GradcheckOptions = {}): true {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const name = opts.name ?? (fn.name || 'function');
  const checked: number[] = [];
  inputs.forEach((x, i) => {
    if (!x.requiresGrad) return;
    if (x.dtype !== 'float64' || x.device !== 'cpu') {
      throw new ValueError(
        `gradcheck(${name}): input ${i} is a ${x.dtype} tensor on ${x.device}; finite differences need float64 on the cpu`,
      );
    }
    checked.push(i);
  });
  if (checked.length === 0) {
    throw new ValueError(`gradcheck(${name}): no input requires grad, so there is nothing to check`);
  }

  // Analytical: one backward pass of Σ v·y.
  const outs = asList(fn(...inputs));
  const floatOuts = outs.filter(isFloat);
  const vs = floatOuts.map((o, i) => weights(o.numel, (opts.seed ?? 0) * 31 + i));
  const diffOuts: Tensor[] = [];
  const diffVs: Tensor[] = [];
  floatOuts.forEach((o, i) => {
    if (!o.requiresGrad) return;
    diffOuts.push(o);
    diffVs.push(tensor(vs[i]!, { shape: o.shape, dtype: o.dtype }));
  });
  const analytical: (Float64Array | null)[] = inputs.map(() => null);
  if (diffOuts.length > 0) {
    const gs = grad(
      diffOuts,
      checked.map((i) => inputs[i]!),
      { gradOutputs: diffVs, allowUnused: true },
    );
    gs.forEach((g, k) => {
      const i = checked[k]!;
      const x = inputs[i]!;
      if (g === null) return;
      if (!sameShape(g.shape, x.shape)) {
        throw new GradcheckError(
          `gradcheck(${name}): gradient of input ${i} has shape [${g.shape}], expected [${x.shape}]`,
        );
      }
      if (g.dtype !== x.dtype) {
        throw new GradcheckError(
          `gradcheck(${name}): gradient of input ${i} is ${g.dtype}, expected ${x.dtype}`,
        );
      }
      analytical[i] = Float64Array.from(g.dataSync());
    });
  }

  // Numerical: perturb one element at a time in a fresh copy of the input.
  for (const i of checked) {
    const x = inputs[i]!;
    const base = Float64Array.from(x.dataSync());
    const an = analytical[i];
    for (let k = 0; k < base.length; k++) {
      const at = (delta: number): number => {
        const data = base.slice();
        data[k] = base[k]! + delta;
        const xi = tensor(data, { shape: x.shape, dtype: 'float64' });
        const args = inputs.slice();
        args[i] = xi;
        const s = weightedSum(fn, args, vs);
        xi.dispose();
        return s;
      };
      const numerical = (at(eps) - at(-eps)) / (2 * eps);
      const analyticalValue = an === null ? 0 : an[k]!;
      const err = Math.abs(analyticalValue - numerical);
      if (!(err <= atol + rtol * Math.abs(numerical))) {
        throw new GradcheckError(
          `gradcheck(${name}): gradient mismatch for input ${i} (shape [${x.shape}]) at element ${k} ` +
            `${fmtIndex(k, x.shape)} (x = ${base[k]}): numerical ${numerical}, analytical ${analyticalValue}, ` +
            `difference ${err} exceeds atol ${atol} + rtol ${rtol}·|numerical|`,
        );
      }
    }
  }
  return true;
}

/**
 * Checks second derivatives: runs {@link gradcheck} on the function that maps the inputs and
 * output weights `v` to the gradients `vᵀJ` (computed with `createGraph`), so the backward
 * rules' own backward rules are checked against finite differences of the first ones.
 *
 * @example
 * ```ts
 * const x = tensor([0.3, -1.2, 2], { dtype: 'float64', requiresGrad: true });
 * gradgradcheck((t) => t.tanh(), [x]); // true
 * ```
 */
export function gradgradcheck(
  fn: TensorFunction,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): true {
  const name = opts.name ?? (fn.name || 'function');
  const checked = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  // Output weights become inputs too (the gradient is linear in them).
  const probe = noGrad(() => asList(fn(...inputs)).filter(isFloat));
  const vs = probe.map((o, i) =>
    tensor(weights(o.numel, (opts.seed ?? 0) * 31 + 7 + i), {
      shape: o.shape,
      dtype: 'float64',
      requiresGrad: true,
    }),
  );
  const nIn = inputs.length;
  // Runs with grad mode on even inside gradcheck's numerical pass; perturbed copies of the
  // inputs are made to require grad so that their gradients exist.
  const firstOrder = (...all: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const xs = all.slice(0, nIn);
      const v = all.slice(nIn);
      for (const i of checked) if (!xs[i]!.requiresGrad) xs[i] = xs[i]!.detach().requiresGrad_();
      const outs = asList(fn(...xs)).filter(isFloat);
      const keepOuts: Tensor[] = [];
      const keepVs: Tensor[] = [];
      outs.forEach((o, i) => {
        if (o.requiresGrad) {
          keepOuts.push(o);
          keepVs.push(v[i]!);
        }
      });
      const targets = checked.map((i) => xs[i]!);
      if (keepOuts.length === 0) return targets.map((t) => t.detach().mul(0));
      const gs = grad(keepOuts, targets, { gradOutputs: keepVs, createGraph: true, allowUnused: true });
      return gs.map((g, k) => g ?? targets[k]!.detach().mul(0));
    });
  return gradcheck(firstOrder, [...inputs, ...vs], { ...opts, name: `grad of ${name}` });
}

/**
 * Options of {@link arbShape}.
 *
 * @example
 * ```ts
 * arbShape({ minRank: 1, maxRank: 3, maxDim: 4 });
 * ```
 */
export interface ShapeOptions {
  /** Fewest dimensions (default 0: scalars included). */
  minRank?: number;
  /** Most dimensions (default 4). */
  maxRank?: number;
  /** Smallest size of a dimension (default 1). */
  minDim?: number;
  /** Largest size of a dimension (default 5). */
  maxDim?: number;
}

/**
 * Random shapes, e.g. `[]`, `[3]`, `[2, 1, 4]`.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbShape({ maxRank: 3 }), (s) => zeros(s).numel === s.reduce((a, b) => a * b, 1)));
 * ```
 */
export function arbShape(opts: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 4, minDim = 1, maxDim = 5 } = opts;
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Options of {@link arbBroadcastableShapes}.
 *
 * @example
 * ```ts
 * arbBroadcastableShapes({ count: 3, maxRank: 2 });
 * ```
 */
export interface BroadcastOptions extends ShapeOptions {
  /** How many shapes (default 2). */
  count?: number;
}

/**
 * Lists of shapes that broadcast together: each is a suffix of a common shape, with some
 * dimensions replaced by 1 — e.g. `[[2, 1, 4], [3, 1]]`.
 *
 * @example
 * ```ts
 * fc.assert(
 *   fc.property(arbBroadcastableShapes(), ([a, b]) => {
 *     zeros(a!).add(zeros(b!)); // never throws
 *   }),
 * );
 * ```
 */
export function arbBroadcastableShapes(opts: BroadcastOptions = {}): fc.Arbitrary<number[][]> {
  const count = opts.count ?? 2;
  return arbShape(opts).chain((full) =>
    fc
      .array(
        fc.tuple(
          fc.integer({ min: Math.min(opts.minRank ?? 0, full.length), max: full.length }),
          fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
        ),
        { minLength: count, maxLength: count },
      )
      .map((specs) =>
        specs.map(([rank, ones]) =>
          full.slice(full.length - rank).map((d, i) => (ones[full.length - rank + i] ? 1 : d)),
        ),
      ),
  );
}

/**
 * Options of {@link arbTensor}.
 *
 * @example
 * ```ts
 * arbTensor({ shape: arbShape({ maxRank: 2 }), dtype: 'float32', min: 0, max: 1 });
 * ```
 */
export interface TensorArbOptions {
  /** A fixed shape or an arbitrary of shapes (default: {@link arbShape}()). */
  shape?: readonly number[] | fc.Arbitrary<number[]>;
  /** Element type (default float64, the dtype gradcheck needs). */
  dtype?: DType;
  /** Smallest value (default -10; for bool ignored). */
  min?: number;
  /** Largest value (default 10). */
  max?: number;
  /** Make the tensor a leaf that requires grad (floating dtypes only). */
  requiresGrad?: boolean;
  /** Device (default cpu). */
  device?: Device;
}

/**
 * Random tensors with finite values in [min, max] (for float32, up to the rounding of the
 * bounds to float32). Values are drawn by `fc.double`, which favours edge cases such as the
 * bounds and 0.
 *
 * @example
 * ```ts
 * fc.assert(
 *   fc.property(arbTensor({ shape: [4], min: 0.1, max: 5 }), (x) => {
 *     expect(x.log().exp().dataSync()).toEqual(x.dataSync()); // up to rounding
 *   }),
 * );
 * ```
 */
export function arbTensor(opts: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  const dtype = opts.dtype ?? 'float64';
  const min = opts.min ?? -10;
  const max = opts.max ?? 10;
  if (!(min <= max)) throw new ValueError(`arbTensor: min ${min} is greater than max ${max}`);
  const shapeArb =
    opts.shape === undefined
      ? arbShape()
      : Array.isArray(opts.shape)
        ? fc.constant([...(opts.shape as readonly number[])])
        : (opts.shape as fc.Arbitrary<number[]>);
  const value: fc.Arbitrary<number> =
    dtype === 'bool'
      ? fc.boolean().map((b) => (b ? 1 : 0))
      : dtype === 'int32'
        ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
        : fc
            .double({ min, max, noNaN: true, noDefaultInfinity: true })
            .map((v) => (Object.is(v, -0) ? 0 : v));
  return shapeArb.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.array(value, { minLength: n, maxLength: n }).map((vals) =>
      tensor(vals, {
        shape,
        dtype,
        device: opts.device ?? 'cpu',
        requiresGrad: opts.requiresGrad ?? false,
      }),
    );
  });
}
