// Inline content, after the CommonMark spec's appendix: a delimiter stack for `*`, `_`
// (and GFM `~`) processed with the spec's "process emphasis" algorithm, and a bracket
// stack for links and images. Tokens stay flat; matched delimiters record which tags
// they open and close, and `build` turns the sequence into a tree.
import { ENTITY, decodeEntity } from './entities.js';
import { dest, label, normalizeLabel, spnl, title, type Def } from './links.js';
import { imageSrc, linkHref } from './safe-url.js';
import { append, el, textOf, type VElement, type VNode } from './vnode.js';

export interface InlineContext {
  /** Looks a normalised label up among the link reference definitions. */
  ref(label: string): Def | undefined;
  imageHosts: readonly string[];
  /** Set when a reference was looked up and not found (a later definition may fix it). */
  missed?: boolean;
}

interface Delim {
  ch: string;
  /** Delimiters still unused, and the run's original length. */
  n: number;
  orig: number;
  canOpen: boolean;
  canClose: boolean;
  closes: string[];
  opens: string[];
  prev: Delim | null;
  next: Delim | null;
}

interface Bracket {
  tok: number;
  /** Offset of the `[`. */
  start: number;
  image: boolean;
  active: boolean;
  bracketAfter: boolean;
  prevDelim: Delim | null;
  prev: Bracket | null;
}

type Token = { v: string } | { run: Delim } | { open: VElement } | { close: true } | { node: VNode };

const SPECIAL = /[^\n\\`*_~[\]!<&]+/y;
const TICKS = /`+/g;
const EMAIL = /<([a-z\d.!#$%&'*+/=?^_`{|}~-]+@[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?(?:\.[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?)*)>/iy;
const URI = /<([a-z][a-z\d.+-]{1,31}:[^<>\0- ]*)>/iy;
const ENTITY_HERE = new RegExp(ENTITY.source, 'y');
const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/;
// Pseudo tags, resolved when their bracket closes: a refused link keeps only its
// content, a refused image becomes its alt text.
const BARE = '#';
const ALT = '#alt';

const LINK_ATTRS = { target: '_blank', rel: 'noopener noreferrer nofollow' };

/** Parses a paragraph's or heading's raw text into safe inline nodes. */
export function parseInlines(s: string, ctx: InlineContext): VNode[] {
  const toks: Token[] = [];
  let pos = 0;
  let delims: Delim | null = null;
  let brackets: Bracket | null = null;
  const noCloser = new Set<number>();
  const text = (v: string) => toks.push({ v });

  const sticky = (re: RegExp) => {
    re.lastIndex = pos;
    return re.exec(s);
  };

  function remove(d: Delim) {
    if (d.prev) d.prev.next = d.next;
    if (d.next) d.next.prev = d.prev;
    else delims = d.prev;
  }

  function processEmphasis(bottom: Delim | null) {
    const openersBottom: Record<string, Delim | null> = {};
    let closer = delims;
    while (closer && closer.prev !== bottom) closer = closer.prev;
    while (closer) {
      if (!closer.canClose) {
        closer = closer.next;
        continue;
      }
      const c: Delim = closer;
      const key = c.ch + c.canOpen + (c.orig % 3);
      const limit = key in openersBottom ? openersBottom[key] : bottom;
      let opener = c.prev;
      for (; opener && opener !== bottom && opener !== limit; opener = opener.prev) {
        // The "multiple of 3" rule keeps `*foo**bar*` from pairing the wrong runs.
        const odd = c.ch !== '~' && (c.canOpen || opener.canClose) && c.orig % 3 !== 0 && (opener.orig + c.orig) % 3 === 0;
        if (opener.ch === c.ch && opener.canOpen && !odd && (c.ch !== '~' || opener.n === c.n)) break;
      }
      if (opener && opener !== bottom && opener !== limit) {
        const use = c.ch === '~' ? c.n : c.n > 1 && opener.n > 1 ? 2 : 1;
        const tag = c.ch === '~' ? 'del' : use === 1 ? 'em' : 'strong';
        opener.n -= use;
        c.n -= use;
        opener.opens.unshift(tag);
        c.closes.push(tag);
        opener.next = c;
        c.prev = opener;
        if (!opener.n) remove(opener);
        if (!c.n) {
          closer = c.next;
          remove(c);
        }
      } else {
        closer = c.next;
        openersBottom[key] = c.prev;
        if (!c.canOpen) remove(c);
      }
    }
    while (delims && delims !== bottom) remove(delims);
  }

  function charBefore(i: number): string {
    if (i <= 0) return '\n';
    const lo = s.charCodeAt(i - 1);
    return lo >= 0xdc00 && lo < 0xe000 && i > 1 ? s.slice(i - 2, i) : s[i - 1]!;
  }

  function delimiterRun(ch: string) {
    let end = pos;
    while (s[end] === ch) end++;
    const n = end - pos;
    if (ch === '~' && n > 2) {
      text(s.slice(pos, end));
      pos = end;
      return;
    }
    const before = charBefore(pos);
    const after = end < s.length ? String.fromCodePoint(s.codePointAt(end)!) : '\n';
    const aWs = WHITESPACE.test(after);
    const bWs = WHITESPACE.test(before);
    const aP = PUNCTUATION.test(after);
    const bP = PUNCTUATION.test(before);
    const left = !aWs && (!aP || bWs || bP);
    const right = !bWs && (!bP || aWs || aP);
    const d: Delim = {
      ch, n, orig: n, closes: [], opens: [], prev: delims, next: null,
      canOpen: ch === '_' ? left && (!right || bP) : left,
      canClose: ch === '_' ? right && (!left || aP) : right,
    };
    toks.push({ run: d });
    if (d.canOpen || d.canClose) {
      if (delims) delims.next = d;
      delims = d;
    }
    pos = end;
  }

  function openBracket(image: boolean) {
    if (brackets) brackets.bracketAfter = true;
    brackets = { tok: toks.length, start: pos + (image ? 1 : 0), image, active: true, bracketAfter: false, prevDelim: delims, prev: brackets };
    text(image ? '![' : '[');
    pos += image ? 2 : 1;
  }

  function closeBracket() {
    const op = brackets;
    pos++;
    if (!op || !op.active) {
      if (op) brackets = op.prev;
      text(']');
      return;
    }
    const after = pos;
    let found: [string, string | undefined] | undefined;
    if (s[pos] === '(') {
      const d = dest(s, spnl(s, pos + 1));
      if (d) {
        let p = spnl(s, d.end);
        const t = p > d.end ? title(s, p) : undefined;
        if (t) p = spnl(s, t.end);
        if (s[p] === ')') {
          found = [d.v, t?.v];
          pos = p + 1;
        }
      }
    }
    if (!found) {
      const n = label(s, pos);
      const raw = n > 2 ? s.slice(pos, pos + n) : op.bracketAfter ? '' : s.slice(op.start, after);
      const key = raw.length <= 1001 && normalizeLabel(raw);
      const def = key ? ctx.ref(key) : undefined;
      if (def) {
        found = [def[1], def[2]];
        pos += n;
      } else if (key) ctx.missed = true;
    }
    brackets = op.prev;
    if (!found) {
      pos = after;
      text(']');
      return;
    }
    const [url, t] = found;
    const titled = t ? { title: t } : undefined;
    let open: VElement;
    if (op.image) {
      const src = imageSrc(url, ctx.imageHosts);
      open = src !== undefined ? el('img', [], { loading: 'lazy', referrerpolicy: 'no-referrer', src, ...titled }) : el(ALT);
    } else {
      const href = linkHref(url);
      open = href !== undefined ? el('a', [], { href, ...titled, ...LINK_ATTRS }) : el(BARE);
      // No links inside links.
      for (let b = brackets; b; b = b.prev) if (!b.image) b.active = false;
    }
    toks[op.tok] = { open };
    toks.push({ close: true });
    processEmphasis(op.prevDelim);
  }

  function backticks() {
    const ticks = sticky(/`+/y)![0];
    const from = pos + ticks.length;
    TICKS.lastIndex = from;
    // A length with no closing run after here has none after any later point either:
    // remembering it keeps a reply full of stray backticks from costing n².
    for (let m; !noCloser.has(ticks.length) && (m = TICKS.exec(s));) {
      if (m[0].length === ticks.length) {
        let code = s.slice(from, m.index).replace(/\n/g, ' ');
        if (/[^ ]/.test(code) && code[0] === ' ' && code.endsWith(' ')) code = code.slice(1, -1);
        toks.push({ node: el('code', code ? [code] : []) });
        pos = TICKS.lastIndex;
        return;
      }
    }
    noCloser.add(ticks.length);
    text(ticks);
    pos = from;
  }

  function autolink(m: RegExpExecArray, href: string | undefined) {
    toks.push({ node: href !== undefined ? el('a', [m[1]!], { href, ...LINK_ATTRS }) : m[1]! });
    pos += m[0].length;
  }

  while (pos < s.length) {
    const c = s[pos]!;
    let m: RegExpExecArray | null;
    if (c === '\n') {
      // Two trailing spaces make a hard break; other spaces around a line end vanish.
      const prev = toks[toks.length - 1];
      let hard = false;
      if (prev && 'v' in prev && prev.v.endsWith(' ')) {
        hard = prev.v.endsWith('  ');
        prev.v = prev.v.replace(/ +$/, '');
      }
      toks.push(hard ? { node: el('br') } : { v: '\n' });
      pos++;
      while (s[pos] === ' ') pos++;
    } else if (c === '\\') {
      const next = s[pos + 1];
      if (next === '\n') {
        toks.push({ node: el('br') });
        pos += 2;
      } else if (next && /[!-/:-@[-`{-~]/.test(next)) {
        text(next);
        pos += 2;
      } else {
        text('\\');
        pos++;
      }
    } else if (c === '`') backticks();
    else if (c === '*' || c === '_' || c === '~') delimiterRun(c);
    else if (c === '[') openBracket(false);
    else if (c === '!' && s[pos + 1] === '[') openBracket(true);
    else if (c === ']') closeBracket();
    else if (c === '<' && (m = sticky(EMAIL))) autolink(m, linkHref('mailto:' + m[1]));
    else if (c === '<' && (m = sticky(URI))) autolink(m, linkHref(m[1]!));
    else if (c === '&' && (m = sticky(ENTITY_HERE)) && decodeEntity(m[0]) !== undefined) {
      text(decodeEntity(m[0])!);
      pos += m[0].length;
    } else if ((m = sticky(SPECIAL))) {
      text(m[0]);
      pos += m[0].length;
    } else {
      text(c);
      pos++;
    }
  }
  processEmphasis(null);
  return build(toks);
}

function build(toks: Token[]): VNode[] {
  const root = el('');
  const stack = [root];
  const add = (v: VNode) => append(stack[stack.length - 1]!.c, v);
  const open = (e: VElement) => {
    add(e);
    stack.push(e);
  };
  const close = () => {
    const e = stack.pop()!;
    if (e.t[0] !== '#' && e.t !== 'img') return;
    const siblings = stack[stack.length - 1]!.c;
    if (e.t === 'img') {
      e.a!.alt = textOf(e.c);
      e.c = [];
      return;
    }
    siblings.pop();
    if (e.t === ALT) add(textOf(e.c));
    else e.c.forEach(add);
  };
  for (const k of toks) {
    if ('v' in k) add(k.v);
    else if ('run' in k) {
      k.run.closes.forEach(close);
      add(k.run.ch.repeat(k.run.n));
      for (const t of k.run.opens) open(el(t));
    } else if ('open' in k) open(k.open);
    else if ('close' in k) close();
    else add(k.node);
  }
  return root.c;
}
