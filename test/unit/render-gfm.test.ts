// GFM tables and strikethrough, with the GFM spec's examples (0.29-gfm, sections 4.10
// and 6.5) in commonmark.js-style HTML.
import { describe, expect, it } from 'vitest';
import { renderToHtml } from './render-html.js';

const table = (head: string, body = '') =>
  `<table><thead><tr>${head}</tr></thead>${body ? `<tbody>${body}</tbody>` : ''}</table>`;

describe('GFM tables', () => {
  it.each([
    [
      '| foo | bar |\n| --- | --- |\n| baz | bim |',
      table('<th>foo</th><th>bar</th>', '<tr><td>baz</td><td>bim</td></tr>'),
    ],
    [
      '| abc | defghi |\n:-: | -----------:\nbar | baz',
      table(
        '<th align="center">abc</th><th align="right">defghi</th>',
        '<tr><td align="center">bar</td><td align="right">baz</td></tr>',
      ),
    ],
    [
      '| f\\|oo  |\n| ------ |\n| b `\\|` az |\n| b **\\|** im |',
      table('<th>f|oo</th>', '<tr><td>b <code>|</code> az</td></tr><tr><td>b <strong>|</strong> im</td></tr>'),
    ],
    [
      '| abc | def |\n| --- | --- |\n| bar | baz |\n> bar',
      table('<th>abc</th><th>def</th>', '<tr><td>bar</td><td>baz</td></tr>') + '<blockquote><p>bar</p></blockquote>',
    ],
    [
      '| abc | def |\n| --- | --- |\n| bar | baz |\nbar\n\nbar',
      table('<th>abc</th><th>def</th>', '<tr><td>bar</td><td>baz</td></tr><tr><td>bar</td><td></td></tr>') +
        '<p>bar</p>',
    ],
    ['| abc | def |\n| --- |\n| bar |', '<p>| abc | def |\n| --- |\n| bar |</p>'],
    [
      '| abc | def |\n| --- | --- |\n| bar |\n| bar | baz | boo |',
      table('<th>abc</th><th>def</th>', '<tr><td>bar</td><td></td></tr><tr><td>bar</td><td>baz</td></tr>'),
    ],
    ['| abc | def |\n| --- | --- |', table('<th>abc</th><th>def</th>')],
  ])('%s', (md, html) => {
    expect(renderToHtml(md)).toBe(html);
  });

  it('interrupts a paragraph, whose last line becomes the header', () => {
    expect(renderToHtml('Intro text\na | b\n--|--\n1 | 2')).toBe(
      '<p>Intro text</p>' + table('<th>a</th><th>b</th>', '<tr><td>1</td><td>2</td></tr>'),
    );
  });

  it('lives inside list items and block quotes', () => {
    expect(renderToHtml('- | a |\n  | - |\n  | 1 |')).toBe(
      `<ul><li>${table('<th>a</th>', '<tr><td>1</td></tr>')}</li></ul>`,
    );
    expect(renderToHtml('> a | b\n> - | -')).toBe(`<blockquote>${table('<th>a</th><th>b</th>')}</blockquote>`);
  });

  it('needs a pipe in the delimiter row, so `---` stays a setext underline', () => {
    expect(renderToHtml('a | b\n---')).toBe('<h2>a | b</h2>');
  });
});

describe('GFM strikethrough', () => {
  it.each([
    ['~~Hi~~ Hello, ~there~ world!', '<p><del>Hi</del> Hello, <del>there</del> world!</p>'],
    ['This ~~has a\n\nnew paragraph~~.', '<p>This ~~has a</p><p>new paragraph~~.</p>'],
    ['This will ~~~not~~~ strike.', '<p>This will ~~~not~~~ strike.</p>'],
    ['~~one~', '<p>~~one~</p>'],
    ['**~~both~~**', '<p><strong><del>both</del></strong></p>'],
  ])('%s', (md, html) => {
    expect(renderToHtml(md)).toBe(html);
  });
});
