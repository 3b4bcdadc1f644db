/**
 * The grammars, one compact rule table per language, and the names a fence may give them.
 * Patterns are written so that each either fails within a few characters or always matches
 * once started (see lexer.ts): unterminated strings and comments run to the end of their line
 * or of the text, never back off. Highlighting is a reading aid, not a parser: a few rare
 * constructs (JSX, nested template literals) come out plainer than an editor would show them.
 */
import { WORD, type Grammar, type Guard, type Kind, type LexState, type Rule } from './lexer.js';

const K: Kind = 'keyword';
const S: Kind = 'string';
const C: Kind = 'comment';
const M: Kind = 'meta';
const V: Kind = 'variable';

const WS: Rule = ['', /\s+/];
const LINE_COMMENT: Rule = [C, /\/\/.*/];
const BLOCK_COMMENT: Rule = [C, /\/\*(?:[^*]|\*(?!\/))*(?:\*\/)?/];
const HASH_COMMENT: Rule = [C, /#.*/, (s) => s.sp];
const DQ: Rule = [S, /"(?:[^"\\\n]|\\[\s\S])*"?/];
const SQ: Rule = [S, /'(?:[^'\\\n]|\\[\s\S])*'?/];
const TRIPLE_DQ: Rule = [S, /"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:""")?/];
const NUMBER: Rule = ['number', /(?:0[xXbBoO][\da-fA-F_]+|(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)\w*/];
const IDENT: Rule = [WORD, /[A-Za-z_$][\w$]*/];
const OPERATOR: Rule = ['operator', /[-+*/%=<>!&|^~?:]+/];
const PUNCTUATION: Rule = ['punctuation', /[{}()[\];,.]/];
const ANNOTATION: Rule = [M, /@[\w.]+/];
const PREPROCESSOR: Rule = [M, /#[ \t]*\w+(?:[ \t]*<[^>\n]*>)?/, (s) => s.nl];
const TAIL = [NUMBER, IDENT, OPERATOR, PUNCTUATION];

/** Keywords most C-family languages share. */
const C_KEYWORDS =
  'break case catch class const continue default do else enum for if return static switch this throw try while';
const LITERALS = 'true false null';

/** A C-family grammar: comments, strings, numbers, words, operators, with `extra` rules tried before strings. */
function cLike(keyword: string, builtin: string, type: string, extra: Rule[] = [], strings = [DQ, SQ]): Grammar {
  return {
    rules: [WS, LINE_COMMENT, BLOCK_COMMENT, ...extra, ...strings, ...TAIL],
    words: { keyword: `${C_KEYWORDS} ${keyword}`, builtin, type },
    caps: true,
  };
}

/** JavaScript: a `/` starts a regular expression where a value may begin (after an operator or a keyword, not after a value). */
const afterOperator: Guard = (s) => s.k === K || !/[\w$)\]}'"`]/.test(s.p.slice(-1));
const JS_KEYWORDS =
  'debugger delete export extends finally function import in instanceof let new of super typeof var void with yield async await from as get set';
const JS_BUILTINS =
  'true false null undefined NaN Infinity console window document globalThis require module exports process';
const jsRules = (words: Grammar['words']): Grammar => ({
  rules: [
    WS,
    LINE_COMMENT,
    BLOCK_COMMENT,
    [S, /`(?:[^`\\]|\\[\s\S])*`?/],
    DQ,
    SQ,
    ['regexp', /\/(?![*/])(?:[^/\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\]?)+\/?[a-z]*/, afterOperator],
    ANNOTATION,
    ...TAIL,
  ],
  words,
  caps: true,
});
const javascript = jsRules({ keyword: `${C_KEYWORDS} ${JS_KEYWORDS}`, builtin: JS_BUILTINS });
const typescript = jsRules({
  keyword: `${C_KEYWORDS} ${JS_KEYWORDS} interface type enum implements declare namespace abstract private protected public readonly keyof infer is satisfies override asserts`,
  builtin: JS_BUILTINS,
  type: 'string number boolean any unknown never object bigint symbol',
});

const json: Grammar = {
  rules: [
    WS,
    LINE_COMMENT,
    BLOCK_COMMENT,
    ['property', /"(?:[^"\\\n]|\\.)*"(?=\s*:)/],
    DQ,
    NUMBER,
    ['number', /-/],
    IDENT,
    ['punctuation', /[{}[\],:]/],
  ],
  words: { keyword: LITERALS },
};

const css: Grammar = {
  rules: [
    WS,
    BLOCK_COMMENT,
    LINE_COMMENT,
    DQ,
    SQ,
    [K, /@[\w-]+|!important/],
    [V, /--[\w-]+|\$[\w-]+/],
    ['number', /#[\da-fA-F]{3,8}(?![\w-])|-?(?:\d+(?:\.\d+)?|\.\d+)(?:%|[a-zA-Z]+)?/],
    ['type', /[.#][A-Za-z_-][\w-]*/],
    // A declaration ends in `;` or `}` where a selector meets `{`: looked for within a bounded
    // distance, so that a run of colons cannot make each candidate scan far.
    ['property', /-?[A-Za-z_][\w-]*(?=\s*:[^;{}]{0,300}?(?:[;}]|(?![\s\S])))/, (s) => /^[{;]?$/.test(s.p)],
    [K, /::?[\w-]+/, (s) => s.k !== 'property'],
    [WORD, /-?[A-Za-z_][\w-]*/],
    ['operator', /[>+~*=|^$]+/],
    ['punctuation', /[{}()[\];,:]/],
  ],
};

/** Inside one markup tag: its name, attributes and their values. */
const markupTag: Grammar = {
  rules: [WS, ['tag', /<\/?[^\s/>]+|\/?>/], [S, /"[^"]*"?|'[^']*'?/], ['attr', /[^\s=/>"']+/], ['punctuation', /=/]],
};
const markup: Grammar = {
  rules: [
    WS,
    // The body of a script or style element, in its own language.
    [javascript, /(?:[^<]|<(?!\/script))+/i, (s) => /^<script\b/i.test(s.p)],
    [css, /(?:[^<]|<(?!\/style))+/i, (s) => /^<style\b/i.test(s.p)],
    [C, /<!--(?:[^-]|-(?!->))*(?:-->)?/],
    [M, /<![^>]*>?|<\?(?:[^?]|\?(?!>))*(?:\?>)?/],
    [markupTag, /<\/?[A-Za-z][^\s/>]*(?:"[^"]*"?|'[^']*'?|[^'">])*>?/],
    ['builtin', /&#?\w+;/],
    ['', /[^<&\s]+/],
  ],
};

const python: Grammar = {
  rules: [
    WS,
    HASH_COMMENT,
    ANNOTATION,
    [
      S,
      /[rRbBuUfF]{0,2}(?:"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:""")?|'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:''')?|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?)/,
    ],
    ...TAIL,
  ],
  words: {
    keyword:
      'and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case self cls',
    builtin:
      'True False None print len range open super isinstance enumerate zip map filter sorted min max sum abs any all',
    type: 'int str float bool list dict set tuple bytes object type Exception',
  },
  caps: true,
};

/** A shell word is a command when it starts a line or follows a pipe, `;`, `&&`, `(`, a keyword or the prompt. */
const commandPosition = (s: LexState): boolean => s.nl || s.k === K || s.k === M || /[|&;(]/.test(s.p.slice(-1));
const shell: Grammar = {
  rules: [
    WS,
    [M, /^\$(?=\s)/],
    HASH_COMMENT,
    [V, /\$(?:\{[^}\n]*\}?|[\w@#?$!*-]\w*)/],
    DQ,
    [S, /'[^']*'?/],
    NUMBER,
    [WORD, /[\w./~-]+/],
    ['operator', /[|&;<>=!*?^%+:]+/],
    ['punctuation', /[{}()[\],]/],
  ],
  words: {
    keyword:
      'if then else elif fi for while until do done case esac in function return exit local export readonly declare unset shift break continue select time',
    builtin: 'echo cd printf read source eval exec test pwd set true false alias type kill wait trap sudo',
  },
  cmd: commandPosition,
};

const sql: Grammar = {
  rules: [
    WS,
    [C, /--.*/],
    BLOCK_COMMENT,
    [S, /'(?:[^']|'')*'?/],
    ['property', /"[^"]*"?|`[^`]*`?/],
    [V, /@@?\w+|\$\d+/],
    ...TAIL,
  ],
  words: {
    keyword:
      'select from where insert into values update set delete create table drop alter add column primary key foreign references index on join left right inner outer full cross natural group by order having limit offset as and or not is in exists between like ilike distinct union all any case when then else end default unique constraint check if begin commit rollback transaction returning with recursive view trigger function procedure declare asc desc grant revoke database schema replace cascade using over partition window fetch first next rows only',
    builtin: `${LITERALS} unknown`,
    type: 'int integer bigint smallint tinyint varchar char text boolean bool date time timestamp timestamptz interval numeric decimal real float double serial bigserial uuid json jsonb blob bytea',
  },
  ci: true,
};

const java = cLike(
  'abstract assert extends final finally goto implements import instanceof interface native new package private protected public strictfp super synchronized throws transient volatile var record sealed permits yield',
  LITERALS,
  'boolean byte char double float int long short void',
  [TRIPLE_DQ, ANNOTATION],
);

const go = cLike(
  'chan defer fallthrough func go goto import interface map package range select struct type var',
  'true false nil iota append cap close copy delete len make new panic print println recover',
  'bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any',
  [],
  [DQ, SQ, [S, /`[^`]*`?/]],
);

const rust = cLike(
  'as async await crate dyn extern fn impl in let loop match mod move mut pub ref self Self struct super trait type unsafe use where',
  'true false Some None Ok Err',
  'i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str String Vec Option Result Box',
  [
    [M, /#!?\[[^\]\n]*\]?/],
    [S, /b?r(#*)"[\s\S]*?(?:"\1|(?![\s\S]))/],
    [S, /b?'(?:\\[^'\n]{1,9}|[^'\\\n])'/],
    [V, /'[A-Za-z_]\w*/],
    ['function', /[A-Za-z_]\w*!(?!=)/],
  ],
  [[S, /b?"(?:[^"\\]|\\[\s\S])*"?/]],
);

const C_TYPES =
  'bool char double float int long short signed unsigned void size_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t auto';
const cpp = cLike(
  'auto constexpr delete explicit extern friend goto inline namespace new noexcept operator private protected public register sizeof struct template typedef typename union using virtual volatile',
  'true false NULL nullptr std',
  `${C_TYPES} string vector`,
  [PREPROCESSOR],
);

const csharp = cLike(
  'abstract as base checked decimal delegate event explicit extern finally fixed foreach goto implicit in interface internal is lock namespace new object operator out override params private protected public readonly ref sealed sizeof stackalloc struct typeof unchecked unsafe using virtual volatile var async await get set init record yield partial where dynamic nameof',
  LITERALS,
  'bool byte char double float int long short void string sbyte uint ulong ushort',
  [PREPROCESSOR, [S, /\$?@\$?"(?:[^"]|"")*"?/], [S, /\$"(?:[^"\\\n]|\\.)*"?/]],
);

const php: Grammar = {
  rules: [WS, [M, /<\?(?:php|=)?|\?>/], LINE_COMMENT, [C, /#.*/], BLOCK_COMMENT, [V, /\$\w+/], DQ, SQ, ...TAIL],
  words: {
    keyword: `${C_KEYWORDS} abstract and array as callable clone declare echo elseif empty extends final finally fn foreach function global goto implements include include_once instanceof insteadof interface isset list match namespace new or print private protected public readonly require require_once trait unset use var xor yield`,
    builtin: LITERALS,
  },
  ci: true,
  caps: true,
};

const ruby: Grammar = {
  rules: [
    WS,
    [C, /#.*/],
    [V, /@@?\w+|\$\w+/],
    [S, /:[A-Za-z_]\w*[?!]?/, (s) => s.sp || /[([{,|]/.test(s.p.slice(-1))],
    DQ,
    SQ,
    NUMBER,
    [WORD, /[A-Za-z_]\w*(?:[?!](?!=))?/],
    OPERATOR,
    PUNCTUATION,
  ],
  words: {
    keyword:
      'BEGIN END alias and begin break case class def defined? do else elsif end ensure for if in module next not or redo rescue retry return self super then undef unless until when while yield require attr_accessor attr_reader',
    builtin: 'true false nil puts p raise',
  },
  caps: true,
};

const kotlin = cLike(
  'as fun in interface is object package super typealias typeof val var when by constructor finally get import init set where abstract annotation companion data enum external final infix inline inner internal lateinit noinline open operator out override private protected public reified sealed suspend tailrec vararg',
  LITERALS,
  'Int Long Short Byte Double Float Boolean Char String Unit Any Nothing',
  [[S, /"""[\s\S]*?(?:"""|(?![\s\S]))/], ANNOTATION],
);

const swift = cLike(
  'associatedtype deinit extension fileprivate func import init inout internal let open operator private protocol public rethrows struct subscript typealias var defer fallthrough guard in repeat where as is nil super self Self throws async await some any',
  'true false nil print',
  'Int Double Float Bool String Character Void',
  [TRIPLE_DQ, [M, /[@#]\w+/]],
);

/** A YAML key sits at the start of a line, after a list's `-` or inside a flow mapping. */
const keyPosition: Guard = (s) => s.nl || /^[-?{,]$/.test(s.p);
const yaml: Grammar = {
  rules: [
    WS,
    HASH_COMMENT,
    [M, /^(?:---|\.\.\.)(?=\s|$)|^%.*/],
    [
      'property',
      /(?:"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s#:,{}[\]"'?-][^\n:#,{}[\]]{0,99}?)(?=[ \t]*:(?:\s|$))/,
      keyPosition,
    ],
    [V, /[&*][\w-]+/],
    ['type', /!!?[\w/.-]*/],
    DQ,
    [S, /'(?:[^']|'')*'?/],
    ['operator', /[|>][-+\d]*(?=[ \t]*$)/],
    NUMBER,
    IDENT,
    ['punctuation', /[-?:,[\]{}]/],
  ],
  words: { builtin: `${LITERALS} yes no on off True False Null` },
};

const diff: Grammar = {
  rules: [
    [M, /^(?:(?:---|\+\+\+) .*|@@.*|diff .*|index .*|\\ .*)/],
    ['inserted', /^[+>].*/],
    ['deleted', /^[-<].*/],
    ['', /.+/],
  ],
};

const cLanguage = {
  ...cpp,
  words: {
    keyword: `${C_KEYWORDS} auto extern goto inline register sizeof struct typedef union volatile`,
    builtin: 'true false NULL',
    type: C_TYPES,
  },
} satisfies Grammar;

/** Fence names, as written after the backticks, to grammars. */
const BY_NAME: Record<string, Grammar> = {};
for (const [names, grammar] of [
  ['js javascript jsx mjs cjs node', javascript],
  ['ts typescript tsx mts cts', typescript],
  ['json jsonc json5', json],
  ['html htm xml svg xhtml vue markup', markup],
  ['css scss less', css],
  ['python py python3 py3', python],
  ['sh bash shell zsh console shellsession terminal', shell],
  ['sql mysql postgres postgresql psql sqlite plsql', sql],
  ['java', java],
  ['go golang', go],
  ['rust rs', rust],
  ['yaml yml', yaml],
  ['diff patch', diff],
  ['c h', cLanguage],
  ['cpp c++ cc cxx hpp', cpp],
  ['cs csharp c#', csharp],
  ['php', php],
  ['ruby rb', ruby],
  ['kotlin kt kts', kotlin],
  ['swift', swift],
] as const)
  for (const name of names.split(' ')) BY_NAME[name] = grammar;

/** The grammar for a fence's language name, or undefined for a language without one. */
export function grammarFor(language: string): Grammar | undefined {
  const name = language.trim().toLowerCase();
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined;
}
