/** A drawing becomes an MNIST-like image: scaled into a 20×20 box, centred by mass in 28×28. */
import { describe, expect, it } from 'vitest';
import { BOX, SIDE, toMnist } from './digit.js';

const W = 280;

/** A W×W drawing with ink 1 in the rectangles [x, y, width, height]. */
function drawing(...rects: [number, number, number, number][]): Float32Array {
  const ink = new Float32Array(W * W);
  for (const [x, y, w, h] of rects) {
    for (let r = y; r < y + h; r++) ink.fill(1, r * W + x, r * W + x + w);
  }
  return ink;
}

function inkBox(image: Float32Array): {
  rows: number[];
  cols: number[];
  mass: number;
  com: [number, number];
} {
  const rows = new Set<number>();
  const cols = new Set<number>();
  let [mass, mx, my] = [0, 0, 0];
  image.forEach((v, i) => {
    if (v <= 0) return;
    const [x, y] = [i % SIDE, Math.floor(i / SIDE)];
    rows.add(y);
    cols.add(x);
    mass += v;
    mx += v * (x + 0.5);
    my += v * (y + 0.5);
  });
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { rows: sorted(rows), cols: sorted(cols), mass, com: [mx / mass, my / mass] };
}

describe('toMnist', () => {
  it('gives null for an empty drawing and refuses a wrong size', () => {
    expect(toMnist(new Float32Array(W * W), W, W)).toBeNull();
    expect(() => toMnist(new Float32Array(10), W, W)).toThrow(/10 pixels for a 280×280/);
  });

  it("scales a '1' stroke anywhere on the canvas to 20 rows, centred", () => {
    const image = toMnist(drawing([30, 40, 10, 200]), W, W)!;
    const { rows, cols, mass } = inkBox(image);
    expect(rows.length).toBe(BOX);
    expect(rows[0]).toBe(4);
    expect(cols).toEqual([14]);
    expect(mass).toBeCloseTo(20, 4);
  });

  it('keeps the aspect ratio and the ink (area averaging)', () => {
    const image = toMnist(drawing([100, 200, 100, 50]), W, W)!;
    const { rows, cols, mass } = inkBox(image);
    expect(cols.length).toBe(20);
    expect(rows.length).toBe(10);
    expect(mass).toBeCloseTo(100 * 50 * (20 / 100) ** 2, 3);
  });

  it('puts the centre of mass, not the box, at the centre', () => {
    // An L: a heavy foot pulls the mass down and right of the box's centre.
    const image = toMnist(drawing([50, 50, 25, 200], [50, 205, 150, 45]), W, W)!;
    const { com, mass } = inkBox(image);
    expect(Math.abs(com[0] - SIDE / 2)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(com[1] - SIDE / 2)).toBeLessThanOrEqual(0.5);
    expect(mass).toBeGreaterThan(0);
    // Grey edges where a new pixel covers ink and paper alike.
    expect(image.some((v) => v > 0 && v < 1)).toBe(true);
  });
});
