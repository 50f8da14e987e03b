/**
 * `pnpm bench [filter …]`: tsgrad side by side with TensorFlow.js (cpu and wasm backends) in
 * the same process, one table per benchmark, with ratios. A filter keeps the suites whose
 * name contains it (`pnpm bench matmul`). Timings take the median of several repetitions
 * after a warm-up.
 */
import { cpus } from 'node:os';
import { loadPeers } from './peers.js';
import type { Suite } from './suites/suite.js';
import { renderTable } from './table.js';

const suites: { name: string; load: () => Promise<{ run: Suite }> }[] = [
  { name: 'matmul', load: () => import('./suites/matmul.js') },
  { name: 'elementwise', load: () => import('./suites/elementwise.js') },
  { name: 'autograd', load: () => import('./suites/autograd.js') },
  { name: 'mlp', load: () => import('./suites/mlp.js') },
];

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = suites.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));
if (chosen.length === 0) {
  console.error(
    `no benchmark matches ${filters.join(', ')}; available: ${suites.map((s) => s.name).join(', ')}`,
  );
  process.exit(1);
}

const cpu = cpus();
console.log('# tsgrad benchmarks');
console.log(`machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} logical cores`);
console.log(`node ${process.version} (V8 ${process.versions.v8}), ${process.platform}-${process.arch}`);
const peers = await loadPeers();
console.log(`peers: ${peers.map((p) => p.label).join(', ')} — TensorFlow.js 4.22.0`);
console.log('(tfjs-wasm runs one thread in Node: TF.js turns its threads off there, and forcing them on');
console.log(' leaves XNNPACK with a 1-thread pool, so there is no 2-thread column)');
console.log();

const started = performance.now();
for (const s of chosen) {
  const t0 = performance.now();
  const { run } = await s.load();
  for (const table of await run({ peers })) console.log(renderTable(table));
  console.log(`(${s.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
// TF.js's wasm runtime keeps handles open; the report is done.
process.exit(0);
