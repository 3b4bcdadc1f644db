// `npm run bench`: pathors-chat against the widgets and relays people would pick instead, in one
// run, on this machine, with ratios beside the absolute figures:
//   1. streaming render in Chromium (the real element, deep-chat, marked + DOMPurify per event)
//   2. bundle bytes before and after opening (ours, deep-chat, flowise-embed, @n8n/chat)
//   3. the proxy's time to first token and to the last byte (direct, proxy, nginx)
//   4. a burst of concurrent streams through the proxy (and direct, and through nginx)
//   5. a restored 1,000-message conversation against a 10-message one
// Results: .cache/bench/results.json (ignored) and docs/images/bench-summary.svg.
// `npm run bench -- --short` (CI) runs every row at small sizes and fails only on a bundle over its
// budget or a broken row (a crash, missing chunks), never on a timing.
// `--only proxy` (or `bundles`, `render`; comma-separated) runs only those rows: their results go to
// .cache/bench/results-only-<rows>.json and the committed chart is left alone. `--cpu-prof` has the
// proxy process write a V8 CPU profile of its rows to .cache/bench/profiles/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { load, machine, outcome } from './bench-lib.mjs';

const short = process.argv.includes('--short');
const ROWS = ['bundles', 'proxy', 'render'];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : ROWS;
const unknown = only.filter((name) => !ROWS.includes(name));
if (only.length === 0 || unknown.length) {
  console.error(`--only takes rows among ${ROWS.join(', ')} (got ${unknown.join(', ') || 'none'})`);
  process.exit(2);
}
const partial = only.length < ROWS.length;
const started = Date.now();

if (!existsSync('dist/pathors-chat.js') || !existsSync('dist/proxy/index.js') || process.argv.includes('--build')) {
  const status = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status;
  if (status !== 0) process.exit(status ?? 1);
}

// Imported after the build: they load dist/.
const { benchBundles } = await import('./bench-bundles.mjs');
const { benchProxy } = await import('./bench-proxy.mjs');
const { benchBrowser } = await import('./bench-browser.mjs');
const { chart } = await import('./bench-chart.mjs');

const results = {
  date: new Date().toISOString(),
  short,
  machine: machine(),
  load: { before: load() },
  seconds: {},
  rows: {},
};
console.log(
  `pathors-chat bench${short ? ' (short: small sizes, for CI)' : ''}: ${results.machine.cpus} cores, ` +
    `load average ${results.load.before.join(', ')} (1, 5, 15 min), node ${process.version}`,
);

/** Runs one row; a throw makes the row broken, with the message, and the run goes on. */
async function row(name, run) {
  if (!only.includes(name)) return;
  const t = Date.now();
  try {
    results.rows[name] = await run();
  } catch (error) {
    console.log(`\n${name}: BROKEN: ${error.stack ?? error}`);
    results.rows[name] = outcome('broken', String(error.message ?? error).split('\n')[0]);
  }
  results.seconds[name] = Math.round((Date.now() - t) / 100) / 10;
}

await row('bundles', () => benchBundles());
await row('proxy', () =>
  benchProxy({ short, profileDir: process.argv.includes('--cpu-prof') ? '.cache/bench/profiles' : undefined }),
);
await row('render', () => benchBrowser({ short }));

results.load.after = load();
results.seconds.total = Math.round((Date.now() - started) / 100) / 10;

/** Every row or sub-row that says it is broken, with where it is and why. */
function brokenRows(node, path) {
  if (!node || typeof node !== 'object') return [];
  const here = node.status === 'broken' ? [`${path.join(' / ')}: ${node.reason}`] : [];
  return [...here, ...Object.entries(node).flatMap(([key, value]) => brokenRows(value, [...path, key]))];
}
const broken = brokenRows(results.rows, []);
const skipped = JSON.stringify(results.rows).match(/"status":"skipped","reason":"[^"]*"/g) ?? [];
results.broken = broken;

mkdirSync('.cache/bench', { recursive: true });
const suffix = `${short ? '-short' : ''}${partial ? `-only-${only.join('-')}` : ''}`;
const file = `.cache/bench/results${suffix}.json`;
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
// The committed chart shows a whole full run; a short or partial run charts into the cache only.
const svgFile = short || partial ? `.cache/bench/bench-summary${suffix}.svg` : 'docs/images/bench-summary.svg';
writeFileSync(svgFile, chart(results));

console.log(
  `\nload average ${results.load.before.join(', ')} before, ${results.load.after.join(', ')} after; ` +
    `${results.seconds.total} s in all (${Object.entries(results.seconds)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')})`,
);
console.log(`results: ${file}; chart: ${svgFile}`);
for (const line of skipped) console.log(`not measured here: ${line.replace(/^"status":"skipped","reason":/, '')}`);
if (broken.length) {
  console.log(`\n${broken.length} broken row(s):`);
  for (const line of broken) console.log(`  ${line}`);
  process.exit(1);
}
