// Gzip sizes of the script-tag build, as a visitor's browser fetches it: the first load
// (the entry and what it imports statically) and the whole widget once the chat opens.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = 'dist';
const gzip = (file) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;

/** Relative imports of a built ES module: static ones and dynamic ones, as dist-relative paths. */
function importsOf(file) {
  const code = readFileSync(join(DIST, file), 'utf8');
  const resolve = (specifier) => join(file, '..', specifier).replaceAll('\\', '/');
  const statics = [...code.matchAll(/(?:import|export)\s*(?:[\w${},*\s]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g)].map((m) => resolve(m[1]));
  const dynamics = [...code.matchAll(/import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => resolve(m[1]));
  return { statics, dynamics };
}

function closure(start) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    importsOf(file).statics.forEach(visit);
  };
  start.forEach(visit);
  return seen;
}

/**
 * `firstLoad`: what a page pays before the chat is opened. `whole`: everything an
 * English-speaking visitor has loaded once the chat is open. `languages`: the
 * extra chunk per built-in language other than English.
 */
export function measureBundle() {
  const first = closure(['pathors-chat.js']);
  const chunks = readdirSync(join(DIST, 'chunks')).filter((name) => name.endsWith('.js')).map((name) => `chunks/${name}`);
  const languageChunks = chunks.filter((name) => /\/zh-tw-/.test(name));
  const panel = closure(chunks.filter((name) => /\/chat-panel-/.test(name)));
  const whole = new Set([...first, ...panel]);
  const sum = (files) => [...files].reduce((total, file) => total + gzip(file), 0);
  return {
    firstLoad: sum(first),
    whole: sum(whole),
    classic: gzip('pathors-chat.classic.js'),
    languages: Object.fromEntries(languageChunks.map((file) => [file.replace(/^chunks\/|-[\w-]{8}\.js$/g, ''), gzip(file)])),
    files: Object.fromEntries([...whole, ...languageChunks].map((file) => [file, gzip(file)])),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(measureBundle());
