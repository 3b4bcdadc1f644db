// `npm run build`: the library for bundlers (ESM + .d.ts, by tsc) and the
// self-contained script-tag file dist/pathors-chat.js (by vite).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

function step(command, args) {
  const status = spawnSync(command, args, { stdio: 'inherit' }).status;
  if (status !== 0) process.exit(status ?? 1);
}

rmSync('dist', { recursive: true, force: true });
step(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
step(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
step(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--mode', 'classic']);
(await import('node:fs')).chmodSync('dist/proxy/cli.js', 0o755); // the bin: npx runs it directly (tsc writes files without the execute bit)
