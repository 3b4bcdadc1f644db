// Row 2: the bytes (gzip -9) a page fetches for the chat before it is opened and once it is
// open, ours against the peers' published files, each loaded the way its README's script tag does.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUDGETS as SIZE_BUDGETS, measureBundle } from './bundle-size.mjs';
import { kb, outcome, ratio, table } from './bench-lib.mjs';
import { PEERS, peerPackage } from './bench-peers.mjs';

/** The budgets the size test holds too: the only figures the short run fails on. */
const BUDGETS = { firstLoad: SIZE_BUDGETS.firstLoad, whole: SIZE_BUDGETS.whole, classic: SIZE_BUDGETS.classic };

/**
 * What each peer's documented snippet makes a page load. `entry`: the files the snippet names
 * (before the chat opens, plus everything they import statically); dynamic imports of the
 * package's own files are counted once the chat is open (an upper bound: the page may need
 * only some of them).
 */
const PEER_ENTRIES = {
  'deep-chat': ['dist/deepChat.bundle.js'],
  'flowise-embed': ['dist/web.js'],
  '@n8n/chat': ['dist/chat.bundle.es.js', 'dist/style.css'],
};

const gzip = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

function relativeImports(file) {
  if (!file.endsWith('.js') && !file.endsWith('.mjs')) return { statics: [], dynamics: [] };
  const code = readFileSync(file, 'utf8');
  const at = (specifier) => join(dirname(file), specifier);
  return {
    statics: [
      ...code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w${},*\s]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g),
    ].map((m) => at(m[1])),
    dynamics: [...code.matchAll(/import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => at(m[1])),
  };
}

function peerBytes(name) {
  const pkg = peerPackage(name);
  const first = new Set();
  const later = new Set();
  const visit = (file, set) => {
    if (first.has(file) || set.has(file)) return;
    set.add(file);
    const { statics, dynamics } = relativeImports(file);
    for (const next of statics) visit(next, set);
    for (const next of dynamics) visit(next, later);
  };
  for (const entry of PEER_ENTRIES[name]) visit(join(pkg, entry), first);
  const sum = (files) => [...files].reduce((total, file) => total + gzip(file), 0);
  const firstLoad = sum(first);
  return {
    version: PEERS[name],
    firstLoad,
    whole: firstLoad + sum([...later].filter((file) => !first.has(file))),
    files: [...first, ...later].map((file) => relative(pkg, file)),
  };
}

export function benchBundles() {
  const ours = measureBundle();
  const rows = { 'pathors-chat': { firstLoad: ours.firstLoad, whole: ours.whole, classic: ours.classic } };
  const problems = [];
  for (const [key, budget] of Object.entries(BUDGETS)) {
    if (ours[key] > budget) problems.push(`${key} ${kb(ours[key])} is over its budget of ${kb(budget)}`);
  }
  for (const [name, bytes] of Object.entries(ours.lazy)) {
    const budget = SIZE_BUDGETS.lazy[name];
    if (budget === undefined || bytes > budget)
      problems.push(
        `the ${name} chunk ${kb(bytes)} is over its budget of ${budget === undefined ? 'none' : kb(budget)}`,
      );
  }
  const peers = {};
  for (const name of Object.keys(PEER_ENTRIES)) {
    try {
      peers[name] = peerBytes(name);
    } catch (error) {
      peers[name] = outcome('skipped', `npm pack ${name}@${PEERS[name]} failed: ${error.message.split('\n')[0]}`);
    }
  }
  console.log("\n2. bundle bytes a page fetches (gzip -9), as each README's script tag loads it");
  table([
    ['widget', 'before opening', 'ratio', 'once open', 'ratio', 'files'],
    ['pathors-chat (ours)', kb(ours.firstLoad), '1x', kb(ours.whole), '1x', ''],
    ...Object.entries(peers).map(([name, p]) =>
      p.status === 'skipped'
        ? [name, 'n/a', '', 'n/a', '', p.reason]
        : [
            `${name} ${p.version}`,
            kb(p.firstLoad),
            ratio(p.firstLoad, ours.firstLoad),
            kb(p.whole),
            ratio(p.whole, ours.whole),
            p.files.length,
          ],
    ),
  ]);
  console.log(
    `  budgets: before opening ${kb(BUDGETS.firstLoad)}, once open ${kb(BUDGETS.whole)}, classic single file ` +
      `${kb(ours.classic)} of ${kb(BUDGETS.classic)}; loaded later: ` +
      Object.entries(ours.lazy)
        .map(([name, bytes]) => `${name} ${kb(bytes)} of ${kb(SIZE_BUDGETS.lazy[name] ?? 0)}`)
        .join(', '),
  );
  for (const problem of problems) console.log(`  OVER BUDGET: ${problem}`);
  return outcome(problems.length ? 'broken' : 'ok', problems.join('; '), {
    budgets: { ...BUDGETS, lazy: SIZE_BUDGETS.lazy },
    ours: { ...rows['pathors-chat'], lazy: ours.lazy },
    peers,
  });
}
