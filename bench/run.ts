/**
 * `pnpm bench [filter …]`: tsgrad side by side with TensorFlow.js (cpu and wasm backends), one
 * table per benchmark, with ratios. A filter keeps the suites whose name contains it
 * (`pnpm bench matmul`). Timings take the median of several repetitions after a warm-up.
 *
 * Each suite runs in a fresh child process: a suite that churns through large buffers leaves
 * a heap behind that slows the next one's small-op timings several-fold.
 */
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadPeers } from './peers.js';
import type { Suite } from './suites/suite.js';
import { renderTable } from './table.js';

const suites: { name: string; load: () => Promise<{ run: Suite }> }[] = [
  { name: 'matmul', load: () => import('./suites/matmul.js') },
  { name: 'elementwise', load: () => import('./suites/elementwise.js') },
  { name: 'autograd', load: () => import('./suites/autograd.js') },
  { name: 'mlp', load: () => import('./suites/mlp.js') },
  { name: 'conv', load: () => import('./suites/conv.js') },
  { name: 'lstm', load: () => import('./suites/lstm.js') },
  { name: 'transformer', load: () => import('./suites/transformer.js') },
  { name: 'gpt', load: () => import('./suites/gpt.js') },
  { name: 'memory', load: () => import('./suites/memory.js') },
];

const child = process.env.TSGRAD_BENCH_SUITE;

if (child !== undefined) {
  // In a child: run one suite against freshly initialised peers and print its tables.
  const suite = suites.find((s) => s.name === child);
  if (suite === undefined) throw new Error(`bench: no suite '${child}'`);
  const peers = await loadPeers();
  const { run } = await suite.load();
  for (const table of await run({ peers })) console.log(renderTable(table));
  // TF.js's wasm runtime keeps handles open; the tables are out.
  process.exit(0);
}

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

const self = fileURLToPath(import.meta.url);
// Node 20 keeps relaxed SIMD (tsgrad's fused multiply-add matmul) behind a flag; Node 22 has it on.
const relaxedFlag =
  Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
const execArgv = [...process.execArgv, ...relaxedFlag];
if (relaxedFlag.length > 0) {
  console.log('(suites run with --experimental-wasm-relaxed-simd, which Node 20 needs for relaxed SIMD;');
  console.log(' tsgrad detects it and uses its fused multiply-add matmul, timed beside the plain SIMD one)');
  console.log();
}
const started = performance.now();
let failed = false;
for (const s of chosen) {
  const t0 = performance.now();
  const code = await new Promise<number>((resolve) => {
    fork(self, [], { env: { ...process.env, TSGRAD_BENCH_SUITE: s.name }, stdio: 'inherit', execArgv }).on(
      'exit',
      (c) => resolve(c ?? 1),
    );
  });
  if (code !== 0) {
    failed = true;
    console.log(`(${s.name}: failed with exit code ${code})\n`);
  } else {
    console.log(`(${s.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
