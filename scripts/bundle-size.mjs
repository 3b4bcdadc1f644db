// Gzip sizes of the script-tag build, as a visitor's browser fetches it: the first load
// (the entry and what it imports statically) and the whole widget once the chat opens.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = 'dist';
const KB = 1024;

/** The size budgets (gzip bytes), one place for the size test and the bench. */
export const BUDGETS = {
  firstLoad: 10 * KB,
  /**
   * The target is 27 KB (issue 9). This release's features (actions, Not sent, Undo, two tabs in
   * step, the modal on phones, autolinks, the renderer's limits) brought it to 30.9 KB; this
   * budget holds the line there until the work to get back under 27 KB lands. +160 B: the
   * renderer's open blocks growing in place rather than re-rendered (issue 12, long tasks).
   */
  whole: 31 * KB + 160,
  highlight: 8 * KB,
  /** Each other optional chunk: page tools, a language. */
  optional: 1.5 * KB,
  /** The classic single file holds everything: the sum of the budgets above. */
  classic: (31 + 8 + 1.5 + 1.5) * KB,
};
const gzip = (file) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;

/** Relative imports of a built ES module: static ones and dynamic ones, as dist-relative paths. */
function importsOf(file) {
  const code = readFileSync(join(DIST, file), 'utf8');
  const resolve = (specifier) => join(file, '..', specifier).replaceAll('\\', '/');
  const statics = [...code.matchAll(/(?:import|export)\s*(?:[\w${},*\s]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g)].map(
    (m) => resolve(m[1]),
  );
  const dynamics = [...code.matchAll(/import\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g)].map((m) => resolve(m[1]));
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
 * `firstLoad`: what a page pays before the chat is opened. `whole`: everything a
 * visitor has loaded once the chat is open (Lit, the panel, the SSE client, the
 * markdown renderer). `optional`: chunks only some pages load, by name: the page
 * tools runner (pages that set `tools`) and each language other than English.
 */
export function measureBundle() {
  // The entry imports the element at once unless another copy is loaded (src/script-tag.ts):
  // its dynamic import is part of the first load.
  const first = closure(['pathors-chat.js', ...importsOf('pathors-chat.js').dynamics]);
  const chunks = readdirSync(join(DIST, 'chunks'))
    .filter((name) => name.endsWith('.js'))
    .map((name) => `chunks/${name}`);
  const whole = new Set([...first, ...closure(chunks.filter((name) => /\/chat-panel-/.test(name)))]);
  const optional = chunks.filter((name) => !whole.has(name));
  const sum = (files) => [...files].reduce((total, file) => total + gzip(file), 0);
  return {
    firstLoad: sum(first),
    whole: sum(whole),
    everything: sum([...whole, ...optional]),
    classic: gzip('pathors-chat.classic.js'),
    optional: Object.fromEntries(optional.map((file) => [file.replace(/^chunks\/|-[\w-]{8}\.js$/g, ''), gzip(file)])),
    files: Object.fromEntries([...whole, ...optional].map((file) => [file, gzip(file)])),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(measureBundle());
