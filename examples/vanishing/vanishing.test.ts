import { beforeAll, describe, expect, it } from 'vitest';
import { compareActivations, type VariantResult, variants } from './deep.js';

describe('vanishing example', () => {
  let results: VariantResult[] = [];
  let by: Record<string, VariantResult> = {};
  beforeAll(() => {
    results = compareActivations({ depth: 6, width: 16, steps: 40, lr: 0.05, seed: 0 });
    by = Object.fromEntries(results.map((r) => [r.variant, r]));
  });

  it('measures a gradient norm for every Linear layer of every network', () => {
    expect(results.map((r) => r.variant)).toEqual([...variants]);
    for (const r of results) {
      expect(r.initGradNorms).toHaveLength(7);
      expect(r.trainGradNorms).toHaveLength(7);
      expect(r.losses).toHaveLength(41);
      expect(r.initStats.filter((s) => s.type === 'Linear')).toHaveLength(7);
    }
  });

  it('shows the sigmoid network’s gradients shrinking layer by layer toward the input', () => {
    const g = by.sigmoid!.initGradNorms;
    for (let i = 1; i < g.length; i++) expect(g[i - 1]!).toBeLessThan(g[i]! / 2);
    expect(g[0]! / g.at(-1)!).toBeLessThan(1e-4);
    const k = by['relu + kaiming']!.initGradNorms;
    expect(k[0]! / k.at(-1)!).toBeGreaterThan(1e-2);
  });

  it('trains the ReLU network with Kaiming initialisation, not the sigmoid one', () => {
    const kaiming = by['relu + kaiming']!;
    expect(kaiming.losses.at(-1)!).toBeLessThan(kaiming.losses[0]! / 2);
    expect(kaiming.accuracy).toBeGreaterThan(0.8);
    const sigmoid = by.sigmoid!;
    expect(sigmoid.losses.at(-1)!).toBeGreaterThan(0.6);
  });
});
