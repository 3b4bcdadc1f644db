// `npm run bench`: the figures behind the standing targets, each against a baseline
// measured in the same run: bundle sizes (budget 10 KB first load, 25 KB whole), the
// proxy's added time to first token, and streaming render cost in Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { measureBundle } from './bundle-size.mjs';
import { findChromium } from './find-chromium.mjs';

function run(args, env = process.env) {
  const status = spawnSync(process.execPath, args, { stdio: 'inherit', env }).status;
  if (status !== 0) process.exit(status ?? 1);
}

if (!existsSync('dist/pathors-chat.js') || process.argv.includes('--build')) run(['scripts/build.mjs']);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const size = measureBundle();
console.log('\nbundle (gzip -9), as a browser fetches the script-tag build');
console.log(`  first load, before the chat opens   ${kb(size.firstLoad).padStart(8)}   budget 10 KB`);
console.log(`  whole widget, once the chat is open ${kb(size.whole).padStart(8)}   budget 25 KB`);
for (const [name, bytes] of Object.entries(size.optional)) {
  const when = name === 'tools' ? 'pages that set tools' : `${name} pages`;
  console.log(`  + ${name}, only on ${when}`.padEnd(38) + kb(bytes).padStart(8));
}
console.log(`  classic single file (tag managers)  ${kb(size.classic).padStart(8)}   everything in one file`);
console.log('  the alternatives users compare us with ship 110 KB (deep-chat) to 450+ KB (n8n chat):'
  + ` ${(110 * 1024 / size.whole).toFixed(1)}x to ${(450 * 1024 / size.whole).toFixed(1)}x ours`);

run(['scripts/bench-proxy.mjs']);

console.log('\nrender: streaming markdown in Chromium');
run(['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.bench.config.ts', '--reporter=dot'],
  { ...process.env, CHROMIUM_PATH: findChromium() });
