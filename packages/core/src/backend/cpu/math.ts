/**
 * Scalar functions the CPU kernels apply elementwise, where JavaScript's Math has no equivalent.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/**
 * The error function to about 1e-15 relative error.
 * |x| < 2.5: erf(x) = 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)) (all terms positive);
 * otherwise 1 − erfc(x), with erfc from its continued fraction, evaluated from the tail.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = (ONE_OVER_SQRT_PI * Math.exp(-ax * ax)) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

/** Logistic sigmoid, stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Rounds to the nearest integer, ties to the even one (as PyTorch's round); keeps −0. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends ties up: step back down where that made an odd integer.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** a mod b with the divisor's sign (Python's `%`, PyTorch's remainder): fmod, then shifted by b. */
export function remainder(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/**
 * aᵇ as C's pow and PyTorch compute it: 1 for a⁰ and 1ᵇ whatever the other operand (NaN
 * too) and for (−1)^±∞, where JavaScript's `**` gives NaN.
 */
export function pow(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Number.POSITIVE_INFINITY || b === Number.NEGATIVE_INFINITY))) return 1;
  return a ** b;
}
