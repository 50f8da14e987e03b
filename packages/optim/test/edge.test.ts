/**
 * A learning rate that became NaN, infinite or negative after construction is refused at
 * step(), before any parameter changes.
 */
import { tensor, ValueError } from '@tsgrad/core';
import { Adam, LBFGS, SGD } from '@tsgrad/optim';
import { describe, expect, it } from 'vitest';

describe('step() checks the learning rate of every group', () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1]) {
    it(`refuses lr ${bad}`, () => {
      for (const make of [
        (p: ReturnType<typeof tensor>) => new SGD([p], { lr: 0.1, momentum: 0.9 }),
        (p: ReturnType<typeof tensor>) => new Adam([p], { lr: 0.1 }),
      ]) {
        const p = tensor([1, 2], { requiresGrad: true });
        const opt = make(p);
        p.mul(p).sum().backward();
        opt.paramGroups[0]!.lr = bad;
        expect(() => opt.step()).toThrow(ValueError);
        expect(() => opt.step()).toThrow(
          new RegExp(`step: param group 0 has learning rate ${bad} \\(must be a finite number >= 0\\)`),
        );
        expect(p.toArraySync()).toEqual([1, 2]);
      }
    });
  }

  it('LBFGS too', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new LBFGS([p], { lr: 1 });
    opt.paramGroups[0]!.lr = Number.NaN;
    expect(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.mul(p).sum();
        l.backward();
        return l;
      }),
    ).toThrow(/LBFGS\.step: param group 0 has learning rate NaN/);
    expect(p.toArraySync()).toEqual([1, 2]);
  });
});
