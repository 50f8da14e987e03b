/**
 * The file mutation fuzz at scale (CI runs a few hundred of each in
 * conformance/test/file-fuzz.test.ts):
 *
 *   pnpm fuzz:files [runs=5000] [firstSeed=0]
 *
 * Prints each failing seed (replay it with `runs=1 firstSeed=<seed>`) and exits 1 if any.
 */
import { fuzzCheckpoint, fuzzSafetensors } from '../conformance/src/file-fuzz.js';

const runs = Number(process.argv[2] ?? 5000);
const first = Number(process.argv[3] ?? 0);
const started = Date.now();
const failures = [
  ...fuzzSafetensors(runs, first).map((f) => ({ file: 'safetensors', ...f })),
  ...(await fuzzCheckpoint(runs, first)).map((f) => ({ file: 'checkpoint', ...f })),
];
for (const f of failures) console.log(`${f.file} seed ${f.seed}: ${f.problem}`);
console.log(
  `${2 * runs} mutated files (seeds ${first}..${first + runs - 1}), ${failures.length} failures, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = failures.length > 0 ? 1 : 0;
