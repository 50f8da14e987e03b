/**
 * Loss functions with PyTorch's definitions and `reduction` ('mean' by default, 'sum',
 * 'none'), as functions; `loss-modules.ts` wraps them as modules.
 */
import {
  DTypeError,
  formatShape,
  type IndexLike,
  isFloating,
  ShapeError,
  sameShape,
  Tensor,
  toIndexTensor,
  ValueError,
  where,
} from '@tsgrad/core';

/** How a loss combines its per-element values. */
export type Reduction = 'mean' | 'sum' | 'none';

/** The `reduction` option shared by every loss. */
export interface ReductionOptions {
  reduction?: Reduction;
}

/** Applies a loss's `reduction` (default 'mean') to its per-element values. */
export function reduce(op: string, l: Tensor, reduction: Reduction | undefined): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean':
      return l.mean();
    case 'sum':
      return l.sum();
    case 'none':
      return l;
    default:
      throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
  }
}

function checkInputTarget(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`,
    );
  }
  if (!isFloating(input.dtype)) throw new DTypeError(`${op}: input must be floating, got ${input.dtype}`);
}

/**
 * Mean squared error: (input − target)².
 *
 * @example
 * ```ts
 * mseLoss(pred, y); // scalar
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkInputTarget('mseLoss', input, target);
  const d = input.sub(target);
  return reduce('mseLoss', d.mul(d), opts.reduction);
}

/**
 * Mean absolute error: |input − target|.
 *
 * @example
 * ```ts
 * l1Loss(pred, y, { reduction: 'sum' });
 * ```
 */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkInputTarget('l1Loss', input, target);
  return reduce('l1Loss', input.sub(target).abs(), opts.reduction);
}

/** Options of {@link huberLoss}. */
export interface HuberOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (1). */
  delta?: number;
}

/**
 * Huber loss: ½d² for |d| < delta, delta·(|d| − ½delta) beyond.
 *
 * @example
 * ```ts
 * huberLoss(pred, y, { delta: 0.5 });
 * ```
 */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberOptions = {}): Tensor {
  checkInputTarget('huberLoss', input, target);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huberLoss: delta must be positive, got ${delta}`);
  // The quadratic part squares the signed difference so its second derivative is right at 0.
  const diff = input.sub(target);
  const d = diff.abs();
  const l = where(d.lt(delta), diff.mul(diff).mul(0.5), d.sub(0.5 * delta).mul(delta));
  return reduce('huberLoss', l, opts.reduction);
}

/** Options of {@link smoothL1Loss}. */
export interface SmoothL1Options extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (1); 0 gives the L1 loss. */
  beta?: number;
}

/**
 * Smooth L1: ½d²/beta for |d| < beta, |d| − ½beta beyond.
 *
 * @example
 * ```ts
 * smoothL1Loss(pred, y, { beta: 1 });
 * ```
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1Options = {}): Tensor {
  checkInputTarget('smoothL1Loss', input, target);
  const beta = opts.beta ?? 1;
  if (beta < 0) throw new ValueError(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const diff = input.sub(target);
  const d = diff.abs();
  if (beta === 0) return reduce('smoothL1Loss', d, opts.reduction);
  const l = where(d.lt(beta), diff.mul(diff).mul(0.5 / beta), d.sub(0.5 * beta));
  return reduce('smoothL1Loss', l, opts.reduction);
}

/** Options of {@link bceLoss}. */
export interface BceOptions extends ReductionOptions {
  /** Per-element rescaling weight, broadcast to the input. */
  weight?: Tensor | null;
}

const LOG_FLOOR = Math.exp(-100);

/**
 * Binary cross-entropy of probabilities: −[t·log x + (1−t)·log(1−x)], with the logs clamped
 * at −100 as PyTorch does (so x = 0 or 1 gives a finite loss and gradient).
 *
 * @example
 * ```ts
 * bceLoss(model.forward(x).sigmoid(), y);
 * ```
 */
export function bceLoss(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  checkInputTarget('bceLoss', input, target);
  const logX = input.clamp(LOG_FLOOR).log().clamp(-100);
  const log1mX = input.neg().add(1).clamp(LOG_FLOOR).log().clamp(-100);
  let l = target.mul(logX.sub(log1mX)).add(log1mX).neg();
  if (opts.weight) l = l.mul(opts.weight);
  return reduce('bceLoss', l, opts.reduction);
}

/** Options of {@link bceWithLogitsLoss}. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits, computed stably:
 * (1−t)·x + (1 + (posWeight−1)·t)·softplus(−x).
 *
 * @example
 * ```ts
 * bceWithLogitsLoss(logits, y, { posWeight: tensor([3]) });
 * ```
 */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  checkInputTarget('bceWithLogitsLoss', input, target);
  const sp = input.neg().softplus();
  const lw = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
  let l = target
    .neg()
    .add(1)
    .mul(input)
    .add(lw ? lw.mul(sp) : sp);
  if (opts.weight) l = l.mul(opts.weight);
  return reduce('bceWithLogitsLoss', l, opts.reduction);
}

/** Options of {@link nllLoss} and {@link crossEntropyLoss}. */
export interface NllOptions extends ReductionOptions {
  /** Per-class weight [C]; the mean divides by the summed weights of the targets. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (−100). */
  ignoreIndex?: number;
}

/** Moves the class dim last and flattens: [N, C, d…] → [N·d…, C]; [C] → [1, C]. */
function classesLast(
  op: string,
  input: Tensor,
  target: Tensor,
): { x: Tensor; t: Tensor; outShape: number[] } {
  if (input.ndim === 1) {
    if (target.ndim !== 0)
      throw new ShapeError(`${op}: for input ${formatShape(input.shape)} the target must be a 0-d index`);
    return { x: input.unsqueeze(0), t: target.reshape([1]), outShape: [] };
  }
  const N = input.shape[0]!;
  const C = input.shape[1]!;
  const rest = input.shape.slice(2);
  const expected = [N, ...rest];
  if (!sameShape(target.shape, expected)) {
    throw new ShapeError(
      `${op}: target ${formatShape(target.shape)} does not match input ${formatShape(input.shape)} (expected ${formatShape(expected)})`,
    );
  }
  // Stryker disable next-line ConditionalExpression: the general form below gives the same for [N, C]
  if (rest.length === 0) return { x: input, t: target, outShape: [N] };
  const perm = [0, ...rest.map((_, i) => i + 2), 1];
  return { x: input.permute(perm).reshape([-1, C]), t: target.reshape([-1]), outShape: expected };
}

/**
 * Per-row nll on [M, C] with class weights: the losses, the weight of each row's target (null
 * when every row counts 1, the common case, which then skips the masking ops) and the mask
 * of rows not ignored.
 */
function nllRows(op: string, x: Tensor, t: Tensor, weight: Tensor | null | undefined, ignoreIndex: number) {
  const C = x.shape[1]!;
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new ShapeError(`${op}: weight must have shape [${C}], got ${formatShape(weight.shape)}`);
  }
  // (The short path below gives the general one's values with fewer ops; off the CPU the
  // targets are not read, and the general path is taken.)
  // Stryker disable next-line BooleanLiteral: only the short path depends on it
  let anyIgnored = true;
  if (t.device === 'cpu') {
    // Stryker disable next-line BooleanLiteral: only the short path depends on it
    anyIgnored = false;
    for (const v of t.dataSync()) {
      if (v === ignoreIndex) anyIgnored = true;
      else if (v < 0 || v >= C) throw new ValueError(`${op}: target ${v} is out of bounds for ${C} classes`);
    }
  }
  // Stryker disable next-line ConditionalExpression,BlockStatement: the general path gives the same values
  if (!anyIgnored && !weight) {
    return { loss: x.gather(1, t.unsqueeze(1)).squeeze(1).neg(), w: null, keep: null };
  }
  const keep = t.ne(ignoreIndex);
  const safeT = where(keep, t, 0);
  const picked = x.gather(1, safeT.unsqueeze(1)).squeeze(1);
  let w: Tensor = keep.to(x.dtype);
  if (weight) w = w.mul(weight.indexSelect(0, safeT));
  return { loss: picked.mul(w).neg(), w, keep };
}

/** Σ loss / Σ w, or the plain mean when every weight is 1. */
function weightedMean(loss: Tensor, w: Tensor | null): Tensor {
  return w ? loss.sum().div(w.sum()) : loss.mean();
}

/**
 * Negative log-likelihood of log-probabilities `input` ([N, C], [N, C, d…] or [C]) at int32
 * class `target`. With `weight`, the mean is Σ wₜ·lossᵢ / Σ wₜ (PyTorch's weighted mean).
 *
 * @example
 * ```ts
 * nllLoss(logits.logSoftmax(1), labels);
 * ```
 */
export function nllLoss(input: Tensor, target: IndexLike, opts: NllOptions = {}): Tensor {
  const tgt = toIndexTensor('nllLoss', target, input.device, 'target');
  const { x, t, outShape } = classesLast('nllLoss', input, tgt);
  const { loss, w } = nllRows('nllLoss', x, t, opts.weight, opts.ignoreIndex ?? -100);
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'mean') return weightedMean(loss, w);
  return reduction === 'none' ? loss.reshape(outShape) : reduce('nllLoss', loss, reduction);
}

/** Options of {@link crossEntropyLoss}. */
export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1−ε)·target + ε/C (0). */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits `input` ([N, C], [N, C, d…] or [C]) against int32 class indices, or
 * against class probabilities of the input's shape. Supports `weight`, `ignoreIndex` and
 * `labelSmoothing` with PyTorch's semantics.
 *
 * @example
 * ```ts
 * crossEntropyLoss(logits, labels, { labelSmoothing: 0.1 });
 * ```
 */
export function crossEntropyLoss(input: Tensor, target: IndexLike, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropyLoss';
  // Float targets are class probabilities; anything else must be class indices.
  const tgt =
    target instanceof Tensor && isFloating(target.dtype)
      ? target
      : toIndexTensor(op, target, input.device, 'target');
  if (!isFloating(input.dtype)) throw new DTypeError(`${op}: input must be floating, got ${input.dtype}`);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const reduction = opts.reduction ?? 'mean';
  if (!['mean', 'sum', 'none'].includes(reduction)) {
    throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  const logp = input.logSoftmax(classDim);
  const wShape = input.shape.map((s, i) => (i === classDim ? s : 1));

  if (isFloating(tgt.dtype)) {
    if (!sameShape(tgt.shape, input.shape)) {
      throw new ShapeError(
        `${op}: probability target ${formatShape(tgt.shape)} must have the input's shape ${formatShape(input.shape)}`,
      );
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: at ε = 0 the mix is the target
    const soft = eps > 0 ? tgt.mul(1 - eps).add(eps / C) : tgt;
    let prod = logp.mul(soft);
    if (opts.weight) prod = prod.mul(opts.weight.reshape(wShape));
    const l = prod.sum(classDim).neg();
    if (reduction === 'mean') return l.sum().div(input.numel / C);
    return reduction === 'sum' ? l.sum() : l;
  }

  const { x, t, outShape } = classesLast(op, logp, tgt);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const { loss, w, keep } = nllRows(op, x, t, opts.weight, ignoreIndex);
  const nll =
    reduction === 'mean' ? weightedMean(loss, w) : reduction === 'sum' ? loss.sum() : loss.reshape(outShape);
  if (eps === 0) return nll;

  const rowSums = (opts.weight ? x.mul(opts.weight) : x).sum(1).neg();
  const perRow = keep ? where(keep, rowSums, 0) : rowSums;
  let smooth: Tensor;
  // As the nll term: divided by the summed weights of the targets not ignored (their count without class weights).
  if (reduction === 'mean') smooth = w ? perRow.sum().div(w.sum()) : perRow.mean();
  else if (reduction === 'sum') smooth = perRow.sum();
  else smooth = perRow.reshape(outShape);
  return nll.mul(1 - eps).add(smooth.mul(eps / C));
}
