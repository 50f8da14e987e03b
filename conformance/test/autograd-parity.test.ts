/**
 * Parity cases whose gradients PyTorch defines by convention rather than by the formula:
 * piecewise-constant ops have a zero gradient, and pow's gradients are 0 at 0⁰ (where the
 * formulas give NaN).
 */
import { grad, type Tensor } from '@tsgrad/core';
import { describe, expect, it } from 'vitest';
import { fromRef, type RefCase, readReference } from '../src/reference.js';

const cases = readReference<{ cases: RefCase[] }>('parity-ops.json').cases;

const calls: Record<string, (args: Tensor[]) => Tensor> = {
  'floor(3, 4)': ([x]) => x!.floor(),
  'sign(3, 4)': ([x]) => x!.sign(),
  'pow zero base zero exponent': ([a, b]) => a!.pow(b!),
};

describe('gradients PyTorch defines by convention (parity-ops.json)', () => {
  for (const [name, call] of Object.entries(calls)) {
    it(name, () => {
      const c = cases.find((k) => k.name === name)!;
      const args = c.args.map((a) => fromRef(a as never, 'float64', 'cpu', true));
      const out = call(args);
      expect(Array.from(out.dataSync())).toEqual(c.out.data);
      const grads = grad([out.mul(fromRef(c.gradOut!, 'float64', 'cpu')).sum()], args);
      grads.forEach((g, i) => {
        // Compare as numbers: PyTorch's -0 and 0 are the same gradient.
        expect(Array.from(g!.dataSync(), (v) => v + 0)).toEqual(c.grads![i]!.data.map((v) => Number(v) + 0));
      });
    });
  }
});
