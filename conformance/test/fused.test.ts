/**
 * Every fused kernel of a backend's `fused` group against its composite, the reference core
 * runs where a backend has no such kernel. On a device without the kernel, the composite there
 * is checked against the CPU's fused kernel instead, so each case compares two different paths.
 */
import {
  type AdamStepOptions,
  adamStep_,
  addmm,
  cat,
  type Device,
  type FusedKernels,
  getBackend,
  grad,
  manualSeed,
  matmul,
  rand,
  randn,
  type Tensor,
  where,
} from '@tsgrad/core';
import { adamStepComposite_, layerNorm, lstmCell } from '@tsgrad/core/internal';
import { describe, expect, it, vi } from 'vitest';
import { allDevices } from '../src/devices.js';

async function expectClose(actual: Tensor, expected: Tensor, rtol: number, atol: number): Promise<void> {
  const x = await actual.data();
  const y = await expected.data();
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++)
    worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (rtol * Math.abs(y[i]!) + atol));
  expect(worst).toBeLessThanOrEqual(1);
}

/**
 * Runs `fused` on `device` and checks it against a different path: the composite on the same
 * device when its backend has the kernel (and, through a spy, that core called it), else the
 * CPU's fused kernel, which the composite on the device must then match.
 */
async function compare(
  device: Device,
  kernel: keyof FusedKernels,
  fused: (d: Device) => Tensor,
  composite: (d: Device) => Tensor,
): Promise<void> {
  const group = getBackend(device).fused;
  const has = group?.[kernel] !== undefined;
  if (!has) expect(getBackend('cpu').fused?.[kernel]).toBeDefined();
  const spy = has ? vi.spyOn(group!, kernel) : null;
  try {
    const actual = fused(device);
    if (spy !== null) expect(spy).toHaveBeenCalledTimes(1);
    await expectClose(actual, has ? composite(device) : fused('cpu'), 1e-5, 1e-5);
  } finally {
    spy?.mockRestore();
  }
}

const ADAM: AdamStepOptions = {
  lr: 1e-2,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
  decoupledWeightDecay: true,
  maximize: false,
  step: 3,
};

describe.each(allDevices)('fused kernels on $device', ({ device, available }) => {
  // Linear's shapes: a weight used transposed, a bias row read through a stride.
  const cases = [
    { M: 1, K: 1, N: 1, transposed: false, strided: false },
    { M: 7, K: 13, N: 5, transposed: true, strided: false },
    { M: 33, K: 64, N: 40, transposed: false, strided: true },
    { M: 70, K: 130, N: 65, transposed: true, strided: true },
  ];

  it.skipIf(!available).each(cases)(
    'addmm [$M,$K]·[$K,$N] (transposed $transposed, strided bias $strided)',
    async (c) => {
      manualSeed(c.M * 1000 + c.N);
      const a0 = randn([c.M, c.K]);
      const b0 = c.transposed ? randn([c.N, c.K]) : randn([c.K, c.N]);
      const bias0 = c.strided ? randn([c.N, 2]) : randn([c.N]);
      const args = (d: Device) => {
        const b = b0.to(d);
        const bias = bias0.to(d);
        return [
          c.strided ? bias.narrow(1, 1, 1).squeeze(1) : bias,
          a0.to(d),
          c.transposed ? b.T : b,
        ] as const;
      };
      await compare(
        device,
        'addmm',
        (d) => addmm(...args(d)),
        (d) => {
          const [bias, a, b] = args(d);
          return matmul(a, b).add(bias);
        },
      );
    },
  );

  it.skipIf(!available).each([
    { amsgrad: false, opts: ADAM },
    { amsgrad: true, opts: ADAM },
    // L2 decay, maximize, and β₁ far from 1 (the running average taken from the other end).
    { amsgrad: false, opts: { ...ADAM, beta1: 0.3, decoupledWeightDecay: false, maximize: true } },
  ])('adamStep (AMSGrad $amsgrad, $opts.beta1, maximize $opts.maximize)', async ({ amsgrad, opts }) => {
    manualSeed(amsgrad ? 1 : 2);
    const init = [randn([300]), randn([300]), randn([300]).mul(0.1), rand([300]).mul(0.1), rand([300])];
    const run = (step: typeof adamStep_) => (d: Device) => {
      // Each state tensor a contiguous view at an offset into a longer buffer.
      const [p, g, m, v, x] = init.map((t, i) =>
        cat([randn([i + 1]), t])
          .to(d)
          .narrow(0, i + 1, 300),
      );
      step(p!, g!, m!, v!, amsgrad ? x! : null, opts);
      return cat(amsgrad ? [p!, m!, v!, x!] : [p!, m!, v!]);
    };
    await compare(device, 'adamStep', run(adamStep_), run(adamStepComposite_));
  });

  it.skipIf(!available).each([
    { shape: [1], broadcast: false },
    { shape: [7, 13], broadcast: false },
    { shape: [33, 129], broadcast: false },
    { shape: [64, 64], broadcast: true },
  ])('reluBackward over $shape (the gradient arriving broadcast: $broadcast)', async (c) => {
    manualSeed(c.shape.length * 100 + c.shape[0]!);
    // Rounded, so that many inputs are exactly 0, where the gradient is 0.
    const x0 = randn(c.shape).mul(2).round();
    const g0 = randn(c.shape);
    const grad = (f: (x: Tensor) => Tensor) => (d: Device) => {
      const x = x0.to(d).detach().clone().requiresGrad_();
      // Through sum() the gradient arrives as a broadcast view of one value.
      (c.broadcast ? f(x).sum() : f(x).mul(g0.to(d)).sum()).backward();
      return x.grad!;
    };
    await compare(
      device,
      'reluBackward',
      grad((x) => x.relu()),
      grad((x) => where(x.gt(0), x, 0)),
    );
  });

  // Rows short and long, below and above the size where the CPU's WebAssembly kernels start.
  const rowCases = [
    { rows: 1, L: 1 },
    { rows: 7, L: 13 },
    { rows: 64, L: 64 },
    { rows: 33, L: 129 },
  ];

  // Each op against its definition written out through logsumexp, not through the op itself.
  const rowOps = [
    {
      op: 'softmax',
      backward: 'softmaxBackward',
      composite: (x: Tensor) => x.sub(x.logsumexp(-1, true)).exp(),
    },
    {
      op: 'logSoftmax',
      backward: 'logSoftmaxBackward',
      composite: (x: Tensor) => x.sub(x.logsumexp(-1, true)),
    },
  ] as const;
  const rowOpCases = rowOps.flatMap((o, k) => rowCases.map((c) => ({ ...o, ...c, seed: k })));

  it.skipIf(!available).each(rowOpCases)('$op and its gradient over rows of $L ($rows rows)', async (c) => {
    manualSeed(c.rows * 100 + c.L + 3 * c.seed);
    const x0 = randn([c.rows, c.L]).mul(3);
    const g0 = randn([c.rows, c.L]);
    const run = (x: Tensor) => (c.op === 'softmax' ? x.softmax(-1) : x.logSoftmax(-1));
    await compare(
      device,
      c.op,
      (d) => run(x0.to(d)),
      (d) => c.composite(x0.to(d)),
    );
    // A fresh leaf per run: on the CPU, .to('cpu') is the tensor itself.
    const leaf = (t: Tensor, d: Device) => t.to(d).detach().clone().requiresGrad_();
    const grad = (f: (x: Tensor) => Tensor) => (d: Device) => {
      const x = leaf(x0, d);
      f(x).mul(g0.to(d)).sum().backward();
      return x.grad!;
    };
    await compare(device, c.backward, grad(run), grad(c.composite));
  });

  it
    .skipIf(!available)
    .each([...rowCases.map((c) => ({ ...c, affine: true })), { rows: 40, L: 30, affine: false }])(
    'layerNorm and its gradients over rows of $L ($rows rows, weight and bias $affine)',
    async (c) => {
      manualSeed(c.rows * 100 + c.L + 7);
      // Normalised over the last two dims, [3, L/3] or [1, L].
      const inner = c.L % 3 === 0 ? [3, c.L / 3] : [1, c.L];
      const x0 = randn([c.rows, ...inner])
        .mul(2)
        .add(1);
      const w0 = randn(inner);
      const b0 = randn(inner);
      const g0 = randn([c.rows, ...inner]);
      const composite = (x: Tensor, w: Tensor | null, b: Tensor | null) => {
        const xc = x.sub(x.mean([1, 2], true));
        let y = xc.mul(xc.mul(xc).mean([1, 2], true).add(1e-5).rsqrt());
        if (w) y = y.mul(w);
        if (b) y = y.add(b);
        return y;
      };
      const fused = (x: Tensor, w: Tensor | null, b: Tensor | null) => layerNorm(x, [1, 2], w, b, 1e-5);
      const params = (d: Device) => (c.affine ? [w0.to(d), b0.to(d)] : [null, null]);
      await compare(
        device,
        'layerNorm',
        (d) => fused(x0.to(d), ...(params(d) as [Tensor | null, Tensor | null])),
        (d) => composite(x0.to(d), ...(params(d) as [Tensor | null, Tensor | null])),
      );
      // Fresh leaves per run: on the CPU, .to('cpu') is the tensor itself.
      const leaf = (t: Tensor, d: Device) => t.to(d).detach().clone().requiresGrad_();
      const grads = (f: typeof fused) => (d: Device) => {
        const x = leaf(x0, d);
        const [w, b] = params(d).map((p) => (p === null ? null : leaf(p, d))) as [
          Tensor | null,
          Tensor | null,
        ];
        f(x, w, b).mul(g0.to(d)).sum().backward();
        return cat([x, ...(w ? [w, b!] : [])].map((t) => t.grad!.reshape([-1])));
      };
      await compare(device, 'layerNormBackward', grads(fused), grads(composite));
    },
  );

  it.skipIf(!available).each([
    { B: 3, H: 5 },
    { B: 16, H: 64 },
    { B: 9, H: 130 },
  ])('lstmCell and its gradients ($B rows, hidden $H)', async (c) => {
    manualSeed(c.B * 1000 + c.H);
    const gx0 = randn([c.B, 4 * c.H]);
    const gh0 = randn([c.B, 4 * c.H]);
    // The previous cell as a view with a row stride, as the layer passes it.
    const c00 = randn([c.B, 2 * c.H]);
    const g0 = randn([c.B, 2 * c.H]);
    const composite = (gx: Tensor, gh: Tensor, cp: Tensor) => {
      const g = gx.add(gh);
      const [i, f, gg, o] = [0, 1, 2, 3].map((k) => g.narrow(1, k * c.H, c.H));
      const c2 = f!.sigmoid().mul(cp).add(i!.sigmoid().mul(gg!.tanh()));
      return cat([o!.sigmoid().mul(c2.tanh()), c2], 1);
    };
    const fused = (gx: Tensor, gh: Tensor, cp: Tensor) => lstmCell(gx, gh, cp);
    const inputs = (d: Device) => [gx0.to(d), gh0.to(d), c00.to(d).narrow(1, c.H, c.H)] as const;
    await compare(
      device,
      'lstmCell',
      (d) => fused(...inputs(d)),
      (d) => composite(...inputs(d)),
    );
    const leaf = (t: Tensor, d: Device) => t.to(d).detach().clone().requiresGrad_();
    const grads = (f: typeof fused) => (d: Device) => {
      const xs = [leaf(gx0, d), leaf(gh0, d), leaf(c00, d)] as const;
      f(xs[0], xs[1], xs[2].narrow(1, c.H, c.H))
        .mul(g0.to(d))
        .sum()
        .backward();
      return cat(xs.map((t) => t.grad!.reshape([-1])));
    };
    await compare(device, 'lstmCellBackward', grads(fused), grads(composite));
  });

  it.skipIf(!available)(
    'lstmCell: a backward pass that builds a graph differentiates the formulas',
    async () => {
      manualSeed(9);
      const [B, H] = [4, 8];
      const gx0 = randn([B, 4 * H]);
      const gh0 = randn([B, 4 * H]);
      const c0 = randn([B, H]);
      const secondOrder = (fusedPath: boolean) => {
        const gx = gx0.to(device).detach().clone().requiresGrad_();
        const cp = c0.to(device).detach().clone().requiresGrad_();
        const gh = gh0.to(device);
        const hc = fusedPath
          ? lstmCell(gx, gh, cp)
          : (() => {
              const g = gx.add(gh);
              const [i, f, gg, o] = [0, 1, 2, 3].map((k) => g.narrow(1, k * H, H));
              const c2 = f!.sigmoid().mul(cp).add(i!.sigmoid().mul(gg!.tanh()));
              return cat([o!.sigmoid().mul(c2.tanh()), c2], 1);
            })();
        const [dgx] = grad(hc.pow(2).sum(), [gx], { createGraph: true });
        return grad(dgx!.pow(2).sum(), [gx, cp]);
      };
      const [a, b] = [secondOrder(true), secondOrder(false)];
      for (let k = 0; k < 2; k++) await expectClose(a[k]!, b[k]!, 1e-4, 1e-5);
    },
  );
});
