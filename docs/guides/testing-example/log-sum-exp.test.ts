import { tensor } from '@tsgrad/core';
import { arbShape, arbTensor, gradcheck, gradgradcheck } from '@tsgrad/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logSumExp } from './log-sum-exp.js';

describe('logSumExp', () => {
  const anyTensor = arbTensor({ shape: arbShape({ minRank: 1, maxRank: 3 }), min: -50, max: 50 });

  it('equals the built-in logsumexp', () => {
    fc.assert(
      fc.property(anyTensor, (x) => {
        const got = logSumExp(x).dataSync();
        const want = x.logsumexp(-1).dataSync();
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 10);
      }),
    );
  });

  it('does not overflow', () => {
    expect(logSumExp(tensor([1000, 1000])).itemSync()).toBeCloseTo(1000 + Math.log(2), 3);
  });

  it('has the gradients of its finite differences', () => {
    fc.assert(fc.property(anyTensor, (x) => gradcheck(logSumExp, [x.requiresGrad_()])));
  });

  it('has the second derivatives of its finite differences', () => {
    const x = tensor(
      [
        [0.3, -1.2, 2],
        [4, 4, -3],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    expect(gradgradcheck(logSumExp, [x])).toBe(true);
  });
});
