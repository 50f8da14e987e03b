/**
 * Layers and optimizers looked up by the names the reference files give them, so that a case
 * runs as soon as its package exports the class.
 */
import type { Tensor } from '@tsgrad/core';
import * as nn from '@tsgrad/nn';
import * as optim from '@tsgrad/optim';

/** An optimizer constructor as the reference cases call it: parameters, then options. */
export type OptimizerClass = new (params: Tensor[], options: Record<string, unknown>) => optim.Optimizer;

/** The `Optimizer` subclass `@tsgrad/optim` exports as `name`, or undefined. */
export function optimizerClass(name: string): OptimizerClass | undefined {
  const c = (optim as Record<string, unknown>)[name];
  return typeof c === 'function' && c.prototype instanceof optim.Optimizer
    ? (c as OptimizerClass)
    : undefined;
}

/** The `Module` subclass `@tsgrad/nn` exports as `name`, or undefined. */
export function layerClass(name: string): (abstract new (...args: never[]) => nn.Module) | undefined {
  const c = (nn as Record<string, unknown>)[name];
  return typeof c === 'function' && c.prototype instanceof nn.Module
    ? (c as abstract new (
        ...args: never[]
      ) => nn.Module)
    : undefined;
}
