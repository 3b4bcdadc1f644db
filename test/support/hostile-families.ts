// Replies an attacker (or a prompt-injected agent) could make the agent write, each a
// family that scales with a size in characters: the renderer's cost must grow linearly.

/** A reply of about `size` characters. */
export type Family = (size: number) => string;

const fill = (unit: string, size: number) => unit.repeat(Math.max(1, Math.ceil(size / unit.length)));

export const FAMILIES: Record<string, Family> = {
  'prose in one paragraph': (n) => fill('The quick brown fox jumps over the lazy dog, twice. ', n),
  'prose, a line ending every sentence': (n) => fill('The quick brown fox jumps over the lazy dog.\n', n),
  '&amp; repeated': (n) => fill('&amp;', n),
  'numeric references': (n) => fill('&#x41;&#66; ', n),
  '[a]( repeated': (n) => fill('[a](', n),
  '[a](b repeated': (n) => fill('[a](b', n),
  '[ then ]': (n) => '['.repeat(n / 2) + ']'.repeat(n / 2),
  '![ nested images': (n) => '!['.repeat(n / 8) + 'a' + '](b)'.repeat(n / 8),
  '*** around a': (n) => '*'.repeat(n / 2) + 'a' + '*'.repeat(n / 2),
  '_ and * runs': (n) => fill('*a **b _c __d ', n),
  'backtick runs': (n) => {
    let s = '';
    for (let i = 1; s.length < n; i++) s += '`'.repeat(i % 97) + 'x';
    return s;
  },
  'nested indented lists': (n) => {
    let s = '';
    for (let i = 0; s.length < n; i++) s += ' '.repeat(2 * (i % 400)) + '- item\n';
    return s;
  },
  '- - - nesting': (n) => '- '.repeat(n / 2) + 'x',
  '> nesting': (n) => '>'.repeat(n) + ' x',
  '> - nesting': (n) => '> - '.repeat(n / 4) + 'x',
  'one long line': (n) => fill('abcdefghij', n),
  'word x N': (n) => fill('word ', n),
  'spaces then x': (n) => ' '.repeat(n) + 'x',
  'reference definitions': (n) => {
    let s = '';
    for (let i = 0; s.length < n; i++) s += `[label${i}]: https://example.com/${i}\n`;
    return s + '[label1] [label2]';
  },
  'reference uses before definitions': (n) => {
    let s = '';
    for (let i = 0; s.length < n / 2; i++) s += `[r${i}] `;
    s += '\n\n';
    for (let i = 0; s.length < n; i++) s += `[r${i}]: /u${i}\n`;
    return s;
  },
  'table, many columns': (n) => {
    const k = Math.ceil(n / 6);
    return '|a'.repeat(k) + '|\n' + '|-'.repeat(k) + '|\n' + '|b'.repeat(k) + '|\n';
  },
  'table, many rows': (n) => '| a | b | c |\n|---|:-:|--:|\n' + fill('| 1 | *2* | `3` |\n', n),
  'delimiter rows under a paragraph': (n) => 'a|b|c\n' + fill('|-|\n|-|-|\n', n),
  'fenced code block': (n) => '```js\n' + fill('const answer = compute(42); // the answer\n', n) + '```\n',
  'bare URLs': (n) => fill('see https://example.com/a_(b)?q=1. and www.example.org, ', n),
  'unclosed <': (n) => fill('<a:b ', n),
};

/** A seeded generator, so that a chunking can be replayed. */
export function random(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** The text cut in chunks of 1 to `longest` characters, as a slow stream delivers it. */
export function chunk(text: string, seed = 7, longest = 7): string[] {
  const next = random(seed);
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const size = 1 + Math.floor(next() * longest);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}
