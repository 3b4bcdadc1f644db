// The renderer's internal fields end in `_` (`depth_`, `fence_`), and so do the members of a
// conversation that only it and the send chunk use (`turn_`, `save_`) and those the panel
// alone calls on its reply views and scroll follower (`refresh_`, `following_`): readable in
// the source, and renamed here to one or two characters in the script-tag builds, since a
// minifier keeps property names as written. Short names are safe: the objects that carry
// these fields (blocks, nodes, delimiters, contexts, a conversation, a reply view, the scroll
// follower) have no other field of one letter, nor any starting with `$`. Rolldown's own
// `mangleProps` needs a single output chunk; the module build is split, so the names are
// mapped in the source, one map per build (the same name gets the same short name in every
// file). The names used most get the letters.
// Only files under src/render/ (the highlighter excepted), src/core/{conversation,turn}.ts and
// src/element/{chat-panel,reply-view,scroll-follower,conversation-controller}.ts are touched
// (a file that names one of these members and is not listed would miss its renaming), and
// only names ending in `_` that start with a lower-case letter: nothing public ends that way,
// and no variable may (renamed to a letter, it could clash with another variable).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES =
  /\/src\/(?:render\/(?!highlight\/)[\w/-]+|core\/(?:conversation|turn)|element\/(?:chat-panel|reply-view|scroll-follower|conversation-controller))\.ts$/;
const NAME = /\b[a-z][A-Za-z\d]*_(?![\w$])/g;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** One letter, then `$` and a letter or digit: 114 names of at most two characters. */
const SHORT = [...LETTERS, ...[...LETTERS, ...'0123456789'].map((c) => '$' + c)];

/** Every name to shorten in the files of this repository's src/, the most used first. */
function namesByUse() {
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  const counts = new Map();
  for (const file of readdirSync(src, { recursive: true })) {
    const path = join(src, String(file)).replaceAll('\\', '/');
    if (!FILES.test(path)) continue;
    for (const [name] of readFileSync(path, 'utf8').matchAll(NAME)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
}

/** @returns {import('vite').Plugin} */
export function mangleRenderProps() {
  /** @type {Map<string, string>} */
  const names = new Map();
  const shorten = (name) => {
    if (!names.has(name)) names.set(name, SHORT[names.size] ?? '$' + names.size.toString(36));
    return names.get(name);
  };
  return {
    name: 'pathors-chat:mangle-render-props',
    enforce: 'pre',
    buildStart() {
      if (!names.size) for (const name of namesByUse()) shorten(name);
    },
    transform(code, id) {
      if (!FILES.test(id)) return null;
      return { code: code.replace(NAME, shorten), map: null };
    },
  };
}
