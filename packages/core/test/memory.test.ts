import {
  DisposedError,
  dispose,
  isKept,
  keep,
  memory,
  ones,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

const cpu = () => memory().cpu!;

// The CPU backend leaves storages under 1024 elements to the garbage collector and does not
// count them, so these tests use bigger tensors.
const N = 2048;

describe('memory', () => {
  it('dispose frees the storage once the last view is gone', () => {
    const before = cpu();
    const x = zeros([N]);
    const v = x.reshape(32, 64);
    expect(cpu().tensors).toBe(before.tensors + 2);
    expect(cpu().buffers).toBe(before.buffers + 1);
    expect(cpu().bytes).toBe(before.bytes + 4 * N);
    x.dispose();
    expect(cpu().buffers).toBe(before.buffers + 1);
    v.dispose();
    v.dispose(); // twice is harmless
    expect(cpu()).toEqual(before);
    expect(v.isDisposed).toBe(true);
  });

  it('a disposed tensor cannot be used', () => {
    const x = tensor([1, 2]);
    x.dispose();
    expect(() => x.add(1)).toThrow(DisposedError);
    expect(() => x.dataSync()).toThrow(/was disposed/);
    expect(x.toString()).toBe('tensor(<disposed>, shape=[2])');
  });

  it('tidy frees intermediates and keeps the result and kept tensors', () => {
    const x = ones([N]);
    const before = cpu();
    let kept: Tensor | undefined;
    const y = tidy(() => {
      kept = keep(x.mul(5));
      return x.mul(2).add(1).exp();
    });
    expect(cpu().tensors).toBe(before.tensors + 2);
    expect(y.isDisposed).toBe(false);
    expect(isKept(kept!)).toBe(true);
    expect(y.dataSync()[0]).toBeCloseTo(Math.exp(3), 4);
    dispose([y, kept]);
    expect(cpu()).toEqual(before);
  });

  it('tidy keeps tensors inside returned arrays, objects and maps; nested tidies pass results out', () => {
    const before = cpu();
    const out = tidy(() => {
      const inner = tidy(() => ({ a: ones([N]).mul(2), list: [ones([N]).add(1)] }));
      ones([N]).mul(3); // dropped
      return { ...inner, m: new Map([['k', inner.a.add(1)]]) };
    });
    expect(cpu().tensors).toBe(before.tensors + 3);
    dispose(out);
    expect(cpu()).toEqual(before);
  });

  it('tidy frees intermediates even when the function throws', () => {
    const before = cpu();
    let kept: Tensor | undefined;
    expect(() =>
      tidy(() => {
        ones([N]).mul(2);
        kept = keep(ones([N]));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(cpu().tensors).toBe(before.tensors + 1);
    kept!.dispose();
    expect(cpu()).toEqual(before);
    // The scope is closed: later tensors are not collected by it.
    const later = ones([N]);
    expect(later.isDisposed).toBe(false);
    later.dispose();
  });

  it('`using` disposes at the end of the block', () => {
    const before = cpu();
    {
      using t = zeros([N]);
      expect(t.numel).toBe(N);
      expect(cpu().tensors).toBe(before.tensors + 1);
    }
    expect(cpu()).toEqual(before);
  });

  it('a training-style loop inside tidy does not grow', () => {
    const w = ones([N], { requiresGrad: true });
    const data = ones([N]).mul(0.5);
    const step = () =>
      tidy(() => {
        const loss = w.mul(data).sum().square();
        loss.backward();
        w.grad!.zero_();
      });
    step();
    const before = cpu();
    for (let i = 0; i < 20; i++) step();
    expect(cpu()).toEqual(before);
  });
});
