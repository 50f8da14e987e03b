/**
 * What one registry entry says about an op: how to call it, how to draw sample inputs, and
 * which of the suite's checks it leaves out and why.
 */
import type { Tensor } from '@tsgrad/core';
import type fc from 'fast-check';

/** Positional arguments and keyword arguments of one call. */
export interface Sample {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/**
 * The checks an entry may leave out, each only with a reason in words. Every other check
 * (views, every device) has no way out: an op that cannot pass it is not ready.
 *
 * - `reference`: its cases in `reference/ops.json` (PyTorch's values and gradients); an op
 *   without a case must say why, and loses its opt-out test once a case exists;
 * - `gradcheck`: finite differences against its backward rule; an op that leaves it out is
 *   checked to return a result that does not require grad;
 * - `gradgradcheck`: the same, one order higher; only together with `gradcheck` so far.
 */
export type OptionalCheck = 'reference' | 'gradcheck' | 'gradgradcheck';

/** One op: how to call it and how to test it. */
export interface OpInfo {
  /** The op's name in `ops.json` and the README. */
  name: string;
  /** Runs the op on a case's arguments. */
  call: (args: readonly unknown[], kwargs: Record<string, unknown>) => Tensor;
  /**
   * The op's async form, for ops whose result shape depends on the data (`maskedSelect`,
   * `nonzero`): their sync `call` needs a device that reads synchronously, so the reference
   * and device checks run this one on every device.
   */
  callAsync?: (args: readonly unknown[], kwargs: Record<string, unknown>) => Promise<Tensor>;
  /**
   * Random float64 sample inputs. Floating tensor arguments are the ones gradchecked; every
   * check but the reference runs on these samples, so every entry has one.
   */
  sample: fc.Arbitrary<Sample>;
  /** Domain restrictions the sample generator respects, in words. */
  domain?: string;
  /** The checks this op leaves out, each with the reason (listed by `registry.test.ts`). */
  skip?: Partial<Record<OptionalCheck, string>>;
}
