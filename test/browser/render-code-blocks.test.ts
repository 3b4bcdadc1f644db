// Code blocks: the header bar markup of the front-end contract, the copy button in it,
// and onCodeBlock, called once per fenced block when final, whose DOM is then left alone.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MarkdownStream, renderMarkdown } from '../../src/render/index.js';
import { mount, removeMounted } from '../support/mount.js';

afterEach(removeMounted);

const REPLY = 'Intro\n\n```python\nprint(1)\n```\n\n- item\n\n  ```\n  plain\n  ```\n\nend\n\n    indented\n';

describe('code blocks', () => {
  it('render as the contract says', () => {
    const div = mount();
    renderMarkdown('```python\nx = 1\n```', div);
    expect(div.innerHTML).toBe(
      '<div class="code"><div class="code-header"><span class="code-lang">python</span>' +
        '<button type="button" class="copy">Copy</button></div><pre tabindex="0"><code class="language-python">x = 1\n</code></pre></div>',
    );
  });

  for (const size of [0, 1, 3, 7]) {
    it(`calls onCodeBlock once per fenced block, when final (${size ? `chunks of ${size}` : 'whole'})`, () => {
      const div = mount();
      const calls: Array<[string, string, boolean]> = [];
      const s = new MarkdownStream(div, {
        onCodeBlock: (code, language) => {
          calls.push([language, code.textContent!, code.isConnected]);
          // A highlighter rewrites the block: the renderer must leave it so.
          const mark = document.createElement('span');
          mark.className = 'tok-keyword';
          mark.textContent = code.textContent;
          code.replaceChildren(mark);
        },
      });
      if (size) for (let i = 0; i < REPLY.length; i += size) s.push(REPLY.slice(i, i + size));
      else s.push(REPLY);
      s.end();
      expect(calls).toEqual([
        ['python', 'print(1)\n', true],
        ['', 'plain\n', true],
      ]);
      // Both stayed highlighted; the indented block (not fenced) was not handed over.
      expect(div.querySelectorAll('code > span.tok-keyword').length).toBe(2);
      expect(div.querySelectorAll('code').length).toBe(3);
    });
  }

  it('survives a hook that throws: the block stays as rendered, the reply goes on', () => {
    const div = mount();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    renderMarkdown('```js\nx\n```\n\nafter', div, {
      onCodeBlock: () => {
        throw new Error('highlighter bug');
      },
    });
    expect(div.querySelector('code')!.textContent).toBe('x\n');
    expect(div.lastElementChild!.outerHTML).toBe('<p>after</p>');
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });
});

describe('a renderer failure', () => {
  it('shows the reply as plain text, whole and streamed, instead of nothing', () => {
    const create = document.createElement.bind(document);
    const spy = vi.spyOn(document, 'createElement').mockImplementation((tag: string) => {
      if (tag == 'strong') throw new Error('simulated bug');
      return create(tag);
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const whole = mount();
      renderMarkdown('a **b** c', whole);
      expect(whole.innerHTML).toBe('<p>a **b** c</p>');
      const streamed = mount();
      const s = new MarkdownStream(streamed);
      for (const c of ['a *', '*b*', '* c', '\n\nmore']) s.push(c);
      s.end();
      expect(streamed.innerHTML).toBe('<p>a **b** c\n\nmore</p>');
    } finally {
      spy.mockRestore();
      errors.mockRestore();
    }
  });
});
