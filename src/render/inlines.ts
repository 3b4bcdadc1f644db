// Inline content, after the CommonMark spec's appendix: a delimiter stack for `*`, `_`
// (and GFM `~`) processed with the spec's "process emphasis" algorithm, and a bracket
// stack for links and images. Tokens stay flat; matched delimiters record which tags
// they open and close, and `build` turns the sequence into a tree.
import { ENTITY, decode } from './entities.js';
import { at, dest, label, normalizeLabel, spnl, title, type Def } from './links.js';
import { imageSrc, linkHref } from './safe-url.js';
import { append, el, textOf, type VElement, type VNode } from './vnode.js';

export interface InlineContext {
  /** The link reference definitions, by normalised label. */
  defs_: Map<string, Def>;
  /** Hosts images may load from. */
  imageHosts_: readonly string[];
  /** Set when a reference was looked up: the result depends on the definitions. */
  lookedUp_?: boolean;
  /** Definitions of the open block, looked up after `d` (the first definition wins). */
  openDefs_?: Map<string, Def>;
}

/** Emphasis, links and images nest at most this deep; deeper, their markers are text. */
export const MAX_INLINE_NESTING = 32;

/** A run of `*`, `_` or `~`. */
interface Delim {
  /** The character. */
  char_: string;
  /** Delimiters still unused, and the run's original length. */
  left_: number;
  length_: number;
  /** Can open, can close. */
  canOpen_: boolean;
  canClose_: boolean;
  /** Tags closed before what is left of the run, and opened after it. */
  closes_: string[];
  opens_: string[];
  /** Previous and next on the delimiter stack. */
  prev_?: Delim;
  next_?: Delim;
}

interface Bracket {
  /** Index of its token. */
  token_: number;
  /** Offset of the `[`. */
  from_: number;
  /** `![`: an image. */
  image_: boolean;
  /** Inactive: can no longer make a link. */
  inactive_?: boolean;
  /** Another bracket opened after it. */
  nested_?: boolean;
  /** The delimiter stack's top when it opened. */
  delims_?: Delim;
  prev_?: Bracket;
}

/** Text, a finished node, a delimiter run, an opening link or image, or its close (0). */
type Token = VNode | Delim | { opening_: VElement } | 0;

// Text runs up to the next character that may start something, or a space (which may
// come before a line ending); a run of spaces not before a line ending is one token (the
// lookahead takes them all at once: a backtracking ` +` would cost n² on a long run).
const TEXT = /(?=( +))\1(?!\n)|[^][^\n\\`*_~[\]!<& ]*/y;
const TICKS = /`+/g;
const AUTOLINK = /<(?:([a-z][a-z\d.+-]{1,31}:[^<>\0- ]*)|([^\s<>@\\]+@[a-z\d-]+(\.[a-z\d-]+)*))>/iy;
const ENTITY_HERE = RegExp(ENTITY.source, 'iy');
const LINK = { target: '_blank', rel: 'noopener noreferrer nofollow' };

// GFM's extended autolinks: `https://`, `http://` or `www.` then a domain, or an email
// address, after a line start, a space or `*_~(`. Parts are bounded (a DNS label is at
// most 63 characters, a local part 64) so that a scan from every `_` of a long word
// costs a constant, not the word.
const BARE_URL = /(https?:\/\/|www\.)((?:[\w-]{1,63}\.){0,9}[\w-]{1,63})(?![\w-])[^\s<]*/y;
const BARE_EMAIL = /[\w.+-]{1,64}@(?:[\w-]{1,63}\.){1,9}[\w-]{1,63}/y;
const TRAILING = /[?!.,:*_~'"]$/;

/** A bare URL's or email's text, less its trailing punctuation, as GFM takes it; undefined if none at pos. */
function bareLink(s: string, pos: number): [text: string, href: string] | undefined {
  let m = at(BARE_URL, s, pos);
  if (m) {
    // The domain: at least one period (`www.` counts), no `_` in its last two labels.
    const labels = (m[1] == 'www.' ? 'www.' + m[2] : m[2]!).split('.');
    if (labels.length < 2 || labels.slice(-2).some((l) => l.includes('_'))) return undefined;
    let u = m[0];
    let open = 0;
    let close = 0;
    for (const ch of u) {
      if (ch == '(') open++;
      else if (ch == ')') close++;
    }
    for (let amp; ;) {
      if (TRAILING.test(u)) u = u.slice(0, -1);
      else if (u.endsWith(')') && close > open) {
        u = u.slice(0, -1);
        close--;
      } else if (u.endsWith(';') && /^&[a-z\d]+;$/i.test(u.slice((amp = u.lastIndexOf('&'))))) u = u.slice(0, amp);
      else break;
    }
    return [u, (m[1] == 'www.' ? 'http://' : '') + u];
  }
  m = at(BARE_EMAIL, s, pos);
  return m && /[^_-]$/.test(m[0]) ? [m[0], 'mailto:' + m[0]] : undefined;
}

/** 2 for whitespace (or no character), 1 for punctuation, 0 for anything else. */
const kind = (c = ' ') => (/\s/.test(c) ? 2 : +/[\p{P}\p{S}]/u.test(c));

/** Parses a paragraph's or heading's raw text into safe inline nodes. */
export function parseInlines(s: string, ctx: InlineContext): VNode[] {
  const toks: Token[] = [];
  let pos = 0;
  let delims: Delim | undefined;
  let brackets: Bracket | undefined;
  const noCloser = new Set<number>();

  function remove(d: Delim) {
    if (d.prev_) d.prev_.next_ = d.next_;
    if (d.next_) d.next_.prev_ = d.prev_;
    else delims = d.prev_;
  }

  function processEmphasis(bottom?: Delim) {
    const openersBottom: Record<string, Delim | undefined> = {};
    // The first delimiter above bottom; none if bottom is the top (a link with no delimiter
    // inside: walking down from the top would then cross the whole stack, n² over a paragraph).
    let closer = delims == bottom ? undefined : delims;
    while (closer && closer.prev_ != bottom) closer = closer.prev_;
    while (closer) {
      const c: Delim = closer;
      closer = c.next_;
      if (!c.canClose_) continue;
      const key = c.char_ + c.canOpen_ + (c.length_ % 3);
      // Openers below this closer's last failure cannot match it either.
      const limit = openersBottom[key] ?? bottom;
      let op;
      // The "multiple of 3" rule keeps `*foo**bar*` from pairing the wrong runs.
      for (let o = c.prev_; !op && o && o != bottom && o != limit; o = o.prev_) {
        if (
          o.char_ == c.char_ &&
          o.canOpen_ &&
          (c.char_ == '~'
            ? o.left_ == c.left_
            : !((c.canOpen_ || o.canClose_) && c.length_ % 3 && !((o.length_ + c.length_) % 3)))
        )
          op = o;
      }
      if (op) {
        const use = c.char_ == '~' ? c.left_ : c.left_ > 1 && op.left_ > 1 ? 2 : 1;
        const tag = c.char_ == '~' ? 'del' : use > 1 ? 'strong' : 'em';
        op.left_ -= use;
        c.left_ -= use;
        // (Pushed, and read backwards by build: unshift would cost n² on `*` x 10,000.)
        op.opens_.push(tag);
        c.closes_.push(tag);
        op.next_ = c;
        c.prev_ = op;
        if (!op.left_) remove(op);
        if (c.left_) closer = c;
        else remove(c);
      } else {
        openersBottom[key] = c.prev_;
        if (!c.canOpen_) remove(c);
      }
    }
    while (delims && delims != bottom) remove(delims);
  }

  function delimiterRun(ch: string) {
    let end = pos;
    while (s[end] == ch) end++;
    const n = end - pos;
    if (ch == '~' && n > 2) return void toks.push(s.slice(pos, (pos = end)));
    // Characters, not UTF-16 units, either side.
    const before = kind([...s.substring(pos - 2, pos)].pop());
    const after = kind([...s.substring(end, end + 2)][0]);
    const left = after < 2 && (!after || !!before);
    const right = before < 2 && (!before || !!after);
    const d: Delim = {
      char_: ch,
      left_: n,
      length_: n,
      closes_: [],
      opens_: [],
      prev_: delims,
      canOpen_: ch == '_' ? left && (!right || before == 1) : left,
      canClose_: ch == '_' ? right && (!left || after == 1) : right,
    };
    toks.push(d);
    if (d.canOpen_ || d.canClose_) {
      if (delims) delims.next_ = d;
      delims = d;
    }
    pos = end;
  }

  function openBracket(image: boolean) {
    if (brackets) brackets.nested_ = true;
    brackets = { token_: toks.length, from_: pos + +image, image_: image, delims_: delims, prev_: brackets };
    toks.push(s.slice(pos, (pos += 1 + +image)));
  }

  function closeBracket() {
    const op = brackets;
    const after = ++pos;
    let found: [string, string | undefined] | undefined;
    let d;
    if (!op || op.inactive_) {
      brackets = op?.prev_;
      return void toks.push(']');
    }
    if (s[pos] == '(' && (d = dest(s, spnl(s, pos + 1)))) {
      let p = spnl(s, d[1]);
      const t = p > d[1] ? title(s, p) : undefined;
      if (t) p = spnl(s, t[1]);
      if (s[p] == ')') {
        found = [d[0], t?.[0]];
        pos = p + 1;
      }
    }
    if (!found) {
      const n = label(s, pos);
      // A label too long for a definition finds none.
      // (A shortcut label longer than a definition's can find none: not normalised.)
      const key = normalizeLabel(
        n > 2 ? s.slice(pos, pos + n) : op.nested_ || after - op.from_ > 1001 ? '' : s.slice(op.from_, after),
      );
      const def = key && (ctx.defs_.get(key) ?? ctx.openDefs_?.get(key));
      if (key) ctx.lookedUp_ = true;
      if (def) {
        found = [def[1], def[2]];
        pos += n;
      }
    }
    brackets = op.prev_;
    if (!found) {
      pos = after;
      return void toks.push(']');
    }
    const [url, t] = found;
    const titled: Record<string, string> = t ? { title: t } : {};
    let open: VElement | '';
    if (op.image_) {
      const src = imageSrc(url, ctx.imageHosts_);
      // A refused image becomes its alt text (see build).
      open = src == null ? el('') : el('img', [], { loading: 'lazy', referrerpolicy: 'no-referrer', src, ...titled });
    } else {
      const href = linkHref(url);
      // A refused link keeps only its content.
      open = href == null ? '' : el('a', [], { href, ...titled, ...LINK });
      // No links inside links. Below an inactive bracket all are inactive already:
      // stopping there keeps `[` x n then links from costing n².
      for (let b = brackets; b && !(b.inactive_ && !b.image_); b = b.prev_) if (!b.image_) b.inactive_ = true;
    }
    toks[op.token_] = open && { opening_: open };
    if (open) toks.push(0);
    processEmphasis(op.delims_);
  }

  function backticks() {
    const ticks = at(/`+/y, s, pos)![0];
    const n = ticks.length;
    const from = (pos += n);
    TICKS.lastIndex = from;
    // A length with no closing run after here has none after any later point either:
    // remembering it keeps a reply full of stray backticks from costing n².
    for (let m; !noCloser.has(n) && (m = TICKS.exec(s));) {
      if (m[0].length == n) {
        const code = s
          .slice(from, m.index)
          .replace(/\n/g, ' ')
          .replace(/^ ([^]*[^ ][^]*) $/, '$1');
        toks.push(el('code', [code]));
        pos = TICKS.lastIndex;
        return;
      }
    }
    noCloser.add(n);
    toks.push(ticks);
  }

  while (pos < s.length) {
    const c = s[pos]!;
    let m: RegExpExecArray | null;
    let v: string | undefined;
    let bare;
    if ((m = at(/( *)\n */y, s, pos))) {
      // Two spaces or more before a line end make a hard break; spaces around it vanish.
      toks.push(m[1]!.length > 1 ? el('br') : '\n');
      pos += m[0].length;
    } else if (c == '\\' && (m = at(/\\([!-/:-@[-`{-~\n])/y, s, pos))) {
      toks.push(m[1] == '\n' ? el('br') : m[1]!);
      pos += 2;
    } else if (c == '`') backticks();
    else if ('*_~'.includes(c)) delimiterRun(c);
    else if (c == '[' || (c == '!' && s[pos + 1] == '[')) openBracket(c == '!');
    else if (c == ']') closeBracket();
    else if (c == '<' && (m = at(AUTOLINK, s, pos))) {
      const u = m[1] ?? m[2]!;
      const href = linkHref(m[1] ? u : 'mailto:' + u);
      toks.push(href == null ? u : el('a', [u], { href, ...LINK }));
      pos += m[0].length;
    } else if (/[\w.+-]/.test(c) && (!pos || /[\s*_~(]/.test(s[pos - 1]!)) && (bare = bareLink(s, pos))) {
      const href = linkHref(bare[1]);
      toks.push(href == null ? bare[0] : el('a', [bare[0]], { href, ...LINK }));
      pos += bare[0].length;
    } else if (c == '(') {
      // Alone, so that a bare link right after it is found.
      toks.push(c);
      pos++;
    } else if (c == '&' && (m = at(ENTITY_HERE, s, pos)) && (v = decode(m[0])) != null) {
      toks.push(v);
      pos += m[0].length;
    } else {
      toks.push((m = at(TEXT, s, pos)!)[0]);
      pos += m[0].length;
    }
  }
  processEmphasis();
  return build(toks);
}

function build(toks: Token[]): VNode[] {
  const root = el('');
  // Open elements; past the nesting limit an entry is the text that stands for its
  // marker instead (its content goes to the element below).
  const stack: Array<VElement | string> = [root];
  // The open elements alone: what is added goes to the last.
  const elements = [root];
  let links = 0;
  const top = () => elements[elements.length - 1]!;
  const add = (v: VNode) => append(top().kids_, v);
  const open = (e: VElement, marker: string) => {
    if (elements.length > MAX_INLINE_NESTING) {
      add(marker);
      return void stack.push(marker);
    }
    if (e.tag_ == 'a') links++;
    add(e);
    stack.push(e);
    elements.push(e);
  };
  const close = () => {
    const e = stack.pop()!;
    // (A marker past the limit: the closing marker is the same text.)
    if (typeof e == 'string') return add(e);
    elements.pop();
    if (e.tag_ == 'a') links--;
    if (e.tag_ == 'img' || !e.tag_) {
      const alt = textOf(e.kids_);
      if (e.tag_) {
        e.attrs_!.alt = alt;
        e.kids_ = [];
      } else {
        top().kids_.pop();
        add(alt);
      }
    }
  };
  for (const k of toks) {
    if (k === 0) close();
    else if (typeof k == 'string') add(k);
    else if ('opening_' in k) open(k.opening_, '');
    else if ('left_' in k) {
      k.closes_.forEach(close);
      add(k.char_.repeat(k.left_));
      for (let i = k.opens_.length; i--;) {
        const t = k.opens_[i]!;
        open(el(t), t == 'del' ? k.char_.repeat(k.length_) : t == 'em' ? k.char_ : k.char_ + k.char_);
      }
    }
    // A bare URL inside a link's text stays text: no links inside links.
    else add(k.tag_ == 'a' && links ? k.kids_[0]! : k);
  }
  return root.kids_;
}
