/**
 * `pnpm example torch-roundtrip --out <dir>`: writes the tsgrad side of the PyTorch round trip
 * into `<dir>` (then run `python3 examples/torch-roundtrip/roundtrip.py <dir>` where PyTorch is
 * installed). `--check <dir>` loads what that script wrote into `<dir>/torch` back into tsgrad
 * and compares; it exits with 1 if anything differs.
 */
import { parseFlags } from '../shared/flags.js';
import { checkTorchFiles, writeFixture } from './roundtrip.js';

const usage = 'usage: pnpm example torch-roundtrip --out <dir> | --check <dir>';
const opts = parseFlags(process.argv.slice(2), { out: '', check: '', seed: 0 }, usage);
if (opts.out !== '') {
  const files = await writeFixture(opts.out, opts.seed);
  console.log(`wrote ${files.length} files to ${opts.out}`);
  console.log(`next: python3 examples/torch-roundtrip/roundtrip.py ${opts.out}`);
} else if (opts.check !== '') {
  const checks = await checkTorchFiles(opts.check);
  for (const c of checks)
    console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name} (max |diff| ${c.maxAbsDiff.toExponential(2)})`);
  const bad = checks.filter((c) => !c.ok).length;
  console.log(bad === 0 ? `all ${checks.length} match PyTorch` : `${bad} of ${checks.length} differ`);
  if (bad > 0) process.exitCode = 1;
} else {
  console.error(usage);
  process.exitCode = 2;
}
