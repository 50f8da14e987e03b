/**
 * The float32 elementwise loops run in WebAssembly above a size and in TypeScript below it
 * (and wherever WebAssembly is missing). Both must give the same bits: these tests run every
 * op through both, on random shapes, broadcasts and strided views, special values included.
 */
import {
  cat,
  full,
  initCpuKernels,
  logSoftmax,
  manualSeed,
  randn,
  softmax,
  type Tensor,
  tensor,
  where,
  zeros,
} from '@tsgrad/core';
import { col2im, im2col, layerNorm, lstmCell } from '@tsgrad/core/internal';
import { arbBroadcastableShapes } from '@tsgrad/core/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WindowSpec } from '../../src/backend/backend.js';
import { type ArenaLimits, arenaAlloc, arenaRelease, setArenaLimits } from '../../src/backend/cpu/arena.js';
import {
  elementwiseWasmCalls,
  fillWasm,
  setElementwiseImpl,
  setElementwiseMinElements,
  setElementwiseParallelMin,
} from '../../src/backend/cpu/kernels/wasm/elementwise-wasm.js';

const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  3e38,
  1e-40,
];

/** Float32 values with a sprinkling of zeros of both signs, NaN, infinities and subnormals. */
const arbValue = fc.oneof(
  { weight: 4, arbitrary: fc.float({ noDefaultInfinity: true, noNaN: true, min: -100, max: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL) },
);

function values(shape: number[]): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc
    .array(arbValue, { minLength: n, maxLength: n })
    .map((v) => tensor(v, { dtype: 'float32' }).reshape(shape));
}

/** The tensor, or a view of the same values in another layout. */
type View = 'plain' | 'transposed' | 'offset' | 'stepped' | 'gapped';

function view(t: Tensor, how: View): Tensor {
  if (t.shape.length === 0) return t;
  switch (how) {
    case 'plain':
      return t;
    case 'transposed': {
      const dims = [...t.shape.keys()].reverse();
      return t.permute(dims).contiguous().permute(dims);
    }
    case 'offset':
      return cat([zeros([3]), t.reshape([-1])])
        .narrow(0, 3, t.numel)
        .reshape(t.shape);
    case 'gapped': {
      // Rows one element apart, with a gap between rows (a narrow along the last dim).
      const last = t.shape.length - 1;
      return cat([t, t.neg()], last).narrow(last, 0, t.shape[last]!);
    }
    case 'stepped': {
      const last = t.shape.length - 1;
      return t
        .unsqueeze(-1)
        .expand([...t.shape, 2])
        .contiguous()
        .narrow(last + 1, 0, 1)
        .squeeze(-1);
    }
  }
}

/** Bits of a result, NaN payloads folded (engines may pick different quiet NaNs). */
function bits(t: Tensor): string[] {
  return Array.from(t.dataSync(), (x) => (Number.isNaN(x) ? 'NaN' : Object.is(x, -0) ? '-0' : String(x)));
}

/** Runs `f` with the TypeScript loops, then with WebAssembly at every size. */
function bothWays(f: () => Tensor): [string[], string[]] {
  setElementwiseImpl('ts');
  const before = elementwiseWasmCalls();
  const ts = bits(f());
  expect(elementwiseWasmCalls()).toBe(before);
  setElementwiseImpl('wasm');
  const wasm = bits(f());
  wasmRuns += elementwiseWasmCalls() - before;
  return [ts, wasm];
}

/** Kernel calls that ran in WebAssembly during the comparisons. */
let wasmRuns = 0;

const arbView = fc.constantFrom<View>('plain', 'transposed', 'offset', 'stepped', 'gapped');
const shapes = arbBroadcastableShapes({ maxRank: 3, maxDim: 9 });

beforeAll(() => setElementwiseMinElements(1));
afterAll(() => {
  setElementwiseImpl('auto');
  setElementwiseMinElements(512);
});

describe.each(['arena', 'heap'] as const)(
  'float32 elementwise, operands in the %s: WebAssembly and TypeScript agree bit for bit',
  (storage) => {
    // In the arena (at every size here) the kernels read and write tensors in place; on the
    // heap they copy them in and out of WebAssembly memory.
    let saved: ArenaLimits;
    beforeAll(() => {
      saved = setArenaLimits(storage === 'arena' ? { minElements: 1 } : { limit: 0 });
    });
    afterAll(() => {
      setArenaLimits(saved);
    });

    it.each(['relu', 'neg', 'abs', 'sqrt', 'reciprocal', 'floor'] as const)('unary %s', (op) => {
      fc.assert(
        fc.property(
          shapes.chain(([s]) => values(s!)),
          arbView,
          (x, how) => {
            const [ts, wasm] = bothWays(() => view(x, how)[op]());
            expect(wasm).toEqual(ts);
          },
        ),
        { numRuns: 40 },
      );
    });

    it("relu's fused gradient: where(y > 0, g, 0) bit for bit, g arriving in any layout", () => {
      fc.assert(
        fc.property(
          shapes.chain(([s]) => fc.tuple(values(s!), values(s!))),
          arbView,
          arbView,
          ([x, g], hx, hg) => {
            const grad = () => {
              const leaf = view(x, hx).detach().requiresGrad_();
              leaf.relu().backward(view(g, hg));
              return leaf.grad!;
            };
            const [ts, wasm] = bothWays(grad);
            expect(wasm).toEqual(ts);
            // NaN, -0 and ±Infinity in y and in g: the same bits as the composite.
            expect(ts).toEqual(bits(where(x.relu().gt(0), g, 0)));
          },
        ),
        { numRuns: 40 },
      );
    });

    it.each([
      ['exp', 'Math.exp'],
      ['sigmoid', '1 / (1 + e^-x) in float64'],
      ['tanh', 'Math.tanh'],
    ] as const)('%s stays within 2 ulp of %s, with its special values exact', (op, _reference) => {
      const ulps = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0]!;
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              fc.float({ min: -110, max: 95, noNaN: true }),
              fc.float({ min: -1, max: 1, noNaN: true }),
              fc.constantFrom(...SPECIAL, 0.625, -0.625, 88.72, 88.73, -87.3, -103.9, -104),
            ),
            { minLength: 1, maxLength: 300 },
          ),
          (xs) => {
            const x = tensor(xs, { dtype: 'float32' });
            const [ts, wasm] = bothWays(() => x[op]());
            for (let i = 0; i < xs.length; i++) {
              if (ts[i] === wasm[i]) continue;
              const a = Number(ts[i]);
              const b = Number(wasm[i]);
              // Zeros, infinities and NaN must match exactly; finite values to 2 ulp.
              expect(Number.isFinite(a) && a !== 0, `${op}(${xs[i]}): ${wasm[i]} vs ${ts[i]}`).toBe(true);
              expect(Math.abs(ulps(a) - ulps(b)), `${op}(${xs[i]})`).toBeLessThanOrEqual(2);
            }
          },
        ),
        { numRuns: 100 },
      );
    });

    it('exp gives the bits of its formula down to and past the subnormals: +0 from -104 on', () => {
      // The kernel's steps in float32 (see exp in elementwise-wat.mjs), for the values that
      // reach its last, underflowing, product.
      const f = Math.fround;
      const formula = (x: number): number => {
        const t = f(Math.max(Math.min(x, 89), -104));
        const y = f(t * f(Math.LOG2E));
        const fl = Math.floor(y);
        const e = y - fl === 0.5 ? (fl % 2 === 0 ? fl : fl + 1) : Math.round(y);
        const r = f(f(t - f(e * f(0.693359375))) - f(e * f(-2.1219444e-4)));
        let p = f(1.98756915e-4);
        for (const k of [
          1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
        ]) {
          p = f(f(p * r) + f(k));
        }
        p = f(f(f(p * f(r * r)) + r) + 1);
        const h = e >> 1;
        return f(f(p * 2 ** h) * 2 ** (e - h));
      };
      const xs = [Number.NEGATIVE_INFINITY, -1e30, -200, -104.5, -104, -103.99, -103.972, -103.9];
      for (let x = -110; x < -80; x += 0.0137) xs.push(f(x));
      const x = tensor(xs, { dtype: 'float32' });
      const [, wasm] = bothWays(() => x.exp());
      const want = xs.map(formula);
      expect(want.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
      expect(want[6]).toBe(2 ** -149);
      expect(Array.from(wasm, (v) => Number(v))).toEqual(want);
    });

    it.each(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const)(
      'binary %s with broadcasting and views',
      (op) => {
        fc.assert(
          fc.property(
            shapes.chain(([s1, s2]) => fc.tuple(values(s1!), values(s2!))),
            arbView,
            arbView,
            ([a, b], va, vb) => {
              const [ts, wasm] = bothWays(() => view(a, va)[op](view(b, vb)));
              expect(wasm).toEqual(ts);
            },
          ),
          { numRuns: 40 },
        );
      },
    );

    it('binary ops with a scalar', () => {
      fc.assert(
        fc.property(
          shapes.chain(([s]) => values(s!)),
          fc.constantFrom(...SPECIAL),
          (x, k) => {
            for (const op of ['add', 'mul', 'gt', 'maximum'] as const) {
              const [ts, wasm] = bothWays(() => x[op](k));
              expect(wasm).toEqual(ts);
            }
          },
        ),
        { numRuns: 30 },
      );
    });

    it('where with broadcast condition and branches', () => {
      fc.assert(
        fc.property(
          arbBroadcastableShapes({ maxRank: 3, maxDim: 9, count: 3 }).chain(([sc, sa, sb]) =>
            fc.tuple(values(sc!), values(sa!), values(sb!)),
          ),
          arbView,
          ([c, a, b], v) => {
            const [ts, wasm] = bothWays(() => where(view(c, v).gt(0), view(a, v), b));
            expect(wasm).toEqual(ts);
            const [ts0, wasm0] = bothWays(() => where(c.gt(0), a, 0));
            expect(wasm0).toEqual(ts0);
          },
        ),
        { numRuns: 40 },
      );
    });

    it('column sums (a sum over leading dims)', () => {
      fc.assert(
        fc.property(
          fc
            .tuple(
              fc.integer({ min: 1, max: 6 }),
              fc.integer({ min: 1, max: 9 }),
              fc.integer({ min: 1, max: 11 }),
            )
            .chain((shape) => values(shape)),
          fc.boolean(),
          (x, both) => {
            const [ts, wasm] = bothWays(() => (both ? x.sum([0, 1]) : x.sum(0)));
            expect(wasm).toEqual(ts);
          },
        ),
        { numRuns: 60 },
      );
    });

    it("log-softmax of a row of L equal values is −ln L rounded once (the kernel's float64 ln)", () => {
      for (let L = 1; L <= 300; L += L < 40 ? 1 : 7) {
        const x = tensor(
          Array.from({ length: 2 * L }, (_, i) => (i < L ? 0.5 : -3)),
          { shape: [2, L] },
        );
        const [, wasm] = bothWays(() => x.logSoftmax(-1));
        const want = String(Math.fround(-Math.log(L)));
        expect(wasm, `L = ${L}`).toEqual(Array<string>(2 * L).fill(want));
      }
    });

    it('log-softmax and its gradient over rows stay within float32 rounding of the float64 path', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 70 }),
          fc.integer({ min: 0, max: 1000 }),
          (rows, L, seed) => {
            manualSeed(seed);
            const x0 = randn([rows, L]).mul(4);
            const g = randn([rows, L]);
            const grad = () => {
              const x = x0.clone().requiresGrad_();
              x.logSoftmax(-1).backward(g);
              return x.grad!;
            };
            const [ts, wasm] = bothWays(() => x0.logSoftmax(-1));
            const worst = (a: string[], b: string[], scale: (v: number) => number) =>
              Math.max(...a.map((v, k) => Math.abs(Number(b[k]) - Number(v)) / scale(Number(v))));
            expect(worst(ts, wasm, (v) => 1 + Math.abs(v))).toBeLessThanOrEqual(2e-6);
            const [gts, gwasm] = bothWays(grad);
            const scale = g.abs().sum().itemSync() + 1;
            expect(worst(gts, gwasm, () => scale)).toBeLessThanOrEqual(2e-6);
          },
        ),
        { numRuns: 40 },
      );
    });

    it('copies (contiguous, permuted, narrowed, concatenated, assigned into a view) give the same bits as the TypeScript loops', () => {
      fc.assert(
        fc.property(
          fc
            .array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 })
            .chain((shape) =>
              fc.tuple(values(shape), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length })),
            ),
          fc.integer({ min: 0, max: 8 }),
          ([x, perm], cut) => {
            const d = x.ndim - 1;
            const keep = Math.max(1, x.shape[d]! - cut);
            const cases: (() => Tensor)[] = [
              () => x.contiguous().clone(),
              () => x.permute(perm).contiguous(),
              () => x.narrow(d, x.shape[d]! - keep, keep).contiguous(),
              () => x.gt(0).permute(perm).contiguous(),
              () => cat([x, x.mul(2), x.narrow(d, 0, keep)], d),
              () => cat([x, x.permute(perm).contiguous().reshape(x.shape)], 0),
              () => {
                // A permuted source into a narrowed destination (another storage), and a
                // destination's own values shifted within it (one storage: copied first).
                const out = zeros([...x.shape.slice(0, d), x.shape[d]! + 3]);
                out.narrow(d, 2, x.shape[d]!).copy_(x.permute(perm).contiguous().reshape(x.shape));
                out.narrow(d, 0, keep).copy_(out.narrow(d, 1, keep));
                return out;
              },
            ];
            for (const f of cases) {
              const [ts, wasm] = bothWays(f);
              expect(wasm).toEqual(ts);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('fills give the same bits as the TypeScript loops', () => {
      for (const n of [1, 3, 511, 512, 513, 1001, 4099]) {
        for (const v of [...SPECIAL, 7, -3.25, 1]) {
          const [ts, wasm] = bothWays(() => full([n], v));
          expect(wasm).toEqual(ts);
          const [bts, bwasm] = bothWays(() =>
            full([n], v !== 0 && !Number.isNaN(v) ? 1 : 0, { dtype: 'bool' }),
          );
          expect(bwasm).toEqual(bts);
        }
      }
    });

    it('a fill writes its array and no more than the three values past it that the slack takes', () => {
      const big = arenaAlloc('float32', 3000) as Float32Array | null;
      if (big === null) {
        // No arena here: fills stay with the TypeScript loops.
        expect(fillWasm(new Float32Array(600), 5)).toBe(false);
        return;
      }
      for (const n of [1, 4, 5, 511, 600, 1001]) {
        for (const at of [0, 1, 7]) {
          big.fill(-1);
          expect(fillWasm(big.subarray(at, at + n), 5)).toBe(true);
          const got = Array.from(big);
          expect(got.slice(0, at).every((x) => x === -1)).toBe(true);
          expect(got.slice(at, at + n).every((x) => x === 5)).toBe(true);
          expect(got.slice(at + n + 3).every((x) => x === -1)).toBe(true);
        }
      }
      arenaRelease(big);
    });

    it('convolution windows (im2col, col2im) give the same bits as the TypeScript loops', () => {
      const arbSpec = fc
        .record({
          N: fc.integer({ min: 1, max: 2 }),
          C: fc.integer({ min: 1, max: 3 }),
          H: fc.integer({ min: 1, max: 9 }),
          W: fc.integer({ min: 1, max: 9 }),
          k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          s: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          p: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
          d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
        })
        .map(({ N, C, H, W, k, s, p, d }) => {
          const o = [H, W].map((n, i) => Math.floor((n + 2 * p[i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1);
          const out = o as [number, number];
          const spec: WindowSpec = { size: [H, W], kernel: k, stride: s, padding: p, dilation: d, out };
          return { N, C, spec };
        })
        .filter(({ spec }) => spec.out[0] > 0 && spec.out[1] > 0);
      fc.assert(
        fc.property(
          arbSpec.chain(({ N, C, spec }) =>
            fc.tuple(
              fc.constant(spec),
              values([N, C, ...spec.size]),
              values([N, C, spec.kernel[0] * spec.kernel[1], spec.out[0] * spec.out[1]]),
              arbView,
              fc.constantFrom(0, -1.5, Number.NEGATIVE_INFINITY),
            ),
          ),
          ([spec, x, cols, how, pad]) => {
            const [ts, wasm] = bothWays(() => im2col(view(x, how), spec, pad));
            expect(wasm).toEqual(ts);
            const [tsBack, wasmBack] = bothWays(() => col2im(view(cols, how), spec));
            expect(wasmBack).toEqual(tsBack);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('sums over any axes, and argmax and argmin, give the same results as the TypeScript loops', () => {
      fc.assert(
        fc.property(
          fc
            .array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 })
            .chain((shape) =>
              fc.tuple(values(shape), fc.subarray([...shape.keys()], { minLength: 1 }), arbView),
            ),
          ([x, axes, how]) => {
            const v = view(x, how);
            const [ts, wasm] = bothWays(() => v.sum(axes));
            expect(wasm).toEqual(ts);
            const [tsAll, wasmAll] = bothWays(() => v.sum());
            expect(wasmAll).toEqual(tsAll);
            for (const d of axes) {
              const [tsMax, wasmMax] = bothWays(() => v.argmax(d));
              expect(wasmMax).toEqual(tsMax);
              const [tsMin, wasmMin] = bothWays(() => v.argmin(d));
              expect(wasmMin).toEqual(tsMin);
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    it('took the WebAssembly path for most of the layouts above', () => {
      expect(wasmRuns).toBeGreaterThan(500);
    });

    it('operations larger than one piece of wasm memory, split by rows or within rows', () => {
      manualSeed(5);
      const long = randn([3, 40000]);
      const row = randn([40000]);
      const column = randn([3, 1]);
      const wide = randn([200, 300]);
      const bias = randn([300]);
      const tall = randn([300, 250]);
      const cases: (() => Tensor)[] = [
        () => long.add(row),
        () => long.sub(column),
        () => where(long.gt(0), long, 0),
        () => wide.mul(bias),
        () => long.reshape([-1]).relu(),
        () => tall.sum(0),
        () => long.sum(0),
      ];
      for (const f of cases) {
        const [ts, wasm] = bothWays(f);
        // Compared as one string: a mismatch still fails, without diffing 10⁵ lines.
        expect(wasm.join(' ') === ts.join(' ')).toBe(true);
      }
    });

    it('large tensors take the WebAssembly path in auto mode and match', () => {
      manualSeed(3);
      const a = randn([300, 257]);
      const b = randn([257]);
      setElementwiseMinElements(512);
      const [ts, auto] = [
        (() => {
          setElementwiseImpl('ts');
          return bits(a.add(b).relu().mul(a));
        })(),
        (() => {
          setElementwiseImpl('auto');
          return bits(a.add(b).relu().mul(a));
        })(),
      ];
      setElementwiseMinElements(1);
      expect(auto).toEqual(ts);
    });
  },
);

describe('float32 elementwise shared with the worker threads', () => {
  // Every split the kernels make: pieces of one long row, groups of whole rows, and the
  // layouts that stay on one thread (rows that are not whole vectors, copies).
  beforeAll(async () => {
    await initCpuKernels();
    setElementwiseParallelMin(1);
  });
  afterAll(() => setElementwiseParallelMin(1 << 18));

  it('gives the bits of one thread, whoever computes each piece', () => {
    manualSeed(11);
    const flat = randn([70001]);
    const flat2 = randn([70001]);
    const grid = randn([300, 256]);
    const grid2 = randn([300, 256]);
    const odd = randn([301, 255]);
    const row = randn([256]);
    // Rounded like the TypeScript loops: compared with them.
    const exact: (() => Tensor)[] = [
      () => flat.add(flat2),
      () => flat.mul(2.5),
      () => flat.gt(flat2),
      () => where(flat.gt(0), flat, flat2),
      () => where(grid.gt(0), grid, 0),
      () => flat.sub(1).neg(),
      () => flat.relu(),
      () => grid.sub(grid2),
      () => grid.mul(row),
      () => grid.narrow(1, 0, 128).abs(),
      () => odd.add(odd),
    ];
    // Polynomials within 2 ulp of them: compared with the kernel on this thread alone.
    const polynomial: (() => Tensor)[] = [
      () => flat.exp(),
      () => flat.tanh(),
      () => grid.sigmoid(),
      () => odd.exp(),
    ];
    const before = elementwiseWasmCalls();
    for (const f of exact) {
      const [ts, wasm] = bothWays(f);
      expect(wasm.join(' ') === ts.join(' ')).toBe(true);
    }
    setElementwiseImpl('wasm');
    for (const f of polynomial) {
      const shared = bits(f());
      setElementwiseParallelMin(1 << 30);
      const alone = bits(f());
      setElementwiseParallelMin(1);
      expect(shared.join(' ') === alone.join(' ')).toBe(true);
    }
    // Most of them went out in pieces: far more calls than cases.
    expect(elementwiseWasmCalls() - before).toBeGreaterThan(4 * (exact.length + 2 * polynomial.length));
  });

  it('splits the row kernels, LSTM cells and row copies by rows and gives the bits of one thread', () => {
    manualSeed(12);
    const H = 64;
    const x = randn([96, 128]);
    const g = randn([96, 128]);
    const w = randn([128]);
    const b = randn([128]);
    const gates = randn([40, 4 * H]);
    const hidden = randn([40, 4 * H]);
    const c = randn([40, H]);
    const gc = randn([40, 2 * H]);
    /** A result and the gradients of its inputs for the upstream gradient `up`. */
    const withGrads = (inputs: Tensor[], f: (...xs: Tensor[]) => Tensor, up: Tensor) => () => {
      const leaves = inputs.map((t) => t.detach().requiresGrad_());
      const y = f(...leaves);
      y.backward(up);
      return cat([y.reshape([-1]), ...leaves.map((l) => l.grad!.reshape([-1]))]);
    };
    const windows: WindowSpec = {
      size: [8, 16],
      kernel: [3, 3],
      stride: [1, 2],
      padding: [1, 1],
      dilation: [1, 1],
      out: [8, 8],
    };
    const taps = randn([3, 32, 9, 64]);
    const cases: (() => Tensor)[] = [
      withGrads([x], (t) => softmax(t, 1), g),
      withGrads([x], (t) => logSoftmax(t, 1), g),
      withGrads([x], (t) => layerNorm(t, [1], w, b, 1e-5), g),
      withGrads([gates, hidden, c], (p, q, r) => lstmCell(p, q, r), gc),
      // Gates read through a row stride other than their width.
      withGrads(
        [cat([gates, hidden], 1)],
        (t) => lstmCell(t.narrow(1, 0, 4 * H), t.narrow(1, 4 * H, 4 * H), c),
        gc,
      ),
      // Convolution windows, split by planes.
      () => im2col(x.reshape([3, 32, 8, 16]), windows, -2),
      () => col2im(taps, windows),
      // Sums over outputs: axes around a kept one, and trailing axes.
      () => x.reshape([4, 24, 128]).sum([0, 2]),
      () => x.reshape([96, 4, 32]).sum([2]),
      () => x.reshape([96, 4, 32]).argmax(1).to('float32'),
      // Row copies: a permuted source, and one assigned into a strided destination.
      () => x.reshape([96, 4, 32]).permute([1, 0, 2]).contiguous(),
      () => {
        const out = zeros([96, 130]);
        out.narrow(1, 1, 128).copy_(cat([g, g], 1).narrow(1, 3, 128));
        return out;
      },
    ];
    setElementwiseImpl('wasm');
    for (const f of cases) {
      const before = elementwiseWasmCalls();
      const shared = bits(f());
      const calls = elementwiseWasmCalls() - before;
      setElementwiseParallelMin(1 << 30);
      const aloneBefore = elementwiseWasmCalls();
      const alone = bits(f());
      const aloneCalls = elementwiseWasmCalls() - aloneBefore;
      setElementwiseParallelMin(1);
      expect(shared.join(' ') === alone.join(' ')).toBe(true);
      // The forward and the gradient kernels went out in pieces.
      expect(calls).toBeGreaterThan(aloneCalls + 4);
    }
  });
});
