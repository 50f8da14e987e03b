import {
  grad,
  joinGradients,
  noGrad,
  randn,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

const arr = (t: Tensor | null) => Array.from(t!.dataSync());

describe('Tensor.registerHook', () => {
  it('sees the gradient, and a returned tensor replaces what accumulates into a leaf', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    x.registerHook((g) => {
      seen.push(arr(g));
    });
    x.registerHook((g) => g.mul(10));
    x.mul(3).sum().backward();
    expect(seen).toEqual([[3, 3]]);
    expect(arr(x.grad)).toEqual([30, 30]);
  });

  it('on a non-leaf, replaces what flows on to its inputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(x);
    h.registerHook((g) => g.mul(0.5));
    h.sum().backward();
    expect(arr(x.grad)).toEqual([1, 2]); // 0.5 · 2x
  });

  it('runs hooks in registration order, each on the result of the one before', () => {
    const x = tensor([1], { requiresGrad: true });
    const order: string[] = [];
    x.registerHook((g) => {
      order.push(`a:${arr(g)[0]}`);
      return g.add(1);
    });
    x.registerHook((g) => {
      order.push(`b:${arr(g)[0]}`);
      return g.mul(2);
    });
    x.mul(5).sum().backward();
    expect(order).toEqual(['a:5', 'b:6']);
    expect(arr(x.grad)).toEqual([12]);
  });

  it('a removed hook no longer fires; remove twice is harmless', () => {
    const x = tensor([1], { requiresGrad: true });
    let calls = 0;
    const keep = x.registerHook(() => {
      calls += 100;
    });
    const handle = x.registerHook((g) => {
      calls++;
      return g.mul(2);
    });
    x.sum().backward();
    handle.remove();
    handle.remove();
    x.grad = null;
    x.sum().backward();
    expect(calls).toBe(201);
    expect(arr(x.grad)).toEqual([1]);
    keep.remove();
    x.sum().backward();
    expect(calls).toBe(201);
  });

  it('applies to grad(): the result is the hooked gradient, and hooks on inputs below fire', () => {
    const x = tensor([2], { requiresGrad: true });
    const h = x.mul(x);
    h.registerHook((g) => g.mul(3));
    x.registerHook((g) => g.add(1));
    const [gx] = grad([h.sum()], [x]);
    expect(arr(gx!)).toEqual([13]); // 3 · 2x + 1
  });

  it('grad() runs no hook of a tensor that leads to none of its inputs', () => {
    const x = tensor([2], { requiresGrad: true });
    const w = tensor([3], { requiresGrad: true });
    let fired = 0;
    w.registerHook(() => {
      fired++;
    });
    const [gx] = grad([x.mul(w).sum()], [x]);
    expect(arr(gx!)).toEqual([3]);
    expect(fired).toBe(0);
    x.mul(w).sum().backward();
    expect(fired).toBe(1);
  });

  it('works with createGraph: a hook made of ops is differentiated through', () => {
    const x = tensor([3], { requiresGrad: true });
    const y = x.mul(x);
    const handle = y.registerHook((g) => g.mul(y)); // dy·y, so d/dx = 2x·x² = 2x³
    const [g] = grad([y.sum()], [x], { createGraph: true });
    expect(arr(g!)).toEqual([54]);
    handle.remove(); // otherwise it would also scale the gradient reaching y in the next pass
    const [gg] = grad([g!.sum()], [x]);
    expect(arr(gg!)).toEqual([54]); // d(2x³)/dx = 6x²
  });

  it('keeps the gradients a hook saw valid after the pass', () => {
    const x = randn([4096], { requiresGrad: true });
    const seen: Tensor[] = [];
    const h = x.mul(2);
    h.registerHook((g) => {
      seen.push(g);
    });
    h.mul(3).sum().backward();
    expect(seen[0]!.isDisposed).toBe(false);
    expect(arr(seen[0]!)).toEqual(new Array(4096).fill(3));
    expect(x.grad).not.toBe(seen[0]);
  });

  it('refuses tensors without grad and replacements of the wrong shape', () => {
    expect(() => tensor([1]).registerHook(() => undefined)).toThrow(ValueError);
    const x = tensor([1, 2], { requiresGrad: true });
    x.registerHook(() => tensor([1, 2, 3]));
    expect(() => x.sum().backward()).toThrow(ShapeError);
    expect(() => x.sum().backward()).toThrow(/registerHook.*\[3\].*\[2\]/);
  });
});

describe('joinGradients', () => {
  it('hands every gradient over once per pass, and the replacements flow on', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const c = tensor([5, 6]);
    const calls: (number[] | null)[][] = [];
    const [a2, b2, c2] = joinGradients([a, b, c], (gs) => {
      calls.push(gs.map((g) => (g === null ? null : arr(g))));
      return [gs[0]!.mul(2), gs[1], null];
    });
    expect(c2).toBe(c);
    a2!.mul(b2!).add(a2!).mul(c2!).sum().backward();
    expect(calls).toEqual([[[20, 30], [5, 12], null]]); // d/da = c(b + 1), d/db = c·a
    expect(arr(a.grad)).toEqual([40, 60]);
    expect(arr(b.grad)).toEqual([5, 12]);
  });

  it('gives null for a tensor no gradient reached, and nothing while recording is off', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    let got: (Tensor | null)[] = [];
    const [a2] = joinGradients([a, b], (gs) => {
      got = gs;
    });
    a2!.mul(2).sum().backward();
    expect(got[1]).toBeNull();
    expect(arr(got[0]!)).toEqual([2]);
    const off = noGrad(() => joinGradients([a], () => undefined));
    expect(off[0]).toBe(a);
  });
});
