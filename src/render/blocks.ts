// Block structure, after the CommonMark spec's two-phase strategy (appendix "A parsing
// strategy"): each line walks the open containers, then may open new ones. Plus GFM
// tables. HTML blocks are deliberately not recognised: their text stays text.
// Fields end in `_`: the script-tag build renames them to two characters (see
// scripts/mangle-props.mjs), as a minifier keeps property names as written.
import { unescape } from './entities.js';
import { parseDef, type Def } from './links.js';

export interface Block {
  /** Type: `doc`, `blockquote`, `ul`, `ol`, `li`, `p`, `h1`-`h6`, `hr`, `pre`, `table`,
   * or `` for a top-level paragraph that held only definitions. */
  type_: string;
  /** Parent. */
  parent_?: Block;
  /** Children. */
  children_: Block[];
  /** Open: may still take lines. */
  open_: boolean;
  /** The last line added was blank (decides loose lists). */
  lastBlank_?: boolean;
  /** Raw content: paragraph or heading text, or code. */
  text_: string;
  /** The line it was opened on. */
  line_: number;
  /** The fence of fenced code. */
  fence_?: string;
  /** Info string of fenced code. */
  info_?: string;
  /** Columns a line needs to continue a list item; spaces before a code fence. */
  width_?: number;
  /** List marker: the bullet, or `.`/`)` after an ordered number. */
  marker_?: string;
  /** Start number of an ordered list. */
  start_?: number;
  /** Tight list. */
  tight_?: boolean;
  /** Table rows, the header first. */
  rows_?: string[][];
  /** Table column alignments. */
  align_?: string[];
  /** On top-level blocks: the definitions found inside, in order. */
  defs_?: Def[];
  /** Block quotes and list items this block is inside, itself included. */
  depth_: number;
  /** The last line added to its text (a table's header, if a delimiter row follows). */
  lastLine_?: string;
}

/**
 * Block quotes and list items nest at most this deep; past it, a `>` or a list marker
 * is text (as in cmark and markdown-it, which limit nesting too). So no walk over the
 * tree, and no DOM built from it, is deeper than a few hundred levels, whatever the reply.
 */
export const MAX_NESTING = 32;

export const NONSPACE = /[^ \t\f\v\r\n]/;
const isSpaceOrTab = (c: string | undefined) => c == ' ' || c == '\t';
const isList = (b: Block) => b.type_ == 'ul' || b.type_ == 'ol';
const last = (b: Block) => b.children_[b.children_.length - 1];

/** Splits a GFM table row into trimmed cells; `\|` is a literal pipe. */
export function cells(row: string): string[] {
  // A line ending cannot occur in a row: it marks the cell boundaries (none after the last).
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\\.|\|/g, (m) => (m == '|' ? '\n' : m == '\\|' ? '|' : m))
    .replace(/\n$/, '')
    .split('\n')
    .map((s) => s.trim());
}

/** Normalises line endings and NUL, as the spec asks of any input. */
export const normalizeInput = (s: string): string => s.replace(/\r\n?/g, '\n').replace(/\0/g, '\ufffd');

// Parser state lives at module level, so that a parse (one per push while streaming)
// allocates no closures; a parse is never re-entered.
const mk = (t: string, n: number, depth = 0): Block => ({
  type_: t,
  children_: [],
  open_: true,
  text_: '',
  line_: n,
  depth_: depth,
});
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
  let added = '';
  if (partialTab) {
    offset++;
    added = ' '.repeat(4 - (column % 4));
  }
  tip.text_ += added += line.slice(offset) + '\n';
  tip.lastLine_ = added;
}

function addChild(t: string): Block {
  closeUnmatched();
  // Lists hold items only; documents, quotes and items hold anything but items.
  while (isList(tip) ? t != 'li' : t == 'li' || !/^(doc|blockquote|li)$/.test(tip.type_)) finalize(tip);
  const b = mk(t, lineNo, tip.depth_ + +(t == 'blockquote' || t == 'li'));
  b.parent_ = tip;
  tip.children_.push(b);
  return (tip = b);
}

/** Takes definitions off the start of a paragraph; true if nothing else is left. */
function takeDefs(p: Block): boolean {
  let top = p;
  while (top.parent_ != doc) top = top.parent_!;
  let pos = 0;
  for (let r; p.text_[pos] == '[' && (r = parseDef(p.text_, pos));) {
    pos = r[0];
    (top.defs_ ??= []).push(r[1]);
  }
  // One slice at the end: slicing after each of 5,000 definitions would copy n² characters.
  if (pos) p.text_ = p.text_.slice(pos);
  return pos > 0 && !NONSPACE.test(p.text_);
}

// commonmark.js memoises the descent with a flag; a snapshot finalises the same
// closed blocks many times, so the flag would turn into a wrong answer.
function endsWithBlank(b: Block | undefined): boolean {
  for (; b; b = last(b)) if (b.lastBlank_ || (!isList(b) && b.type_ != 'li')) return !!b.lastBlank_;
  return false;
}

function finalize(b: Block) {
  const up = (tip = b.parent_!);
  b.open_ = false;
  if (b.type_ == 'p' && (takeDefs(b) || !NONSPACE.test(b.text_))) {
    // A paragraph of definitions only renders nothing; at top level it stays as a
    // marker so that the stream can tell when it is finished.
    if (up == doc) b.type_ = '';
    else up.children_.pop();
  } else if (b.type_ == 'pre') {
    // Fenced: less the line ending of the fence's own line. Indented: less trailing blank lines.
    b.text_ = b.fence_ ? b.text_.slice(1) : trimBlankLines(b.text_);
  } else if (isList(b)) {
    const n = b.children_.length - 1;
    b.tight_ = !b.children_.some(
      (item, i) =>
        (i < n && endsWithBlank(item)) ||
        item.children_.some((sub, j) => endsWithBlank(sub) && (i < n || j < item.children_.length - 1)),
    );
  }
}

/** Code less its trailing blank lines (`(\n *)+$` as a regular expression backtracks n² times). */
function trimBlankLines(x: string): string {
  let end = x.length;
  while (end && (x[end - 1] == '\n' || x[end - 1] == ' ')) end--;
  return x.slice(0, x.indexOf('\n', end)) + '\n';
}

function closeUnmatched() {
  for (; oldTip != lastMatched; oldTip = oldTip.parent_!) finalize(oldTip);
}

/** Past a `>` and one space or tab after it, if any. */
function quoteMarker() {
  toNextNonspace();
  advance(1);
  if (isSpaceOrTab(line[offset])) advance(1);
}

// Continuation of an open block on this line: 0 matched, 1 not matched, 2 line consumed.
function continues(c: Block): number {
  const t = c.type_;
  if (t == 'blockquote') {
    if (indented || line[nextNonspace] != '>') return 1;
    quoteMarker();
  } else if (t == 'li') {
    if (blank) {
      if (!c.children_.length) return 1;
      toNextNonspace();
    } else if (indent >= c.width_!) advance(c.width_!);
    else return 1;
  } else if (t == 'pre') {
    if (c.fence_) {
      const m = !indented && /^(`+|~+)[ \t]*$/.exec(line.slice(nextNonspace));
      if (m && m[1]!.startsWith(c.fence_)) {
        finalize(c);
        return 2;
      }
      for (let i = c.width_!; i > 0 && isSpaceOrTab(line[offset]); i--) advance(1);
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
      addChild('h' + m[1]!.length).text_ = m[2]!.replace(/(^|[ \t]+)#+[ \t]*$/, '');
      return 3;
    }
    // (A backtick fence's info string has no backtick; tested apart, as a lookahead
    // after `{3,} would rescan the line once per backtick.)
    if ((m = /^(`{3,}|~{3,})(.*)/.exec(rest)) && !(m[1]![0] == '`' && m[2]!.includes('`'))) {
      const b = addChild('pre');
      b.fence_ = m[1];
      b.width_ = indent;
      b.info_ = unescape(m[2]!.trim());
      // The line's end is added as code: none of a tab partly consumed before the fence.
      toNextNonspace();
      return 3;
    }
    if (c.type_ == 'p') {
      // GFM table: the paragraph's last line is the header, this line the delimiter row.
      // Only the paragraph's last line is looked at, as kept apart: splitting (or even
      // searching) its whole text at every delimiter-like line would cost n² on a
      // paragraph of them.
      const align = cells(rest);
      const delimiter = rest.includes('|') && align.every((a) => /^:?-+:?$/.test(a));
      const cut = Math.max(0, c.text_.length - c.lastLine_!.length);
      const head = delimiter ? cells(c.lastLine_!.slice(0, -1)) : [];
      if (head.length == align.length) {
        // c, a paragraph, matched: nothing is left open below it, nothing to close.
        let b = c;
        if (cut) {
          c.text_ = c.text_.slice(0, cut);
          finalize(c);
          b = addChild('table');
        } else c.type_ = 'table';
        b.rows_ = [head];
        b.align_ = align.map((a) => ['', 'left', 'right', 'center'][+(a[0] == ':') + 2 * +(a[a.length - 1] == ':')]!);
        return 3;
      }
      if (/^(=+|-+)[ \t]*$/.test(rest) && !takeDefs(c)) {
        c.type_ = rest[0] == '=' ? 'h1' : 'h2';
        return 3;
      }
    }
    if (/^([*_-])(?:[ \t]*\1){2,}[ \t]*$/.test(rest)) {
      addChild('hr');
      return 3;
    }
    // A list item; one that interrupts a paragraph may not start empty, nor ordered but from 1.
    m = /^(?:[*+-]|(\d{1,9})([.)]))(?=[ \t]|$)/.exec(rest);
    if (m && deeper && !(c.type_ == 'p' && (!NONSPACE.test(rest.slice(m[0].length)) || (m[1] && +m[1] != 1)))) {
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
      const d = { type_: m[1] ? 'ol' : 'ul', marker_: m[2] ?? m[0], start_: +m[1]! };
      if (tip.type_ != d.type_ || tip.marker_ != d.marker_) Object.assign(addChild(d.type_), d);
      addChild('li').width_ = w;
      return 1;
    }
  } else if (tip.type_ != 'p' && tip.type_ != 'table' && !blank) {
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
  for (let l; (l = last(c)) && l.open_;) {
    c = l;
    findNextNonspace();
    if ((r = continues(c)) == 2) return;
    if (r) {
      c = c.parent_!;
      break;
    }
  }
  lastMatched = c;
  for (let leaf = c.type_ == 'pre'; !leaf; leaf = r > 1) {
    findNextNonspace();
    if (!(r = start(c))) {
      toNextNonspace();
      break;
    }
    if (r > 2) offset = line.length;
    c = tip;
  }
  if (oldTip != lastMatched && !blank && tip.type_ == 'p') return addLine(); // lazy continuation
  closeUnmatched();
  if (blank && c.children_.length) last(c)!.lastBlank_ = true;
  const t = c.type_;
  // Blank lines inside block quotes and fenced code, or right after an empty item's
  // marker, do not make a list loose.
  const lastBlank =
    blank &&
    !(t == 'blockquote' || (t == 'pre' && c.fence_) || (t == 'li' && !c.children_.length && c.line_ == lineNo));
  for (let b: Block | undefined = c; b; b = b.parent_) b.lastBlank_ = lastBlank;
  if (t == 'p' || t == 'pre') addLine();
  else if (offset < line.length && !blank) {
    if (t == 'table') c.rows_!.push(cells(line.slice(offset)));
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
  const c: Block = {
    ...b,
    parent_: p,
    children_: b.children_.slice(),
    rows_: b.rows_?.slice(),
    defs_: b.defs_?.slice(),
  };
  const l = last(b);
  if (l?.open_) c.children_[c.children_.length - 1] = copyOpen(l, c);
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
