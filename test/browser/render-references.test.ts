// Character references, which the renderer has the browser's HTML parser decode.
import { describe, expect, it } from 'vitest';
import { decode, unescape } from '../../src/render/entities.js';
import { renderMarkdown } from '../../src/render/index.js';

describe('character references', () => {
  it('decodes named, decimal and hexadecimal references', () => {
    expect(
      ['&amp;', '&nbsp;', '&copy;', '&eacute;', '&Eacute;', '&mdash;', '&hellip;', '&#35;', '&#x1F600;', '&#X22;'].map(
        decode,
      ),
    ).toEqual(['&', '\u00a0', '©', 'é', 'É', '—', '…', '#', '😀', '"']);
  });

  it('knows every HTML5 name, not only common ones', () => {
    expect(
      ['&ngE;', '&ClockwiseContourIntegral;', '&Afr;', '&fjlig;', '&semi;', '&NotNestedGreaterGreater;'].map(decode),
    ).toEqual(['≧̸', '∲', '𝔄', 'fj', ';', '⪢̸']);
  });

  it('replaces invalid code points and leaves unknown names alone', () => {
    expect(['&#0;', '&#x110000;', '&#xD800;', '&#9999999;'].map(decode)).toEqual([
      '\ufffd',
      '\ufffd',
      '\ufffd',
      '\ufffd',
    ]);
    expect(decode('&madeup;')).toBeUndefined();
    expect(unescape('\\*a\\b &lt; &madeup; \\&amp;')).toBe('*a\\b < &madeup; &amp;');
  });

  it('does not take a legacy name that is only a prefix (`&ampx;`, `&copyright;`)', () => {
    expect(['&ampx;', '&copyright;', '&ltfoo;'].map(decode)).toEqual([undefined, undefined, undefined]);
    const div = document.createElement('div');
    renderMarkdown('&ampx; &copyright; &copy;', div);
    expect(div.textContent).toBe('&ampx; &copyright; ©');
  });
});
