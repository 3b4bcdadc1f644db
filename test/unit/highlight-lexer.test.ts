// The lexer in Node (no DOM): tokens always spell the input back exactly, and the time grows
// linearly with the input, also on inputs built to make a regex scan far and back off
// (unterminated strings and comments, repeated). Timing is compared across sizes in the same
// run (the best of several runs per size), never against a wall-clock limit.
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/render/highlight/lexer.js';
import { grammarFor } from '../../src/render/highlight/languages.js';

const LANGUAGES = [
  'js',
  'ts',
  'json',
  'html',
  'css',
  'python',
  'sh',
  'sql',
  'java',
  'go',
  'rust',
  'yaml',
  'diff',
  'c',
  'cpp',
  'csharp',
  'php',
  'ruby',
  'kotlin',
  'swift',
];

/** A realistic line mix that exercises most rules of most grammars. */
const MIXED = `// comment /* not closed
const re = /a[/]b\\//g; let s = "str\\"ing", t = 'x', u = \`tpl \${x}\`;
def f(self, x=1): return f"{x}" # note
<div class="a" id='b'>text &amp; <!-- c --></div>
@media (max-width: 600px) { a:hover { color: #fff; } }
SELECT * FROM t WHERE a = 'O''Brien'; -- c
- key: value # c
+added
-removed
@@ -1 +1 @@
fn main() { println!("{}", r#"raw"#); let c = 'a'; }
$ echo "$HOME" | grep x && ls -la ~/dir
`;

/** Inputs that defeat naive patterns: each piece opens something that never closes. */
const ADVERSARIAL = [
  '"',
  "'",
  '`',
  '/*',
  '<!--',
  '<a "',
  "<a '",
  '"""',
  "'''",
  'r#"',
  '=/[',
  '=/',
  'a:',
  'a, ',
  '{a: ',
  '- a ',
  '#',
  '$ ',
  '@',
  '\\',
  '<',
  '<?',
  '<!',
  '#[',
  'x!',
  '0x',
  '1e',
  '/',
  '*/',
  '-->',
  '"\\',
];

function check(text: string, language: string): void {
  const tokens = tokenize(text, grammarFor(language)!);
  expect(tokens.map(([, part]) => part).join('')).toBe(text);
  for (const [kind, part] of tokens) expect(part.length > 0 && (kind === '' || /^[a-z]+$/.test(kind))).toBe(true);
}

/** CPU time (ms) of the fastest of `runs` runs: CPU time, not wall time, so that other processes on a busy machine do not count. */
function cpuTime(run: () => void, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('highlight lexer', () => {
  it('knows every language the issue lists, by each of its names', () => {
    for (const name of [
      'js',
      'javascript',
      'jsx',
      'mjs',
      'ts',
      'typescript',
      'tsx',
      'json',
      'jsonc',
      'html',
      'xml',
      'svg',
      'css',
      'scss',
      'python',
      'py',
      'sh',
      'bash',
      'shell',
      'zsh',
      'console',
      'sql',
      'java',
      'go',
      'golang',
      'rust',
      'rs',
      'yaml',
      'yml',
      'diff',
      'patch',
      'c',
      'cpp',
      'csharp',
      'php',
      'ruby',
      'kotlin',
      'swift',
      'JS',
      ' Python ',
    ])
      expect(grammarFor(name), name).toBeDefined();
    for (const name of ['', 'text', 'plaintext', 'brainfuck', 'constructor', '__proto__', 'toString'])
      expect(grammarFor(name), name).toBeUndefined();
  });

  it('spells back every input exactly, in every language', () => {
    for (const language of LANGUAGES) {
      check(MIXED, language);
      check('', language);
      for (const piece of ADVERSARIAL) check(piece.repeat(50) + '\n' + piece.repeat(3), language);
      check('\u{1F600} ü 中文 \r\n\t\u2028 "\u{1F600}"', language);
    }
  }, 60_000);

  it('highlights 200 KB of code in every language', () => {
    const big = MIXED.repeat(Math.ceil(200_000 / MIXED.length));
    for (const language of LANGUAGES) {
      const tokens = tokenize(big, grammarFor(language)!);
      expect(tokens.map(([, part]) => part).join('') === big, language).toBe(true);
      expect(
        tokens.some(([kind]) => kind),
        language,
      ).toBe(true);
    }
  }, 60_000);

  it('takes time linear in the input, also on adversarial inputs (8x the input: well under 64x the time)', () => {
    const slow: string[] = [];
    for (const language of LANGUAGES) {
      const grammar = grammarFor(language)!;
      for (const piece of [...ADVERSARIAL, MIXED]) {
        const input = (size: number): string => piece.repeat(Math.ceil(size / piece.length));
        const small = input(2_000);
        const large = input(16_000);
        tokenize(small, grammar); // warm the JIT
        // One run each; a pair that looks slow is measured again, fastest of five, before it counts.
        const ratio = (runs: number): number =>
          cpuTime(() => tokenize(large, grammar), runs) /
          Math.max(
            cpuTime(() => tokenize(small, grammar), runs),
            0.1,
          );
        let found = ratio(1);
        if (found > 24) found = ratio(5);
        // Linear is about 8; quadratic would be about 64.
        if (found > 24) slow.push(`${language} ${JSON.stringify(piece.slice(0, 12))}: ${found.toFixed(1)}x`);
      }
    }
    expect(slow).toEqual([]);
  }, 120_000);
});
