// `npm test`: builds (some suites check the built bundle), type-checks the tests too, lints,
// finds a Chromium, runs every vitest project and ends with the line CI reads:
// `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { findChromium } from './find-chromium.mjs';

const RESULTS = '.vitest-results.json';
const extraArgs = process.argv.slice(2);

function step(command, args, env = process.env) {
  return spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1;
}

const checks = [
  ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'],
  ['node_modules/eslint/bin/eslint.js', '.'],
  ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '**/*.{ts,mjs,js}'],
];
if (!process.env.SKIP_BUILD) checks.unshift(['scripts/build.mjs']);
for (const check of checks) {
  if (step(process.execPath, check) !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

let chromium;
try {
  chromium = findChromium();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const env = { ...process.env, CHROMIUM_PATH: chromium };
rmSync(RESULTS, { force: true });
const status = step(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${RESULTS}`,
    ...extraArgs,
  ],
  env,
);

let passed = 0;
let failed = 1;
try {
  const results = JSON.parse(readFileSync(RESULTS, 'utf8'));
  passed = results.numPassedTests;
  // A file that fails to load has no failed test but is a failure all the same.
  failed =
    results.numFailedTests +
    results.testResults.filter(
      (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
    ).length;
} catch {
  console.error('vitest wrote no results file');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
