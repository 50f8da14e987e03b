import {
  AutogradError,
  backward,
  detectAnomaly,
  enableGrad,
  grad,
  isGradEnabled,
  noGrad,
  randn,
  ShapeError,
  type Tensor,
  tensor,
  tidy,
  ValueError,
} from '@tsgrad/core';
import { cpuBackend } from '@tsgrad/core/internal';
import { gradgradcheck } from '@tsgrad/core/testing';
import { describe, expect, it, vi } from 'vitest';

const arr = (t: Tensor | null) => Array.from(t!.dataSync());

describe('backward', () => {
  it('accumulates into .grad across calls', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([5, 7]);
    x.grad = null;
    x.sum().backward();
    expect(arr(x.grad)).toEqual([1, 1]);
  });

  it('sums gradients of a tensor used twice', () => {
    const x = tensor(3, { requiresGrad: true });
    const y = x.mul(x).add(x); // 2x + 1
    y.backward();
    expect(x.grad!.itemSync()).toBe(7);
  });

  it('needs an explicit gradient for non-scalar outputs, of the right shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/one-element outputs/);
    expect(() => y.backward(tensor([1, 2, 3]))).toThrow(ShapeError);
    y.backward(tensor([1, -1]));
    expect(arr(x.grad)).toEqual([2, -2]);
  });

  it('a second backward through a freed graph throws; retainGraph allows it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(AutogradError);
    // sum saved nothing and can run again; exp's saved tensors were freed.
    expect(() => y.backward()).toThrow(/second time \(at 'exp'\).*retainGraph/);
    const z = x.exp().sum();
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(arr(x.grad)).toEqual([2 * Math.exp(1), 2 * Math.exp(2)].map((v) => Math.fround(v)));
  });

  it('a second pass works where no saved tensor was freed, and names the first freed one', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    // add, sum, reshape and mul by a number save nothing: nothing to free.
    const y = x.add(x).mul(3).reshape([2, 1]).sum();
    y.backward();
    y.backward();
    expect(arr(x.grad)).toEqual([12, 12]);
    const [g] = grad([y], [x]);
    expect(arr(g)).toEqual([6, 6]);
    // mul by a tensor saves both operands: the second pass needs them and throws.
    const w = tensor([3, 4], { requiresGrad: true });
    const z = x.mul(w).add(x).sum();
    z.backward();
    expect(() => z.backward()).toThrow(/second time \(at 'mul'\).*freed.*retainGraph: true/);
    expect(() => grad([z], [x])).toThrow(AutogradError);
  });

  it('grad() frees only the part of the graph between its outputs and inputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.exp(); // saves x and exp(x); below h
    const y = h.mul(h).sum(); // mul saves h twice; above h
    const [gh] = grad([y], [h]);
    expect(arr(gh)).toEqual(arr(h.mul(2)));
    // exp lies below h, so it still has its saved tensors: a pass from h alone works.
    h.sum().backward();
    expect(arr(x.grad)).toEqual(arr(h));
    expect(() => y.backward()).toThrow(/second time \(at 'mul'\)/);
  });

  it('throws on a tensor that does not require grad', () => {
    expect(() => tensor([1]).sum().backward()).toThrow(/does not require grad/);
  });

  it('multiple roots through the functional backward', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    backward([x.sum(), x.mul(2).sum()]);
    expect(arr(x.grad)).toEqual([3, 3]);
  });

  it('walks very deep graphs without overflowing the stack', () => {
    const x = tensor(1, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    y.backward();
    expect(x.grad!.itemSync()).toBe(1);
  });

  it('reaches only leaves that require grad', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    a.mul(b).sum().backward();
    expect(b.grad).toBeNull();
    expect(arr(a.grad)).toEqual([3, 4]);
  });
});

describe('grad modes and detach', () => {
  it('noGrad records nothing; enableGrad turns recording back on', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(z.gradFn!.name).toBe('mul');
    expect(isGradEnabled()).toBe(true);
  });

  it('restores the mode when the function throws', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('refuses async functions and functions returning a Promise, without leaking the mode', async () => {
    const x = tensor([1], { requiresGrad: true });
    let ran = false;
    const asyncFn = async () => {
      ran = true;
      await Promise.resolve();
      return x.mul(2);
    };
    expect(() => noGrad(asyncFn)).toThrow(ValueError);
    expect(() => noGrad(asyncFn)).toThrow(/noGrad: fn is an async function.*await/);
    expect(() => enableGrad(asyncFn)).toThrow(/enableGrad: fn is an async function/);
    expect(() => tidy(asyncFn)).toThrow(/tidy: fn is an async function/);
    expect(() => detectAnomaly(asyncFn)).toThrow(/detectAnomaly: fn is an async function/);
    expect(ran).toBe(false);
    // A plain function returning a promise: its synchronous part ran, the rest would not be
    // in the scope, so it throws as soon as it returns.
    let later: Tensor | null = null;
    const promising = () =>
      Promise.resolve().then(() => {
        later = x.mul(2);
      });
    expect(() => noGrad(promising)).toThrow(/noGrad: fn returned a Promise/);
    expect(isGradEnabled()).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(later!.requiresGrad).toBe(true); // the outer mode, which is why noGrad refused it
    const kept: Tensor[] = [];
    expect(() =>
      tidy(() => {
        kept.push(x.mul(3));
        return Promise.resolve();
      }),
    ).toThrow(/tidy: fn returned a Promise/);
    expect(kept[0]!.isDisposed).toBe(false); // still in use by the async rest: not freed
  });

  it('detach cuts the graph and shares data', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    const y = x.mul(d).sum();
    y.backward();
    expect(arr(x.grad)).toEqual([2, 4]);
  });

  it('requiresGrad only on floating tensors, and not turned off on non-leaves', () => {
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(/only floating tensors/);
    expect(() => tensor([true]).requiresGrad_()).toThrow(/bool/);
    const x = tensor([1], { requiresGrad: true });
    expect(() => {
      x.mul(2).requiresGrad = false;
    }).toThrow(/non-leaf/);
  });
});

describe('retainGrad', () => {
  it('keeps the gradient of an intermediate', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    const k = x.mul(4);
    h.mul(h).sum().add(k.sum()).backward();
    expect(arr(h.grad)).toEqual([6, 12]);
    expect(k.grad).toBeNull();
    expect(arr(x.grad)).toEqual([22, 40]);
  });
  it('throws on a tensor without grad', () => {
    expect(() => tensor([1]).retainGrad()).toThrow(/doesn't require grad/);
  });
});

describe('grad()', () => {
  it('returns gradients without touching .grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = grad(x.mul(x).sum(), x);
    expect(arr(g!)).toEqual([2, 4]);
    expect(x.grad).toBeNull();
  });

  it('allowUnused returns null for inputs not used; otherwise throws', () => {
    const x = tensor([1], { requiresGrad: true });
    const u = tensor([1], { requiresGrad: true });
    const y = x.mul(2).sum();
    expect(() => grad(y, [x, u], { retainGraph: true })).toThrow(/input 1.*not used.*allowUnused/);
    const [gx, gu] = grad(y, [x, u], { allowUnused: true });
    expect(arr(gx!)).toEqual([2]);
    expect(gu).toBeNull();
  });

  it('gradOutputs weight the outputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = grad([x.mul(3)], [x], { gradOutputs: [tensor([1, 10])] });
    expect(arr(g!)).toEqual([3, 30]);
  });

  it('createGraph gives differentiable gradients (higher order)', () => {
    const x = tensor(2, { dtype: 'float64', requiresGrad: true });
    const y = x.pow(4); // y' = 4x³, y'' = 12x², y''' = 24x
    const [d1] = grad(y, x, { createGraph: true });
    expect(d1!.itemSync()).toBe(32);
    expect(d1!.requiresGrad).toBe(true);
    const [d2] = grad(d1!, x, { createGraph: true });
    expect(d2!.itemSync()).toBe(48);
    const [d3] = grad(d2!, x);
    expect(d3!.itemSync()).toBe(48);
  });

  it('backward with createGraph makes .grad differentiable', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const g = x.grad!; // 3x²
    expect(g.requiresGrad).toBe(true);
    const [h] = grad(g.sum(), x); // 6x
    expect(arr(h!)).toEqual([6, 12]);
  });

  it('Hessian-vector product of a composite (softmax cross-entropy)', () => {
    const z = tensor([0.5, -1, 2], { dtype: 'float64', requiresGrad: true });
    const loss = z.logSoftmax(0).narrow(0, 1, 1).neg().sum();
    const [g] = grad(loss, z, { createGraph: true }); // softmax − onehot
    const v = tensor([1, 0, 0], { dtype: 'float64' });
    const [hv] = grad(g!.mul(v).sum(), z); // H v = (diag(p) − p pᵀ) v
    const p = z.detach().softmax(0).dataSync();
    const expected = [p[0]! - p[0]! * p[0]!, -p[1]! * p[0]!, -p[2]! * p[0]!];
    arr(hv!).forEach((h, i) => {
      expect(h).toBeCloseTo(expected[i]!, 12);
    });
  });
});

describe('detectAnomaly', () => {
  it('names the op whose backward produced NaN', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.sqrt().sum().backward())).toThrow(/backward of 'sqrt' returned Inf/);
    const y = tensor([-1, 1], { requiresGrad: true });
    expect(() => detectAnomaly(() => y.log().mul(0).sum().backward())).not.toThrow();
    const z = tensor([0, 1], { requiresGrad: true });
    expect(() => detectAnomaly(() => z.log().sum().backward())).toThrow(/'log'/);
    // log(0)·0 is fine forward (−inf·… aside), but mul's backward sends log(0) = −inf to z.
    const w = tensor([0, 1], { requiresGrad: true });
    expect(() => detectAnomaly(() => w.log().mul(w).sum().backward())).toThrow(/backward of 'mul'/);
  });

  it('does nothing outside the block', () => {
    const x = tensor([0], { requiresGrad: true });
    x.sqrt().sum().backward();
    expect(x.grad!.itemSync()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('gradients PyTorch defines at kinks', () => {
  it('relu and abs give 0 at 0, clamp passes at the bounds, max splits ties', () => {
    const x = tensor([0, 0.5, 1], { requiresGrad: true });
    x.relu().sum().add(x.abs().sum()).backward();
    expect(arr(x.grad)).toEqual([0, 2, 2]);
    const c = tensor([-1, 0, 1, 2], { requiresGrad: true });
    c.clamp(0, 1).sum().backward();
    expect(arr(c.grad)).toEqual([0, 1, 1, 0]);
    const m = tensor([3, 1, 3], { requiresGrad: true });
    m.max().backward();
    expect(arr(m.grad)).toEqual([0.5, 0, 0.5]);
    const d = tensor([[3, 1, 3]], { requiresGrad: true });
    d.max(1).sum().backward();
    expect(arr(d.grad)).toEqual([1, 0, 0]);
  });

  it('softplus has gradient σ(x), 0.5 at 0', () => {
    const x = tensor([0, -30, 30, 1], { dtype: 'float64', requiresGrad: true });
    const y = x.softplus();
    expect(arr(y)[0]).toBeCloseTo(Math.LN2, 15);
    expect(arr(y)[2]).toBe(30);
    y.sum().backward();
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    arr(x.grad).forEach((g, i) => {
      expect(g).toBeCloseTo(s([0, -30, 30, 1][i]!), 12);
    });
  });

  it('softmax over masked (−inf) entries has finite gradients', () => {
    const x = tensor([[1, 2, Number.NEGATIVE_INFINITY]], { dtype: 'float64', requiresGrad: true });
    const s = x.softmax(1);
    s.mul(tensor([[1, 2, 3]], { dtype: 'float64' }))
      .sum()
      .backward();
    const p = [1 / (1 + Math.E), Math.E / (1 + Math.E)];
    const dot = p[0]! * 1 + p[1]! * 2;
    const expected = [p[0]! * (1 - dot), p[1]! * (2 - dot), 0];
    arr(x.grad).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i]!, 12);
    });
  });

  it('prod with zeros', () => {
    const one = tensor([2, 0, 3], { requiresGrad: true });
    one.prod().backward();
    expect(arr(one.grad)).toEqual([0, 6, 0]);
    const two = tensor([2, 0, 0], { requiresGrad: true });
    two.prod().backward();
    expect(arr(two.grad)).toEqual([0, 0, 0]);
    const none = tensor([[2, 4]], { requiresGrad: true });
    none.prod(1).sum().backward();
    expect(arr(none.grad)).toEqual([4, 2]);
  });

  it('sign and floor have a zero gradient, not an unused input', () => {
    const x = tensor([-1.5, 0.2, 2.7], { requiresGrad: true });
    const [gs] = grad([x.sign().sum()], [x]);
    const [gf] = grad([x.floor().mul(3).sum()], [x]);
    expect(arr(gs)).toEqual([0, 0, 0]);
    expect(arr(gf)).toEqual([0, 0, 0]);
    const y = x.floor().add(x.mul(2)).sum();
    y.backward();
    expect(arr(x.grad)).toEqual([2, 2, 2]);
    // floor saves nothing, so a second pass through it works.
    const z = x.floor().sum();
    z.backward();
    z.backward();
  });

  it('pow with a tensor exponent: both gradients are 0 at 0^0, as PyTorch', () => {
    const a = tensor([0, 0, 2], { requiresGrad: true });
    const b = tensor([0, 1, 0], { requiresGrad: true });
    a.pow(b).sum().backward();
    expect(arr(a.grad)).toEqual([0, 1, 0]);
    expect(arr(b.grad)).toEqual([0, 0, Math.fround(Math.log(2))]);
  });

  it('pow at base 0 has a finite exponent gradient', () => {
    const a = tensor([0, 2], { requiresGrad: true });
    const b = tensor([2, 3], { requiresGrad: true });
    a.pow(b).sum().backward();
    expect(arr(a.grad)).toEqual([0, 12]);
    expect(arr(b.grad)[0]).toBe(0);
    expect(arr(b.grad)[1]).toBeCloseTo(8 * Math.log(2), 5);
  });
});

describe('gradients the backward pass frees once consumed', () => {
  // Big enough for the CPU's buffer pool, so consumed gradients really are disposed.
  const n = 4096;

  it('leaves every gradient a caller can see intact', () => {
    const x = randn([n], { requiresGrad: true });
    const w = randn([n], { requiresGrad: true });
    // add hands one gradient object to both inputs; reshape makes views of it.
    const h = x.mul(w).retainGrad();
    const y = h.add(x).reshape([64, 64]).mul(2).reshape([n]);
    y.sum().backward();
    const xs = x.dataSync();
    const ws = w.dataSync();
    const expectX = Array.from(ws, (v) => 2 * v + 2);
    expect(Array.from(x.grad!.dataSync())).toEqual(expectX.map((v) => Math.fround(v)));
    expect(Array.from(w.grad!.dataSync())).toEqual(Array.from(xs, (v) => Math.fround(2 * v)));
    expect(Array.from(h.grad!.dataSync())).toEqual(new Array(n).fill(2));
    for (const t of [x.grad!, w.grad!, h.grad!]) expect(t.isDisposed).toBe(false);
  });

  it('keeps what grad() returns and what a second pass accumulates into', () => {
    const x = randn([n], { requiresGrad: true });
    const [g1] = grad([x.mul(x).sum()], [x]);
    const [g2] = grad([x.mul(3).add(x).sum()], [x]);
    expect(g1!.isDisposed).toBe(false);
    expect(Array.from(g2!.dataSync())).toEqual(new Array(n).fill(4));
    x.mul(2).sum().backward();
    x.mul(5).sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual(new Array(n).fill(7));
  });

  it('frees nothing when the pass records a graph for higher-order gradients', () => {
    const x = randn([n], { requiresGrad: true });
    const [g] = grad([x.pow(3).sum()], [x], { createGraph: true });
    const [gg] = grad([g!.sum()], [x]);
    const xs = x.dataSync();
    const got = gg!.dataSync();
    for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(6 * xs[i]!, 4);
  });
});

describe('slice gradients', () => {
  it('add overlapping slices, whole-tensor uses and repeated slices into the right gradient', () => {
    const x = randn([40, 300], { requiresGrad: true });
    let loss = x.mul(2).sum();
    for (let t = 0; t < 40; t++) loss = loss.add(x.narrow(0, t, 1).mul(t).sum());
    loss = loss.add(x.narrow(1, 10, 100).sum()).add(x.narrow(1, 50, 100).sum());
    const [a, b] = x.split(150, 1);
    loss = loss.add(a!.sum()).add(b!.mul(3).sum());
    loss.backward();
    const g = x.grad!.dataSync();
    for (let t = 0; t < 40; t++) {
      for (let j = 0; j < 300; j++) {
        const expected =
          2 + t + (j >= 10 && j < 110 ? 1 : 0) + (j >= 50 && j < 150 ? 1 : 0) + (j < 150 ? 1 : 3);
        expect(g[t * 300 + j]).toBe(expected);
      }
    }
  });

  it('reach grad() outputs and higher-order passes unchanged', () => {
    const x = randn([8, 200], { requiresGrad: true });
    const f = () =>
      x
        .narrow(0, 2, 3)
        .pow(2)
        .sum()
        .add(x.narrow(0, 3, 4).sum());
    const [g] = grad([f()], [x]);
    const [gc] = grad([f()], [x], { createGraph: true });
    expect(Array.from(g!.dataSync())).toEqual(Array.from(gc!.dataSync()));
    const [gg] = grad([gc!.sum()], [x]);
    const rows = gg!.reshape([8, 200]).sum(1).dataSync();
    expect(Array.from(rows)).toEqual([0, 0, 400, 400, 400, 0, 0, 0]);
  });

  it('are added into one buffer for their input, without padding, outside createGraph', () => {
    const [T, n] = [16, 4096]; // rows big enough for the CPU's buffer pool
    const x = randn([T, n], { requiresGrad: true });
    const fill = vi.spyOn(cpuBackend, 'fill');
    const concat = vi.spyOn(cpuBackend, 'concat');
    try {
      const f = () => {
        let loss = x.narrow(0, 2, 5).sum();
        for (let t = 0; t < T; t++) loss = loss.add(x.narrow(0, t, 1).mul(t).sum());
        return loss;
      };
      const [g] = grad([f()], [x]);
      f().backward();
      // One zero buffer of x's size per pass, and no padded copies joined with concat.
      expect(fill.mock.calls.filter(([size]) => size === T * n)).toHaveLength(2);
      expect(concat).not.toHaveBeenCalled();
      for (const got of [g!, x.grad!]) {
        expect(got.isDisposed).toBe(false);
        const rows = got.sum(1).dataSync();
        for (let t = 0; t < T; t++) expect(rows[t]).toBe(n * (t + (t >= 2 && t < 7 ? 1 : 0)));
      }
    } finally {
      fill.mockRestore();
      concat.mockRestore();
    }
  });

  it('are the same slice whatever the grad mode: the rule does not ask', () => {
    const x = randn([4, 3], { requiresGrad: true });
    const node = x.narrow(0, 1, 2).gradFn!;
    const g = randn([2, 3]);
    for (const mode of [noGrad, enableGrad]) {
      const [r] = mode(() => node.apply(g));
      expect(r).toMatchObject({ kind: 'slice', grad: g, shape: [4, 3], dim: 0, start: 1 });
    }
  });

  it('are padded into differentiable gradients with createGraph (narrow, split, chunk, one step)', () => {
    const opts = { dtype: 'float64' as const, requiresGrad: true };
    const x = randn([6, 5], opts);
    // Overlapping slices of one input, so padded gradients are summed as well.
    gradgradcheck(
      (t) =>
        t
          .narrow(1, 1, 3)
          .pow(3)
          .add(t.narrow(1, 2, 3).tanh()),
      [x],
      { name: 'narrow' },
    );
    gradgradcheck(
      (t) => {
        const [a, b, c] = t.split([1, 3, 2], 0);
        return a!.sin().sum().add(b!.pow(2).sum()).add(c!.exp().sum());
      },
      [x],
      { name: 'split' },
    );
    gradgradcheck((t) => t.chunk(2, 1).map((p, i) => p.pow(i + 2).sum()), [x], { name: 'chunk' });
    gradgradcheck((t) => t.narrow(0, 4, 1).squeeze(0).sigmoid(), [x], { name: 'one step' });
  });
});
