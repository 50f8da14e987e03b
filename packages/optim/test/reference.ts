/**
 * PyTorch's optimizer trajectories (reference/optim.json and reference/parity-optim.json) and a
 * constructor per optimizer name.
 */
import { readFileSync } from 'node:fs';
import type { Tensor } from '@tsgrad/core';
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  ASGD,
  NAdam,
  type Optimizer,
  RAdam,
  RMSprop,
  Rprop,
  SGD,
} from '@tsgrad/optim';
import { expect } from 'vitest';

export interface RefTensor {
  shape: number[];
  dtype: string;
  data: number[];
}

export interface RefCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  param0: RefTensor;
  grads: RefTensor[];
  params: RefTensor[];
}

export interface RefFile {
  meta: { generator: string };
  cases: RefCase[];
}

function load(file: string): RefFile {
  return JSON.parse(readFileSync(new URL(`../../../reference/${file}`, import.meta.url), 'utf8'));
}

/** The reference files, by name. */
export const refs: Record<string, RefFile> = {
  'optim.json': load('optim.json'),
  'parity-optim.json': load('parity-optim.json'),
};

export const makers: Record<string, (p: Tensor[], o: Record<string, unknown>) => Optimizer> = {
  SGD: (p, o) => new SGD(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
  Adadelta: (p, o) => new Adadelta(p, o),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
  NAdam: (p, o) => new NAdam(p, o),
  RAdam: (p, o) => new RAdam(p, o),
  Adamax: (p, o) => new Adamax(p, o),
  ASGD: (p, o) => new ASGD(p, o),
  Rprop: (p, o) => new Rprop(p, o),
};

/**
 * NAdam's trajectory for a reference case, computed in plain float64 from the pseudo-code in
 * PyTorch's documentation. `before2_0` reproduces PyTorch < 2.0, whose single-tensor NAdam
 * multiplied μₜ into the next momentum product twice (`mu_product * mu * mu_next`; fixed in
 * PyTorch 2.0 by pytorch/pytorch#92699).
 */
export function nadamTrajectory(c: RefCase, before2_0: boolean): number[][] {
  const o = {
    lr: 2e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
    ...c.options,
  } as {
    lr: number;
    betas: [number, number];
    eps: number;
    weightDecay: number;
    momentumDecay: number;
  };
  const [b1, b2] = o.betas;
  const p = [...c.param0.data];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  let muProduct = 1;
  return c.grads.map((grad, k) => {
    const t = k + 1;
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * o.momentumDecay));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * o.momentumDecay));
    muProduct *= mu;
    const muProductNext = muProduct * muNext * (before2_0 ? mu : 1);
    for (let i = 0; i < p.length; i++) {
      const g = grad.data[i]! + o.weightDecay * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const denom = Math.sqrt(v[i]! / (1 - b2 ** t)) + o.eps;
      p[i] =
        p[i]! -
        ((o.lr * (1 - mu)) / (1 - muProduct)) * (g / denom) -
        ((o.lr * muNext) / (1 - muProductNext)) * (m[i]! / denom);
    }
    return [...p];
  });
}

/** Largest |a−b| / max(|b|, tiny) over the elements. */
export function relError(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.max(Math.abs(e), 1e-12));
  }
  return worst;
}

/**
 * The parameters to expect after each step. NAdam cases recorded by PyTorch < 2.0 carry that
 * version's NAdam bug (see {@link nadamTrajectory}); tsgrad follows the documented algorithm,
 * so for those the expectation is the documented algorithm's trajectory, after checking that
 * the recorded values are exactly the old version's.
 */
export function expectedParams(generator: string, c: RefCase): number[][] {
  if (c.optimizer !== 'NAdam' || !/^PyTorch 1\./.test(generator)) return c.params.map((t) => t.data);
  const recorded = nadamTrajectory(c, true);
  for (const [step, t] of c.params.entries()) expect(relError(recorded[step]!, t.data)).toBeLessThan(1e-12);
  return nadamTrajectory(c, false);
}
