// Streaming behaviour: append-only DOM, minimal updates, and the same final DOM as a
// whole render whatever the chunking.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MarkdownStream, renderMarkdown } from '../../src/render/index.js';
import { sampleReply } from '../bench/render.bench.js';
import { mount, removeMounted } from '../support/mount.js';

afterEach(removeMounted);

function whole(md: string): string {
  const div = document.createElement('div');
  renderMarkdown(md, div);
  return div.innerHTML;
}

/** A seeded generator, so that a failing chunking can be replayed. */
function random(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const REPLY = `# Title

Some *emphasis*, **strong**, ~~gone~~, \`code\`, a [link](https://example.com "t") and a [ref][r].
A soft break, then a hard one  
and an entity &copy; &#x1F600;.

- one
- two

  still two
- three
  1. nested
  2. list

> quoted **text**
continued lazily
> > nested quote

\`\`\`python
def f(x):
    return x * 2
\`\`\`

| a | b | c |
| :- | :-: | -: |
| 1 | 2 | 3 |
| *x* | \`|\` | y \\| z |

Setext
------

    indented code

***

[r]: https://example.com/ref
Last paragraph with <https://auto.example> and <me@example.com>.
`;

describe('MarkdownStream', () => {
  it('ends with the DOM a whole render gives, for any chunking', () => {
    const texts = [REPLY, sampleReply(6_000), '- a\r\n- b\r\n\r\n  c\r\n', 'no newline at the end *x*'];
    for (const [i, md] of texts.entries()) {
      const want = whole(md);
      for (let seed = 1; seed <= 12; seed++) {
        const next = random(seed * 7919 + i);
        const div = mount();
        const s = new MarkdownStream(div);
        for (let p = 0; p < md.length;) {
          const n = 1 + Math.floor(next() * (seed % 3 === 0 ? 40 : 6));
          s.push(md.slice(p, p + n));
          p += n;
        }
        s.end();
        expect(div.innerHTML, `text ${i}, seed ${seed}`).toBe(want);
        expect(s.text).toBe(md.replace(/\r\n?/g, '\n'));
      }
    }
  });

  it('leaves a long block finished but still last as it is when the next block starts in small pushes', () => {
    // Past 4 KB a block is rendered only every so often; once finished it comes from a cache.
    const long = 'a'.repeat(4_100);
    for (const chunks of [
      [`${long}\n\n`, 'Next'],
      [`${long}\n\n`, '\n'],
      [`${long}\n---\n\n`, 'Next'],
      [`${long}\n\n`, '[x]: /u'],
    ]) {
      const div = mount();
      const s = new MarkdownStream(div);
      for (const chunk of chunks) s.push(chunk);
      s.end();
      expect(div.innerHTML, JSON.stringify(chunks.map((chunk) => chunk.slice(-8)))).toBe(whole(chunks.join('')));
    }
  });

  it('ends with the DOM a whole render gives, for random markdown-like texts', () => {
    const parts = [
      '*',
      '**',
      '_',
      '~~',
      '`',
      '``',
      '[',
      ']',
      '(',
      ')',
      '![',
      '<',
      '>',
      '> ',
      '#',
      '# ',
      '- ',
      '* ',
      '1. ',
      '2) ',
      '\n',
      '\n',
      '\n\n',
      ' ',
      '  ',
      '    ',
      '\t',
      'a',
      'foo',
      '|',
      ' | ',
      '---',
      '===',
      '```',
      '~~~',
      '&amp;',
      '&#35;',
      '\\',
      'https://x.example',
      '<https://a.example>',
      '<a@b.example>',
      '"',
      '[x]: /u',
      '[x]',
      '](/u "t")',
      '\r\n',
      '| - |',
    ];
    const next = random(4242);
    const differ: string[] = [];
    for (let i = 0; i < 300; i++) {
      let md = '';
      for (let n = 1 + Math.floor(next() * 30); n > 0; n--) md += parts[Math.floor(next() * parts.length)];
      const want = whole(md);
      for (const size of [1, 2, 5]) {
        const div = document.createElement('div');
        const s = new MarkdownStream(div);
        for (let p = 0; p < md.length; p += size) s.push(md.slice(p, p + size));
        s.end();
        if (div.innerHTML !== want) differ.push(`${JSON.stringify(md)} by ${size}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('never touches a finished block again', () => {
    const md = REPLY + '\n' + sampleReply(4_000);
    const div = mount();
    const s = new MarkdownStream(div);
    const observer = new MutationObserver(() => {});
    observer.observe(div, { childList: true, subtree: true, characterData: true, attributes: true });
    const frozen = new Set<Node>();
    for (let p = 0; p < md.length; p += 4) {
      s.push(md.slice(p, p + 4));
      for (const r of observer.takeRecords()) {
        let n: Node | null = r.target;
        while (n && n.parentNode !== div) n = n.parentNode;
        if (n) expect(frozen.has(n), `mutated a finished block at ${p}`).toBe(false);
        for (const removed of r.removedNodes) expect(frozen.has(removed)).toBe(false);
      }
      // Everything but the last two top-level nodes is finished for sure: the last
      // line may have started a new block after the one still open.
      const kids = [...div.childNodes];
      kids.slice(0, -2).forEach((k) => frozen.add(k));
    }
    observer.disconnect();
    expect(frozen.size).toBeGreaterThan(20);
  });

  it("appends to an open code block's text node, so a selection in it survives", () => {
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('```js\nconst a = 1;\n');
    const text = div.querySelector('code')!.firstChild as Text;
    const range = document.createRange();
    range.setStart(text, 6);
    range.setEnd(text, 7);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);
    for (const piece of ['const b', ' = 2;\n', 'const c = 3;', '\n```\n', '\nAfter.']) s.push(piece);
    s.end();
    expect(div.querySelector('code')!.firstChild).toBe(text);
    expect(text.data).toBe('const a = 1;\nconst b = 2;\nconst c = 3;\n');
    expect(getSelection()!.toString()).toBe('a');
    expect(div.querySelector('code')!.className).toBe('language-js');
  });

  it('keeps a table and its rows while rows stream in', () => {
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('| a | b |\n| - | - |\n| 1 | 2 |\n');
    const table = div.querySelector('table')!;
    const first = table.querySelector('tbody tr')!;
    s.push('| 3 | 4 |\n| 5');
    expect(div.querySelector('table')).toBe(table);
    expect(table.querySelector('tbody tr')).toBe(first);
    expect(table.querySelectorAll('tbody tr').length).toBe(3);
    s.end();
    expect(div.innerHTML).toBe(whole('| a | b |\n| - | - |\n| 1 | 2 |\n| 3 | 4 |\n| 5'));
  });

  it('shows unfinished emphasis literally, as CommonMark would for that text', () => {
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('Some **bo');
    expect(div.innerHTML).toBe('<p>Some **bo</p>');
    s.push('ld** text');
    expect(div.innerHTML).toBe('<p>Some <strong>bold</strong> text</p>');
  });

  it('turns a paragraph into a setext heading only when the underline arrives', () => {
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('Title\n-');
    expect(div.innerHTML).toBe('<h2>Title</h2>');
    s.push(' not an underline\n');
    expect(div.innerHTML).toBe('<p>Title</p><ul><li>not an underline</li></ul>');
  });

  it('resolves a reference defined after its use, at the end', () => {
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('See [the docs].\n\nMore text.\n\n[the docs]: https://example.com/docs\n');
    expect(div.querySelector('p')!.textContent).toBe('See [the docs].');
    s.end();
    expect(div.querySelector('a')!.getAttribute('href')).toBe('https://example.com/docs');
    expect(div.innerHTML).toBe(whole('See [the docs].\n\nMore text.\n\n[the docs]: https://example.com/docs\n'));
  });

  it('joins a CRLF split across chunks', () => {
    const div = mount();
    const s = new MarkdownStream(div);
    for (const piece of ['a\r', '\nb\r', '\r\n', 'c']) s.push(piece);
    s.end();
    expect(div.innerHTML).toBe('<p>a\nb</p><p>c</p>');
  });

  it('ignores pushes after end()', () => {
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('done');
    s.end();
    s.push(' more');
    s.end();
    expect(div.innerHTML).toBe('<p>done</p>');
  });

  it('copies a code block with its button and says so for a moment', async () => {
    const writeText = vi.fn((_: string) => Promise.resolve());
    const clipboard = vi.spyOn(navigator, 'clipboard', 'get').mockReturnValue({ writeText } as unknown as Clipboard);
    const div = mount();
    const s = new MarkdownStream(div, { copyLabel: 'Copy code', copiedLabel: 'Copied!' });
    s.push('```sh\nnpm i\n');
    const button = div.querySelector('div.code > div.code-header > button.copy') as HTMLButtonElement;
    expect(button.type).toBe('button');
    expect(button.textContent).toBe('Copy code');
    s.push('npm test\n```\n');
    s.end();
    expect(div.querySelector('button')).toBe(button);
    button.click();
    await vi.waitFor(() => expect(button.textContent).toBe('Copied!'));
    expect(writeText).toHaveBeenCalledWith('npm i\nnpm test\n');
    await vi.waitFor(() => expect(button.textContent).toBe('Copy code'), { timeout: 3000 });
    clipboard.mockRestore();
  });

  it('lets the keyboard reach code blocks and tables, which scroll sideways', () => {
    const div = mount();
    renderMarkdown('```js\nx\n```\n\n| a |\n| - |\n| 1 |', div);
    expect(div.querySelector('pre')!.getAttribute('tabindex')).toBe('0');
    expect(div.querySelector('div.table:has(> table)')!.getAttribute('tabindex')).toBe('0');
  });

  it('renders GFM tables and strikethrough', () => {
    const div = mount();
    renderMarkdown('| L | C | R |\n|:--|:-:|--:|\n| ~~a~~ | b |', div);
    expect(div.innerHTML).toBe(
      '<div class="table" tabindex="0"><table><thead><tr><th align="left">L</th><th align="center">C</th>' +
        '<th align="right">R</th></tr></thead><tbody><tr><td align="left"><del>a</del></td>' +
        '<td align="center">b</td><td align="right"></td></tr></tbody></table></div>',
    );
  });
});
