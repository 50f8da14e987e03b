import { grad, isGradEnabled, manualSeed, noGrad, randn, type Tensor, tensor } from '@tsgrad/core';
import { cloneModule, Linear, Module, ReLU, Sequential } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';

const arr = (t: Tensor | null | undefined) => Array.from(t!.dataSync());

/** 2a + b², times a number: two tensor arguments and one that is not a tensor. */
class Mix extends Module {
  override forward(a: Tensor, b: Tensor, scale = 1): Tensor {
    return a.mul(2).add(b.mul(b)).mul(scale);
  }
}

describe('forward hooks', () => {
  it('run on forward() and call(), in order: pre hooks, forward, forward hooks', () => {
    const m = new Mix();
    const log: string[] = [];
    m.registerForwardPreHook((_m, inputs) => {
      log.push(`pre1:${inputs.length}`);
    });
    m.registerForwardPreHook((mod, inputs) => {
      expect(mod).toBe(m);
      log.push('pre2');
      return [inputs[0], inputs[1], 10]; // replaces the arguments
    });
    m.registerForwardHook((_m, inputs, out) => {
      log.push(`post1:${inputs[2]}`);
      return (out as Tensor).add(1); // replaces the result
    });
    m.registerForwardHook((_m, _inputs, out) => {
      log.push(`post2:${arr(out as Tensor)[0]}`);
    });
    const y = m.forward(tensor([1]), tensor([3]));
    expect(arr(y)).toEqual([111]); // (2 + 9)·10 + 1
    expect(log).toEqual(['pre1:2', 'pre2', 'post1:10', 'post2:111']);
    log.length = 0;
    expect(arr(m.call(tensor([1]), tensor([3])))).toEqual([111]);
    expect(log).toHaveLength(4);
  });

  it('a pre hook returning one value replaces the arguments with it', () => {
    const relu = new ReLU();
    relu.registerForwardPreHook(() => tensor([-1, 2]));
    expect(arr(relu.forward(tensor([5, 5])))).toEqual([0, 2]);
  });

  it('hooks of submodules run when a container calls them; removed hooks do not', () => {
    manualSeed(0);
    const fc = new Linear(3, 2);
    const model = new Sequential(fc, new ReLU());
    const seen: number[][] = [];
    const h = fc.registerForwardHook((_m, _i, out) => {
      seen.push([...(out as Tensor).shape]);
    });
    const x = randn([4, 3]);
    const before = arr(model.forward(x));
    expect(seen).toEqual([[4, 2]]);
    h.remove();
    h.remove();
    expect(arr(model.forward(x))).toEqual(before);
    expect(seen).toHaveLength(1);
  });

  it('run once for a subclass whose forward calls super.forward', () => {
    class Scaled extends Linear {
      override forward(x: Tensor): Tensor {
        return super.forward(x).mul(2);
      }
    }
    const m = new Scaled(2, 2);
    let calls = 0;
    m.registerForwardHook(() => {
      calls++;
    });
    m.forward(randn([1, 2]));
    expect(calls).toBe(1);
  });

  it('leave the module as it was once the last hook is removed', () => {
    const m = new Linear(2, 2);
    const names = [...m.namedParameters()].map(([n]) => n);
    const h1 = m.registerForwardHook(() => undefined);
    const h2 = m.registerFullBackwardHook(() => undefined);
    expect(Object.keys(m)).not.toContain('forward');
    expect([...m.namedParameters()].map(([n]) => n)).toEqual(names);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
    expect(cloneModule(m).forward).toBe(Linear.prototype.forward);
    h1.remove();
    expect(Object.hasOwn(m, 'forward')).toBe(true);
    h2.remove();
    expect(Object.hasOwn(m, 'forward')).toBe(false);
    expect(m.forward).toBe(Linear.prototype.forward);
  });
});

describe('registerFullBackwardHook', () => {
  it('fires once per backward with the gradients of the inputs and outputs', () => {
    const m = new Mix();
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const calls: { gin: (number[] | null)[]; gout: (number[] | null)[] }[] = [];
    m.registerFullBackwardHook((mod, gradInput, gradOutput) => {
      expect(mod).toBe(m);
      calls.push({
        gin: gradInput.map((g) => (g === null ? null : arr(g))),
        gout: gradOutput.map((g) => (g === null ? null : arr(g))),
      });
    });
    const y = m.forward(a, b, 3);
    const w = tensor([1, -1]);
    y.mul(w).sum().backward();
    expect(calls).toHaveLength(1);
    // Gradients computed directly, without the module.
    const a0 = tensor([1, 2], { requiresGrad: true });
    const b0 = tensor([3, 4], { requiresGrad: true });
    const y0 = a0.mul(2).add(b0.mul(b0)).mul(3);
    const [ga, gb, gy] = grad([y0.mul(w).sum()], [a0, b0, y0]);
    expect(calls[0]!.gin).toEqual([arr(ga!), arr(gb!)]);
    expect(calls[0]!.gout).toEqual([arr(gy!)]);
    expect(arr(a.grad)).toEqual(arr(ga!));
    expect(arr(b.grad)).toEqual(arr(gb!));
  });

  it('replaces the input gradients with what it returns; hooks chain in order', () => {
    const fc = new Linear(3, 2);
    const x = randn([4, 3], { requiresGrad: true });
    const order: string[] = [];
    fc.registerFullBackwardHook((_m, gin) => {
      order.push('first');
      return gin.map((g) => (g === null ? null : g.mul(2)));
    });
    fc.registerFullBackwardHook((_m, gin) => {
      order.push('second');
      return gin.map((g) => (g === null ? null : g.add(1)));
    });
    fc.forward(x).sum().backward();
    expect(order).toEqual(['first', 'second']);
    const direct = noGrad(() => fc.weight.sum(0).reshape([1, 3]).expand([4, 3]));
    expect(arr(x.grad)).toEqual(arr(direct).map((v) => Math.fround(Math.fround(2 * v) + 1)));
    // Parameters are not module inputs: their gradients are untouched.
    expect(arr(fc.weight.grad)).toEqual(arr(noGrad(() => x.sum(0).reshape([1, 3]).expand([2, 3]))));
  });

  it('leaves what the hook saw and returned valid after the pass', () => {
    const relu = new ReLU();
    const kept: Tensor[] = [];
    relu.registerFullBackwardHook((_m, gin, gout) => {
      const r = gin[0]!.mul(2);
      kept.push(gin[0]!, gout[0]!, r);
      return [r];
    });
    const x = randn([4096], { requiresGrad: true });
    const h = x.mul(3); // a non-leaf argument, so its gradient is consumed by the pass
    relu.forward(h).sum().backward();
    for (const t of kept) expect(t.isDisposed).toBe(false);
    expect(arr(kept[2])).toEqual(arr(kept[0]).map((v) => 2 * v));
    expect(arr(x.grad)).toEqual(arr(kept[2]).map((v) => 3 * v));
  });

  it('gives null for inputs without grad and still fires when no input needs one', () => {
    manualSeed(1);
    const fc = new Linear(3, 2);
    const got: { gin: (Tensor | null)[]; gout: (Tensor | null)[] }[] = [];
    fc.registerFullBackwardHook((_m, gin, gout) => {
      got.push({ gin, gout });
    });
    fc.forward(randn([4, 3]))
      .sum()
      .backward();
    expect(got).toHaveLength(1);
    expect(got[0]!.gin).toEqual([null]);
    expect(arr(got[0]!.gout[0])).toEqual(new Array(8).fill(1));
  });

  it('fires once per call of a module used twice in one graph, and not under noGrad', () => {
    const relu = new ReLU();
    let calls = 0;
    relu.registerFullBackwardHook(() => {
      calls++;
    });
    const x = tensor([1, -1], { requiresGrad: true });
    relu.forward(relu.forward(x)).sum().backward();
    expect(calls).toBe(2);
    noGrad(() => relu.forward(x));
    expect(isGradEnabled()).toBe(true);
    expect(calls).toBe(2);
  });
});
