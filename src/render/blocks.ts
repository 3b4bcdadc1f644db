// Block structure, after the CommonMark spec's two-phase strategy (appendix "A parsing
// strategy"): each line walks the open containers, then may open new ones. Plus GFM
// tables. HTML blocks are deliberately not recognised: their text stays text.
// Blocks are parsed once per line and rendered on every push while open, so their
// properties are one letter long: a minifier cannot shorten property names.
import { unescape } from './entities.js';
import { parseDef, type Def } from './links.js';

export interface Block {
  /** Type: `doc`, `blockquote`, `ul`, `ol`, `li`, `p`, `h1`-`h6`, `hr`, `pre`, `table`,
   * or `` for a top-level paragraph that held only definitions. */
  t: string;
  /** Parent. */
  p?: Block;
  /** Children. */
  c: Block[];
  /** Open: may still take lines. */
  o: boolean;
  /** The last line added was blank (decides loose lists). */
  b?: boolean;
  /** Raw content: paragraph or heading text, or code. */
  x: string;
  /** The line it was opened on. */
  n: number;
  /** The fence of fenced code. */
  f?: string;
  /** Info string of fenced code. */
  i?: string;
  /** Columns a line needs to continue a list item; spaces before a code fence. */
  w?: number;
  /** List marker: the bullet, or `.`/`)` after an ordered number. */
  m?: string;
  /** Start number of an ordered list. */
  s?: number;
  /** Tight list. */
  g?: boolean;
  /** Table rows, the header first. */
  r?: string[][];
  /** Table column alignments. */
  a?: string[];
  /** On top-level blocks: the definitions found inside, in order. */
  d?: Def[];
  /** Block quotes and list items this block is inside, itself included. */
  depth_: number;
}

/**
 * Block quotes and list items nest at most this deep; past it, a `>` or a list marker
 * is text (as in cmark and markdown-it, which limit nesting too). So no walk over the
 * tree, and no DOM built from it, is deeper than a few hundred levels, whatever the reply.
 */
export const MAX_NESTING = 32;

const NONSPACE = /[^ \t\f\v\r\n]/;
const isSpaceOrTab = (c: string | undefined) => c == ' ' || c == '\t';
const isList = (b: Block) => b.t == 'ul' || b.t == 'ol';
const last = (b: Block) => b.c[b.c.length - 1];

/** Splits a GFM table row into trimmed cells; `\|` is a literal pipe. */
export function cells(row: string): string[] {
  // A line ending cannot occur in a row: it marks the cell boundaries (none after the last).
  return row.trim().replace(/^\|/, '').replace(/\\.|\|/g, (m) => (m == '|' ? '\n' : m == '\\|' ? '|' : m))
    .replace(/\n$/, '').split('\n').map((s) => s.trim());
}

/** Normalises line endings and NUL, as the spec asks of any input. */
export const normalizeInput = (s: string): string => s.replace(/\r\n?/g, '\n').replace(/\0/g, '\ufffd');

// Parser state lives at module level, so that a parse (one per push while streaming)
// allocates no closures; a parse is never re-entered.
const mk = (t: string, n: number, depth_ = 0): Block => ({ t, c: [], o: true, x: '', n, depth_ });
let doc: Block;
let tip: Block;
let oldTip: Block;
let lastMatched: Block;
let line = '';
let lineNo = 0;
let offset = 0;
let column = 0;
let nextNonspace = 0;
let nextNonspaceColumn = 0;
let indent = 0;
let indented = false;
let blank = false;
let partialTab = false;

function findNextNonspace() {
  let i = offset;
  let cols = column;
  let c;
  while (isSpaceOrTab((c = line[i]))) {
    i++;
    cols += c == ' ' ? 1 : 4 - (cols % 4);
  }
  blank = !c;
  nextNonspace = i;
  nextNonspaceColumn = cols;
  indent = cols - column;
  indented = indent > 3;
}

function toNextNonspace() {
  offset = nextNonspace;
  column = nextNonspaceColumn;
  partialTab = false;
}

// Tabs count as up to four columns; a tab only partly consumed (by a list item's
// indentation, say) leaves its remaining columns as spaces in the content.
function advance(count: number) {
  while (count > 0 && line[offset]) {
    const w = line[offset] == '\t' ? 4 - (column % 4) : 1;
    partialTab = w > count;
    const n = partialTab ? count : w;
    column += n;
    count -= n;
    if (!partialTab) offset++;
  }
}

function addLine() {
  if (partialTab) {
    offset++;
    tip.x += ' '.repeat(4 - (column % 4));
  }
  tip.x += line.slice(offset) + '\n';
}

function addChild(t: string): Block {
  closeUnmatched();
  // Lists hold items only; documents, quotes and items hold anything but items.
  while (isList(tip) ? t != 'li' : t == 'li' || !/^(doc|blockquote|li)$/.test(tip.t)) finalize(tip);
  const b = mk(t, lineNo, tip.depth_ + +(t == 'blockquote' || t == 'li'));
  b.p = tip;
  tip.c.push(b);
  return (tip = b);
}

/** Takes definitions off the start of a paragraph; true if nothing else is left. */
function takeDefs(p: Block): boolean {
  let top = p;
  while (top.p != doc) top = top.p!;
  let pos = 0;
  for (let r; p.x[pos] == '[' && (r = parseDef(p.x, pos));) {
    pos = r[0];
    (top.d ??= []).push(r[1]);
  }
  // One slice at the end: slicing after each of 5,000 definitions would copy n² characters.
  if (pos) p.x = p.x.slice(pos);
  return pos > 0 && !NONSPACE.test(p.x);
}

// commonmark.js memoises the descent with a flag; a snapshot finalises the same
// closed blocks many times, so the flag would turn into a wrong answer.
function endsWithBlank(b: Block | undefined): boolean {
  for (; b; b = last(b)) if (b.b || (!isList(b) && b.t != 'li')) return !!b.b;
  return false;
}

function finalize(b: Block) {
  const up = (tip = b.p!);
  b.o = false;
  if (b.t == 'p' && (takeDefs(b) || !NONSPACE.test(b.x))) {
    // A paragraph of definitions only renders nothing; at top level it stays as a
    // marker so that the stream can tell when it is finished.
    if (up == doc) b.t = '';
    else up.c.pop();
  } else if (b.t == 'pre') {
    // Fenced: less the line ending of the fence's own line. Indented: less trailing blank lines.
    b.x = b.f ? b.x.slice(1) : trimBlankLines(b.x);
  }
  else if (isList(b)) {
    const n = b.c.length - 1;
    b.g = !b.c.some((item, i) => (i < n && endsWithBlank(item))
      || item.c.some((sub, j) => endsWithBlank(sub) && (i < n || j < item.c.length - 1)));
  }
}

/** Code less its trailing blank lines (`(\n *)+$` as a regular expression backtracks n² times). */
function trimBlankLines(x: string): string {
  let end = x.length;
  while (end && (x[end - 1] == '\n' || x[end - 1] == ' ')) end--;
  return x.slice(0, x.indexOf('\n', end)) + '\n';
}

function closeUnmatched() {
  for (; oldTip != lastMatched; oldTip = oldTip.p!) finalize(oldTip);
}

/** Past a `>` and one space or tab after it, if any. */
function quoteMarker() {
  toNextNonspace();
  advance(1);
  if (isSpaceOrTab(line[offset])) advance(1);
}

// Continuation of an open block on this line: 0 matched, 1 not matched, 2 line consumed.
function continues(c: Block): number {
  const t = c.t;
  if (t == 'blockquote') {
    if (indented || line[nextNonspace] != '>') return 1;
    quoteMarker();
  } else if (t == 'li') {
    if (blank) {
      if (!c.c.length) return 1;
      toNextNonspace();
    } else if (indent >= c.w!) advance(c.w!);
    else return 1;
  } else if (t == 'pre') {
    if (c.f) {
      const m = !indented && /^(`+|~+)[ \t]*$/.exec(line.slice(nextNonspace));
      if (m && m[1]!.startsWith(c.f)) {
        finalize(c);
        return 2;
      }
      for (let i = c.w!; i > 0 && isSpaceOrTab(line[offset]); i--) advance(1);
    } else if (indented) advance(4);
    else if (blank) toNextNonspace();
    else return 1;
  } else if (t == 'p' || t == 'table') return +blank;
  else if (t != 'doc' && !isList(c)) return 1;
  return 0;
}

// Block starts, tried in order: 0 none, 1 container opened, 2 leaf opened, 3 leaf
// opened that took the whole line.
function start(c: Block): number {
  const rest = line.slice(nextNonspace);
  let m;
  if (!indented) {
    // Past the nesting limit, no container opens: the rest of the line is text.
    const deeper = c.depth_ < MAX_NESTING;
    if (rest[0] == '>' && deeper) {
      quoteMarker();
      addChild('blockquote');
      return 1;
    }
    if ((m = /^(#{1,6})(?:[ \t]+|$)(.*)/.exec(rest))) {
      // Without its closing sequence.
      addChild('h' + m[1]!.length).x = m[2]!.replace(/(^|[ \t]+)#+[ \t]*$/, '');
      return 3;
    }
    // (A backtick fence's info string has no backtick; tested apart, as a lookahead
    // after `{3,} would rescan the line once per backtick.)
    if ((m = /^(`{3,}|~{3,})(.*)/.exec(rest)) && !(m[1]![0] == '`' && m[2]!.includes('`'))) {
      const b = addChild('pre');
      b.f = m[1];
      b.w = indent;
      b.i = unescape(m[2]!.trim());
      // The line's end is added as code: none of a tab partly consumed before the fence.
      toNextNonspace();
      return 3;
    }
    if (c.t == 'p') {
      // GFM table: the paragraph's last line is the header, this line the delimiter row.
      // Only the paragraph's last line is looked at: splitting all of it at every
      // delimiter-like line would cost n² on a paragraph of them.
      // (Looked for only under a delimiter row: lastIndexOf flattens the paragraph's text.)
      const align = cells(rest);
      const delimiter = rest.includes('|') && align.every((a) => /^:?-+:?$/.test(a));
      const cut = delimiter ? c.x.lastIndexOf('\n', c.x.length - 2) + 1 : 0;
      const head = delimiter ? cells(c.x.slice(cut, -1)) : [];
      if (head.length == align.length) {
        // c, a paragraph, matched: nothing is left open below it, nothing to close.
        let b = c;
        if (cut) {
          c.x = c.x.slice(0, cut);
          finalize(c);
          b = addChild('table');
        } else c.t = 'table';
        b.r = [head];
        b.a = align.map((a) => ['', 'left', 'right', 'center'][+(a[0] == ':') + 2 * +(a[a.length - 1] == ':')]!);
        return 3;
      }
      if (/^(=+|-+)[ \t]*$/.test(rest) && !takeDefs(c)) {
        c.t = rest[0] == '=' ? 'h1' : 'h2';
        return 3;
      }
    }
    if (/^([*_-])(?:[ \t]*\1){2,}[ \t]*$/.test(rest)) {
      addChild('hr');
      return 3;
    }
    // A list item; one that interrupts a paragraph may not start empty, nor ordered but from 1.
    m = /^(?:[*+-]|(\d{1,9})([.)]))(?=[ \t]|$)/.exec(rest);
    if (m && deeper && !(c.t == 'p' && (!NONSPACE.test(rest.slice(m[0].length)) || (m[1] && +m[1] != 1)))) {
      // The content's column: after the marker and the spaces after it, or after one
      // space if they are five or more (indented code) or the item starts blank.
      let w = indent + m[0].length;
      toNextNonspace();
      advance(m[0].length);
      findNextNonspace();
      if (blank || indent > 4) {
        w++;
        if (isSpaceOrTab(line[offset])) advance(1);
      } else {
        w += indent;
        toNextNonspace();
      }
      closeUnmatched();
      const d = { t: m[1] ? 'ol' : 'ul', m: m[2] ?? m[0], s: +m[1]! };
      if (tip.t != d.t || tip.m != d.m) Object.assign(addChild(d.t), d);
      addChild('li').w = w;
      return 1;
    }
  } else if (tip.t != 'p' && tip.t != 'table' && !blank) {
    advance(4);
    addChild('pre');
    return 2;
  }
  return 0;
}

function incorporate() {
  let c = doc;
  let r: number | undefined;
  oldTip = tip;
  offset = column = 0;
  blank = partialTab = false;
  for (let l; (l = last(c)) && l.o;) {
    c = l;
    findNextNonspace();
    if ((r = continues(c)) == 2) return;
    if (r) {
      c = c.p!;
      break;
    }
  }
  lastMatched = c;
  for (let leaf = c.t == 'pre'; !leaf; leaf = r > 1) {
    findNextNonspace();
    if (!(r = start(c))) {
      toNextNonspace();
      break;
    }
    if (r > 2) offset = line.length;
    c = tip;
  }
  if (oldTip != lastMatched && !blank && tip.t == 'p') return addLine(); // lazy continuation
  closeUnmatched();
  if (blank && c.c.length) last(c)!.b = true;
  const t = c.t;
  // Blank lines inside block quotes and fenced code, or right after an empty item's
  // marker, do not make a list loose.
  const lastBlank = blank && !(t == 'blockquote' || (t == 'pre' && c.f) || (t == 'li' && !c.c.length && c.n == lineNo));
  for (let b: Block | undefined = c; b; b = b.p) b.b = lastBlank;
  if (t == 'p' || t == 'pre') addLine();
  else if (offset < line.length && !blank) {
    if (t == 'table') c.r!.push(cells(line.slice(offset)));
    else {
      addChild('p');
      toNextNonspace();
      addLine();
    }
  }
}

/** What a parse keeps between lines: the tree with its open blocks, its tip, the line number. */
export type BlockState = [doc: Block, tip: Block, lineNo: number];

export function blockState(): BlockState {
  const d = mk('doc', 0);
  return [d, d, -1];
}

function load(st: BlockState) {
  [doc, tip, lineNo] = st;
}

function run(text: string) {
  const lines = text.split('\n');
  if (!lines[lines.length - 1]) lines.pop();
  for (line of lines) {
    lineNo++;
    incorporate();
  }
}

/** Adds complete lines to a parse (a last line without a line ending counts as complete). */
export function feed(st: BlockState, text: string): void {
  load(st);
  run(text);
  st[1] = tip;
  st[2] = lineNo;
}

// A copy of the open path (the last, open child at each level): closing it, or adding
// a line to it, leaves the original as it was. Closed blocks are shared.
function copyOpen(b: Block, p?: Block): Block {
  const c: Block = { ...b, p, c: b.c.slice(), r: b.r?.slice(), d: b.d?.slice() };
  const l = last(b);
  if (l?.o) c.c[c.c.length - 1] = copyOpen(l, c);
  if (b == tip) tip = c;
  return c;
}

/**
 * The tree as it would be if the text ended with `partial` (an incomplete last line),
 * all closed: the state itself is not changed, and only its open blocks are copied, so
 * the cost is that of the open path, not of the document.
 */
export function snapshot(st: BlockState, partial: string, final?: boolean): Block {
  load(st);
  doc = copyOpen(doc);
  // While more may come, a blank partial line changes nothing that can be seen yet.
  if (final || NONSPACE.test(partial)) run(partial);
  while (tip != doc) finalize(tip);
  return doc;
}

/** Parses normalised text into a block tree; inline content stays raw. */
export const parseBlocks = (src: string): Block => snapshot(blockState(), src, true);
