import { AutogradError, explain, joinGradients, type Tensor, tensor } from '@tsgrad/core';
import { localDerivatives, withoutLocalDerivative } from '@tsgrad/core/internal';
import { describe, expect, it, vi } from 'vitest';

const f64 = { dtype: 'float64', requiresGrad: true } as const;
const arr = (t: Tensor | null) => Array.from(t!.dataSync());

describe('explain', () => {
  // y = tanh(w·x + b) with x = 0.5 (a constant), w = -1.2, b = 0.3.
  function neuron() {
    const x = tensor(0.5, { dtype: 'float64' });
    const w = tensor(-1.2, f64);
    const b = tensor(0.3, f64);
    const z = x.mul(w).add(b);
    const y = z.tanh();
    return { x, w, b, z, y };
  }

  it('reports each node in the order backward visits it, with the chain rule in numbers', () => {
    const { x, w, b, z, y } = neuron();
    const report = explain(y, { names: { x, w, b, z, y } });
    expect(report.map((s) => s.op)).toEqual(['tanh', 'add', 'mul']);
    expect(report.map((s) => s.step)).toEqual([1, 2, 3]);

    const zv = 0.5 * -1.2 + 0.3;
    const yv = Math.tanh(zv);
    const [tanh, add, mul] = report as unknown as [
      (typeof report)[0],
      (typeof report)[0],
      (typeof report)[0],
    ];
    // tanh: upstream 1, local 1 − tanh²(z).
    expect(tanh.output).toMatchObject({ name: 'y', shape: [], dtype: 'float64', isLeaf: false });
    expect(tanh.output.values![0]).toBeCloseTo(yv, 14);
    expect(tanh.upstream.values).toEqual([1]);
    expect(tanh.inputs).toHaveLength(1);
    expect(tanh.inputs[0]!.tensor.name).toBe('z');
    expect(tanh.inputs[0]!.derivative).toBe('d/dx tanh(x) = 1 − tanh²(x)');
    expect(tanh.inputs[0]!.local![0]).toBeCloseTo(1 - yv * yv, 14);
    const dz = 1 - yv * yv;
    expect(tanh.inputs[0]!.grad!.values![0]).toBeCloseTo(dz, 14);
    // add: both inputs get the upstream gradient times 1.
    expect(add.upstream.values![0]).toBeCloseTo(dz, 14);
    expect(add.inputs.map((i) => i.tensor.name)).toEqual(['t3', 'b']);
    expect(add.inputs.map((i) => i.derivative)).toEqual(['∂(a + b)/∂a = 1', '∂(a + b)/∂b = 1']);
    expect(add.inputs.map((i) => i.local)).toEqual([[1], [1]]);
    // mul: ∂(x·w)/∂w = x; x is a constant and gets nothing.
    expect(mul.inputs.map((i) => i.tensor.name)).toEqual(['x', 'w']);
    expect(mul.inputs[0]!.tensor).toMatchObject({ isLeaf: true, requiresGrad: false });
    expect(mul.inputs[0]!.grad).toBeNull();
    expect(mul.inputs[0]!.local).toBeUndefined();
    expect(mul.inputs[1]!.derivative).toBe('∂(a·b)/∂b = a');
    expect(mul.inputs[1]!.local![0]).toBeCloseTo(0.5, 14);
    expect(mul.inputs[1]!.grad!.values![0]).toBeCloseTo(dz * 0.5, 14);
    // It ran backward: the leaves' .grad are filled, and listed.
    expect(w.grad!.itemSync()).toBeCloseTo(dz * 0.5, 14);
    expect(b.grad!.itemSync()).toBeCloseTo(dz, 14);
    // In the order the pass reaches them.
    expect(report.leaves.map((l) => [l.tensor.name, l.grad!.values![0]])).toEqual([
      ['b', b.grad!.itemSync()],
      ['w', w.grad!.itemSync()],
    ]);
  });

  it('the gradient each step sends is the upstream gradient times the local derivative', () => {
    const a = tensor([0.4, -0.7, 1.1], f64);
    const c = tensor([2, 3, -1], f64);
    const loss = a.mul(c).sigmoid().log().mul(a.relu()).sum().div(3).neg();
    const report = explain(loss);
    let checked = 0;
    for (const s of report) {
      for (const input of s.inputs) {
        if (input.local === undefined || input.grad === null) continue;
        const up = s.upstream.values!;
        input.grad.values!.forEach((g, k) => {
          expect(g).toBeCloseTo(up[up.length === 1 ? 0 : k]! * input.local![k]!, 12);
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
    // The elementwise locals are the derivatives at the forward values.
    const sig = report.find((s) => s.op === 'sigmoid')!;
    const zs = [0.4 * 2, -0.7 * 3, 1.1 * -1];
    sig.inputs[0]!.local!.forEach((d, k) => {
      const p = 1 / (1 + Math.exp(-zs[k]!));
      expect(d).toBeCloseTo(p * (1 - p), 12);
    });
    const relu = report.find((s) => s.op === 'relu')!;
    expect(relu.inputs[0]!.local).toEqual([1, 0, 1]);
  });

  it('gives the same .grad as backward, and frees the graph as backward does', () => {
    const build = (x: Tensor, w: Tensor) => x.matmul(w).tanh().pow(2).sum();
    const x = tensor([[0.1, 0.2, 0.3]], { dtype: 'float64' });
    const w1 = tensor([[0.5], [-0.4], [0.9]], f64);
    const w2 = tensor([[0.5], [-0.4], [0.9]], f64);
    build(x, w1).backward();
    const y = build(x, w2);
    explain(y);
    expect(arr(w2.grad)).toEqual(arr(w1.grad));
    explain(build(x, w2));
    expect(arr(w2.grad)).toEqual(arr(w1.grad).map((g) => 2 * g));
    expect(() => y.backward()).toThrow(AutogradError);
  });

  it('shows the local derivative of a product with a one-element output', () => {
    const h = tensor([0.2, 0, 0.7], f64);
    const w = tensor([0.85, 0.72, -0.55], f64);
    const report = explain(h.matmul(w), { names: { h, w } });
    expect(report[0]!.op).toBe('matmul');
    expect(report[0]!.inputs.map((i) => i.local)).toEqual([
      [0.85, 0.72, -0.55],
      [0.2, 0, 0.7],
    ]);
    expect(report[0]!.inputs[0]!.derivative).toBe('∂(A·B)/∂A = B, so dL/dA = G·Bᵀ');
  });

  it('leaves out the numbers of tensors over maxValues, and names tensors from pairs', () => {
    const w = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      f64,
    );
    const loss = w.mul(w).sum();
    const small = explain(loss, { names: [['weight', w]] as const, retainGraph: true });
    const mul = small.find((s) => s.op === 'mul')!;
    expect(mul.inputs[0]!.tensor.name).toBe('weight');
    expect(mul.output.values).toBeUndefined();
    expect(mul.inputs[0]!.grad).toEqual({ shape: [2, 3] });
    expect(mul.inputs[0]!.local).toBeUndefined();
    expect(small.toString()).toMatch(/weight \[2,3\]\s+∂\(a·b\)\/∂a = b\s+shape \[2,3\]/);
    const big = explain(loss, { maxValues: 6 });
    const mul6 = big.find((s) => s.op === 'mul')!;
    expect(mul6.inputs[0]!.tensor.name).toBe('leaf1');
    expect(mul6.inputs[0]!.local).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mul6.inputs[0]!.grad!.values).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('prints a table: the formula and upstream × local = gradient on each row', () => {
    const { x, w, b, y } = neuron();
    const text = explain(y, { names: { x, w, b, y } }).toString();
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^step\s+op\s+output\s+dL\/d\(output\)\s+input\s+local derivative\s+dL\/d\(input\)/,
    );
    expect(lines[1]).toMatch(
      /^1\s+tanh\s+y = -0\.2913\s+1\s+t2 \[\]\s+d\/dx tanh\(x\) = 1 − tanh²\(x\)\s+1 × 0\.9151 = 0\.9151$/,
    );
    expect(text).toMatch(/w \[\]\s+∂\(a·b\)\/∂b = a\s+0\.9151 × 0\.5 = 0\.4576/);
    expect(text).toMatch(/x \[\]\s+∂\(a·b\)\/∂a = b\s+none \(does not require grad\)/);
    expect(text).toContain('leaf gradients (.grad after the pass):\n  b []: 0.9151\n  w []: 0.4576');
  });

  it('backward({ explain: true }) prints the report and accumulates like backward', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const { w, y } = neuron();
      y.backward({ explain: true });
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0]![0])).toContain('d/dx tanh(x) = 1 − tanh²(x)');
      const g = w.grad!.itemSync();
      const v = tensor([1, 2], f64);
      const out = v.mul(3);
      out.backward(tensor([1, -1], { dtype: 'float64' }), { explain: true });
      expect(arr(v.grad)).toEqual([3, -3]);
      expect(String(log.mock.calls[1]![0])).toMatch(/\[1, -1\] ⊙ \[3, 3\] = \[3, -3\]/);
      // Without explain nothing is printed.
      neuron().y.backward();
      expect(log).toHaveBeenCalledTimes(2);
      expect(g).toBeCloseTo((1 - Math.tanh(-0.3) ** 2) * 0.5, 14);
    } finally {
      log.mockRestore();
    }
  });
});

describe('local derivatives', () => {
  it('have a line per input, and the ops without one are listed apart', () => {
    for (const [op, d] of Object.entries(localDerivatives)) {
      expect(d.inputs.length, op).toBeGreaterThan(0);
      for (const line of [...d.inputs, ...(d.scalar === undefined ? [] : [d.scalar])]) {
        expect(line.trim().length, op).toBeGreaterThan(5);
      }
      expect(withoutLocalDerivative.has(op), `${op} is both described and listed`).toBe(false);
    }
  });

  it('describe an op without a line of its own generically', () => {
    const [a] = joinGradients([tensor([1, 2], f64)], (g) => g);
    const report = explain(a!.mul(2).sum());
    // Two nodes: the alias handed out, then the one-element joint that sends the gradient on.
    const [alias, joint] = report.filter((s) => s.op === 'joinGradients');
    expect(alias!.inputs[0]!.derivative).toBe("the backward rule of 'joinGradients' for input 1");
    expect(joint!.output.shape).toEqual([]);
    expect(joint!.inputs[0]!.local).toBeUndefined();
    expect(joint!.inputs[0]!.grad!.values).toEqual([2, 2]);
  });
});
