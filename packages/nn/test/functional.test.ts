/**
 * nn.functional against PyTorch (the nn cases of ops.json, forward and gradients) and the
 * semantics of options the reference file does not cover, checked against formulas written
 * out independently here.
 */
import { manualSeed, noGrad, ones, randn, type Tensor, tensor, zeros } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import * as F from '../src/functional.js';
import { expectClose, expectRefClose, fromRef, type RefTensor, readRef, weightedSum } from './helpers.js';

interface OpCase {
  name: string;
  op: string;
  args: (RefTensor | number | string | boolean)[];
  kwargs: Record<string, unknown>;
  out: RefTensor;
  gradOut?: RefTensor;
  grads?: (RefTensor | null)[];
}

const isT = (a: unknown): a is RefTensor => typeof a === 'object' && a !== null && 'shape' in a;

/** Calls the tsgrad function for a case, mapping PyTorch's positional extras to options. */
function call(op: string, a: (Tensor | number | string | boolean)[]): Tensor {
  const t = a as Tensor[];
  const extra = a[2];
  const lossOpts = typeof extra === 'string' ? { reduction: extra as F.AttentionOptions as never } : {};
  switch (op) {
    case 'linear':
      return F.linear(t[0]!, t[1]!, t[2]);
    case 'layerNorm':
      return F.layerNorm(t[0]!, t[1]!.shape, { weight: t[1], bias: t[2] });
    case 'batchNorm':
      return F.batchNorm(t[0]!, null, null, { weight: t[1], bias: t[2], training: true });
    case 'embedding':
      return F.embedding(t[0]!, t[1]!);
    case 'crossEntropyLoss':
      return F.crossEntropyLoss(
        t[0]!,
        t[1]!,
        typeof extra === 'number' ? { labelSmoothing: extra } : lossOpts,
      );
    case 'scaledDotProductAttention':
      return F.scaledDotProductAttention(t[0]!, t[1]!, t[2]!, { isCausal: a[3] === true });
    default: {
      const fn = (F as unknown as Record<string, (x: Tensor, y: Tensor, o: object) => Tensor>)[op]!;
      return fn(t[0]!, t[1]!, lossOpts);
    }
  }
}

const NN_OPS = new Set([
  'linear',
  'layerNorm',
  'batchNorm',
  'embedding',
  'mseLoss',
  'l1Loss',
  'huberLoss',
  'smoothL1Loss',
  'bceLoss',
  'bceWithLogitsLoss',
  'crossEntropyLoss',
  'nllLoss',
  'scaledDotProductAttention',
]);
const cases = readRef<{ cases: OpCase[] }>('ops.json').cases.filter((c) => NN_OPS.has(c.op));

describe('ops.json (nn functional cases)', () => {
  it('covers every nn op of the reference', () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(NN_OPS);
  });
  for (const c of cases) {
    for (const [dtype, rtol] of [
      ['float64', 1e-10],
      ['float32', 1e-4],
    ] as const) {
      it(`${c.name} (${dtype})`, () => {
        const args = c.args.map((a) => (isT(a) ? fromRef(a, dtype) : a));
        args.forEach((a, i) => {
          if (typeof a === 'object' && c.grads?.[i]) a.requiresGrad_();
        });
        const out = call(c.op, args);
        expectRefClose(out, c.out, rtol, 'out');
        if (!c.gradOut || !c.grads) return;
        weightedSum(out, fromRef(c.gradOut, dtype)).backward();
        c.grads.forEach((g, i) => {
          if (g) expectRefClose((args[i] as Tensor).grad!, g, rtol, `grad ${i}`);
        });
      });
    }
  }
});

const arr = (t: Tensor) => Array.from(t.dataSync());

describe('losses: options', () => {
  manualSeed(3);
  const x = randn([5, 4], { dtype: 'float64' });
  const y = tensor([0, 3, 1, 3, 2], { dtype: 'int32' });
  const w = tensor([0.5, 2, 1, 3], { dtype: 'float64' });
  const logp = x.logSoftmax(1).dataSync();
  const yv = [0, 3, 1, 3, 2];
  const wv = [0.5, 2, 1, 3];

  it('crossEntropyLoss with weight takes the weighted mean', () => {
    let num = 0;
    let den = 0;
    yv.forEach((c, i) => {
      num -= wv[c]! * logp[i * 4 + c]!;
      den += wv[c]!;
    });
    expectClose(F.crossEntropyLoss(x, y, { weight: w }), [num / den], [], 1e-12);
  });

  it('ignoreIndex drops targets from the sum and from the mean denominator', () => {
    const yi = tensor([0, -100, 1, 3, -100], { dtype: 'int32' });
    const kept = [0, 2, 3];
    const expected = -kept.reduce((s, i) => s + logp[i * 4 + yv[i]!]!, 0) / kept.length;
    expectClose(F.crossEntropyLoss(x, yi), [expected], [], 1e-12);
    const none = F.crossEntropyLoss(x, yi, { reduction: 'none' });
    expect(arr(none)[1]).toBe(0);
    const yi2 = tensor([0, 2, 1, 3, 2], { dtype: 'int32' });
    expectClose(
      F.nllLoss(x.logSoftmax(1), yi2, { ignoreIndex: 2 }),
      [-(logp[0]! + logp[9]! + logp[15]!) / 3],
      [],
      1e-12,
    );
  });

  it('labelSmoothing with weight and ignoreIndex follows PyTorch', () => {
    const eps = 0.2;
    const yi = tensor([0, -100, 1, 3, 2], { dtype: 'int32' });
    const kept = [0, 2, 3, 4];
    let nll = 0;
    let den = 0;
    let smooth = 0;
    for (const i of kept) {
      const c = yv[i]!;
      nll -= wv[c]! * logp[i * 4 + c]!;
      den += wv[c]!;
      for (let k = 0; k < 4; k++) smooth -= wv[k]! * logp[i * 4 + k]!;
    }
    const expected = (1 - eps) * (nll / den) + (eps / 4) * (smooth / den);
    expectClose(F.crossEntropyLoss(x, yi, { weight: w, labelSmoothing: eps }), [expected], [], 1e-12);
  });

  it('crossEntropyLoss over [N, C, d] matches the flattened [N·d, C] form', () => {
    const x3 = randn([2, 4, 3], { dtype: 'float64' });
    const t3 = tensor(
      [
        [0, 1, 2],
        [3, 3, 0],
      ],
      { dtype: 'int32' },
    );
    const flat = F.crossEntropyLoss(x3.permute(0, 2, 1).reshape([6, 4]), t3.reshape([6]), {
      reduction: 'none',
    });
    const nd = F.crossEntropyLoss(x3, t3, { reduction: 'none' });
    expectClose(nd, flat.dataSync(), [2, 3], 1e-12);
  });

  it('bceWithLogitsLoss with posWeight and bceLoss clamp', () => {
    const z = tensor([-30, -1, 0, 2, 40], { dtype: 'float64' });
    const t = tensor([1, 0, 1, 0.3, 0], { dtype: 'float64' });
    const pw = 3;
    const expected = arr(z).map((zi, i) => {
      const ti = arr(t)[i]!;
      const sig = 1 / (1 + Math.exp(-zi));
      return -(pw * ti * Math.log(sig) + (1 - ti) * Math.log1p(-sig));
    });
    const got = F.bceWithLogitsLoss(z, t, {
      posWeight: tensor([pw], { dtype: 'float64' }),
      reduction: 'none',
    });
    // log(1 − σ(40)) is −40 exactly; the naive formula above loses it to rounding.
    expectClose(got.narrow(0, 0, 4), expected.slice(0, 4), [4], 1e-9);
    expectClose(got.narrow(0, 4, 1), [40], [1], 1e-12);
    const p = tensor([0, 1, 0.5], { dtype: 'float64', requiresGrad: true });
    const l = F.bceLoss(p, tensor([1, 0, 1], { dtype: 'float64' }), { reduction: 'none' });
    expectClose(l, [100, 100, Math.LN2], [3], 1e-12);
    l.sum().backward();
    expect(arr(p.grad!).every(Number.isFinite)).toBe(true);
  });

  it('huber and smooth L1 switch at delta / beta', () => {
    const a = tensor([0, 0.5, 2, -3], { dtype: 'float64' });
    const b = zeros([4], { dtype: 'float64' });
    expectClose(F.huberLoss(a, b, { delta: 1, reduction: 'none' }), [0, 0.125, 1.5, 2.5], [4], 1e-12);
    expectClose(F.smoothL1Loss(a, b, { beta: 2, reduction: 'none' }), [0, 0.0625, 1, 2], [4], 1e-12);
    expectClose(F.smoothL1Loss(a, b, { beta: 0, reduction: 'sum' }), [5.5], [], 1e-12);
  });

  it('bad input throws named errors', () => {
    expect(() => F.mseLoss(ones([2, 3]), ones([3, 2]))).toThrow(/mseLoss: input \[2,3\] and target \[3,2\]/);
    expect(() => F.crossEntropyLoss(ones([2, 3]), tensor([0, 3], { dtype: 'int32' }))).toThrow(
      /target 3 is out of bounds/,
    );
    expect(() => F.crossEntropyLoss(ones([2, 3]), tensor([0, 1, 1], { dtype: 'int32' }))).toThrow(
      /target \[3\]/,
    );
    expect(() => F.linear(ones([2, 3]), ones([4, 5]))).toThrow(/linear: input \[2,3\]/);
    expect(() => F.mseLoss(ones([2]), ones([2]), { reduction: 'avg' as never })).toThrow(/reduction/);
  });
});

describe('functional layers', () => {
  it('conv2d without gradients (windows laid out a few samples at a time) matches conv2d with them', () => {
    manualSeed(3);
    // 100k–400k window elements per sample: the no-gradient path splits this batch into pieces.
    const x = randn([7, 32, 40, 40]);
    const w = randn([5, 32, 3, 3], { requiresGrad: true });
    const b = randn([5]);
    for (const opts of [{}, { stride: 2, padding: 1 }, { dilation: 2 }]) {
      const withGrad = F.conv2d(x, w, b, opts);
      expect(withGrad.requiresGrad).toBe(true);
      const without = noGrad(() => F.conv2d(x, w, b, opts));
      expect(without.requiresGrad).toBe(false);
      expect(without.shape).toEqual(withGrad.shape);
      expectClose(without, withGrad.dataSync(), withGrad.shape, 1e-6, 'noGrad conv2d');
      const unbiased = noGrad(() => F.conv2d(x, w, null, opts));
      expectClose(
        unbiased,
        withGrad.sub(b.reshape([1, 5, 1, 1])).dataSync(),
        withGrad.shape,
        1e-5,
        'no bias',
      );
    }
  });

  it('batchNorm updates running stats with the unbiased variance and uses them in eval', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 6],
        [5, 10],
      ],
      { dtype: 'float64' },
    );
    const rm = zeros([2], { dtype: 'float64' });
    const rv = ones([2], { dtype: 'float64' });
    F.batchNorm(x, rm, rv, { training: true, momentum: 0.1 });
    // mean [3, 6], unbiased var [4, 16]
    expectClose(rm, [0.3, 0.6], [2], 1e-12);
    expectClose(rv, [0.9 + 0.4, 0.9 + 1.6], [2], 1e-12);
    const y = F.batchNorm(x, rm, rv, { training: false, eps: 0 });
    expectClose(y.narrow(0, 0, 1), [(1 - 0.3) / Math.sqrt(1.3), (2 - 0.6) / Math.sqrt(2.5)], [1, 2], 1e-12);
  });

  it('dropout keeps about 1−p of the elements, scaled by 1/(1−p), and is off in eval', () => {
    manualSeed(1);
    const x = ones([100, 100]);
    const y = F.dropout(x, { p: 0.3 });
    const v = arr(y);
    const kept = v.filter((e) => e !== 0);
    expect(kept.every((e) => Math.abs(e - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / 10000 - 0.7)).toBeLessThan(0.03);
    expect(F.dropout(x, { p: 0.3, training: false })).toBe(x);
  });

  it('embedding gives no gradient to the padding row', () => {
    const w = randn([4, 3], { dtype: 'float64', requiresGrad: true });
    const idx = tensor(
      [
        [0, 2, 0],
        [1, 2, 3],
      ],
      { dtype: 'int32' },
    );
    F.embedding(idx, w, { paddingIdx: 2 }).sum().backward();
    expect(arr(w.grad!)).toEqual([2, 2, 2, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
  });

  it('scaledDotProductAttention: bool masks select, float masks add', () => {
    manualSeed(2);
    const q = randn([1, 2, 4], { dtype: 'float64' });
    const k = randn([1, 3, 4], { dtype: 'float64' });
    const v = randn([1, 3, 2], { dtype: 'float64' });
    const mask = tensor([
      [true, false, true],
      [true, true, false],
    ]);
    const add = tensor(
      [
        [0, -Infinity, 0],
        [0, 0, -Infinity],
      ],
      { dtype: 'float64' },
    );
    const a = F.scaledDotProductAttention(q, k, v, { attnMask: mask });
    const b = F.scaledDotProductAttention(q, k, v, { attnMask: add });
    expectClose(a, b.dataSync(), [1, 2, 2], 1e-12);
    const scores = noGrad(() => q.matmul(k.transpose(-2, -1)).div(2));
    const s = arr(scores);
    const w0 = [Math.exp(s[0]!), 0, Math.exp(s[2]!)];
    const z = w0[0]! + w0[2]!;
    const vv = arr(v);
    expectClose(
      a.narrow(1, 0, 1),
      [(w0[0]! * vv[0]! + w0[2]! * vv[4]!) / z, (w0[0]! * vv[1]! + w0[2]! * vv[5]!) / z],
      [1, 1, 2],
      1e-12,
    );
  });
});
