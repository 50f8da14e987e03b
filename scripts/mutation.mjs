#!/usr/bin/env node
// Mutation testing, one area at a time (the areas and their test files are in stryker.config.mjs),
// then the score of each area that has a report:
//
//   pnpm mutation                 # every area (an hour or more on two cores)
//   pnpm mutation optim clip      # some areas
//   pnpm mutation --report        # only print the scores of the last runs
//
// Arguments after `--` go to Stryker (`pnpm mutation clip -- --concurrency 4`). Reports land in
// reports/mutation/<area>.html and .json. Exits 1 when an area scores under the `break`
// threshold of the config.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import config, { AREAS } from '../stryker.config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Killed (and timed-out) mutants over all that tests reached or could reach, as Stryker scores. */
export function score(report) {
  const n = { detected: 0, undetected: 0 };
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') n.detected++;
      else if (m.status === 'Survived' || m.status === 'NoCoverage') n.undetected++;
    }
  }
  const total = n.detected + n.undetected;
  return { ...n, percent: total === 0 ? 100 : (100 * n.detected) / total };
}

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const passOn = dash < 0 ? [] : argv.slice(dash + 1);
const reportOnly = own.includes('--report');
const areas = own.filter((a) => a !== '--report');
for (const a of areas) {
  if (!(a in AREAS)) {
    console.error(`mutation: unknown area '${a}' (one of ${Object.keys(AREAS).join(', ')})`);
    process.exit(2);
  }
}
const chosen = areas.length > 0 ? areas : Object.keys(AREAS);

if (!reportOnly) {
  for (const area of chosen) {
    console.log(`\nmutation: ${area}`);
    const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...passOn], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TSGRAD_MUTATION_AREA: area },
    });
    if (r.error) throw r.error;
  }
}

const floor = config.thresholds.break;
let ok = true;
console.log('\nmutation   killed  survived  score');
for (const area of chosen) {
  const file = join(root, 'reports', 'mutation', `${area}.json`);
  if (!existsSync(file)) {
    console.log(`${area.padEnd(10)} no report (run \`pnpm mutation ${area}\`)`);
    ok = false;
    continue;
  }
  const s = score(JSON.parse(readFileSync(file, 'utf8')));
  if (s.percent < floor) ok = false;
  const note = s.percent < floor ? `  under ${floor}%` : '';
  console.log(
    `${area.padEnd(10)} ${String(s.detected).padStart(6)} ${String(s.undetected).padStart(9)} ${s.percent.toFixed(2).padStart(6)}%${note}`,
  );
}
process.exit(ok ? 0 : 1);
