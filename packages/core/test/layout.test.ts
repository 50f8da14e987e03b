import { collapseDims, contiguousLayout, contiguousStrides, isContiguous, sameShape } from '@tsgrad/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Storage offsets of every element of shape walked by strides, in row-major order (plainly). */
function offsets(shape: readonly number[], strides: readonly number[]): number[] {
  const out: number[] = [];
  const walk = (d: number, at: number): void => {
    if (d === shape.length) {
      out.push(at);
      return;
    }
    for (let i = 0; i < shape[d]!; i++) walk(d + 1, at + i * strides[d]!);
  };
  walk(0, 0);
  return out;
}

describe('sameShape', () => {
  it('compares dimension by dimension', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([], [])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2, 3], [2, 3, 1])).toBe(false);
    expect(sameShape([], [1])).toBe(false);
    const s = [4, 5];
    expect(sameShape(s, s)).toBe(true);
  });
});

describe('isContiguous', () => {
  it('asks only whether the strides walk the shape row-major', () => {
    expect(isContiguous(contiguousLayout([2, 3, 4]))).toBe(true);
    expect(isContiguous({ shape: [3, 2], strides: [1, 3] })).toBe(false);
    expect(isContiguous({ shape: [2, 4], strides: [5, 1] })).toBe(false);
    // Size-1 dims may carry any stride; the offset plays no part.
    expect(isContiguous({ shape: [2, 1, 3], strides: [3, 99, 1] })).toBe(true);
    const shifted = { shape: [2, 3], strides: [3, 1], offset: 7 };
    expect(isContiguous(shifted)).toBe(true);
  });
});

describe('collapseDims', () => {
  it('merges a contiguous operand into one dim', () => {
    expect(collapseDims([2, 3, 4], [[12, 4, 1]])).toEqual({ shape: [24], strides: [[1]] });
  });

  it('merges only the runs every operand walks as one', () => {
    // Narrowed along the last dim: the leading two dims merge, the last stays apart.
    expect(collapseDims([4, 3, 5], [[24, 8, 1]])).toEqual({ shape: [12, 5], strides: [[8, 1]] });
    // Beside a contiguous operand, a transposed one keeps both dims for both.
    expect(
      collapseDims(
        [3, 2],
        [
          [2, 1],
          [1, 3],
        ],
      ),
    ).toEqual({
      shape: [3, 2],
      strides: [
        [2, 1],
        [1, 3],
      ],
    });
  });

  it('keeps broadcast dims apart from real ones, and merges broadcast runs', () => {
    // A row broadcast (stride 0 along the rows) cannot merge with its columns.
    expect(
      collapseDims(
        [3, 4],
        [
          [4, 1],
          [0, 1],
        ],
      ),
    ).toEqual({
      shape: [3, 4],
      strides: [
        [4, 1],
        [0, 1],
      ],
    });
    // A scalar broadcast to the whole shape steps by 0 through one merged dim.
    expect(
      collapseDims(
        [3, 4],
        [
          [4, 1],
          [0, 0],
        ],
      ),
    ).toEqual({ shape: [12], strides: [[1], [0]] });
    // A broadcast over the leading dims of [2, 3, 4] merges them, and the real dims too.
    expect(
      collapseDims(
        [2, 3, 4],
        [
          [12, 4, 1],
          [0, 0, 1],
        ],
      ),
    ).toEqual({
      shape: [6, 4],
      strides: [
        [4, 1],
        [0, 1],
      ],
    });
  });

  it('drops size-1 dims whatever their stride, and keeps at least one dim', () => {
    expect(collapseDims([2, 1, 3], [[3, 99, 1]])).toEqual({ shape: [6], strides: [[1]] });
    expect(
      collapseDims(
        [1, 1],
        [
          [5, 7],
          [0, 0],
        ],
      ),
    ).toEqual({ shape: [1], strides: [[1], [1]] });
    expect(collapseDims([], [[]])).toEqual({ shape: [1], strides: [[1]] });
  });

  it('keeps a zero-size dim', () => {
    expect(collapseDims([3, 0], [[0, 1]]).shape).toContain(0);
  });

  it('walks every operand through the same offsets in the same order', () => {
    const dim = fc.integer({ min: 1, max: 4 });
    const operand = (shape: number[]) => {
      const n = shape.length;
      return fc.oneof(
        fc.array(fc.integer({ min: -6, max: 6 }), { minLength: n, maxLength: n }),
        // A view into a bigger row-major tensor (narrowed along some dims): some dims merge.
        fc
          .array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n })
          .map((pad) => contiguousStrides(shape.map((d, i) => d + pad[i]!))),
      );
    };
    const arb = fc.array(dim, { maxLength: 4 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        strides: fc.array(operand(shape), { minLength: 1, maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, strides }) => {
        const c = collapseDims(shape, strides);
        expect(c.shape.length).toBeGreaterThanOrEqual(1);
        expect(c.shape.length).toBeLessThanOrEqual(Math.max(1, shape.length));
        for (let k = 0; k < strides.length; k++) {
          expect(offsets(c.shape, c.strides[k]!)).toEqual(offsets(shape, strides[k]!));
        }
      }),
      { numRuns: 300 },
    );
  });
});
