/**
 * logsumexp (and the softmaxes built on it) with rows whose maximum is ±∞: the shift by the
 * maximum must not compute ∞ − ∞.
 */
import { tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';

const vals = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

describe('logsumexp with infinite rows', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`a row of −∞ gives −∞, a row holding +∞ gives +∞ (${dtype})`, () => {
      const x = tensor([-Infinity, -Infinity, -Infinity, 1, Infinity, 2, 0, Math.log(3), -Infinity], {
        shape: [3, 3],
        dtype,
      });
      const r = vals(x.logsumexp(1));
      expect(r[0]).toBe(-Infinity);
      expect(r[1]).toBe(Infinity);
      expect(r[2]).toBeCloseTo(Math.log(4), 6);
      expect(vals(x.logsumexp(1, true))).toEqual(r);
      expect(x.logsumexp(1, true).shape).toEqual([3, 1]);
      // Over all elements: +∞ is there.
      expect(x.logsumexp().itemSync()).toBe(Infinity);
      // All −∞ over every element.
      expect(tensor([-Infinity, -Infinity], { dtype }).logsumexp().itemSync()).toBe(-Infinity);
    });
  }

  it('logSoftmax of a row with one −∞ entry stays finite elsewhere', () => {
    const y = vals(tensor([[0, -Infinity, 0]]).logSoftmax(1));
    expect(y[0]).toBeCloseTo(-Math.LN2, 6);
    expect(y[1]).toBe(-Infinity);
    expect(y[2]).toBeCloseTo(-Math.LN2, 6);
  });
});
