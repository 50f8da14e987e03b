// Float32 matmul throughput of the CPU kernels, in GFLOP/s (2*M*N*K per product).
//
//   pnpm bench:cpu-kernels [--sizes 128,256,512,1024] [--ms 400]
//
// Columns: the TypeScript fallback, the WebAssembly kernel on one thread, and on all
// threads (the default thread count, normally the number of cores). Rows: square
// products C = A*B with both operands row-major, A^T*B (A stored transposed) and A*B^T.
// Each cell is the median of timed runs after warm-up, with the best run in parentheses
// (on a shared machine the best shows what the kernel does when it has the cores).

import {
  getMatmulThreads,
  initMatmul,
  matmul,
  matmulInfo,
  setMatmulImpl,
  setMatmulThreads,
} from '../../packages/core/src/backend/cpu/kernels/matmul.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const sizes = arg('sizes', '128,256,512,1024').split(',').map(Number);
const budgetMs = Number(arg('ms', '400'));
const layouts = ['A*B', 'At*B', 'A*Bt'] as const;

function run(n: number, layout: (typeof layouts)[number], a: Float32Array, b: Float32Array, c: Float32Array) {
  const ta = layout === 'At*B';
  const tb = layout === 'A*Bt';
  matmul(
    { data: a, offset: 0, batchStride: 0, rowStride: ta ? 1 : n, colStride: ta ? n : 1 },
    { data: b, offset: 0, batchStride: 0, rowStride: tb ? 1 : n, colStride: tb ? n : 1 },
    c,
    { batch: 1, m: n, n, k: n },
  );
}

function gflops(n: number, layout: (typeof layouts)[number]): { median: number; best: number } {
  const a = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const b = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const c = new Float32Array(n * n);
  const warm = performance.now();
  let warmRuns = 0;
  while (performance.now() - warm < budgetMs / 4 || warmRuns < 3) {
    run(n, layout, a, b, c);
    warmRuns++;
  }
  const per = (performance.now() - warm) / warmRuns;
  const reps = Math.max(1, Math.round(budgetMs / 8 / per));
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || (performance.now() - start < budgetMs && samples.length < 200)) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) run(n, layout, a, b, c);
    samples.push((performance.now() - t0) / reps);
  }
  samples.sort((x, y) => x - y);
  const rate = (ms: number) => (2 * n * n * n) / (ms * 1e6);
  return { median: rate(samples[samples.length >> 1]), best: rate(samples[0]) };
}

await initMatmul();
const maxThreads = getMatmulThreads();
const info = matmulInfo();
console.log(
  `matmul float32, GFLOP/s: median (best); wasm: ${info.wasm}, threads: ${maxThreads}, node ${process.version}`,
);
const configs: { name: string; impl: 'ts' | 'wasm'; threads: number }[] = [
  { name: 'ts', impl: 'ts', threads: 1 },
  { name: 'wasm 1T', impl: 'wasm', threads: 1 },
];
if (maxThreads > 1) configs.push({ name: `wasm ${maxThreads}T`, impl: 'wasm', threads: maxThreads });

const header = ['size', 'layout', ...configs.map((c) => c.name)];
const rows: string[][] = [];
for (const n of sizes) {
  for (const layout of layouts) {
    const row = [String(n), layout];
    for (const cfg of configs) {
      setMatmulImpl(cfg.impl);
      setMatmulThreads(cfg.threads);
      if (cfg.threads > 1) await initMatmul();
      const r = gflops(n, layout);
      row.push(`${r.median.toFixed(1)} (${r.best.toFixed(1)})`);
    }
    rows.push(row);
    console.log(row.map((x, i) => x.padStart(i === 0 ? 5 : i === 1 ? 6 : 14)).join(' '));
  }
}
setMatmulImpl('auto');
setMatmulThreads(maxThreads);
console.log();
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
