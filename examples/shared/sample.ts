/**
 * Picking the next token from a language model's logits: temperature, top-k, then a draw from
 * the softmax with `multinomial` (the global generator, so `manualSeed` fixes the draws).
 */
import { multinomial, noGrad, type Tensor, tidy, where } from '@tsgrad/core';

/** How {@link sampleNext} draws. */
export interface SamplingOptions {
  /** Divides the logits: below 1 sharpens the distribution, above 1 flattens it; 0 is greedy (argmax). */
  temperature: number;
  /** Draws only among the `topK` likeliest tokens (0: all). */
  topK: number;
}

/** One token index (int32) per row of `logits` [B, V]. */
export function sampleNext(logits: Tensor, opts: SamplingOptions): Tensor {
  const V = logits.shape[logits.ndim - 1]!;
  return noGrad(() =>
    tidy(() => {
      if (opts.temperature === 0) return logits.argmax(-1);
      let scaled = logits.div(opts.temperature);
      if (opts.topK > 0 && opts.topK < V) {
        // Everything below the k-th largest logit gets probability 0.
        const kth = scaled.topk(opts.topK, -1).values.narrow(-1, opts.topK - 1, 1);
        scaled = where(scaled.lt(kth), -Infinity, scaled);
      }
      return multinomial(scaled.softmax(-1), 1).squeeze(-1);
    }),
  );
}

/** Checks the sampling flags; returns a message for a bad one. */
export function samplingError(opts: SamplingOptions): string | null {
  if (!(opts.temperature >= 0)) return `--temperature must be 0 or more, got ${opts.temperature}`;
  if (!Number.isInteger(opts.topK) || opts.topK < 0) {
    return `--top-k must be a non-negative integer, got ${opts.topK}`;
  }
  return null;
}
