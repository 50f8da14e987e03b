/** Colour ramps for heat maps and decision regions. */

type Rgb = [number, number, number];

/** Stops of a perceptually ordered ramp from dark blue through green to yellow (viridis-like). */
const sequential: Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Blue through white to red, for values of either sign. */
const diverging: Rgb[] = [
  [33, 102, 172],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [178, 24, 43],
];

/** The names of the ramps. */
export type Ramp = 'sequential' | 'diverging';

/** The colour at `t` in [0, 1] along a ramp, as `rgb(r,g,b)`; t is clamped. */
export function rampColor(t: number, ramp: Ramp = 'sequential'): string {
  const stops = ramp === 'diverging' ? diverging : sequential;
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const a = stops[i]!;
  const b = stops[i + 1]!;
  const w = u - i;
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * w));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Mixes a `#rrggbb` colour with white: `amount` 0 is white, 1 the colour. */
export function tint(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(255 + (v - 255) * amount));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
