import {
  type AdamStepOptions,
  adamStep_,
  initCpuKernels,
  manualSeed,
  rand,
  randn,
  type Tensor,
} from '@tsgrad/core';
import { adamStepComposite_ } from '@tsgrad/core/internal';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  elementwiseWasmCalls,
  setElementwiseImpl,
  setElementwiseParallelMin,
} from '../src/backend/cpu/kernels/wasm/elementwise-wasm.js';

/** PyTorch's Adam defaults, seventh step: the case the fused kernels serve. */
const PLAIN: AdamStepOptions = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
  step: 7,
};

function state(n: number, dtype: 'float32' | 'float64') {
  return {
    p: randn([n], { dtype }),
    g: randn([n], { dtype }),
    m: randn([n], { dtype }).mul(0.1),
    v: rand([n], { dtype }).mul(0.1),
    x: rand([n], { dtype }).mul(0.2),
  };
}

function clone(s: Record<string, Tensor>) {
  return Object.fromEntries(Object.entries(s).map(([k, t]) => [k, t.clone()])) as ReturnType<typeof state>;
}

/** Worst error relative to `rtol·|expected| + atol`; at most 1 means within tolerance. */
function worstError(a: Tensor, b: Tensor, rtol: number, atol: number): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (rtol * Math.abs(y[i]!) + atol));
  }
  return worst;
}

describe('fused Adam kernel', () => {
  it('matches the composite reference for random options (float64 exactly, float32 closely)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
        fc.record({
          lr: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
          beta1: fc.double({ min: 0, max: 0.99, noNaN: true }),
          beta2: fc.double({ min: 0, max: 0.9999, noNaN: true }),
          eps: fc.constantFrom(1e-8, 1e-6, 1e-3),
          weightDecay: fc.constantFrom(0, 0.01, 0.1),
          decoupledWeightDecay: fc.boolean(),
          maximize: fc.boolean(),
          step: fc.integer({ min: 1, max: 50 }),
        }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (n, dtype, o: AdamStepOptions, amsgrad, seed) => {
          manualSeed(seed);
          const a = state(n, dtype);
          const b = clone(a);
          adamStep_(a.p, a.g, a.m, a.v, amsgrad ? a.x : null, o);
          adamStepComposite_(b.p, b.g, b.m, b.v, amsgrad ? b.x : null, o);
          // float32: the fused kernel rounds once per stored value, the composite after every op.
          const [rtol, atol] = dtype === 'float64' ? [1e-12, 1e-15] : [1e-4, 1e-6];
          for (const k of ['p', 'm', 'v', 'x'] as const)
            expect(worstError(a[k], b[k], rtol, atol)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('bumps the version counters of what it updates', () => {
    const s = state(5, 'float32');
    const before = [s.p.version, s.m.version, s.v.version];
    adamStep_(s.p, s.g, s.m, s.v, null, { ...PLAIN, lr: 0.1, step: 1 });
    expect([s.p.version, s.m.version, s.v.version]).toEqual(before.map((v) => v + 1));
  });
});

describe('fused Adam, WebAssembly and TypeScript loops', () => {
  const options = PLAIN;
  afterAll(() => setElementwiseImpl('auto'));

  it('matches the composite reference across chunk boundaries and odd lengths', () => {
    setElementwiseImpl('wasm');
    for (const n of [1, 3, 17, 1000, 16384, 16385, 40001]) {
      manualSeed(n);
      const a = state(n, 'float32');
      const b = clone(a);
      adamStep_(a.p, a.g, a.m, a.v, null, options);
      adamStepComposite_(b.p, b.g, b.m, b.v, null, options);
      for (const k of ['p', 'm', 'v'] as const)
        expect(worstError(a[k], b[k], 1e-4, 1e-6)).toBeLessThanOrEqual(1);
    }
  });

  it('gives the same bits either way (both round after every operation)', () => {
    manualSeed(1);
    const a = state(5000, 'float32');
    const b = clone(a);
    setElementwiseImpl('wasm');
    adamStep_(a.p, a.g, a.m, a.v, null, options);
    setElementwiseImpl('ts');
    adamStep_(b.p, b.g, b.m, b.v, null, options);
    for (const k of ['p', 'm', 'v'] as const) {
      expect(Buffer.from(a[k].dataSync().buffer).equals(Buffer.from(b[k].dataSync().buffer))).toBe(true);
    }
  });

  it('gives the same bits when the update is shared with the worker threads', async () => {
    await initCpuKernels();
    for (const n of [4100, 40001, 262147]) {
      manualSeed(n);
      const a = state(n, 'float32');
      const b = clone(a);
      setElementwiseImpl('ts');
      adamStep_(b.p, b.g, b.m, b.v, null, options);
      setElementwiseImpl('wasm');
      setElementwiseParallelMin(1);
      const before = elementwiseWasmCalls();
      try {
        adamStep_(a.p, a.g, a.m, a.v, null, options);
      } finally {
        setElementwiseParallelMin(1 << 18);
      }
      // Split into pieces (a call each), not one call.
      expect(elementwiseWasmCalls() - before).toBeGreaterThanOrEqual(2);
      for (const k of ['p', 'm', 'v'] as const) {
        expect(Buffer.from(a[k].dataSync().buffer).equals(Buffer.from(b[k].dataSync().buffer))).toBe(true);
      }
    }
  });
});
