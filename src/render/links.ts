// Link syntax shared by inline links and block-level reference definitions.
import { unescape } from './entities.js';

/** A link reference definition: normalised label, destination, title. */
export type Def = [label: string, dest: string, title: string | undefined];

interface Scan { v: string; end: number }

function at(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

const SPNL = /[ \t]*(?:\n[ \t]*)?/y;
const LABEL = /\[(?:[^\\[\]]|\\[\s\S]){0,1000}\]/y;
const POINTY = /<((?:[^<>\n\\]|\\[\s\S])*)>/y;
const TITLE = /"((?:\\[\s\S]|[^"\\])*)"|'((?:\\[\s\S]|[^'\\])*)'|\(((?:\\[\s\S]|[^()\\])*)\)/y;
const LINE_END = /[ \t]*(?:\n|$)/y;

/** Skips spaces and tabs, with at most one line ending. */
export function spnl(s: string, pos: number): number {
  return pos + at(SPNL, s, pos)![0].length;
}

/** Length of the link label at pos (brackets included), 0 if none. */
export function label(s: string, pos: number): number {
  const n = at(LABEL, s, pos)?.[0].length ?? 0;
  return n > 1001 ? 0 : n;
}

export function dest(s: string, pos: number): Scan | undefined {
  if (s[pos] === '<') {
    const m = at(POINTY, s, pos);
    return m ? { v: unescape(m[1]!), end: pos + m[0].length } : undefined;
  }
  let p = pos;
  let depth = 0;
  for (let c: string | undefined; (c = s[p]) !== undefined; p++) {
    if (c === '\\' && /[!-/:-@[-`{-~]/.test(s[p + 1] ?? '')) p++;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (!depth) break;
      depth--;
    }
    else if (c <= ' ') break;
  }
  if ((p === pos && s[p] !== ')') || depth > 0) return undefined;
  return { v: unescape(s.slice(pos, p)), end: p };
}

export function title(s: string, pos: number): Scan | undefined {
  const m = at(TITLE, s, pos);
  return m ? { v: unescape(m[1] ?? m[2] ?? m[3]!), end: pos + m[0].length } : undefined;
}

/** Case-folds and collapses whitespace, so `[Foo  Bar]` finds `[foo bar]:`. */
export function normalizeLabel(raw: string): string {
  return raw.slice(1, -1).trim().replace(/\s+/g, ' ').toLowerCase().toUpperCase();
}

/** Parses one definition at the start of s: its length and the Def, or undefined. */
export function parseDef(s: string): [number, Def] | undefined {
  const n = label(s, 0);
  if (!n || s[n] !== ':') return undefined;
  const d = dest(s, spnl(s, n + 1));
  if (!d) return undefined;
  const p = spnl(s, d.end);
  let t = p > d.end ? title(s, p) : undefined;
  let end = t && at(LINE_END, s, t.end);
  let stop = t?.end ?? 0;
  if (!end) {
    t = undefined;
    stop = d.end;
    end = at(LINE_END, s, stop);
  }
  const key = normalizeLabel(s.slice(0, n));
  return end && key ? [stop + end[0].length, [key, d.v, t?.v]] : undefined;
}
