// GFM extended autolinks: bare URLs, `www.` and emails become links, under the same URL
// policy as written links, without their trailing punctuation.
import { describe, expect, it } from 'vitest';
import { renderToHtml } from './render-html.js';

const a = (href: string, text = href) => `<a href="${href}">${text}</a>`;

describe('bare links (GFM autolinks)', () => {
  it.each([
    ['see https://example.com/docs.', `<p>see ${a('https://example.com/docs')}.</p>`],
    ['www.commonmark.org/help?', `<p>${a('http://www.commonmark.org/help', 'www.commonmark.org/help')}?</p>`],
    ['(www.example.com/a_(b))', `<p>(${a('http://www.example.com/a_(b)', 'www.example.com/a_(b)')})</p>`],
    ['https://en.wikipedia.org/wiki/Pi_(letter)))', `<p>${a('https://en.wikipedia.org/wiki/Pi_(letter)')}))</p>`],
    [
      'www.google.com/search?q=commonmark&hl;',
      `<p>${a('http://www.google.com/search?q=commonmark', 'www.google.com/search?q=commonmark')}&amp;hl;</p>`,
    ],
    ['*https://x.example.com/a_b*', `<p><em>${a('https://x.example.com/a_b')}</em></p>`],
    ['mail foo.bar+baz@example.com.', `<p>mail ${a('mailto:foo.bar+baz@example.com', 'foo.bar+baz@example.com')}.</p>`],
    ['a.b-c_d@a.b_', '<p>a.b-c_d@a.b_</p>'],
    [
      'www.x_y.z_w and http://localhost and javascript:alert(1)',
      '<p>www.x_y.z_w and http://localhost and javascript:alert(1)</p>',
    ],
    ['xhttps://example.com', '<p>xhttps://example.com</p>'],
    ['`https://example.com`', '<p><code>https://example.com</code></p>'],
    ['[https://a.example.com](https://b.example.com)', `<p>${a('https://b.example.com', 'https://a.example.com')}</p>`],
  ])('%s', (md, html) => {
    expect(renderToHtml(md).replace(/ target="_blank" rel="noopener noreferrer nofollow"/g, '')).toBe(html);
  });
});
