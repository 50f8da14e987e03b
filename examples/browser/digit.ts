/**
 * A hand-drawn digit made to look like an MNIST image, the way MNIST's were made (LeCun et
 * al.): the ink's bounding box is scaled, keeping its aspect ratio, to fit a 20×20 box
 * (averaging the area each new pixel covers, so edges come out grey), and that box is placed
 * in a 28×28 field so that its centre of mass lies at the field's centre.
 */

/** Side of an MNIST image. */
export const SIDE = 28;
/** Side of the box the ink's bounding box is scaled to fit. */
export const BOX = 20;

/**
 * The 28×28 MNIST-like image (row-major, ink in [0, 1]) of a `width`×`height` drawing whose
 * pixels hold ink in [0, 1]; null when nothing is drawn.
 *
 * @example
 * ```ts
 * const ink = new Float32Array(280 * 280); // 1 where the pen went
 * const image = toMnist(ink, 280, 280); // Float32Array(784), or null for an empty canvas
 * ```
 */
export function toMnist(ink: ArrayLike<number>, width: number, height: number): Float32Array | null {
  if (ink.length !== width * height) {
    throw new RangeError(`toMnist: ${ink.length} pixels for a ${width}×${height} drawing`);
  }
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! <= 0) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  if (x1 < 0) return null;
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = BOX / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale));
  const h = Math.max(1, Math.round(bh * scale));
  // Scale the box separably: rows to w columns, then columns to h rows.
  const cols = resample(bw, w);
  const rows = resample(bh, h);
  const small = new Float32Array(w * h);
  for (const [ty, ys] of rows.entries()) {
    for (const [tx, xs] of cols.entries()) {
      let sum = 0;
      for (const [sy, wy] of ys) {
        for (const [sx, wx] of xs) sum += wy * wx * ink[(y0 + sy) * width + x0 + sx]!;
      }
      small[ty * w + tx] = sum;
    }
  }
  // Shift so that the centre of mass lands on the centre of the 28×28 field.
  let [mass, mx, my] = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const dx = Math.round(SIDE / 2 - mx / mass);
  const dy = Math.round(SIDE / 2 - my / mass);
  const image = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [X, Y] = [x + dx, y + dy];
      if (X >= 0 && X < SIDE && Y >= 0 && Y < SIDE) image[Y * SIDE + X] = Math.min(1, small[y * w + x]!);
    }
  }
  return image;
}

/**
 * For each of `m` new pixels along a line of `n`, the old pixels it covers and by what
 * fraction of its width (weights summing to 1): area averaging.
 */
function resample(n: number, m: number): [number, number][][] {
  const step = n / m;
  return Array.from({ length: m }, (_, t) => {
    const [a, b] = [t * step, (t + 1) * step];
    const taps: [number, number][] = [];
    for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) {
      const cover = Math.min(b, i + 1) - Math.max(a, i);
      if (cover > 0) taps.push([i, cover / step]);
    }
    return taps;
  });
}
