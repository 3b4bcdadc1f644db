/**
 * A one-pass tokenizer driven by a table of sticky regular expressions. At each position
 * the rules are tried in order; the first that matches there takes its text, and when none
 * does, one character passes through as plain text. Every rule either fails within a few
 * characters or always succeeds once it has started (an unterminated string or comment runs
 * to the end of its line or of the text), so no input makes a rule scan far and then give
 * up: the time stays linear in the length of the code.
 */

/** The token kinds, each rendered as `span.tok-<kind>`. */
export type Kind =
  | 'keyword'
  | 'string'
  | 'number'
  | 'comment'
  | 'function'
  | 'type'
  | 'builtin'
  | 'operator'
  | 'punctuation'
  | 'property'
  | 'tag'
  | 'attr'
  | 'variable'
  | 'regexp'
  | 'inserted'
  | 'deleted'
  | 'meta';

/** What came before the current position: rules that depend on context read it. */
export interface LexState {
  /** Text of the previous token that is neither white space nor a comment ('' at the start). */
  p: string;
  /** Kind of that token ('' when plain). */
  k: Kind | '';
  /** A line break (or the start of the text) lies between that token and here. */
  nl: boolean;
  /** White space (or the start of the text) comes right before here. */
  sp: boolean;
}

export type Guard = (state: LexState) => boolean;

/** `WORD` marks the identifier rule: its words are classified by the grammar's word lists. */
export const WORD = 'w';

/** A rule: what the match becomes (a kind, '' for plain text, `WORD`, or a grammar that re-lexes it), its pattern, and an optional context check. */
export type Rule = readonly [kind: Kind | '' | typeof WORD | Grammar, pattern: RegExp, guard?: Guard];

export interface Grammar {
  rules: readonly Rule[];
  /** Space-separated word lists by kind (e.g. `keyword: 'if else'`). */
  words?: Partial<Record<Kind, string>>;
  /** Words are matched case-insensitively (SQL, PHP). */
  ci?: boolean;
  /** PascalCase words are types. */
  caps?: boolean;
  /** Words in this position are commands (shell). */
  cmd?: Guard;
  /** Compiled on first use: sticky copies of the patterns, and the word table. */
  c?: { rules: [Rule[0], RegExp, Guard | undefined][]; words: Map<string, Kind> };
}

export type Token = [kind: Kind | '', text: string];

const CALL = /[ \t]*\(/y;
const MEMBER = /^\.$/;
const PASCAL = /^[A-Z]\w*[a-z]/;
/** Words after these name a type (`class Foo`, `new Map()`), even when a call follows. */
const TYPE_INTRO = /^(?:class|interface|struct|enum|trait|record|extends|implements|new|type)$/;

function compile(grammar: Grammar): NonNullable<Grammar['c']> {
  if (grammar.c) return grammar.c;
  const words = new Map<string, Kind>();
  for (const [kind, list] of Object.entries(grammar.words ?? {}))
    for (const word of list.split(' ')) words.set(word, kind as Kind);
  const rules = grammar.rules.map(([kind, re, guard]): [Rule[0], RegExp, Guard | undefined] => [
    kind,
    new RegExp(re.source, `ym${re.flags.includes('i') ? 'i' : ''}`),
    guard,
  ]);
  return (grammar.c = { rules, words });
}

function classify(
  word: string,
  grammar: Grammar,
  words: Map<string, Kind>,
  text: string,
  end: number,
  state: LexState,
): Kind | '' {
  CALL.lastIndex = end;
  const call = CALL.test(text);
  // After a dot, a listed word is a member all the same (`map.get()`, `promise.then`).
  if (MEMBER.test(state.p)) return call ? 'function' : 'property';
  const listed = words.get(grammar.ci ? word.toLowerCase() : word);
  if (listed) return listed;
  if (state.k === 'keyword' && TYPE_INTRO.test(state.p)) return 'type';
  if (call || (grammar.cmd?.(state) && text[end] !== '=')) return 'function';
  return grammar.caps && PASCAL.test(word) ? 'type' : '';
}

/** Splits `text` into tokens whose texts, joined, are exactly `text`. Adjacent tokens of one kind are merged. */
export function tokenize(text: string, grammar: Grammar, out: Token[] = []): Token[] {
  const { rules, words } = compile(grammar);
  const state: LexState = { p: '', k: '', nl: true, sp: true };
  const push = (kind: Kind | '', part: string): void => {
    const last = out[out.length - 1];
    if (last && last[0] === kind) last[1] += part;
    else out.push([kind, part]);
  };
  let at = 0;
  while (at < text.length) {
    let kind: Rule[0] = '';
    let part = text[at]!;
    for (let r = 0; r < rules.length; r++) {
      const [ruleKind, re, guard] = rules[r]!;
      if (guard && !guard(state)) continue;
      re.lastIndex = at;
      if (re.test(text) && re.lastIndex > at) {
        kind = ruleKind;
        part = text.slice(at, re.lastIndex);
        break;
      }
    }
    at += part.length;
    let done: Kind | '' = 'tag';
    if (typeof kind === 'object') tokenize(part, kind, out);
    else push((done = kind === WORD ? classify(part, grammar, words, text, at, state) : kind), part);
    if (!part.trim()) {
      state.sp = true;
      state.nl ||= part.includes('\n');
    } else if (done !== 'comment') Object.assign(state, { p: part, k: done, nl: false, sp: false });
    else state.sp = false;
  }
  return out;
}
