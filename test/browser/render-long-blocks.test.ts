// A long open block grows without being rendered again: a push costs what it adds, not the
// block's length (issue 12, long tasks). Whether a push re-rendered the block is told by the
// VElement its element was last rendered from (dom.ts's `from`): a render makes a new one.
import { afterEach, describe, expect, it } from 'vitest';
import { MarkdownStream, renderMarkdown } from '../../src/render/index.js';
import { from } from '../../src/render/dom.js';
import { random } from '../support/hostile-families.js';
import { mount, removeMounted } from '../support/mount.js';

afterEach(removeMounted);

function whole(md: string): string {
  const div = document.createElement('div');
  renderMarkdown(md, div);
  return div.innerHTML;
}

describe('a long open block', () => {
  it('fenced code shows, after every push, what a whole render of the text so far shows', () => {
    // Lines that look like fences but do not close this one, blank and space-only lines, tabs.
    const lines = ['let a = 1;', '', '   ', '``', '```js', '~~~', '  ``` x', '\tindented', '    four', '`````'];
    for (const fence of ['```', '````', '~~~']) {
      const next = random(fence.length * 31);
      let md = `Before.\n\n${fence}ts\n`;
      while (md.length < 3_000) md += lines[Math.floor(next() * lines.length)]!.replace('`````', fence + '`x') + '\n';
      md += `${fence}\n\nAfter.\n`;
      const div = mount();
      const s = new MarkdownStream(div);
      for (let p = 0; p < md.length;) {
        const n = 1 + Math.floor(next() * 9);
        s.push(md.slice(p, (p += n)));
        // (A blank last line, while more may come, shows nothing yet.)
        const shown = md.slice(0, p).replace(/\n[ \t]+$/, '\n');
        expect(div.innerHTML, `${fence} at ${p}`).toBe(whole(shown));
      }
      s.end();
      expect(div.innerHTML).toBe(whole(md));
    }
  });

  it('fenced code of 400 KB is appended to, never rendered again, and ends as a whole render', () => {
    const line = 'const value = compute(input, 42); // a line of code\n';
    const md = '```js\n' + line.repeat(8_000) + '```\n\nAfter.\n';
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('```js\n' + line);
    const block = div.firstChild!;
    const rendered = from.get(block);
    const text = div.querySelector('code')!.firstChild;
    const end = md.indexOf('```\n\n');
    for (let p = 6 + line.length; p < end; p += 4) s.push(md.slice(p, Math.min(p + 4, end)));
    expect(from.get(block), 'rendered again while growing').toBe(rendered);
    expect(div.querySelector('code')!.firstChild).toBe(text);
    expect(text!.textContent!.length).toBe(end - 6);
    s.push(md.slice(end));
    s.end();
    expect(div.innerHTML).toBe(whole(md));
  });

  it('fenced code of one 64 KB line (minified code, a blob) is rewritten in steps, not on every push', () => {
    const md = '```js\n' + 'const a=1;'.repeat(6_400) + '\n```\n';
    const div = mount();
    const s = new MarkdownStream(div);
    s.push('```js\n');
    const observer = new MutationObserver(() => undefined);
    observer.observe(div, { subtree: true, characterData: true, childList: true });
    let pushes = 0;
    for (let p = 6; p < md.length - 5; p += 8, pushes++) s.push(md.slice(p, Math.min(p + 8, md.length - 5)));
    const writes = observer.takeRecords().length;
    observer.disconnect();
    // Every push up to 4 KB, then each time the line grew by an eighth: each rewrite costs the
    // line's length, so one per push would be quadratic.
    expect(writes).toBeLessThan(pushes / 8);
    const code = div.querySelector('code')!.textContent!;
    expect(code.length).toBeGreaterThan(56_000);
    expect(md.startsWith('```js\n' + code.trimEnd())).toBe(true);
    s.push(md.slice(-5));
    s.end();
    expect(div.innerHTML).toBe(whole(md));
  });

  it('a paragraph past 32 KB shows its new text as it comes, and is rendered as markdown once finished', () => {
    const sentence = 'Some **bold** words, a [link](https://example.com/a) and `code` here. ';
    // Alone, and after a list that its first line (all of it, one line) ends only once it is complete.
    for (const before of ['', '- a list item\n\n']) {
      const body = before + sentence.repeat(Math.ceil(48_000 / sentence.length));
      const md = body + '\n\nNext paragraph.\n';
      const div = mount();
      const s = new MarkdownStream(div);
      let p = 0;
      for (; p < 34_000; p += 16) s.push(md.slice(p, p + 16));
      const paragraph = div.lastChild as HTMLElement;
      expect(paragraph.tagName).toBe('P');
      const rendered = from.get(paragraph);
      for (; p < body.length; p += 16) s.push(md.slice(p, Math.min(p + 16, body.length)));
      expect(from.get(paragraph), 'rendered again while growing').toBe(rendered);
      // All the text is on screen (the end as it came, markers and all).
      expect(paragraph.textContent!.endsWith(sentence.repeat(3).trim() + ' ')).toBe(true);
      s.push(md.slice(body.length));
      expect(div.innerHTML).toBe(whole(md));
      expect(paragraph.isConnected).toBe(true);
      s.end();
      expect(div.innerHTML).toBe(whole(md));
    }
  });
});
