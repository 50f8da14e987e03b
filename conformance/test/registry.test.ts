/**
 * The registry itself: every entry can be run by every check, and every check it leaves out
 * is named with a reason and listed here. The checks iterate the whole registry, so an op
 * added to it is compared with PyTorch, gradchecked, run on views and on every device unless
 * its entry says, in words, why not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RefCase, readReference } from '../src/reference.js';
import { families, type OptionalCheck, registry } from '../src/registry/index.js';

const optionalChecks: readonly OptionalCheck[] = ['reference', 'gradcheck', 'gradgradcheck'];
const referenceOps = new Set(
  ['ops.json', 'parity-ops.json'].flatMap((f) =>
    readReference<{ cases: RefCase[] }>(f).cases.map((c) => c.op),
  ),
);

it('every op has one entry, in one family', () => {
  const names = registry.map((o) => o.name);
  expect(names.length).toBe(new Set(names).size);
  expect(Object.values(families).reduce((n, f) => n + f.length, 0)).toBe(registry.length);
});

describe('every entry has a sample generator that runs', () => {
  it.each(registry.map((o) => [o.name, o] as const))('%s', (_name, op) => {
    expect(op.sample, `${op.name} has no sample generator`).toBeInstanceOf(fc.Arbitrary);
    for (const s of fc.sample(op.sample, { numRuns: 3, seed: 1 })) {
      expect(Array.isArray(s.args)).toBe(true);
      expect(typeof s.kwargs).toBe('object');
      expect(op.call(s.args, s.kwargs)).toHaveProperty('shape');
    }
  });
});

describe('every entry has PyTorch reference cases, or says why not', () => {
  it.each(registry.map((o) => [o.name, o] as const))('%s', (name, op) => {
    const reason = op.skip?.reference;
    if (reason === undefined)
      expect(referenceOps.has(name), `no case of '${name}' in ops.json or parity-ops.json`).toBe(true);
    else expect(referenceOps.has(name), `'${name}' has reference cases now: drop its opt-out`).toBe(false);
  });
});

describe('checks left out, with their reasons', () => {
  const optOuts = registry.flatMap((o) =>
    Object.entries(o.skip ?? {}).map(([check, reason]) => [o.name, check, reason, o] as const),
  );
  it.each(optOuts)('%s leaves out %s: %s', (_name, check, reason, op) => {
    expect(optionalChecks).toContain(check);
    expect(reason.trim().split(/\s+/).length, 'a reason in words').toBeGreaterThanOrEqual(3);
    // No op has a first derivative without a second yet; leaving gradgradcheck out alone
    // would need a check of its own claim, as gradcheck's opt-out has.
    if (check === 'gradgradcheck') expect(op.skip?.gradcheck, 'gradcheck left out too').toBeDefined();
  });
});
