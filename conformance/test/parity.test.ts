/**
 * The parity cases (`reference/parity-*.json`): what PyTorch users reach for next. This test
 * reports how many of them tsgrad has an op, layer or optimizer for yet, and does not fail on
 * the missing ones; it fails when a file does not parse or a case lacks a field that
 * `reference/README.md` documents, so the cases are ready to become tests one op at a time.
 */
import { describe, expect, it } from 'vitest';
import { layerClass, optimizerClass } from '../src/classes.js';
import {
  isRefTensor,
  type LayerCase,
  type OptimCase,
  type RefCase,
  type RefTensor,
  readReference,
} from '../src/reference.js';
import { findOp } from '../src/registry/index.js';

const ops = readReference<{ cases: RefCase[] }>('parity-ops.json').cases;
const layers = readReference<{ cases: LayerCase[] }>('parity-layers.json').cases;
const optimizers = readReference<{ cases: OptimCase[] }>('parity-optim.json').cases;

function expectTensor(v: unknown, what: string): asserts v is RefTensor {
  expect(isRefTensor(v), `${what} is a tensor`).toBe(true);
  const r = v as RefTensor;
  expect(['float64', 'int32', 'bool'], `${what}: dtype`).toContain(r.dtype);
  expect(r.data.length, `${what}: data fills its shape`).toBe(r.shape.reduce((a, b) => a * b, 1));
}

function expectObject(v: unknown, what: string): void {
  expect(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} is an object`).toBe(true);
}

function expectSameShape(a: RefTensor, b: RefTensor, what: string): void {
  expect(b.shape, what).toEqual(a.shape);
}

/**
 * Prints `parity: N of M <kind> cases have <what>; missing: …`. Every case is either covered
 * or missing, and every missing key is named once.
 */
function report<C>(
  kind: string,
  what: string,
  cases: C[],
  key: (c: C) => string,
  has: (k: string) => boolean,
) {
  const covered = cases.filter((c) => has(key(c)));
  const missing = [...new Set(cases.map(key).filter((k) => !has(k)))];
  console.log(
    `parity: ${covered.length} of ${cases.length} ${kind} cases have ${what}; missing: ${missing.join(', ') || 'none'}`,
  );
  expect(covered.length + cases.filter((c) => missing.includes(key(c))).length).toBe(cases.length);
}

function expectUniqueNames(cases: { name: string }[]): void {
  const names = cases.map((c) => c.name);
  expect(new Set(names).size, 'case names are unique').toBe(names.length);
}

describe('parity-ops.json', () => {
  it('every case has the documented fields', () => {
    expect(ops.length).toBeGreaterThan(0);
    expectUniqueNames(ops);
    for (const c of ops) {
      expect(typeof c.name).toBe('string');
      expect(typeof c.op, `${c.name}: op`).toBe('string');
      expect(Array.isArray(c.args), `${c.name}: args`).toBe(true);
      expectObject(c.kwargs, `${c.name}: kwargs`);
      expectTensor(c.out, `${c.name}: out`);
      if (c.out.dtype !== 'float64') {
        // Integer and bool results have no gradient.
        expect(c.gradOut, `${c.name}: gradOut`).toBeUndefined();
        expect(c.grads, `${c.name}: grads`).toBeUndefined();
        continue;
      }
      expectTensor(c.gradOut, `${c.name}: gradOut`);
      expectSameShape(c.out, c.gradOut, `${c.name}: gradOut has the shape of out`);
      expect(c.grads?.length, `${c.name}: one gradient per argument`).toBe(c.args.length);
      c.grads!.forEach((g, i) => {
        if (g === null) return;
        expectTensor(g, `${c.name}: grads[${i}]`);
        expectTensor(c.args[i], `${c.name}: args[${i}]`);
        expectSameShape(c.args[i] as RefTensor, g, `${c.name}: grads[${i}] has the shape of its argument`);
      });
    }
  });

  it('reports how many cases have a registry entry', () => {
    report(
      'op',
      'an op',
      ops,
      (c) => c.op,
      (op) => findOp(op) !== undefined,
    );
  });
});

describe('parity-layers.json', () => {
  it('every case has the documented fields', () => {
    expect(layers.length).toBeGreaterThan(0);
    expectUniqueNames(layers);
    for (const c of layers) {
      expect(typeof c.module, `${c.name}: module`).toBe('string');
      expectObject(c.config, `${c.name}: config`);
      expectObject(c.params, `${c.name}: params`);
      expect(c.args.length, `${c.name}: args`).toBeGreaterThan(0);
      c.args.forEach((a, i) => {
        expectTensor(a, `${c.name}: args[${i}]`);
      });
      (c.extraArgs ?? []).forEach((a, i) => {
        expectTensor(a, `${c.name}: extraArgs[${i}]`);
      });
      expectTensor(c.out, `${c.name}: out`);
      expectTensor(c.gradOut, `${c.name}: gradOut`);
      expectSameShape(c.out, c.gradOut, `${c.name}: gradOut has the shape of out`);
      expectTensor(c.gradInput, `${c.name}: gradInput`);
      expectSameShape(c.args[0]!, c.gradInput, `${c.name}: gradInput has the shape of the input`);
      expect(Object.keys(c.paramGrads).sort(), `${c.name}: a gradient per parameter`).toEqual(
        Object.keys(c.params).sort(),
      );
      for (const [k, p] of Object.entries(c.params)) {
        expectTensor(p, `${c.name}: params.${k}`);
        expectTensor(c.paramGrads[k], `${c.name}: paramGrads.${k}`);
        expectSameShape(p, c.paramGrads[k]!, `${c.name}: paramGrads.${k} has the shape of the parameter`);
      }
    }
  });

  it('reports how many cases have a layer in @tsgrad/nn', () => {
    report(
      'layer',
      'a layer',
      layers,
      (c) => c.module,
      (m) => layerClass(m) !== undefined,
    );
  });
});

describe('parity-optim.json', () => {
  it('every case has the documented fields', () => {
    expect(optimizers.length).toBeGreaterThan(0);
    expectUniqueNames(optimizers);
    for (const c of optimizers) {
      expect(typeof c.optimizer, `${c.name}: optimizer`).toBe('string');
      expectObject(c.options, `${c.name}: options`);
      expectTensor(c.param0, `${c.name}: param0`);
      expect(c.grads.length, `${c.name}: steps`).toBeGreaterThan(0);
      expect(c.params.length, `${c.name}: a parameter after each step`).toBe(c.grads.length);
      [...c.grads, ...c.params].forEach((t, i) => {
        expectTensor(t, `${c.name}: step tensor ${i}`);
        expectSameShape(c.param0, t, `${c.name}: step tensor ${i} has the shape of param0`);
      });
    }
  });

  it('reports how many cases have an optimizer in @tsgrad/optim', () => {
    report(
      'optimizer',
      'an optimizer',
      optimizers,
      (c) => c.optimizer,
      (o) => optimizerClass(o) !== undefined,
    );
  });
});
