import type { DType, View } from '@tsgrad/core';
import { ShapeError } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import {
  available,
  contiguous,
  expectClose,
  gpu,
  materialize,
  randomData,
  randomLayout,
  randomView,
  readAll,
  rng,
  viewOf,
} from './helpers.js';

function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d]! + idx[d]!;
  return o;
}

/** A random int32 index view of `shape` with values in [0, size), through a random layout. */
function indexView(shape: readonly number[], size: number, r: () => number) {
  const { layout, size: n } = randomLayout(shape, r);
  const host = Int32Array.from({ length: n }, () => Math.floor(r() * size));
  const view: View = { storage: gpu.fromArray(host, 'int32'), dtype: 'int32', layout };
  return { view, values: materialize(host, layout) };
}

const randomShape = (r: () => number, rank: number) =>
  Array.from({ length: rank }, () => 1 + Math.floor(r() * 4));

describe.skipIf(!available)('webgpu gather, scatterAdd, concat, assign', () => {
  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it(`gather (${dtype}) along every dim of strided tensors`, async () => {
      const r = rng(dtype.length);
      for (let trial = 0; trial < 12; trial++) {
        const rank = 1 + Math.floor(r() * 3);
        const xShape = randomShape(r, rank);
        const dim = Math.floor(r() * rank);
        const iShape = xShape.map((s, d) => (d === dim ? 1 + Math.floor(r() * 5) : 1 + Math.floor(r() * s)));
        const x = randomView(xShape, dtype, r);
        const index = indexView(iShape, xShape[dim]!, r);
        const out = gpu.gather(x.view, dim, index.view);
        const want = index.values.map((j, k) => {
          const c = unravel(k, iShape);
          c[dim] = j;
          return x.values[ravel(c, xShape)]!;
        });
        expect(await readAll(out, dtype, want.length)).toEqual(want);
      }
    });
  }

  for (const dtype of ['float32', 'int32'] as const) {
    it(`scatterAdd (${dtype}) with repeated indices, in index order`, async () => {
      const r = rng(40 + dtype.length);
      for (let trial = 0; trial < 12; trial++) {
        const rank = 1 + Math.floor(r() * 3);
        const bShape = randomShape(r, rank);
        const dim = Math.floor(r() * rank);
        const iShape = bShape.map((s, d) => (d === dim ? 1 + Math.floor(r() * 6) : 1 + Math.floor(r() * s)));
        const base = randomView(bShape, dtype, r);
        const index = indexView(iShape, bShape[dim]!, r);
        const src = randomView(iShape, dtype, r);
        const out = gpu.scatterAdd(base.view, dim, index.view, src.view);
        const want = base.values.slice();
        index.values.forEach((j, k) => {
          const c = unravel(k, iShape);
          c[dim] = j;
          want[ravel(c, bShape)]! += src.values[k]!;
        });
        const got = await readAll(out, dtype, want.length);
        if (dtype === 'int32') expect(got).toEqual(want);
        else expectClose(got, want, 1e-6, 1e-6);
      }
    });
  }

  it('reports an out-of-range index as a ShapeError at the next read', async () => {
    const x = viewOf([1, 2, 3], [3], 'float32');
    const out = gpu.gather(x, 0, viewOf([0, 5, 1], [3], 'int32'));
    await expect(gpu.read(out, 'float32', 3)).rejects.toThrow(
      /gather: index 5 is out of bounds for dimension 0 with size 3/,
    );
    // Reported once; the status is clear again.
    expect(await readAll(gpu.gather(x, 0, viewOf([2, 0], [2], 'int32')), 'float32', 2)).toEqual([3, 1]);
    const s = gpu.scatterAdd(x, 0, viewOf([-1], [1], 'int32'), viewOf([1], [1], 'float32'));
    await expect(gpu.read(s, 'float32', 3)).rejects.toThrow(ShapeError);
    expect(await readAll(x.storage, 'float32', 3)).toEqual([1, 2, 3]);
  });

  for (const dtype of ['float32', 'int32', 'bool'] as const satisfies readonly DType[]) {
    it(`concat (${dtype}) of strided inputs along each dim`, async () => {
      const r = rng(90 + dtype.length);
      for (let trial = 0; trial < 10; trial++) {
        const rank = 1 + Math.floor(r() * 3);
        const shape = randomShape(r, rank);
        const dim = Math.floor(r() * rank);
        const parts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
          const s = shape.slice();
          s[dim] = Math.floor(r() * 3); // empty parts too
          return randomView(s, dtype, r);
        });
        const outShape = shape.slice();
        outShape[dim] = parts.reduce((a, p) => a + p.view.layout.shape[dim]!, 0);
        const n = outShape.reduce((a, b) => a * b, 1);
        const out = gpu.concat(
          parts.map((p) => p.view),
          dim,
        );
        const want = new Array<number>(n);
        for (let k = 0; k < n; k++) {
          const c = unravel(k, outShape);
          let j = c[dim]!;
          for (const p of parts) {
            const len = p.view.layout.shape[dim]!;
            if (j < len) {
              c[dim] = j;
              want[k] = p.values[ravel(c, p.view.layout.shape)]!;
              break;
            }
            j -= len;
          }
        }
        expect(await readAll(out, dtype, n)).toEqual(want);
      }
    });
  }

  it('assign writes through strided destinations, from broadcast sources', async () => {
    const r = rng(123);
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (let trial = 0; trial < 10; trial++) {
        const shape = randomShape(r, 1 + Math.floor(r() * 3));
        const { layout, size } = randomLayout(
          shape,
          r,
          (['offset', 'permuted', 'sliced'] as const)[trial % 3],
        );
        const host = randomData(dtype, size, r);
        const dst: View = { storage: gpu.fromArray(host, dtype), dtype, layout };
        const src = randomView(shape, dtype, r);
        gpu.assign(dst, src.view);
        const want = Array.from(host);
        // Write in the reference through the same layout.
        const idx = new Array<number>(shape.length).fill(0);
        for (let k = 0; k < src.values.length; k++) {
          let o = layout.offset;
          for (let d = 0; d < shape.length; d++) o += idx[d]! * layout.strides[d]!;
          want[o] = src.values[k]!;
          for (let d = shape.length - 1; d >= 0; d--) {
            if (++idx[d]! < shape[d]!) break;
            idx[d] = 0;
          }
        }
        expect(await readAll(dst.storage, dtype, size)).toEqual(want);
      }
    }
  });

  it('assign between overlapping views of one storage reads the values from before', async () => {
    const s = gpu.fromArray(new Float32Array([0, 1, 2, 3, 4, 5]), 'float32');
    const dst: View = { storage: s, dtype: 'float32', layout: { shape: [5], strides: [1], offset: 1 } };
    const src: View = { storage: s, dtype: 'float32', layout: contiguous([5]) };
    gpu.assign(dst, src);
    expect(await readAll(s, 'float32', 6)).toEqual([0, 0, 1, 2, 3, 4]);
  });
});
