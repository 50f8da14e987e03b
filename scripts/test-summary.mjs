#!/usr/bin/env node
// Runs `vitest run` with the default reporter (streamed as usual) plus the JSON reporter, then
// prints the totals as the very last line, plain:
//
//   N passed, N failed, N skipped
//
// (skipped = skipped + todo). Exits non-zero when a test failed, when vitest itself failed, or
// when no test ran. With TSGRAD_COVERAGE=1 (as `.ci/run` sets) vitest measures coverage and the
// per-package table of scripts/coverage-report.mjs is printed before the totals; a package under
// its floor counts as one failure. Extra arguments are passed to vitest:
//
//   node scripts/test-summary.mjs packages/core          # only tests under packages/core
//   node scripts/test-summary.mjs -t matmul --bail=1
//
// A test file that fails to load (import or syntax error) has no test results of its own; it is
// counted as one failed test so that the totals line never reads as a pass while vitest failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsFile = join(root, '.vitest-results.json');

function vitestEntry() {
  const require = createRequire(join(root, 'package.json'));
  const pkgPath = require.resolve('vitest/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.vitest;
  return join(dirname(pkgPath), bin);
}

function summaryLine(passed, failed, skipped) {
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

let finished = false;
function finish(code, passed, failed, skipped, notes = []) {
  if (finished) return;
  finished = true;
  for (const note of notes) process.stdout.write(`test-summary: ${note}\n`);
  process.stdout.write(`${summaryLine(passed, failed, skipped)}\n`);
  process.exitCode = code;
}

let entry;
try {
  entry = vitestEntry();
} catch (err) {
  finish(1, 0, 0, 0, [`cannot find vitest (${err.message}); run \`npx -y pnpm@10.34.9 install\``]);
  process.exit();
}

rmSync(resultsFile, { force: true });
const args = [
  entry,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${resultsFile}`,
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}

child.on('error', (err) => finish(1, 0, 0, 0, [`cannot start vitest: ${err.message}`]));
child.on('close', (code, signal) => {
  const notes = [];
  const vitestFailed = code !== 0;
  if (vitestFailed) notes.push(`vitest exited with ${signal ? `signal ${signal}` : `code ${code}`}`);

  if (!existsSync(resultsFile)) {
    notes.push(`vitest wrote no ${resultsFile}`);
    finish(1, 0, 0, 0, notes);
    return;
  }
  let report;
  try {
    report = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch (err) {
    notes.push(`cannot read ${resultsFile}: ${err.message}`);
    finish(1, 0, 0, 0, notes);
    return;
  }

  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);

  // Files that failed as a whole (import error, error in a hook outside tests) report no failed
  // test; count each as one failure.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  );
  if (brokenFiles.length > 0) {
    failed += brokenFiles.length;
    for (const file of brokenFiles) {
      const where = file.name ? file.name.replace(root, '') : '(unknown file)';
      const why = (file.message ?? '').split('\n')[0];
      notes.push(`test file failed to run: ${where}${why ? `: ${why}` : ''}`);
    }
  }
  const noFiles = (report.testResults ?? []).length === 0;
  if (noFiles) notes.push('no test file found');
  if (vitestFailed && failed === 0 && !noFiles) {
    // e.g. unhandled errors or rejections between tests: vitest fails the run; so do we.
    failed = 1;
    notes.push('vitest failed without a failing test (unhandled error?); counted as 1 failure');
  }

  if (process.env.TSGRAD_COVERAGE === '1') {
    const cov = spawnSync(process.execPath, [join(root, 'scripts', 'coverage-report.mjs')], {
      cwd: root,
      stdio: 'inherit',
    });
    if (cov.status !== 0) {
      failed += 1;
      notes.push('coverage is under its floor (scripts/coverage-report.mjs); counted as 1 failure');
    }
  }

  const ran = passed + (report.numFailedTests ?? 0);
  if (ran === 0 && failed === 0 && !noFiles) notes.push('no test ran');
  const code2 = failed > 0 || vitestFailed || ran === 0 ? 1 : 0;
  finish(code2, passed, failed, skipped, notes);
});
