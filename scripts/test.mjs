// `npm test`: builds (some suites check the built bundle), then type-checks the tests too, lints
// and checks the format while every vitest project runs (the checks need no browser and the
// suites spend most of their time waiting, so the two together take the time of the longer),
// and ends with the line CI reads: `N passed, N failed`, a failed check counting as one.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { findChromium } from './find-chromium.mjs';

const RESULTS = '.vitest-results.json';
const extraArgs = process.argv.slice(2);

/** Runs a check with its output held back, so that it does not cut into vitest's. */
function check(name, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    child.on('error', (error) => resolve({ name, ok: false, output: String(error) }));
    child.on('close', (code) => resolve({ name, ok: code === 0, output }));
  });
}

function fail(message) {
  console.error(message);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (!process.env.SKIP_BUILD && spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0)
  fail('The build failed.');

let chromium;
try {
  chromium = findChromium();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const checks = Promise.all([
  check('tsc', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']),
  check('eslint', ['node_modules/eslint/bin/eslint.js', '.']),
  check('prettier', ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '**/*.{ts,mjs,js}']),
]);

rmSync(RESULTS, { force: true });
const vitest = spawn(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${RESULTS}`,
    ...extraArgs,
  ],
  { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: chromium } },
);
const status = await new Promise((resolve) => vitest.on('close', (code) => resolve(code ?? 1)));

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

for (const { name, ok, output } of await checks) {
  if (ok) {
    console.log(`${name}: passed`);
    continue;
  }
  console.error(`${name}: failed\n${output}`);
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
