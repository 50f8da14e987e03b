import type { ReduceOp } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { available, expectClose, gpu, randomView, readAll, rng, storeAs, viewOf } from './helpers.js';

/** Reference reduction: walks the logical (row-major) values of x. */
function reduceRef(
  op: ReduceOp,
  values: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  int = false,
): number[] {
  const rank = shape.length;
  const isAxis = shape.map((_, d) => axes.includes(d));
  const outShape = shape.map((s, d) => (axes.includes(d) ? 1 : s));
  const nOut = outShape.reduce((a, b) => a * b, 1);
  const groups: number[][] = Array.from({ length: nOut }, () => []);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < values.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o = o * outShape[d]! + (isAxis[d] ? 0 : idx[d]!);
    groups[o]!.push(values[i]!);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return groups.map((g) => {
    switch (op) {
      case 'sum':
        return g.reduce((a, b) => (int ? (a + b) | 0 : a + b), 0);
      case 'prod':
        return g.reduce((a, b) => (int ? Math.imul(a, b) : a * b), 1);
      case 'max':
        return g.some(Number.isNaN)
          ? Number.NaN
          : g.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      case 'min':
        return g.some(Number.isNaN)
          ? Number.NaN
          : g.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      default: {
        let best = 0;
        for (let j = 1; j < g.length; j++) {
          const v = g[j]!;
          const b = g[best]!;
          if (Number.isNaN(b)) break;
          if (Number.isNaN(v) || (op === 'argmax' ? v > b : v < b)) best = j;
        }
        return best;
      }
    }
  });
}

const OPS: ReduceOp[] = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'];

function subsets(rank: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << rank; m++) out.push([...Array(rank).keys()].filter((d) => m & (1 << d)));
  return out;
}

describe.skipIf(!available)('webgpu reduce', () => {
  for (const op of OPS) {
    for (const dtype of ['float32', 'int32'] as const) {
      it(`${op} over every subset of axes (${dtype}, strided inputs)`, async () => {
        const r = rng(op.length * 17 + dtype.length);
        const isArg = op === 'argmax' || op === 'argmin';
        for (const shape of [[5], [3, 4], [2, 3, 4], [2, 1, 3, 5]]) {
          for (const axes of subsets(shape.length)) {
            if (isArg && axes.length !== 1) continue;
            // Small values keep products exact enough; ints are in [-10, 10].
            const x = randomView(shape, dtype, r, 'any', op === 'prod' ? 1.5 : 3);
            const out = gpu.reduce(op, x.view, axes);
            const want = reduceRef(op, x.values, shape, axes, dtype === 'int32');
            const outDtype = isArg ? 'int32' : dtype;
            const got = await readAll(out, outDtype, want.length);
            if (isArg) expect(got, `${op} ${shape} ${axes}`).toEqual(want);
            else
              expectClose(
                got,
                want.map((v) => storeAs(outDtype, v)),
                1e-5,
                1e-5,
              );
            gpu.free(out);
            gpu.free(x.view.storage);
          }
        }
      });
    }
  }

  it('long rows and many outputs take the workgroup and per-output programs', async () => {
    const r = rng(77);
    const cases: [number[], number[]][] = [
      [[3, 5000], [1]], // few outputs, long contiguous rows: a workgroup each
      [[5000, 3], [0]], // few outputs, strided columns
      [[2100, 520], [1]], // many outputs, long contiguous rows
      [[520, 2100], [0]], // many outputs, columns: one invocation each
      [
        [40, 50, 60],
        [0, 2],
      ], // two separated axes
      [
        [7, 300],
        [0, 1],
      ], // everything
    ];
    for (const [shape, axes] of cases) {
      for (const op of ['sum', 'max', 'argmax', 'argmin'] as const) {
        if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) continue;
        const x = randomView(shape, 'float32', r, 'contiguous');
        const out = gpu.reduce(op, x.view, axes);
        const want = reduceRef(op, x.values, shape, axes);
        const isArg = op === 'argmax' || op === 'argmin';
        const got = await readAll(out, isArg ? 'int32' : 'float32', want.length);
        if (isArg) expect(got, `${op} ${shape} ${axes}`).toEqual(want);
        else expectClose(got, want, 1e-4, 1e-3);
        gpu.free(out);
        gpu.free(x.view.storage);
      }
    }
  });

  it('propagates NaN in max/min and lets it win argmax/argmin; ties keep the first index', async () => {
    const nan = Number.NaN;
    const rows = [
      [1, nan, 3, 3],
      [2, 5, 5, 1],
      [nan, 0, nan, 9],
      [-1, -1, -1, -1],
    ];
    const x = viewOf(rows.flat(), [4, 4], 'float32');
    expectClose(await readAll(gpu.reduce('max', x, [1]), 'float32', 4), [nan, 5, nan, -1]);
    expectClose(await readAll(gpu.reduce('min', x, [1]), 'float32', 4), [nan, 1, nan, -1]);
    expect(await readAll(gpu.reduce('argmax', x, [1]), 'int32', 4)).toEqual([1, 1, 0, 0]);
    expect(await readAll(gpu.reduce('argmin', x, [1]), 'int32', 4)).toEqual([1, 3, 0, 0]);
    // The same through the workgroup program (long rows).
    const long = new Array<number>(3000).fill(0);
    long[1200] = 7;
    long[2100] = 7;
    long[2500] = nan;
    long[2600] = nan;
    const y = viewOf(
      [...long, ...long.map((v, i) => (i === 2500 || i === 2600 ? 1 : v))],
      [2, 3000],
      'float32',
    );
    expect(await readAll(gpu.reduce('argmax', y, [1]), 'int32', 2)).toEqual([2500, 1200]);
    expect(await readAll(gpu.reduce('argmin', y, [1]), 'int32', 2)).toEqual([2500, 0]);
  });

  it('reduces empty axes to the identity and bool inputs to any/all', async () => {
    const empty = {
      storage: gpu.fill(0, 0, 'float32'),
      dtype: 'float32' as const,
      layout: { shape: [3, 0], strides: [0, 1], offset: 0 },
    };
    expect(await readAll(gpu.reduce('sum', empty, [1]), 'float32', 3)).toEqual([0, 0, 0]);
    expect(await readAll(gpu.reduce('prod', empty, [1]), 'float32', 3)).toEqual([1, 1, 1]);
    const b = viewOf([0, 1, 0, 0, 0, 0, 1, 1, 1], [3, 3], 'bool');
    expect(await readAll(gpu.reduce('sum', b, [1]), 'bool', 3)).toEqual([1, 0, 1]);
    expect(await readAll(gpu.reduce('max', b, [1]), 'bool', 3)).toEqual([1, 0, 1]);
    expect(await readAll(gpu.reduce('min', b, [1]), 'bool', 3)).toEqual([0, 0, 1]);
    expect(await readAll(gpu.reduce('argmax', b, [1]), 'int32', 3)).toEqual([1, 0, 0]);
    // No axes: a copy.
    const x = viewOf([1, 2, 3], [3], 'float32');
    expect(await readAll(gpu.reduce('sum', x, []), 'float32', 3)).toEqual([1, 2, 3]);
    // A scalar.
    const s = viewOf([4], [], 'float32');
    expect(await readAll(gpu.reduce('max', s, []), 'float32', 1)).toEqual([4]);
  });
});
