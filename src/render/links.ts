// Link syntax shared by inline links and block-level reference definitions.
import { unescape } from './entities.js';

/** A link reference definition: normalised label, destination, title. */
export type Def = [label: string, dest: string, title: string | undefined];

/** A scanned destination or title: its value and where it ends. */
type Scan = [v: string, end: number];

export const at = (re: RegExp, s: string, pos: number): RegExpExecArray | null => ((re.lastIndex = pos), re.exec(s));

const SPNL = /[ \t]*(?:\n[ \t]*)?/y;
const LABEL = /\[(?:[^\\[\]]|\\[^]){0,999}\]/y;
const POINTY = /<((?:[^<>\n\\]|\\[^])*)>/y;
const TITLE = /(["'])((?:\\[^]|(?!\1)[^\\])*)\1|\(((?:\\[^]|[^()\\])*)\)/y;
const LINE_END = /[ \t]*(?:\n|$)/y;

/** Skips spaces and tabs, with at most one line ending. */
export const spnl = (s: string, pos: number): number => pos + at(SPNL, s, pos)![0].length;

/** Length of the link label at pos (brackets included, at most 999 characters inside), 0 if none. */
export const label = (s: string, pos: number): number => at(LABEL, s, pos)?.[0].length ?? 0;

/** Parentheses a destination may nest (the spec asks for at least three): with a
 * limit, a scan that starts at every `](` of `[a](` repeated stops early, not at the end. */
const MAX_PARENS = 32;

export function dest(s: string, pos: number): Scan | undefined {
  if (s[pos] == '<') {
    const m = at(POINTY, s, pos);
    return m ? [unescape(m[1]!), pos + m[0].length] : undefined;
  }
  let p = pos;
  let depth = 0;
  for (let c; (c = s[p]) && c > ' '; p++) {
    // An escaped character (a paren, say) is skipped; an escaped space still ends it.
    if (c == '\\' && s.charCodeAt(p + 1) > 32) p++;
    else if (c == '(' && ++depth > MAX_PARENS) return undefined;
    else if (c == ')' && !depth--) break;
  }
  return (p == pos && s[p] != ')') || depth > 0 ? undefined : [unescape(s.slice(pos, p)), p];
}

export function title(s: string, pos: number): Scan | undefined {
  const m = at(TITLE, s, pos);
  return m ? [unescape(m[2] ?? m[3]!), pos + m[0].length] : undefined;
}

/** Case-folds and collapses whitespace, so `[Foo  Bar]` finds `[foo bar]:`. */
export const normalizeLabel = (raw: string): string =>
  raw.slice(1, -1).trim().replace(/\s+/g, ' ').toLowerCase().toUpperCase();

/** Parses one definition at `start` in s: where it ends and the Def, or undefined. */
export function parseDef(s: string, start: number): [number, Def] | undefined {
  const n = start + label(s, start);
  const d = n > start && s[n] == ':' ? dest(s, spnl(s, n + 1)) : undefined;
  if (!d) return undefined;
  const p = spnl(s, d[1]);
  let t = p > d[1] ? title(s, p) : undefined;
  let end = t && at(LINE_END, s, t[1]);
  if (!end) {
    t = undefined;
    end = at(LINE_END, s, d[1]);
  }
  const key = normalizeLabel(s.slice(start, n));
  return end && key ? [end.index + end[0].length, [key, d[0], t?.[0]]] : undefined;
}
