/**
 * Every op that records a node has a local derivative for `explain()` to print: each node the
 * registry's ops record (composites record the nodes of the primitives they are built from)
 * is described in core's table, one line per input, or listed there as going without.
 */
import type { Tensor } from '@tsgrad/core';
import { localDerivatives, withoutLocalDerivative } from '@tsgrad/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFloatTensor } from '../src/reference.js';
import { registry } from '../src/registry/index.js';

/** Every tensor of the graph that made `out`. */
function graphOf(out: Tensor): Tensor[] {
  const seen = new Set<Tensor>([out]);
  const stack = [out];
  while (stack.length > 0) {
    for (const x of stack.pop()!.gradFn?.inputs ?? []) {
      if (!seen.has(x)) {
        seen.add(x);
        stack.push(x);
      }
    }
  }
  return [...seen];
}

const recorded = new Set<string>();

describe('every node the registry records has a local derivative', () => {
  it.each(registry.map((o) => [o.name, o] as const))('%s', (_name, op) => {
    for (const s of fc.sample(op.sample, { numRuns: 3, seed: 1 })) {
      const args = s.args.map((a) => (isFloatTensor(a) ? a.detach().clone().requiresGrad_() : a));
      for (const t of graphOf(op.call(args, s.kwargs))) {
        const node = t.gradFn;
        if (node === null) continue;
        recorded.add(node.name);
        if (withoutLocalDerivative.has(node.name)) continue;
        const d = localDerivatives[node.name];
        expect(d, `'${node.name}' (recorded by ${op.name}) has no local derivative`).toBeDefined();
        if (node.attrs.scalar !== undefined) {
          expect(d!.scalar, `'${node.name}' with a number operand`).toBeDefined();
        } else if (d!.inputs.length !== 1) {
          expect(d!.inputs.length, `lines of '${node.name}'`).toBe(node.inputs.length);
        }
      }
    }
  });

  it('and the walk above reached the ops it should', () => {
    for (const op of ['tanh', 'mul', 'matmul', 'sum', 'reshape', 'cat', 'gather', 'im2col']) {
      expect(recorded, op).toContain(op);
    }
  });
});
