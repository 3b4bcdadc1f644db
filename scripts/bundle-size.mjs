// Gzip sizes of the script-tag build, as a visitor's browser fetches it: the first load
// (the entry and what it imports statically), the widget once the chat is open, and each
// chunk loaded later, at the moment that needs it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = 'dist';
const KB = 1024;

/** Chunks loaded after the chat opened, only by the visitors and at the moments that need them. */
const LAZY = {
  /**
   * The network side: a chat turn (fetch-event-source, the reader and folding of the reply, tools
   * rounds, how the turn ended: stopped, cut off, refused) and the history fetch. At the first
   * sign of a send (a draft typed or left, a message waiting for Retry, a send, Retry, a cut-off
   * reply to recover). Raised from 4.5 KB: it took from the open widget the running and ending
   * of a turn and the history recovery (+0.4 KB here, -0.6 KB there).
   */
  send: 5 * KB,
  /**
   * The English strings only a turn that ran can show (its errors but network and config, a
   * finished reply, a tool running): loaded with the send chunk, and a turn starts only once
   * both are in.
   */
  'en-turn': 0.75 * KB,
  /** The code highlighter: for replies that hold a fenced code block. */
  highlight: 8 * KB,
  /**
   * The English notices of a browser that cannot keep the conversation (storage blocked, full,
   * unreadable): at the first such notice.
   */
  'en-storage': 0.25 * KB,
  /** The page tools runner: pages that set `tools`. */
  tools: 1.5 * KB,
  /** The panel's strings in Traditional Chinese: pages in that language. */
  'zh-tw': 1.5 * KB,
};

/**
 * Once open: what a visitor fetches to open the chat and read a restored conversation, on a
 * desktop and on a phone alike (no chunk is for phones only). The standing target, 27 KB; at
 * 27.0 KB (27,639 B).
 * - The network side of a turn (send path, turn, tools rounds), moved to the send chunk, took it
 *   from 31.7 KB to 28.2 KB.
 * - Then: running a turn, how it ended (stopped, cut off, refused, an invalid session) and the
 *   recovery of a reply a reload cut off, to the send chunk (-0.44 KB); the English strings only
 *   a turn can show, to en-turn (-0.26 KB); the tool approval as an event the send chunk fires
 *   (-0.06 KB); in the build, a terser pass, the shortest names for the most used internal
 *   fields and no light-dark() fallback properties in the CSS (-0.26 KB), no comments (-0.07 KB).
 * - Then: the session's end after a reset, to the send chunk, fetched at the reset (-0.11 KB);
 *   source maps not named in the files (-0.1 KB); the native findLastIndex, the error icon
 *   drawn by the shared icon template (-0.04 KB).
 * - Then: the focus kept in the panel when a control in it goes or is disabled, and given back to
 *   the launcher on every close; the modal redone when a phone is rotated (+0.07 KB); paid for by
 *   terser's hoist_funs (-0.09 KB), CSS values without the spaces and defaults they do not need
 *   (-0.02 KB) and the English storage notices in a chunk of their own (-0.04 KB).
 * - Then: ratings kept with the reply, a panel that listens when the chat comes back closed
 *   mid-reply, <html lang> followed, code blocks relabelled, a panel out of the page left as it
 *   is (+0.24 KB); paid for by the script tag's import and the panel's loaders keeping no module
 *   object, isRecord and AbortedError with the send chunk, and the panel's own members renamed
 *   by the build (-0.24 KB).
 * - The rest is Lit (6.3 KB), the renderer (7.7 KB), the panel's view and CSS (6.3 KB), the
 *   conversation's state (2.3 KB), storage and the transcript's checks (1.5 KB).
 */
const WHOLE = 27 * KB;

/** The size budgets (gzip bytes), one place for the size test and the bench. */
export const BUDGETS = {
  firstLoad: 10 * KB,
  whole: WHOLE,
  lazy: LAZY,
  /** The classic single file holds everything: the sum of the budgets above. */
  classic: WHOLE + Object.values(LAZY).reduce((total, bytes) => total + bytes, 0),
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
 * `firstLoad`: what a page pays before the chat is opened. `whole`: everything a visitor has
 * loaded once the chat is open (Lit, the panel, the conversation, the markdown renderer).
 * `lazy`: each chunk loaded later, by name (`send`, `highlight`, `tools`, a language).
 * `files`: every file of those, with its size.
 */
export function measureBundle() {
  // The entry imports the element at once unless another copy is loaded (src/script-tag.ts):
  // its dynamic import is part of the first load.
  const first = closure(['pathors-chat.js', ...importsOf('pathors-chat.js').dynamics]);
  const chunks = readdirSync(join(DIST, 'chunks'))
    .filter((name) => name.endsWith('.js'))
    .map((name) => `chunks/${name}`);
  const whole = new Set([...first, ...closure(chunks.filter((name) => /\/chat-panel-/.test(name)))]);
  const lazy = chunks.filter((name) => !whole.has(name));
  const sum = (files) => [...files].reduce((total, file) => total + gzip(file), 0);
  return {
    firstLoad: sum(first),
    whole: sum(whole),
    /** The files of the once-open widget, for the test that keeps the send path out of it. */
    wholeFiles: [...whole],
    classic: gzip('pathors-chat.classic.js'),
    lazy: Object.fromEntries(lazy.map((file) => [file.replace(/^chunks\/|-[\w-]{8}\.js$/g, ''), gzip(file)])),
    files: Object.fromEntries([...whole, ...lazy].map((file) => [file, gzip(file)])),
  };
}

/** The source files a built file was made from, by its source map (paths as the map gives them). */
export function sourcesOf(file) {
  return JSON.parse(readFileSync(join(DIST, `${file}.map`), 'utf8')).sources;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(measureBundle());
