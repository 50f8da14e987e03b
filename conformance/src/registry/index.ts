/**
 * The op registry the conformance suite iterates (in the spirit of PyTorch's OpInfo): one
 * entry per op, named as in `ops.json`'s `op` field, saying how to call the op from a case's
 * positional `args` and `kwargs` and how to draw random sample inputs. Every entry goes
 * through every check — the PyTorch reference, gradcheck, gradgradcheck, strided and offset
 * views, the CPU and WebGPU — unless its `skip` names the check and says why.
 *
 * Argument conventions follow `ops.json`: tensors and plain values in PyTorch's positional
 * order, list arguments of tensors flattened (`cat(a, b, dim)`).
 */
import { activationOps } from './activation.js';
import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { indexingOps } from './indexing.js';
import { linalgOps } from './linalg.js';
import { movementOps } from './movement.js';
import { nnOps } from './nn.js';
import { nnNormOps } from './nn-norms.js';
import type { OpInfo } from './op-info.js';
import { reduceOps } from './reduce.js';
import { sortOps } from './sort.js';

export type { OpInfo, OptionalCheck, Sample } from './op-info.js';

/** The registry by op family. */
export const families: Readonly<Record<string, readonly OpInfo[]>> = {
  elementwise: elementwiseOps,
  activation: activationOps,
  reduce: reduceOps,
  sort: sortOps,
  linalg: linalgOps,
  movement: movementOps,
  indexing: indexingOps,
  nn: nnOps,
  conv: convOps,
  nnNorms: nnNormOps,
};

/** Every registered op. */
export const registry: readonly OpInfo[] = Object.values(families).flat();

/** The entry named `name`, or undefined. */
export function findOp(name: string): OpInfo | undefined {
  return registry.find((o) => o.name === name);
}
