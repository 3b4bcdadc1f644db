// The published packages the benchmark compares with, fetched at bench time with `npm pack`
// into the ignored .cache/bench/peers/ (once; later runs reuse them). They are not dependencies:
// deep-chat, flowise-embed and @n8n/chat weigh megabytes unpacked, and only a few files matter.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CACHE = resolve('.cache/bench/peers');

/** Exact versions, so that a run next month measures the same files. */
export const PEERS = {
  'deep-chat': '2.4.2',
  'flowise-embed': '3.1.6',
  '@n8n/chat': '1.37.0',
  marked: '18.2.1',
  dompurify: '3.5.0',
};

/** The unpacked `package/` folder of `name` at its pinned version, packing it first if needed. */
export function peerPackage(name) {
  const version = PEERS[name];
  const dir = join(CACHE, `${name.replace('/', '__')}-${version}`);
  const pkg = join(dir, 'package');
  if (existsSync(join(pkg, 'package.json'))) return pkg;
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${name}@${version} left no tarball`);
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  if (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version !== version) {
    throw new Error(`${name}: the tarball is not version ${version}`);
  }
  return pkg;
}
