import { describe, expect, it } from 'vitest';
import { initialWeights, learningRate, student, studentNetwork, trainingSample, verdict } from './network.js';

// Independent reference: the same network written out with plain JavaScript numbers.
const { w1, b1, w2, b2 } = initialWeights;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function reference(x: number[]) {
  const zHidden = [0, 1, 2].map((j) => x[0]! * w1[0]![j]! + x[1]! * w1[1]![j]! + b1[j]!);
  const hidden = zHidden.map((z) => Math.max(0, z));
  const zOut = hidden[0]! * w2[0]! + hidden[1]! * w2[1]! + hidden[2]! * w2[2]! + b2;
  return { zHidden, hidden, zOut, p: sigmoid(zOut) };
}

describe('student example', () => {
  const report = studentNetwork();
  const text = report.lines.join('\n');

  it("reproduces the article's forward pass", () => {
    const ref = reference(student);
    for (let j = 0; j < 3; j++) expect(report.prediction.zHidden[j]).toBeCloseTo(ref.zHidden[j]!, 12);
    expect(report.prediction.zOut).toBeCloseTo(ref.zOut, 12);
    expect(report.prediction.p).toBeCloseTo(ref.p, 12);
    // The article's rounded values.
    expect(ref.zHidden.map((z) => z.toFixed(4))).toEqual(['0.3000', '0.2890', '-0.0570']);
    expect(ref.zOut.toFixed(4)).toBe('0.2631');
    expect(ref.p.toFixed(3)).toBe('0.565');
    for (const s of [
      '= 0.3000',
      '= 0.2890',
      '= -0.0570',
      'h3 = 0.0000',
      '= 0.2631',
      '0.565 → pass (barely)',
    ]) {
      expect(text).toContain(s);
    }
    expect(report.prediction.verdict).toBe('pass (barely)');
  });

  it('computes the training step by the chain rule', () => {
    const { x, y } = trainingSample;
    const ref = reference(x);
    const loss = -(y * Math.log(ref.p) + (1 - y) * Math.log(1 - ref.p));
    const delta = ref.p - y;
    const dz = [0, 1, 2].map((j) => (ref.zHidden[j]! > 0 ? delta * w2[j]! : 0));
    const grads = {
      w1: [0, 1].map((i) => dz.map((d) => d * x[i]!)),
      b1: dz,
      w2: ref.hidden.map((h) => delta * h),
      b2: delta,
    };
    const step = report.step;
    expect(step.loss).toBeCloseTo(loss, 12);
    expect(step.p).toBeCloseTo(ref.p, 12);
    expect(step.grads.b2).toBeCloseTo(grads.b2, 12);
    for (let j = 0; j < 3; j++) {
      expect(step.grads.w2[j]).toBeCloseTo(grads.w2[j]!, 12);
      expect(step.grads.b1[j]).toBeCloseTo(grads.b1[j]!, 12);
      expect(step.updated.w2[j]).toBeCloseTo(w2[j]! - learningRate * grads.w2[j]!, 12);
      expect(step.updated.b1[j]).toBeCloseTo(b1[j]! - learningRate * grads.b1[j]!, 12);
      for (let i = 0; i < 2; i++) {
        expect(step.grads.w1[i]![j]).toBeCloseTo(grads.w1[i]![j]!, 12);
        expect(step.updated.w1[i]![j]).toBeCloseTo(w1[i]![j]! - learningRate * grads.w1[i]![j]!, 12);
      }
    }
    expect(step.updated.b2).toBeCloseTo(b2 - learningRate * grads.b2, 12);
    expect(text).toContain(`loss L = −[y·log p + (1 − y)·log(1 − p)] = ${loss.toFixed(4)}`);
    expect(text).toContain(`dL/dz_out = p − y = ${ref.p.toFixed(4)} − ${y} = ${delta.toFixed(4)}`);
    expect(text).toContain(
      `b_out = ${b2} − ${learningRate} · ${delta.toFixed(4)} = ${(b2 - learningRate * delta).toFixed(4)}`,
    );
  });

  it('prints backpropagation through explain, step by step', () => {
    const { x, y } = trainingSample;
    const ref = reference(x);
    const delta = ref.p - y;
    const bp = report.step.backprop;
    // The pass ends at the parameters, whose gradients are the chain rule's.
    const leaves = Object.fromEntries(bp.leaves.map((l) => [l.tensor.name, l.grad!.values!]));
    expect(Object.keys(leaves).sort()).toEqual(['b1', 'b2', 'w1', 'w2']);
    expect(leaves.b2![0]).toBeCloseTo(delta, 12);
    leaves.w2!.forEach((g, j) => {
      expect(g).toBeCloseTo(delta * ref.hidden[j]!, 12);
    });
    leaves.b1!.forEach((g, j) => {
      expect(g).toBeCloseTo(ref.zHidden[j]! > 0 ? delta * w2[j]! : 0, 12);
    });
    // sigmoid: dL/dp × σ'(z_out) = p − y, the collapse of sigmoid and cross-entropy.
    const sig = bp.find((s) => s.op === 'sigmoid')!;
    expect(sig.upstream.values![0]).toBeCloseTo(1 / (1 - ref.p), 12);
    expect(sig.inputs[0]!.local![0]).toBeCloseTo(ref.p * (1 - ref.p), 12);
    expect(sig.inputs[0]!.grad!.values![0]).toBeCloseTo(delta, 12);
    // h·w2: the local derivative for h is w2.
    const out = bp.find((s) => s.op === 'matmul' && s.inputs[0]!.tensor.name === 'h')!;
    expect(out.inputs[0]!.local).toEqual(w2);
    const d = delta.toFixed(4);
    expect(text).toMatch(
      new RegExp(`z_out \\[\\]\\s+d/dx σ\\(x\\) = σ\\(x\\)·\\(1 − σ\\(x\\)\\)\\s+[\\d.]+ × [\\d.]+ = ${d}`),
    );
    expect(text).toMatch(
      new RegExp(`h \\[3\\]\\s+∂\\(A·B\\)/∂A = B, so dL/dA = G·Bᵀ\\s+${d} × \\[${w2.join(', ')}\\]`),
    );
    expect(text).toContain(`b2 []: ${d}`);
  });

  it('names the verdict from the probability', () => {
    expect(verdict(0.9)).toBe('pass');
    expect(verdict(0.55)).toBe('pass (barely)');
    expect(verdict(0.45)).toBe('fail (barely)');
    expect(verdict(0.1)).toBe('fail');
  });
});
