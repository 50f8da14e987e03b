/**
 * Every loss and option against PyTorch's documented formula, written out element by element
 * in plain numbers here: the delta and beta of Huber and smooth L1, BCE's clamped logs and
 * weights, class weights, ignored targets and label smoothing of nll and cross-entropy (with
 * class indices and with probabilities), the reductions, and the variance shapes of the
 * Gaussian NLL. Inputs are float64 so that the comparison can be tight.
 */
import { type Tensor, tensor } from '@tsgrad/core';
import { functional as F } from '@tsgrad/nn';
import { describe, expect, test } from 'vitest';

const f64 = (v: unknown, shape?: number[]) =>
  tensor(v as number[], { dtype: 'float64', ...(shape ? { shape } : {}) });
const idx = (v: number[] | number) => tensor(v as number[], { dtype: 'int32' });

function expectValues(t: Tensor, expected: number[] | number, shape?: number[]): void {
  const want = typeof expected === 'number' ? [expected] : expected;
  if (shape) expect(t.shape).toEqual(shape);
  const got = Array.from(t.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g, `element ${i}`).toBeCloseTo(want[i]!, 10);
  });
}

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
const mean = (a: number[]) => sum(a) / a.length;

const x = [0.3, -1.2, 2.5, 0.05, -0.4, 1.1];
const y = [0.1, 0.8, 0.4, 0.05, -2.0, 1.0];
const diffs = x.map((v, i) => v - y[i]!);

describe('regression losses', () => {
  test.each([0.5, 1, 2])('huberLoss with delta %d: ½d² below delta, delta·(|d| − ½delta) above', (delta) => {
    const per = diffs.map((d) => (Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta)));
    expectValues(F.huberLoss(f64(x), f64(y), { delta, reduction: 'none' }), per, [6]);
    expectValues(F.huberLoss(f64(x), f64(y), { delta }), mean(per), []);
    expectValues(F.huberLoss(f64(x), f64(y), { delta, reduction: 'sum' }), sum(per), []);
  });

  test.each([0, 0.5, 1, 3])('smoothL1Loss with beta %d: ½d²/beta below beta, |d| − ½beta above', (beta) => {
    const per = diffs.map((d) =>
      beta > 0 && Math.abs(d) < beta ? (0.5 * d * d) / beta : Math.abs(d) - 0.5 * beta,
    );
    expectValues(F.smoothL1Loss(f64(x), f64(y), { beta, reduction: 'none' }), per);
    expectValues(F.smoothL1Loss(f64(x), f64(y), { beta }), mean(per));
  });

  test('mseLoss and l1Loss with each reduction', () => {
    expectValues(F.mseLoss(f64(x), f64(y)), mean(diffs.map((d) => d * d)));
    expectValues(F.mseLoss(f64(x), f64(y), { reduction: 'sum' }), sum(diffs.map((d) => d * d)));
    expectValues(F.l1Loss(f64(x), f64(y), { reduction: 'none' }), diffs.map(Math.abs));
  });

  test('smoothL1Loss with beta 0 is the L1 loss, gradient sign(d) included (no 0·∞)', () => {
    const a = tensor(x, { dtype: 'float64', requiresGrad: true });
    const l = F.smoothL1Loss(a, f64(y), { beta: 0, reduction: 'sum' });
    expectValues(l, sum(diffs.map(Math.abs)));
    l.backward();
    expectValues(a.grad!, diffs.map(Math.sign));
  });

  test('the default delta and beta are 1', () => {
    expectValues(F.huberLoss(f64(x), f64(y)), F.huberLoss(f64(x), f64(y), { delta: 1 }).itemSync());
    expectValues(F.smoothL1Loss(f64(x), f64(y)), F.smoothL1Loss(f64(x), f64(y), { beta: 1 }).itemSync());
  });
});

describe('binary cross-entropy', () => {
  const p = [0.2, 0.9, 0.5, 0.01];
  const t = [1, 0, 0.3, 1];
  const w = [2, 0.5, 1, 3];
  const bce = (pi: number, ti: number) =>
    -(ti * Math.max(Math.log(pi), -100) + (1 - ti) * Math.max(Math.log(1 - pi), -100));

  test('bceLoss with a weight, and logs clamped at −100 at 0 and 1', () => {
    expectValues(
      F.bceLoss(f64(p), f64(t), { weight: f64(w), reduction: 'none' }),
      p.map((pi, i) => w[i]! * bce(pi, t[i]!)),
    );
    expectValues(F.bceLoss(f64([0, 1, 0, 1]), f64([1, 0, 0, 1]), { reduction: 'none' }), [100, 100, 0, 0]);
    expectValues(F.bceLoss(f64(p), f64(t)), mean(p.map((pi, i) => bce(pi, t[i]!))));
  });

  test('bceWithLogitsLoss: posWeight scales the positive term, weight each element', () => {
    const logits = [0.5, -2, 3, 0];
    const pw = [3, 0.5, 1, 2];
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const per = logits.map(
      (z, i) => -w[i]! * (pw[i]! * t[i]! * Math.log(sig(z)) + (1 - t[i]!) * Math.log(1 - sig(z))),
    );
    expectValues(
      F.bceWithLogitsLoss(f64(logits), f64(t), { posWeight: f64(pw), weight: f64(w), reduction: 'none' }),
      per,
    );
    const plain = logits.map((z, i) => -(t[i]! * Math.log(sig(z)) + (1 - t[i]!) * Math.log(1 - sig(z))));
    expectValues(F.bceWithLogitsLoss(f64(logits), f64(t), { reduction: 'sum' }), sum(plain));
  });
});

describe('nll and cross-entropy', () => {
  const logits = [
    [1, 2, 0.5],
    [0.1, -1, 3],
    [2, 2, -0.5],
    [-1, 0, 1],
  ];
  const labels = [1, 2, 0, 2];
  const cw = [0.5, 2, 1.5];
  const logSoftmax = (row: number[]) => {
    const m = Math.max(...row);
    const lse = m + Math.log(sum(row.map((v) => Math.exp(v - m))));
    return row.map((v) => v - lse);
  };
  const logp = logits.map(logSoftmax);
  const C = 3;

  test('nllLoss: picks −input at the target; class weights give Σ wₜ·l / Σ wₜ; ignoreIndex drops rows', () => {
    const picked = labels.map((c, i) => -logp[i]![c]!);
    const lp = f64(logp);
    expectValues(F.nllLoss(lp, idx(labels), { reduction: 'none' }), picked, [4]);
    expectValues(F.nllLoss(lp, idx(labels)), mean(picked));
    expectValues(F.nllLoss(lp, idx(labels), { reduction: 'sum' }), sum(picked));
    const wt = labels.map((c) => cw[c]!);
    expectValues(
      F.nllLoss(lp, idx(labels), { weight: f64(cw) }),
      sum(picked.map((l, i) => wt[i]! * l)) / sum(wt),
    );
    expectValues(
      F.nllLoss(lp, idx(labels), { weight: f64(cw), reduction: 'none' }),
      picked.map((l, i) => wt[i]! * l),
    );
    // Rows whose target is ignoreIndex count neither in the sum nor in the divisor.
    expectValues(F.nllLoss(lp, idx([1, 2, 0, 2]), { ignoreIndex: 2 }), (picked[0]! + picked[2]!) / 2);
    expectValues(F.nllLoss(lp, idx([1, 2, 0, 2]), { ignoreIndex: 2, reduction: 'none' }), [
      picked[0]!,
      0,
      picked[2]!,
      0,
    ]);
  });

  test('crossEntropyLoss: labels as a plain array; a −∞ logit of another class keeps the loss finite', () => {
    expectValues(
      F.crossEntropyLoss(f64(logits), labels),
      F.crossEntropyLoss(f64(logits), idx(labels)).itemSync(),
    );
    const masked = f64([
      [1, Number.NEGATIVE_INFINITY, 0.5],
      [0, 2, Number.NEGATIVE_INFINITY],
    ]);
    const lse = (a: number, b: number) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    expectValues(F.crossEntropyLoss(masked, idx([0, 1]), { reduction: 'none' }), [
      lse(1, 0.5) - 1,
      lse(0, 2) - 2,
    ]);
  });

  test('nllLoss of one sample: input [C] and a 0-d target give a 0-d loss', () => {
    const l = F.nllLoss(f64(logp[1]!), idx(2), { reduction: 'none' });
    expectValues(l, -logp[1]![2]!, []);
    expectValues(F.crossEntropyLoss(f64(logits[1]!), idx(2)), -logp[1]![2]!, []);
  });

  test('nllLoss over [N, C, d]: the class dim is dim 1', () => {
    // Two positions per sample: [N=2, C=3, d=2], built from the rows above.
    const input = f64([
      [
        [logp[0]![0]!, logp[1]![0]!],
        [logp[0]![1]!, logp[1]![1]!],
        [logp[0]![2]!, logp[1]![2]!],
      ],
      [
        [logp[2]![0]!, logp[3]![0]!],
        [logp[2]![1]!, logp[3]![1]!],
        [logp[2]![2]!, logp[3]![2]!],
      ],
    ]);
    const target = idx([1, 2, 0, 2]).reshape([2, 2]);
    const picked = labels.map((c, i) => -logp[i]![c]!);
    expectValues(F.nllLoss(input, target, { reduction: 'none' }), picked, [2, 2]);
    expectValues(
      F.nllLoss(input, target, { weight: f64(cw) }),
      sum(picked.map((l, i) => cw[labels[i]!]! * l)) / sum(labels.map((c) => cw[c]!)),
    );
  });

  test.each([0, 0.1, 0.5, 1])(
    'crossEntropyLoss with labels, class weights and label smoothing %d (mean, sum, none)',
    (eps) => {
      // PyTorch: (1 − ε)·nll + ε/C·Σ_c −w_c·log p_c per row; the mean divides both by Σ wₜ.
      const wt = labels.map((c) => cw[c]!);
      const nll = labels.map((c, i) => -wt[i]! * logp[i]![c]!);
      const smooth = logp.map((row) => -sum(row.map((v, c) => cw[c]! * v)));
      const per = nll.map((l, i) => (1 - eps) * l + (eps / C) * smooth[i]!);
      const opts = { weight: f64(cw), labelSmoothing: eps };
      expectValues(F.crossEntropyLoss(f64(logits), idx(labels), { ...opts, reduction: 'none' }), per, [4]);
      expectValues(F.crossEntropyLoss(f64(logits), idx(labels), { ...opts, reduction: 'sum' }), sum(per));
      expectValues(F.crossEntropyLoss(f64(logits), idx(labels), opts), sum(per) / sum(wt));
      const unweighted = labels.map((c, i) => -(1 - eps) * logp[i]![c]! - (eps / C) * sum(logp[i]!));
      expectValues(F.crossEntropyLoss(f64(logits), idx(labels), { labelSmoothing: eps }), mean(unweighted));
      expectValues(
        F.crossEntropyLoss(f64(logits), idx(labels), { labelSmoothing: eps, reduction: 'sum' }),
        sum(unweighted),
      );
    },
  );

  test('crossEntropyLoss with label smoothing skips ignored rows in both terms', () => {
    const eps = 0.2;
    const kept = [0, 2];
    const per = kept.map((i) => -(1 - eps) * logp[i]![labels[i]!]! - (eps / C) * sum(logp[i]!));
    const t = idx([1, -100, 0, -100]);
    expectValues(F.crossEntropyLoss(f64(logits), t, { labelSmoothing: eps }), mean(per));
    expectValues(F.crossEntropyLoss(f64(logits), t, { labelSmoothing: eps, reduction: 'none' }), [
      per[0]!,
      0,
      per[1]!,
      0,
    ]);
    const wt = kept.map((i) => cw[labels[i]!]!);
    const wper = kept.map(
      (i, k) =>
        -(1 - eps) * wt[k]! * logp[i]![labels[i]!]! - (eps / C) * sum(logp[i]!.map((v, c) => cw[c]! * v)),
    );
    expectValues(
      F.crossEntropyLoss(f64(logits), t, { labelSmoothing: eps, weight: f64(cw) }),
      sum(wper) / sum(wt),
    );
  });

  test.each([0, 0.3])('crossEntropyLoss with probability targets, class weights and smoothing %d', (eps) => {
    const probs = [
      [0.2, 0.5, 0.3],
      [0, 0, 1],
      [0.6, 0.4, 0],
      [1 / 3, 1 / 3, 1 / 3],
    ];
    const soft = probs.map((row) => row.map((q) => (1 - eps) * q + eps / C));
    const per = logp.map((row, i) => -sum(row.map((v, c) => cw[c]! * soft[i]![c]! * v)));
    const opts = { weight: f64(cw), labelSmoothing: eps };
    expectValues(F.crossEntropyLoss(f64(logits), f64(probs), { ...opts, reduction: 'none' }), per, [4]);
    expectValues(F.crossEntropyLoss(f64(logits), f64(probs), { ...opts, reduction: 'sum' }), sum(per));
    // The mean over samples does not divide by the weights (PyTorch's rule for probabilities).
    expectValues(F.crossEntropyLoss(f64(logits), f64(probs), opts), mean(per));
    const plain = logp.map((row, i) => -sum(row.map((v, c) => soft[i]![c]! * v)));
    expectValues(F.crossEntropyLoss(f64(logits), f64(probs), { labelSmoothing: eps }), mean(plain));
  });

  test('probability targets over [N, C, d] average over N·d positions', () => {
    const input = f64([
      [
        [1, 0],
        [2, 0],
      ],
    ]); // N=1, C=2, d=2
    const probs = f64([
      [
        [0.25, 1],
        [0.75, 0],
      ],
    ]);
    const l0 = -(0.25 * logSoftmax([1, 2])[0]! + 0.75 * logSoftmax([1, 2])[1]!);
    const l1 = -logSoftmax([0, 0])[0]!;
    expectValues(F.crossEntropyLoss(input, probs), (l0 + l1) / 2);
    expectValues(F.crossEntropyLoss(input, probs, { reduction: 'none' }), [l0, l1], [1, 2]);
  });
});

describe('distribution losses', () => {
  test('klDivLoss: target·(log target − input), 0 where the target is 0; batchmean and logTarget', () => {
    const inp = [-1.2, -0.5, -2, -0.1];
    const tgt = [0.3, 0, 0.6, 0.1];
    const per = tgt.map((t, i) => (t > 0 ? t * (Math.log(t) - inp[i]!) : 0));
    expectValues(F.klDivLoss(f64(inp), f64(tgt), { reduction: 'none' }), per);
    expectValues(F.klDivLoss(f64(inp), f64(tgt)), mean(per));
    expectValues(F.klDivLoss(f64(inp, [2, 2]), f64(tgt, [2, 2]), { reduction: 'batchmean' }), sum(per) / 2);
    expectValues(
      F.klDivLoss(f64(-0.5), f64(0.25), { reduction: 'batchmean' }),
      0.25 * (Math.log(0.25) + 0.5),
      [],
    );
    const logT = tgt.map((t) => Math.log(t + 0.1));
    expectValues(
      F.klDivLoss(f64(inp), f64(logT), { logTarget: true, reduction: 'sum' }),
      sum(logT.map((lt, i) => Math.exp(lt) * (lt - inp[i]!))),
    );
  });

  test('marginRankingLoss: max(0, −y·(a − b) + margin), margin 0 by default', () => {
    const a = [0.5, 1, -1, 2];
    const b = [0.2, 1.5, -1, 0];
    const yy = [1, 1, -1, -1];
    const per = (m: number) => a.map((ai, i) => Math.max(0, -yy[i]! * (ai - b[i]!) + m));
    expectValues(F.marginRankingLoss(f64(a), f64(b), f64(yy), { reduction: 'none' }), per(0));
    expectValues(
      F.marginRankingLoss(f64(a), f64(b), f64(yy), { margin: 0.4, reduction: 'sum' }),
      sum(per(0.4)),
    );
  });

  test('gaussianNllLoss: ½(log max(var, eps) + d²/max(var, eps)), variance of three shapes, full adds ½log 2π', () => {
    const inp = [
      [1, 2],
      [0.5, -1],
    ];
    const tgt = [
      [1.5, 1],
      [0, 0],
    ];
    const loss = (v: number[][]) =>
      inp.flatMap((row, i) =>
        row.map((m, j) => {
          const vv = Math.max(v[i]![j]!, 1e-6);
          return 0.5 * (Math.log(vv) + (m - tgt[i]![j]!) ** 2 / vv);
        }),
      );
    const full = [
      [0.5, 2],
      [1e-9, 0.25],
    ];
    expectValues(F.gaussianNllLoss(f64(inp), f64(tgt), f64(full), { reduction: 'none' }), loss(full));
    const perRow = [
      [0.5, 0.5],
      [2, 2],
    ];
    expectValues(F.gaussianNllLoss(f64(inp), f64(tgt), f64([0.5, 2]), { reduction: 'none' }), loss(perRow));
    expectValues(
      F.gaussianNllLoss(f64(inp), f64(tgt), f64([[0.5], [2]]), { reduction: 'sum' }),
      sum(loss(perRow)),
    );
    expectValues(
      F.gaussianNllLoss(f64(inp), f64(tgt), f64(full), { full: true }),
      mean(loss(full)) + 0.5 * Math.log(2 * Math.PI),
    );
    const big = 1e-3;
    expectValues(
      F.gaussianNllLoss(f64(inp), f64(tgt), f64(full), { eps: big, reduction: 'none' }),
      inp.flatMap((row, i) =>
        row.map((m, j) => {
          const vv = Math.max(full[i]![j]!, big);
          return 0.5 * (Math.log(vv) + (m - tgt[i]![j]!) ** 2 / vv);
        }),
      ),
    );
    // For [N, C, D] input the variance may be [N, C] or [N, C, 1].
    const i3 = f64([inp, tgt]);
    const v2 = f64([
      [0.5, 2],
      [1, 4],
    ]);
    expectValues(
      F.gaussianNllLoss(i3, f64([tgt, inp]), v2, { reduction: 'sum' }),
      F.gaussianNllLoss(i3, f64([tgt, inp]), v2.unsqueeze(-1).expand([2, 2, 2]), {
        reduction: 'sum',
      }).itemSync(),
    );
    expectValues(
      F.gaussianNllLoss(i3, f64([tgt, inp]), v2.unsqueeze(-1), { reduction: 'sum' }),
      F.gaussianNllLoss(i3, f64([tgt, inp]), v2, { reduction: 'sum' }).itemSync(),
    );
    expect(() => F.gaussianNllLoss(f64(inp), f64(tgt), f64([[0.5, 1, 2]]))).toThrow(
      /variance \[1,3\] does not fit input \[2,2\]/,
    );
    expect(() => F.gaussianNllLoss(f64(inp), f64(tgt), f64([[0.5], [2], [1]]))).toThrow(/does not fit/);
    expect(() => F.gaussianNllLoss(f64(inp), f64(tgt), f64([0.5, -2]))).toThrow(
      /variance has negative entries/,
    );
    expectValues(
      F.gaussianNllLoss(f64(inp), f64(tgt), f64([0.5, 0]), { reduction: 'none' }),
      loss([
        [0.5, 0.5],
        [0, 0],
      ]),
    );
  });

  test('cosineEmbeddingLoss: 1 − cos for y = 1, max(0, cos − margin) for y = −1, for [N, D] and [D]', () => {
    const a = [
      [1, 2, 0],
      [0.5, -1, 2],
      [1, 0, 0],
    ];
    const b = [
      [2, 1, 1],
      [0.5, 1, 1],
      [-1, 0.1, 0],
    ];
    const cos = a.map((r, i) => {
      const d = sum(r.map((v, k) => v * b[i]![k]!));
      return d / Math.sqrt(sum(r.map((v) => v * v)) * sum(b[i]!.map((v) => v * v)));
    });
    const yy = [1, -1, -1];
    const per = (m: number) => cos.map((c, i) => (yy[i] === 1 ? 1 - c : Math.max(0, c - m)));
    expectValues(F.cosineEmbeddingLoss(f64(a), f64(b), idx(yy), { reduction: 'none' }), per(0));
    expectValues(F.cosineEmbeddingLoss(f64(a), f64(b), f64(yy), { margin: 0.2 }), mean(per(0.2)));
    expectValues(F.cosineEmbeddingLoss(f64(a[0]!), f64(b[0]!), f64(1)), 1 - cos[0]!, []);
    expect(() => F.cosineEmbeddingLoss(f64(a), f64(b), f64([1, 1]))).toThrow(
      /cosineEmbeddingLoss: expected inputs/,
    );
    expect(() => F.cosineEmbeddingLoss(f64(a), f64(b).narrow(1, 0, 2), f64(yy))).toThrow(/expected inputs/);
    expect(() => F.cosineEmbeddingLoss(f64(a[0]!), f64(b[0]!), f64([1]))).toThrow(/expected inputs/);
  });
});
