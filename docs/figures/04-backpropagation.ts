/**
 * Figure of guide 4: the recorded graph of its four-layer, one-neuron-per-layer network after
 * backward, written by `toDot` and laid out by Graphviz (`dot`, which must be installed:
 * `apt-get install graphviz`, `brew install graphviz`).
 */
import { execFileSync } from 'node:child_process';
import { type Tensor, tensor, toDot } from '@tsgrad/core';

export function figures(): Record<string, string> {
  const param = (v: number) => tensor(v, { requiresGrad: true });
  const w = [0.5, -1, 1.5, 2].map(param);
  const b = [0.1, 0.2, -0.3, 0.4].map(param);
  const x = tensor(1);
  const y = tensor(1);
  const names: Record<string, Tensor> = { x, y };
  let a = x;
  for (let l = 0; l < 4; l++) {
    a = w[l]!.mul(a).add(b[l]!).sigmoid();
    Object.assign(names, { [`w${l + 1}`]: w[l], [`b${l + 1}`]: b[l], [`a${l + 1}`]: a });
  }
  const loss = a.sub(y).square();
  names.loss = loss;
  loss.backward();
  // Top to bottom: the chain of 14 ops is too long to read across a page.
  const dot = toDot(loss, { grads: true, names }).replace('rankdir=LR', 'rankdir=TB');
  let svg: string;
  try {
    svg = execFileSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
  } catch (e) {
    throw new Error(
      `04-backpropagation: Graphviz's dot could not render the graph (is graphviz installed?): ${e}`,
    );
  }
  return { '04-graph.svg': svg };
}
