import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addRowVector,
  axpy,
  dot,
  relu,
  reluBackward,
  sumColumns,
  sumRows,
} from '../../src/backend/cpu/kernels/f32.js';

const vals = (n: number) => fc.float32Array({ minLength: n, maxLength: n, noNaN: true, min: -100, max: 100 });
const block = fc
  .record({ rows: fc.integer({ min: 0, max: 9 }), cols: fc.integer({ min: 0, max: 300 }) })
  .chain(({ rows, cols }) =>
    fc.record({ rows: fc.constant(rows), cols: fc.constant(cols), x: vals(rows * cols) }),
  );

describe('f32 helpers', () => {
  it('addRowVector adds the bias to every row, in place too', () => {
    fc.assert(
      fc.property(
        block.chain((b) => fc.record({ b: fc.constant(b), bias: vals(b.cols) })),
        ({ b: { rows, cols, x }, bias }) => {
          const out = new Float32Array(rows * cols);
          addRowVector(out, x, bias, rows, cols);
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < cols; j++)
              expect(out[i * cols + j]).toBe(Math.fround(x[i * cols + j] + bias[j]));
          const y = x.slice();
          addRowVector(y, y, bias, rows, cols);
          expect(Array.from(y)).toEqual(Array.from(out));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('relu and its gradient', () => {
    const x = new Float32Array([-2, -0, 0, 0.5, 3, Number.NaN]);
    const out = new Float32Array(6);
    relu(out, x, 6);
    expect(Array.from(out)).toEqual([0, -0, 0, 0.5, 3, Number.NaN]);
    const g = new Float32Array([1, 2, 3, 4, 5, 6]);
    const gi = new Float32Array(6);
    reluBackward(gi, g, x, 6);
    expect(Array.from(gi)).toEqual([0, 0, 0, 4, 5, 0]);
  });

  it('sumColumns and sumRows match plain sums', () => {
    fc.assert(
      fc.property(block, ({ rows, cols, x }) => {
        const cs = new Float64Array(cols);
        sumColumns(cs, x, rows, cols);
        const rs = new Float64Array(rows);
        sumRows(rs, x, rows, cols);
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s += x[i * cols + j];
          expect(cs[j]).toBeCloseTo(s, 6);
        }
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += x[i * cols + j];
          expect(rs[i]).toBeCloseTo(s, 6);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('axpy and dot, with offsets', () => {
    const x = new Float64Array([9, 1, 2, 3, 4, 5]);
    const y = new Float64Array([1, 1, 1, 1, 1]);
    axpy(y, 2, x, 5, 1, 0);
    expect(Array.from(y)).toEqual([3, 5, 7, 9, 11]);
    expect(dot(x, y, 5, 1, 0)).toBe(3 + 10 + 21 + 36 + 55);
    expect(dot(x, y, 0)).toBe(0);
  });
});
