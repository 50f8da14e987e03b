/** Axis scales: data values to pixels, with round tick values. */

/** Maps data values to pixels along one axis and lists where its ticks go. */
export interface Scale {
  /** The pixel position of a data value. */
  at(v: number): number;
  /** Data values to mark on the axis. */
  ticks: number[];
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return out;
}

/** The data range [lo, hi] of `values`, widened when all are equal; NaN and ±∞ are ignored. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) return lo === 0 ? [-1, 1] : [lo - Math.abs(lo) / 2, hi + Math.abs(hi) / 2];
  return [lo, hi];
}

/** A linear scale from the domain [d0, d1] to the pixel range [r0, r1]. */
export function linearScale(domain: [number, number], range: [number, number], count = 5): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return { at: (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0), ticks: niceTicks(d0, d1, count) };
}

/** A base-10 log scale; the domain must be positive. Ticks fall on powers of ten. */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const l0 = Math.log10(domain[0]);
  const l1 = Math.log10(domain[1]);
  const inner = linearScale([l0, l1], range);
  const ticks: number[] = [];
  for (let e = Math.ceil(l0 - 1e-9); e <= Math.floor(l1 + 1e-9); e++) ticks.push(10 ** e);
  if (ticks.length < 2) ticks.splice(0, ticks.length, domain[0], domain[1]);
  return { at: (v) => inner.at(Math.log10(v)), ticks };
}
