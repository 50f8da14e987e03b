/**
 * Sampling from the global generator: `multinomial`, `bernoulli` and the in-place fills
 * `normal_` and `uniform_`.
 *
 * Every draw is a composite over the backend's `random` primitive (whose uniforms are the same
 * bits on every backend, see `random.ts`) and exact operations — adds, products, comparisons,
 * integer sums — so, given the same seed, the CPU and WebGPU draw the same categories and the
 * same Bernoulli outcomes. (Normal fills agree up to float32 rounding of log and cos.)
 *
 * multinomial samples by inverse CDF: each row's cumulative weights (an inclusive scan of
 * log₂ C shifted adds, the same additions on every backend) against u·total, u uniform. The
 * category is the count of cumulative weights ≤ u·total, which never lands on a zero weight.
 * Without replacement it draws one column at a time and zeroes each drawn category before the
 * next draw (sequential removal, as `torch.multinomial` defines it).
 */
import { isFloating } from '../dtype.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';
import { castTo } from './convert.js';
import { arange, rand, randn } from './creation.js';
import { where } from './elementwise.js';
import { copy_ } from './inplace.js';
import { inclusiveScan } from './masking.js';
import { cat } from './movement.js';

/** Options of {@link multinomial}. */
export interface MultinomialOptions {
  /** Draw with replacement (false: each row's draws are distinct categories). */
  replacement?: boolean;
}

/** Checks weights on devices that read synchronously; returns the fewest nonzero categories of a row. */
function checkWeights(w: Tensor): number | null {
  if (w._ref.backend.readSync === undefined) return null;
  const [R, C] = w.shape as [number, number];
  const data = w.dataSync();
  let fewest = C;
  for (let r = 0; r < R; r++) {
    let nz = 0;
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const v = data[r * C + c]!;
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new ValueError(`multinomial: weights must be finite and non-negative, got ${v} in row ${r}`);
      }
      if (v > 0) nz++;
      sum += v;
    }
    if (!(sum > 0)) throw new ValueError(`multinomial: row ${r} has no positive weight`);
    fewest = Math.min(fewest, nz);
  }
  return fewest;
}

/** One inverse-CDF draw of `k` categories per row of w [R, C] (int32 [R, k]). */
function drawRows(w: Tensor, k: number): Tensor {
  const [R, C] = w.shape as [number, number];
  const cdf = inclusiveScan(w);
  const total = cdf.narrow(1, C - 1, 1);
  const u = rand([R, k], { device: w.device, dtype: w.dtype });
  const target = u.unsqueeze(2).mul(total.unsqueeze(1));
  const idx = castTo(cdf.unsqueeze(1).le(target), 'int32').sum(2);
  // u·total can round up to total: then the count is C; the last positive category is meant.
  const cols = arange(C, undefined, 1, { device: w.device, dtype: 'int32' });
  const last = where(w.gt(0), cols, -1).max(1, true);
  return idx.minimum(last);
}

/**
 * Draws `numSamples` category indices (int32) from each row of non-negative weights `probs`
 * ([C] or [R, C]; rows need not sum to 1), from the global generator (see `manualSeed`).
 * Without replacement, each row's draws are distinct, so numSamples may not exceed its
 * nonzero categories. Weights are checked (non-negative, finite, a positive sum, enough
 * nonzero categories) where they can be read synchronously (the CPU); WebGPU skips the read.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * multinomial(tensor([0.1, 0.6, 0.3]), 4, { replacement: true }); // e.g. [1, 2, 1, 1]
 * ```
 */
export function multinomial(probs: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  const op = 'multinomial';
  if (!isFloating(probs.dtype)) throw new DTypeError(`${op}: weights must be floating, got ${probs.dtype}`);
  if (probs.ndim !== 1 && probs.ndim !== 2) {
    throw new ShapeError(`${op}: weights must be 1-D or 2-D, got ${formatShape(probs.shape)}`);
  }
  if (!Number.isInteger(numSamples) || numSamples <= 0) {
    throw new ValueError(`${op}: numSamples must be a positive integer, got ${numSamples}`);
  }
  const replacement = opts.replacement ?? false;
  let w = probs.detach();
  if (w.ndim === 1) w = w.unsqueeze(0);
  const C = w.shape[1]!;
  if (C === 0) throw new ShapeError(`${op}: weights have no categories ${formatShape(probs.shape)}`);
  const fewest = checkWeights(w);
  if (!replacement && (numSamples > C || (fewest !== null && numSamples > fewest))) {
    throw new ValueError(
      `${op}: cannot draw ${numSamples} samples without replacement from ${fewest ?? C} nonzero categories`,
    );
  }
  // Intermediates are freed at once (GPU memory is not collected).
  return tidy(() => {
    let out: Tensor;
    if (replacement) out = drawRows(w, numSamples);
    else {
      const cols = arange(C, undefined, 1, { device: w.device, dtype: 'int32' });
      const draws: Tensor[] = [];
      for (let s = 0; s < numSamples; s++) {
        const d = drawRows(w, 1);
        draws.push(d);
        if (s + 1 < numSamples) w = where(cols.eq(d), 0, w);
      }
      out = draws.length === 1 ? draws[0]! : cat(draws, 1);
    }
    return probs.ndim === 1 ? out.reshape([numSamples]) : out;
  });
}

/**
 * 1 with probability `p[i]`, else 0, elementwise (p's shape and dtype), from the global
 * generator.
 *
 * @example
 * ```ts
 * bernoulli(fullLike(x, 0.9)); // mostly ones
 * ```
 */
export function bernoulli(p: Tensor): Tensor {
  if (!isFloating(p.dtype)) throw new DTypeError(`bernoulli: probabilities must be floating, got ${p.dtype}`);
  const u = rand([...p.shape], { device: p.device, dtype: p.dtype });
  return castTo(u.lt(p.detach()), p.dtype);
}

/**
 * 1 with probability `p` (a number) for every element of x's shape and dtype.
 *
 * @example
 * ```ts
 * zeros([4]).bernoulli(0.5);
 * ```
 */
export function bernoulliScalar(x: Tensor, p: number): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`bernoulli: p must be in [0, 1], got ${p}`);
  const dtype = isFloating(x.dtype) ? x.dtype : 'float32';
  const u = rand([...x.shape], { device: x.device, dtype });
  return castTo(u.lt(p), x.dtype);
}

function checkFill(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new DTypeError(`${op}: needs a floating tensor, got ${t.dtype}`);
}

/**
 * Fills `t` in place with normal numbers of mean `mean` and standard deviation `std`.
 *
 * @example
 * ```ts
 * noGrad(() => w.normal_(0, 0.02));
 * ```
 */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1): T {
  checkFill('normal_', t);
  if (!(std >= 0)) throw new ValueError(`normal_: std must be non-negative, got ${std}`);
  const r = randn([...t.shape], { device: t.device, dtype: t.dtype });
  return copy_(t, std === 1 && mean === 0 ? r : r.mul(std).add(mean));
}

/**
 * Fills `t` in place with uniform numbers from [from, to).
 *
 * @example
 * ```ts
 * noGrad(() => w.uniform_(-0.1, 0.1));
 * ```
 */
export function uniform_<T extends Tensor>(t: T, from = 0, to = 1): T {
  checkFill('uniform_', t);
  if (!(from <= to)) throw new ValueError(`uniform_: expected from <= to, got ${from} and ${to}`);
  const r = rand([...t.shape], { device: t.device, dtype: t.dtype });
  return copy_(t, from === 0 && to === 1 ? r : r.mul(to - from).add(from));
}
