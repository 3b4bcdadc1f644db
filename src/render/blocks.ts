// Block structure, after the CommonMark spec's two-phase strategy (appendix "A parsing
// strategy"): each line walks the open containers, then may open new ones. Plus GFM
// tables. HTML blocks are deliberately not recognised: their text stays text.
import { unescape } from './entities.js';
import { parseDef, type Def } from './links.js';

export interface ListData {
  ordered: boolean;
  /** Bullet character, or the `.`/`)` after an ordered number. */
  ch: string;
  start: number;
  /** Columns from the marker's start to the content. */
  pad: number;
  /** Columns before the marker. */
  indent: number;
}

export type BlockType = 'doc' | 'quote' | 'list' | 'item' | 'p' | 'h' | 'hr' | 'code' | 'table' | 'defs';

export interface Block {
  t: BlockType;
  up?: Block;
  kids: Block[];
  open: boolean;
  /** The last line added to this block was blank (decides loose lists). */
  blank?: boolean;
  /** Raw content: paragraph/heading text, or code. */
  text: string;
  /** The line the block starts on. */
  line: number;
  level?: number;
  fence?: string;
  fenceIndent?: number;
  info?: string;
  list?: ListData;
  tight?: boolean;
  rows?: string[][];
  align?: string[];
  /** On top-level blocks: the definitions found inside, in order. */
  defs?: Def[];
}

const THEMATIC = /^(?:\*[ \t]*){3,}$|^(?:_[ \t]*){3,}$|^(?:-[ \t]*){3,}$/;
const ATX = /^#{1,6}(?:[ \t]+|$)/;
const FENCE = /^`{3,}(?!.*`)|^~{3,}/;
const CLOSING_FENCE = /^(?:`{3,}|~{3,})(?=[ \t]*$)/;
const SETEXT = /^(?:=+|-+)[ \t]*$/;
const MAYBE_SPECIAL = /^[#`~*+_=>\d|:-]/;
const NONSPACE = /[^ \t\f\v\r\n]/;

const isSpaceOrTab = (c: string | undefined) => c === ' ' || c === '\t';

/** Splits a GFM table row into trimmed cells; `\|` is a literal pipe. */
export function cells(row: string): string[] {
  const s = row.trim();
  const out: string[] = [];
  let cur = '';
  let lastPipe = -1;
  for (let i = s[0] === '|' ? 1 : 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) cur += s[++i] === '|' ? '|' : c + s[i];
    else if (c === '|') {
      out.push(cur.trim());
      cur = '';
      lastPipe = i;
    } else cur += c;
  }
  if (lastPipe !== s.length - 1 || !out.length) out.push(cur.trim());
  return out;
}

/** Normalises line endings and NUL, as the spec asks of any input. */
export function normalizeInput(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/\0/g, '\ufffd');
}

// Parser state lives at module level, so that a parse (one per push while streaming)
// allocates no closures; parseBlocks resets it and is never re-entered.
const mk = (t: BlockType, line: number): Block => ({ t, kids: [], open: true, text: '', line });
let doc = mk('doc', 0);
let tip = doc;
let oldTip = doc;
let lastMatched = doc;
let allClosed = true;
let line = '';
let lineNo = -1;
let offset = 0;
let column = 0;
let nextNonspace = 0;
let nextNonspaceColumn = 0;
let indent = 0;
let indented = false;
let blank = false;
let partialTab = false;

const last = (b: Block) => b.kids[b.kids.length - 1];

function findNextNonspace() {
  let i = offset;
  let cols = column;
  let c: string | undefined;
  while ((c = line[i]) === ' ' || c === '\t') {
    i++;
    cols += c === ' ' ? 1 : 4 - (cols % 4);
  }
  blank = c === undefined;
  nextNonspace = i;
  nextNonspaceColumn = cols;
  indent = cols - column;
  indented = indent >= 4;
}

function toNextNonspace() {
  offset = nextNonspace;
  column = nextNonspaceColumn;
  partialTab = false;
}

// Tabs count as up to four columns; a tab only partly consumed (by a list item's
// indentation, say) leaves its remaining columns as spaces in the content.
function advance(count: number, columns: boolean) {
  let c: string | undefined;
  while (count > 0 && (c = line[offset])) {
    if (c === '\t') {
      const toTab = 4 - (column % 4);
      if (columns) {
        partialTab = toTab > count;
        const n = Math.min(toTab, count);
        column += n;
        if (!partialTab) offset++;
        count -= n;
      } else {
        partialTab = false;
        column += toTab;
        offset++;
        count--;
      }
    } else {
      partialTab = false;
      offset++;
      column++;
      count--;
    }
  }
}

function addLine() {
  if (partialTab) {
    offset++;
    tip.text += ' '.repeat(4 - (column % 4));
  }
  tip.text += line.slice(offset) + '\n';
}

function canContain(parent: Block, t: BlockType): boolean {
  const p = parent.t;
  return p === 'list' ? t === 'item' : (p === 'doc' || p === 'quote' || p === 'item') && t !== 'item';
}

function addChild(t: BlockType, at = lineNo): Block {
  while (!canContain(tip, t)) finalize(tip);
  const b = mk(t, at);
  b.up = tip;
  tip.kids.push(b);
  return (tip = b);
}

function top(b: Block): Block {
  while (b.up !== doc) b = b.up!;
  return b;
}

/** Takes definitions off the start of a paragraph; true if nothing else is left. */
function takeDefs(p: Block): boolean {
  let found = false;
  for (let r; p.text[0] === '[' && (r = parseDef(p.text));) {
    p.text = p.text.slice(r[0]);
    (top(p).defs ??= []).push(r[1]);
    found = true;
  }
  return found && !NONSPACE.test(p.text);
}

// commonmark.js memoises the descent with a flag; a snapshot finalises the same
// closed blocks many times, so the flag would turn into a wrong answer.
function endsWithBlank(b: Block | undefined): boolean {
  for (; b; b = last(b)) if (b.blank || (b.t !== 'list' && b.t !== 'item')) return !!b.blank;
  return false;
}

function finalize(b: Block) {
  b.open = false;
  tip = b.up!;
  if (b.t === 'p' && (takeDefs(b) || !NONSPACE.test(b.text))) {
    // A paragraph of definitions only renders nothing; at top level it stays as a
    // marker so that the stream can tell when it is finished.
    if (b.up === doc) b.t = 'defs';
    else b.up!.kids.splice(b.up!.kids.indexOf(b), 1);
  } else if (b.t === 'code') {
    if (b.fence) {
      const nl = b.text.indexOf('\n');
      b.info = unescape(b.text.slice(0, nl).trim());
      b.text = b.text.slice(nl + 1);
    } else b.text = b.text.replace(/(\n *)+$/, '\n');
  } else if (b.t === 'list') {
    b.tight = !b.kids.some((item, i) => (endsWithBlank(item) && i < b.kids.length - 1)
      || item.kids.some((sub, j) => endsWithBlank(sub) && (i < b.kids.length - 1 || j < item.kids.length - 1)));
  }
}

function closeUnmatched() {
  if (!allClosed) {
    while (oldTip !== lastMatched) {
      const up = oldTip.up!;
      finalize(oldTip);
      oldTip = up;
    }
    allClosed = true;
  }
}

// Continuation of an open block on this line: 0 matched, 1 not matched, 2 line consumed.
function continues(c: Block): number {
  switch (c.t) {
    case 'quote':
      if (indented || line[nextNonspace] !== '>') return 1;
      toNextNonspace();
      advance(1, false);
      if (isSpaceOrTab(line[offset])) advance(1, true);
      return 0;
    case 'item': {
      const need = c.list!.indent + c.list!.pad;
      if (blank) {
        if (!c.kids.length) return 1;
        toNextNonspace();
      } else if (indent >= need) advance(need, true);
      else return 1;
      return 0;
    }
    case 'h':
    case 'hr':
    case 'defs':
      return 1;
    case 'code':
      if (c.fence) {
        const m = indent <= 3 && line[nextNonspace] === c.fence[0] && CLOSING_FENCE.exec(line.slice(nextNonspace));
        if (m && m[0].length >= c.fence.length) {
          finalize(c);
          return 2;
        }
        for (let i = c.fenceIndent!; i > 0 && isSpaceOrTab(line[offset]); i--) advance(1, true);
        return 0;
      }
      if (indent >= 4) advance(4, true);
      else if (blank) toNextNonspace();
      else return 1;
      return 0;
    case 'p':
    case 'table':
      return blank ? 1 : 0;
  }
  return 0;
}

function listMarker(c: Block): ListData | undefined {
  if (indent >= 4) return undefined;
  const rest = line.slice(nextNonspace);
  let m = /^[*+-]/.exec(rest);
  const data: ListData = { ordered: false, ch: '', start: 1, pad: 0, indent };
  if (m) data.ch = m[0];
  else if ((m = /^(\d{1,9})([.)])/.exec(rest)) && (c.t !== 'p' || +m[1]! === 1)) {
    data.ordered = true;
    data.start = +m[1]!;
    data.ch = m[2]!;
  } else return undefined;
  const len = m[0].length;
  const after = rest[len];
  if (after !== undefined && !isSpaceOrTab(after)) return undefined;
  // An item interrupting a paragraph may not start empty.
  if (c.t === 'p' && !NONSPACE.test(rest.slice(len))) return undefined;
  toNextNonspace();
  advance(len, true);
  const startCol = column;
  const startOff = offset;
  do advance(1, true);
  while (column - startCol < 5 && isSpaceOrTab(line[offset]));
  const spaces = column - startCol;
  if (spaces >= 5 || spaces < 1 || offset >= line.length) {
    data.pad = len + 1;
    column = startCol;
    offset = startOff;
    if (isSpaceOrTab(line[offset])) advance(1, true);
  } else data.pad = len + spaces;
  return data;
}

// Block starts, tried in order: 0 no match, 1 container opened, 2 leaf opened.
const starts: ((c: Block) => number)[] = [
  () => {
    if (indented || line[nextNonspace] !== '>') return 0;
    toNextNonspace();
    advance(1, false);
    if (isSpaceOrTab(line[offset])) advance(1, true);
    closeUnmatched();
    addChild('quote');
    return 1;
  },
  () => {
    const m = !indented && ATX.exec(line.slice(nextNonspace));
    if (!m) return 0;
    toNextNonspace();
    advance(m[0].length, false);
    closeUnmatched();
    const h = addChild('h');
    h.level = m[0].trim().length;
    h.text = line.slice(offset).replace(/^[ \t]*#+[ \t]*$/, '').replace(/[ \t]+#+[ \t]*$/, '');
    offset = line.length;
    return 2;
  },
  () => {
    const m = !indented && FENCE.exec(line.slice(nextNonspace));
    if (!m) return 0;
    closeUnmatched();
    const b = addChild('code');
    b.fence = m[0];
    b.fenceIndent = indent;
    toNextNonspace();
    advance(m[0].length, false);
    return 2;
  },
  (c) => {
    // GFM table: the paragraph's last line is the header, this line the delimiter row.
    const rest = line.slice(nextNonspace);
    if (indented || c.t !== 'p' || !rest.includes('|')) return 0;
    const align = cells(rest);
    if (!align.every((a) => /^:?-+:?$/.test(a))) return 0;
    const lines = c.text.split('\n');
    lines.pop();
    const head = cells(lines.pop()!);
    if (head.length !== align.length) return 0;
    closeUnmatched();
    let t = c;
    if (lines.length) {
      c.text = lines.join('\n') + '\n';
      finalize(c);
      t = addChild('table', lineNo - 1);
    } else c.t = 'table';
    t.rows = [head];
    t.align = align.map((a) => (a.endsWith(':') ? (a[0] === ':' ? 'center' : 'right') : a[0] === ':' ? 'left' : ''));
    offset = line.length;
    return 2;
  },
  (c) => {
    const m = !indented && c.t === 'p' && SETEXT.exec(line.slice(nextNonspace));
    if (!m) return 0;
    closeUnmatched();
    if (takeDefs(c)) return 0;
    c.t = 'h';
    c.level = m[0][0] === '=' ? 1 : 2;
    offset = line.length;
    return 2;
  },
  () => {
    if (indented || !THEMATIC.test(line.slice(nextNonspace))) return 0;
    closeUnmatched();
    addChild('hr');
    offset = line.length;
    return 2;
  },
  (c) => {
    const data = (!indented || c.t === 'list') && listMarker(c);
    if (!data) return 0;
    closeUnmatched();
    const l = tip.list;
    if (tip.t !== 'list' || l!.ordered !== data.ordered || l!.ch !== data.ch) addChild('list').list = data;
    addChild('item').list = data;
    return 1;
  },
  () => {
    if (!indented || tip.t === 'p' || tip.t === 'table' || blank) return 0;
    advance(4, true);
    closeUnmatched();
    addChild('code');
    return 2;
  },
];

function incorporate() {
  let c = doc;
  oldTip = tip;
  offset = column = 0;
  blank = partialTab = false;
  for (let l; (l = last(c)) && l.open;) {
    c = l;
    findNextNonspace();
    const r = continues(c);
    if (r === 2) return;
    if (r === 1) {
      c = c.up!;
      break;
    }
  }
  allClosed = c === oldTip;
  lastMatched = c;
  let leaf = c.t === 'code';
  while (!leaf) {
    findNextNonspace();
    if (!indented && !MAYBE_SPECIAL.test(line.slice(nextNonspace, nextNonspace + 1))) {
      toNextNonspace();
      break;
    }
    let r = 0;
    for (const start of starts) if ((r = start(c))) break;
    if (!r) {
      toNextNonspace();
      break;
    }
    c = tip;
    leaf = r === 2;
  }
  if (!allClosed && !blank && tip.t === 'p') {
    addLine(); // lazy continuation
    return;
  }
  closeUnmatched();
  if (blank && c.kids.length) last(c)!.blank = true;
  const t = c.t;
  // Blank lines inside block quotes and fenced code, or right after an empty item's
  // marker, do not make a list loose.
  const lastBlank = blank && !(t === 'quote' || (t === 'code' && c.fence) || (t === 'item' && !c.kids.length && c.line === lineNo));
  for (let b: Block | undefined = c; b; b = b.up) b.blank = lastBlank;
  if (t === 'p' || t === 'code') addLine();
  else if (t === 'table') {
    if (offset < line.length) c.rows!.push(cells(line.slice(offset)));
  }
  else if (offset < line.length && !blank) {
    addChild('p');
    toNextNonspace();
    addLine();
  }
}

/** What a parse keeps between lines: the tree with its open blocks, and the position. */
export interface BlockState {
  doc: Block;
  tip: Block;
  lineNo: number;
}

export function blockState(): BlockState {
  const d = mk('doc', 0);
  return { doc: d, tip: d, lineNo: -1 };
}

function load(st: BlockState) {
  ({ doc, tip, lineNo } = st);
  oldTip = lastMatched = doc;
  allClosed = true;
}

function run(text: string) {
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  for (const l of lines) {
    line = l;
    lineNo++;
    incorporate();
  }
}

/** Adds complete lines to a parse (a last line without a line ending counts as complete). */
export function feed(st: BlockState, text: string): void {
  load(st);
  run(text);
  Object.assign(st, { tip, lineNo });
}

/** Closes every open block; the tree is final. */
export function close(st: BlockState): Block {
  load(st);
  while (tip !== doc) finalize(tip);
  st.tip = doc;
  return doc;
}

// A copy of the open path (the last, open child at each level): closing it, or adding
// a line to it, leaves the original as it was. Closed blocks are shared.
function copyOpen(b: Block, up?: Block): Block {
  const c: Block = { ...b, up, kids: b.kids.slice(), rows: b.rows?.slice(), defs: b.defs?.slice() };
  const l = last(b);
  if (l?.open) c.kids[c.kids.length - 1] = copyOpen(l, c);
  if (b === tip) tip = c;
  return c;
}

/**
 * The tree as it would be if the text ended with `partial` (an incomplete last line):
 * the state itself is not changed, and only its open blocks are copied, so the cost
 * is that of the open path, not of the document.
 */
export function snapshot(st: BlockState, partial: string): Block {
  load(st);
  oldTip = lastMatched = doc = copyOpen(doc);
  // A blank partial line changes nothing that can be seen yet.
  if (NONSPACE.test(partial)) run(partial);
  while (tip !== doc) finalize(tip);
  return doc;
}

/** Parses normalised text into a block tree; inline content stays raw. */
export function parseBlocks(src: string): Block {
  const st = blockState();
  feed(st, src);
  return close(st);
}
