import { manualSeed, noGrad, randn, type Tensor, tensor } from '@tsgrad/core';
import { Diagnostics, Linear, ReLU, Sequential, Sigmoid, statsTable, Tanh } from '@tsgrad/nn';
import { describe, expect, it } from 'vitest';

/** A Linear layer with the given weight rows and biases. */
function linear(weight: number[][], bias: number[]): Linear {
  const l = new Linear(weight[0]!.length, weight.length);
  noGrad(() => {
    l.weight.copy_(tensor(weight));
    l.bias!.copy_(tensor(bias));
  });
  return l;
}

const norm = (t: Tensor) => t.norm().itemSync();

describe('Diagnostics: activations', () => {
  it('counts a ReLU unit as dead only when it is 0 for every sample of the batch', () => {
    // Unit 0 and unit 2 are negative for every input; unit 3 is zero for one sample only.
    const model = new Sequential(
      linear(
        [
          [-1, -1],
          [1, 0],
          [0, 0],
          [0, 1],
        ],
        [-1, 0, -1, 0],
      ),
      new ReLU(),
    );
    const diag = new Diagnostics(model);
    model.call(
      tensor([
        [1, 2],
        [3, -1],
        [0.5, 0.5],
      ]),
    );
    const [lin, relu] = diag.stats();
    expect(lin).toEqual({ name: '0', type: 'Linear' });
    expect(relu!.type).toBe('ReLU');
    expect(relu!.dead).toBe(0.5);
    // One sample more, where unit 0 fires: only unit 2 stays dead.
    model.call(
      tensor([
        [1, 2],
        [-3, -3],
      ]),
    );
    expect(diag.stats()[1]!.dead).toBe(0.25);
  });

  it('counts tanh and sigmoid outputs beyond the saturation thresholds', () => {
    // Pre-activations [10, 1, -5] and [1, 0.1, -0.5]: tanh(10), tanh(-5) are beyond 0.97,
    // sigmoid(10) > 0.97 and sigmoid(-5) ≈ 0.0067 < 0.03; the rest are not.
    const layer = () => linear([[10], [1], [-5]], [0, 0, 0]);
    const x = tensor([[1], [0.1]]);
    const tanhNet = new Sequential(layer(), new Tanh());
    const sigmoidNet = new Sequential(layer(), new Sigmoid());
    const dt = new Diagnostics(tanhNet);
    const ds = new Diagnostics(sigmoidNet);
    tanhNet.call(x);
    sigmoidNet.call(x);
    expect(dt.stats()[1]!.saturated).toBeCloseTo(2 / 6, 12);
    expect(ds.stats()[1]!.saturated).toBeCloseTo(2 / 6, 12);
    expect(dt.stats()[1]!.dead).toBeUndefined();

    // Looser thresholds: tanh(1) ≈ 0.762 > 0.7 counts too; sigmoid(1) ≈ 0.731 > 0.7, sigmoid(-0.5) ≈ 0.378 < 0.4.
    const loose = new Diagnostics(tanhNet, { tanhSaturation: 0.7 });
    tanhNet.call(x);
    expect(loose.stats()[1]!.saturated).toBeCloseTo(4 / 6, 12);
    const looseS = new Diagnostics(sigmoidNet, { sigmoidSaturation: [0.4, 0.7] });
    sigmoidNet.call(x);
    expect(looseS.stats()[1]!.saturated).toBeCloseTo(5 / 6, 12);
  });
});

describe('Diagnostics: gradients', () => {
  it('reports the norms of each layer’s output gradient and weight gradient', () => {
    manualSeed(3);
    const l1 = new Linear(3, 4);
    const l2 = new Linear(4, 2);
    const model = new Sequential(l1, new Tanh(), l2);
    const diag = new Diagnostics(model);
    const x = randn([5, 3]);
    const y = model.call(x);
    y.square().sum().backward();
    const [s1, st, s2] = diag.stats();

    // By hand: L = Σ y², so ∂L/∂y = 2y, ∂L/∂W2 = (2y)ᵀ·a with a = tanh(x·W1ᵀ + b1),
    // ∂L/∂a = 2y·W2, and ∂L/∂(x·W1ᵀ + b1) = ∂L/∂a ⊙ (1 − a²).
    noGrad(() => {
      const a = x.matmul(l1.weight.transpose(0, 1)).add(l1.bias!).tanh();
      const gy = y.mul(2);
      const ga = gy.matmul(l2.weight);
      const gz = ga.mul(a.square().neg().add(1));
      expect(s2!.outputGradNorm).toBeCloseTo(norm(gy), 5);
      expect(s2!.weightGradNorm).toBeCloseTo(norm(gy.transpose(0, 1).matmul(a)), 5);
      expect(st!.outputGradNorm).toBeCloseTo(norm(ga), 5);
      expect(s1!.outputGradNorm).toBeCloseTo(norm(gz), 5);
      expect(s1!.weightGradNorm).toBeCloseTo(norm(gz.transpose(0, 1).matmul(x)), 5);
    });
    expect(s1!.weightGradNorm).toBeCloseTo(norm(l1.weight.grad!), 5);
    expect(st!.weightGradNorm).toBeUndefined();

    // A second backward without zeroGrad doubles .grad; the diagnostics show that pass alone.
    model.call(x).square().sum().backward();
    expect(diag.stats()[0]!.weightGradNorm).toBeCloseTo(s1!.weightGradNorm!, 5);
    expect(norm(l1.weight.grad!)).toBeCloseTo(2 * s1!.weightGradNorm!, 4);
  });
});

describe('Diagnostics: update ratio', () => {
  it('is ‖ΔW‖ / ‖W‖ across a step, as in manual SGD arithmetic', () => {
    // W = [3, 4] (‖W‖ = 5), L = x·Wᵀ + b with x = [1, 1]: ∂L/∂W = [1, 1], and an SGD step of
    // lr 0.1 moves W by 0.1·[1, 1], so the ratio is 0.1·√2 / 5.
    const layer = linear([[3, 4]], [0]);
    const diag = new Diagnostics(layer);
    const sgd = () =>
      noGrad(() => {
        for (const p of layer.parameters()) p.sub_(p.grad!.mul(0.1));
      });
    layer
      .call(tensor([[1, 1]]))
      .sum()
      .backward();
    const [s] = diag.record(sgd);
    expect(s!.name).toBe('');
    expect(s!.updateRatio).toBeCloseTo((0.1 * Math.SQRT2) / 5, 7);
    expect(s!.weightGradNorm).toBeCloseTo(Math.SQRT2, 7);

    // W is now [2.9, 3.9]; the same step again.
    layer.zeroGrad();
    layer
      .call(tensor([[1, 1]]))
      .sum()
      .backward();
    diag.beforeStep();
    sgd();
    const [s2] = diag.afterStep();
    expect(s2!.updateRatio).toBeCloseTo((0.1 * Math.SQRT2) / Math.hypot(2.9, 3.9), 7);
    expect(diag.history.map((r) => r.step)).toEqual([0, 1]);
    expect(diag.history[0]!.layers[0]!.updateRatio).toBeCloseTo(s!.updateRatio!, 12);
  });
});

describe('Diagnostics: output and removal', () => {
  it('prints the statistics as a table with aligned columns', () => {
    expect(
      statsTable([
        { name: '0', type: 'Linear', outputGradNorm: 0.125, weightGradNorm: 0.5, updateRatio: 0.00123 },
        { name: '1', type: 'ReLU', dead: 0.25, outputGradNorm: 1234.5 },
        { name: 'head.act', type: 'Sigmoid', saturated: 1 },
      ]),
    ).toBe(
      [
        'layer     type      dead  saturated  ‖∂L/∂output‖  ‖∂L/∂W‖  ‖ΔW‖/‖W‖',
        '0         Linear       —          —       1.25e-1  5.00e-1   1.23e-3',
        '1         ReLU     25.0%          —       1.23e+3        —         —',
        'head.act  Sigmoid      —     100.0%             —        —         —',
      ].join('\n'),
    );
  });

  it('draws a metric per layer and over the recorded steps as SVG', () => {
    manualSeed(0);
    const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    const diag = new Diagnostics(model);
    for (let i = 0; i < 3; i++) {
      model.zeroGrad();
      model
        .call(randn([4, 2]))
        .sum()
        .backward();
      diag.record(() =>
        noGrad(() => {
          for (const p of model.parameters()) p.sub_(p.grad!.mul(0.1));
        }),
      );
    }
    const perLayer = diag.plotLayers('weightGradNorm');
    expect(perLayer.startsWith('<svg')).toBe(true);
    expect(perLayer).toContain('‖∂L/∂W‖ per layer');
    const history = diag.plotHistory('updateRatio', { title: 'updates' });
    expect(history).toContain('updates');
    // One line per layer with weights; the ReLU has no weights to update.
    expect(history).toContain('0 Linear');
    expect(history).toContain('2 Linear');
    expect(history).not.toContain('1 ReLU');
  });

  it('remove() detaches every hook and leaves the model as it was', () => {
    const model = new Sequential(linear([[1, -1]], [0]), new ReLU());
    const diag = new Diagnostics(model);
    model
      .call(tensor([[2, 1]]))
      .sum()
      .backward();
    const before = diag.stats();
    expect(before[1]!.dead).toBe(0);
    diag.remove();
    for (const m of model.modules()) expect(Object.hasOwn(m, 'forward')).toBe(false);
    model
      .call(tensor([[1, 2]]))
      .sum()
      .backward();
    expect(diag.stats()).toEqual(before);
  });
});
