// The renderer's pure helpers: URL checks, labels, definitions. Character references
// need the browser's HTML parser: test/browser/render-references.test.ts.
import { describe, expect, it } from 'vitest';
import { cells } from '../../src/render/blocks.js';
import { normalizeLabel, parseDef } from '../../src/render/links.js';
import { imageSrc, linkHref } from '../../src/render/safe-url.js';
import { renderToHtml } from './render-html.js';

describe('link and image URLs', () => {
  it('keeps http, https, mailto and relative URLs, percent-encoded like CommonMark', () => {
    expect(linkHref('https://a.example/ä b?x=1#f')).toBe('https://a.example/%C3%A4%20b?x=1#f');
    expect(linkHref('mailto:me@example.com')).toBe('mailto:me@example.com');
    expect(linkHref('/docs/%41%zz')).toBe('/docs/%41%25zz');
    expect(linkHref('')).toBe('');
    expect(linkHref('#top')).toBe('#top');
  });

  it('refuses every other scheme, however it is spelled', () => {
    for (const url of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      'ftp://x',
      'blob:https://x/y',
      'irc://x',
    ]) {
      expect(linkHref(url), JSON.stringify(url)).toBeUndefined();
    }
    // Encoded, these are relative paths, to the browser as to us.
    for (const url of [
      ' javascript:alert(1)',
      '\u0000javascript:x',
      '\u00a0javascript:x',
      'java\tscript:x',
      'java\nscript:x',
    ]) {
      expect(new URL(linkHref(url)!, 'https://page.example/').protocol).toBe('https:');
    }
  });

  it('allows images only from listed hosts, exactly', () => {
    const hosts = ['img.example'];
    expect(imageSrc('https://img.example/a.png', hosts)).toBe('https://img.example/a.png');
    expect(imageSrc('http://img.example/a.png', hosts)).toBe('http://img.example/a.png');
    for (const url of [
      'https://evil.example/a.png',
      'https://img.example.evil.example/a.png',
      'https://img.example@evil.example/a.png',
      '//evil.example/a.png',
      'data:image/png;base64,AAAA',
      'javascript:alert(1)',
      '/relative.png',
    ]) {
      expect(imageSrc(url, hosts), url).toBeUndefined();
    }
    expect(imageSrc('https://img.example/a.png', [])).toBeUndefined();
  });

  it('refuses a URL that cannot be encoded (a lone surrogate)', () => {
    expect(linkHref('https://a.example/\ud800')).toBeUndefined();
  });
});

describe('labels and definitions', () => {
  it('matches labels case-insensitively with collapsed whitespace', () => {
    expect(normalizeLabel('[Foo  \n Bar]')).toBe(normalizeLabel('[foo bar]'));
    expect(normalizeLabel('[ẞ]')).toBe(normalizeLabel('[SS]'));
  });

  it('parses a definition with a title on the next line', () => {
    expect(parseDef('[a]: <https://x.example/> \n "T"\nrest', 0)).toEqual([32, ['A', 'https://x.example/', 'T']]);
    expect(parseDef('[a]: /u "t" junk', 0)).toBeUndefined();
  });

  it('splits table rows on unescaped pipes only', () => {
    expect(cells('| a | b \\| c | `d` |')).toEqual(['a', 'b | c', '`d`']);
    expect(cells('a|b')).toEqual(['a', 'b']);
  });
});

describe('output shape', () => {
  it('wraps code blocks with a copy button and a sanitised language class', () => {
    expect(renderToHtml('```c++ {.numbers}\nx\n```')).toBe('<pre><code class="language-c++">x\n</code></pre>');
    expect(renderToHtml('```"><img>\nx\n```')).toBe('<pre><code class="language-img">x\n</code></pre>');
  });

  it('renders a refused image as its alt text', () => {
    expect(renderToHtml('![a *b*](https://elsewhere.example/x.png)')).toBe('<p>a b</p>');
  });
});

describe('hostile input', () => {
  // Quadratic parsing would show here as a test timeout; the time itself is a bench figure.
  it('renders thousands of unmatched backtick runs and delimiters as their literal text', () => {
    const html = renderToHtml('`a`` '.repeat(5_000) + '*a _b '.repeat(5_000) + '[a'.repeat(5_000));
    expect(html.startsWith('<p><code>a`` </code>')).toBe(true);
    expect(html.match(/\*a _b /g)).toHaveLength(5_000);
    expect(html.endsWith('[a'.repeat(3) + '</p>')).toBe(true);
  });
});
