// The syntax highlighter in Chromium: what a reader sees in each language, that the code's
// text never changes and only spans are made, the palette in a shadow root and in both
// themes (with the widget's real styles), and a page that enforces Trusted Types.
import { afterEach, describe, expect, it } from 'vitest';
import { highlightInto } from '../../src/render/highlight/index.js';
import { PALETTE } from '../../src/render/highlight/palette.js';
import { hostStyles } from '../../src/element/host-styles.js';
import { panelStyles } from '../../src/element/panel-styles.js';

type Expected = [kind: string, text: string][];

/** Per language, a realistic snippet and tokens a reader expects to see coloured (kind, exact text). */
const SNIPPETS: Record<string, [code: string, expected: Expected]> = {
  js: [
    `// Fetch the user, then greet them\nconst user = await fetch(\`/api/users/\${id}\`).then((r) => r.json());\nif (/^admin$/i.test(user.role)) console.log('Hello, ' + user.name, 42);\n`,
    [
      ['comment', '// Fetch the user, then greet them'],
      ['keyword', 'const'],
      ['keyword', 'await'],
      ['function', 'fetch'],
      ['string', '`/api/users/${id}`'],
      ['function', 'then'],
      ['regexp', '/^admin$/i'],
      ['function', 'test'],
      ['property', 'role'],
      ['builtin', 'console'],
      ['string', "'Hello, '"],
      ['property', 'name'],
      ['number', '42'],
      ['operator', '=>'],
      ['punctuation', '('],
    ],
  ],
  ts: [
    `interface User { id: number; name?: string }\nexport async function load(id: number): Promise<User> {\n  return new Map<string, User>().get(String(id))!; /* never null */\n}\n`,
    [
      ['keyword', 'interface'],
      ['type', 'User'],
      ['type', 'number'],
      ['type', 'string'],
      ['keyword', 'export'],
      ['keyword', 'async'],
      ['keyword', 'function'],
      ['function', 'load'],
      ['type', 'Promise'],
      ['keyword', 'return'],
      ['keyword', 'new'],
      ['type', 'Map'],
      ['function', 'get'],
      ['comment', '/* never null */'],
    ],
  ],
  json: [
    `{\n  "name": "pathors-chat",\n  "version": 1.5,\n  "private": true,\n  "files": ["dist", null],\n  "offset": -2e3\n}\n`,
    [
      ['property', '"name"'],
      ['string', '"pathors-chat"'],
      ['number', '1.5'],
      ['keyword', 'true'],
      ['keyword', 'null'],
      ['number', '-2e3'],
      ['punctuation', '{'],
    ],
  ],
  html: [
    `<!DOCTYPE html>\n<!-- the form -->\n<form action="/send" class='inline'>\n  <input name="q" required>\n  <button>Send &rarr;</button>\n</form>\n`,
    [
      ['meta', '<!DOCTYPE html>'],
      ['comment', '<!-- the form -->'],
      ['tag', '<form'],
      ['attr', 'action'],
      ['string', '"/send"'],
      ['attr', 'class'],
      ['string', "'inline'"],
      ['tag', '>'],
      ['tag', '<input'],
      ['attr', 'required'],
      ['tag', '<button>'],
      ['builtin', '&rarr;'],
      ['tag', '</button>'],
      ['tag', '</form>'],
    ],
  ],
  css: [
    `/* Buttons */\n@media (max-width: 600px) {\n  .btn:hover, #send::after {\n    color: #1d4ed8;\n    margin: 0 auto !important;\n    width: calc(100% - 12px);\n    --gap: 4px;\n  }\n}\n`,
    [
      ['comment', '/* Buttons */'],
      ['keyword', '@media'],
      ['type', '.btn'],
      ['keyword', ':hover'],
      ['type', '#send'],
      ['keyword', '::after'],
      ['property', 'color'],
      ['number', '#1d4ed8'],
      ['property', 'margin'],
      ['keyword', '!important'],
      ['function', 'calc'],
      ['number', '100%'],
      ['number', '12px'],
      ['variable', '--gap'],
    ],
  ],
  python: [
    `@dataclass\nclass Order(Base):\n    def total(self, tax=0.2) -> float:\n        """Sum of the lines."""\n        return sum(l.price for l in self.lines) * (1 + tax)  # VAT\n\nprint(f"{Order().total():.2f}", None)\n`,
    [
      ['meta', '@dataclass'],
      ['keyword', 'class'],
      ['type', 'Order'],
      ['type', 'Base'],
      ['keyword', 'def'],
      ['function', 'total'],
      ['keyword', 'self'],
      ['number', '0.2'],
      ['type', 'float'],
      ['string', '"""Sum of the lines."""'],
      ['keyword', 'return'],
      ['builtin', 'sum'],
      ['keyword', 'for'],
      ['keyword', 'in'],
      ['comment', '# VAT'],
      ['builtin', 'print'],
      ['string', 'f"{Order().total():.2f}"'],
      ['builtin', 'None'],
    ],
  ],
  sh: [
    `$ npm install --save-dev pathors-chat  # once\nexport PORT=8080\nif [ -f .env ]; then source .env; fi\ncurl -s "http://127.0.0.1:$PORT/health" | grep -q ok && echo 'up'\n`,
    [
      ['meta', '$'],
      ['function', 'npm'],
      ['comment', '# once'],
      ['keyword', 'export'],
      ['number', '8080'],
      ['keyword', 'if'],
      ['keyword', 'then'],
      ['builtin', 'source'],
      ['keyword', 'fi'],
      ['function', 'curl'],
      ['string', '"http://127.0.0.1:$PORT/health"'],
      ['function', 'grep'],
      ['builtin', 'echo'],
      ['string', "'up'"],
      ['operator', '&&'],
    ],
  ],
  sql: [
    `-- Top customers\nSELECT c.name, COUNT(*) AS orders\nFROM customers c JOIN orders o ON o.customer_id = c.id\nWHERE c.city = 'O''Hare' AND o.total > 100\nGROUP BY c.name ORDER BY orders DESC LIMIT 10;\n`,
    [
      ['comment', '-- Top customers'],
      ['keyword', 'SELECT'],
      ['property', 'name'],
      ['function', 'COUNT'],
      ['keyword', 'AS'],
      ['keyword', 'FROM'],
      ['keyword', 'JOIN'],
      ['keyword', 'WHERE'],
      ['string', "'O''Hare'"],
      ['number', '100'],
      ['keyword', 'GROUP'],
      ['keyword', 'DESC'],
      ['number', '10'],
    ],
  ],
  java: [
    `@Override\npublic List<String> names(final int limit) {\n  // first ones\n  return users.stream().map(User::getName).limit(limit).toList();\n}\nString s = "a\\"b"; char c = 'x'; long n = 10L;\n`,
    [
      ['meta', '@Override'],
      ['keyword', 'public'],
      ['type', 'List'],
      ['type', 'String'],
      ['function', 'names'],
      ['keyword', 'final'],
      ['type', 'int'],
      ['comment', '// first ones'],
      ['keyword', 'return'],
      ['function', 'stream'],
      ['string', '"a\\"b"'],
      ['string', "'x'"],
      ['number', '10L'],
    ],
  ],
  go: [
    `package main\n\nimport "fmt"\n\n// Sum adds the numbers.\nfunc Sum(xs []int) (total int) {\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\tfmt.Println(len(xs), \`raw\`, nil)\n\treturn\n}\n`,
    [
      ['keyword', 'package'],
      ['keyword', 'import'],
      ['string', '"fmt"'],
      ['comment', '// Sum adds the numbers.'],
      ['keyword', 'func'],
      ['function', 'Sum'],
      ['type', 'int'],
      ['keyword', 'range'],
      ['operator', ':='],
      ['function', 'Println'],
      ['builtin', 'len'],
      ['string', '`raw`'],
      ['builtin', 'nil'],
    ],
  ],
  rust: [
    `#[derive(Debug)]\npub struct Point<'a> { name: &'a str, x: f64 }\n\nfn main() {\n    let mut v: Vec<u32> = Vec::new();\n    v.push(0xff);\n    println!("{:?} {}", v, r#"raw "str""#); // done\n    let c = 'c';\n}\n`,
    [
      ['meta', '#[derive(Debug)]'],
      ['keyword', 'pub'],
      ['keyword', 'struct'],
      ['type', 'Point'],
      ['variable', "'a"],
      ['type', 'str'],
      ['type', 'f64'],
      ['keyword', 'fn'],
      ['function', 'main'],
      ['keyword', 'let'],
      ['keyword', 'mut'],
      ['type', 'Vec'],
      ['type', 'u32'],
      ['function', 'new'],
      ['function', 'push'],
      ['number', '0xff'],
      ['function', 'println!'],
      ['string', '"{:?} {}"'],
      ['string', 'r#"raw "str""#'],
      ['comment', '// done'],
      ['string', "'c'"],
    ],
  ],
  yaml: [
    `# CI\nname: build\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm test\n        env: { CI: true, RETRIES: 3 }\ndefaults: &defaults\n  timeout: 10\nother: *defaults\n`,
    [
      ['comment', '# CI'],
      ['property', 'name'],
      ['property', 'on'],
      ['property', 'branches'],
      ['property', 'runs-on'],
      ['property', 'uses'],
      ['property', 'run'],
      ['property', 'CI'],
      ['builtin', 'true'],
      ['property', 'RETRIES'],
      ['number', '3'],
      ['variable', '&defaults'],
      ['variable', '*defaults'],
      ['number', '10'],
    ],
  ],
  diff: [
    `diff --git a/src/a.ts b/src/a.ts\nindex 3b18e51..a9c2f04 100644\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,3 +1,3 @@\n import x from 'x';\n-const a = 1;\n+const a = 2;\n export default a;\n`,
    [
      ['meta', 'diff --git a/src/a.ts b/src/a.ts'],
      ['meta', 'index 3b18e51..a9c2f04 100644'],
      ['meta', '--- a/src/a.ts'],
      ['meta', '+++ b/src/a.ts'],
      ['meta', '@@ -1,3 +1,3 @@'],
      ['deleted', '-const a = 1;'],
      ['inserted', '+const a = 2;'],
    ],
  ],
  c: [
    `#include <stdio.h>\n\nint main(void) {\n  /* greet */\n  printf("%d\\n", sizeof(long));\n  return NULL == 0;\n}\n`,
    [
      ['meta', '#include <stdio.h>'],
      ['type', 'int'],
      ['function', 'main'],
      ['type', 'void'],
      ['comment', '/* greet */'],
      ['function', 'printf'],
      ['string', '"%d\\n"'],
      ['keyword', 'sizeof'],
      ['keyword', 'return'],
      ['builtin', 'NULL'],
    ],
  ],
  cpp: [
    `#include "app.hpp"\nnamespace app {\ntemplate <typename T>\nstd::vector<T> twice(const T& x) { return {x, x}; }\n}\n`,
    [
      ['meta', '#include'],
      ['string', '"app.hpp"'],
      ['keyword', 'namespace'],
      ['keyword', 'template'],
      ['keyword', 'typename'],
      ['builtin', 'std'],
      ['type', 'vector'],
      ['function', 'twice'],
      ['keyword', 'const'],
    ],
  ],
  csharp: [
    `using System;\npublic record Person(string Name) {\n  public override string ToString() => $"Person {Name}";\n  var path = @"C:\\dir\\""file""";\n}\n`,
    [
      ['keyword', 'using'],
      ['keyword', 'public'],
      ['keyword', 'record'],
      ['type', 'Person'],
      ['type', 'string'],
      ['keyword', 'override'],
      ['function', 'ToString'],
      ['string', '$"Person {Name}"'],
      ['keyword', 'var'],
      ['string', '@"C:\\dir\\""file"""'],
    ],
  ],
  php: [
    `<?php\nfunction greet(string $name): string {\n  # say hello\n  return "Hello, " . $name;\n}\necho greet('World');\n`,
    [
      ['meta', '<?php'],
      ['keyword', 'function'],
      ['function', 'greet'],
      ['variable', '$name'],
      ['comment', '# say hello'],
      ['keyword', 'return'],
      ['string', '"Hello, "'],
      ['keyword', 'echo'],
      ['string', "'World'"],
    ],
  ],
  ruby: [
    `class Greeter < Base\n  attr_reader :name\n  def greet?(other)\n    puts "Hi #{@name}" unless other.nil? # polite\n  end\nend\n`,
    [
      ['keyword', 'class'],
      ['type', 'Greeter'],
      ['type', 'Base'],
      ['keyword', 'attr_reader'],
      ['string', ':name'],
      ['keyword', 'def'],
      ['function', 'greet?'],
      ['builtin', 'puts'],
      ['string', '"Hi #{@name}"'],
      ['keyword', 'unless'],
      ['comment', '# polite'],
      ['keyword', 'end'],
    ],
  ],
  kotlin: [
    `data class User(val name: String, val age: Int = 0)\n\nfun main() {\n    val users = listOf(User("Ann", 30))\n    println(users.first().name) // Ann\n}\n`,
    [
      ['keyword', 'data'],
      ['keyword', 'class'],
      ['type', 'User'],
      ['keyword', 'val'],
      ['type', 'String'],
      ['type', 'Int'],
      ['number', '0'],
      ['keyword', 'fun'],
      ['function', 'listOf'],
      ['string', '"Ann"'],
      ['function', 'first'],
      ['property', 'name'],
      ['comment', '// Ann'],
    ],
  ],
  swift: [
    `import SwiftUI\n\n@MainActor\nstruct ContentView: View {\n    let title = "Hello"\n    func greet(_ name: String) -> String { return title + name }\n}\n`,
    [
      ['keyword', 'import'],
      ['type', 'SwiftUI'],
      ['meta', '@MainActor'],
      ['keyword', 'struct'],
      ['type', 'ContentView'],
      ['type', 'View'],
      ['keyword', 'let'],
      ['string', '"Hello"'],
      ['keyword', 'func'],
      ['function', 'greet'],
      ['type', 'String'],
      ['keyword', 'return'],
    ],
  ],
};

const KINDS = new Set(Object.keys(PALETTE));
const mounted: Element[] = [];
afterEach(() => mounted.splice(0).forEach((e) => e.remove()));

/** A `pre > code` with `text`, appended to `parent` (or left detached). */
function codeBlock(text: string, parent?: Node, doc: Document = document): HTMLElement {
  const pre = doc.createElement('pre');
  const code = doc.createElement('code');
  code.textContent = text;
  pre.append(code);
  parent?.appendChild(pre);
  return code;
}

function mount(): HTMLElement {
  const div = document.createElement('div');
  document.body.append(div);
  mounted.push(div);
  return div;
}

/** [kind, text] of every token span. */
function spans(code: Element): Expected {
  return [...code.querySelectorAll('span')].map((span) => [
    span.className.replace(/^tok-/, ''),
    span.textContent ?? '',
  ]);
}

/** Asserts the highlighter's output shape: only spans holding one text node, or text nodes, directly in `code`. */
function expectOnlySpans(code: Element): void {
  for (const node of code.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) continue;
    expect(node.nodeName).toBe('SPAN');
    const span = node as HTMLSpanElement;
    expect(span.attributes.length).toBe(1);
    expect(span.className).toMatch(/^tok-[a-z]+$/);
    expect(KINDS.has(span.className.slice(4)), span.className).toBe(true);
    expect([...span.childNodes].map((child) => child.nodeType)).toEqual([Node.TEXT_NODE]);
  }
}

describe('highlightInto: what a reader sees', () => {
  for (const [language, [text, expected]] of Object.entries(SNIPPETS)) {
    it(`${language}: colours the expected tokens, keeps the text, makes only spans`, () => {
      const code = codeBlock(text, mount());
      highlightInto(code, language);
      expect(code.textContent).toBe(text);
      expectOnlySpans(code);
      const found = spans(code);
      const missing = expected.filter(([kind, part]) => !found.some(([k, t]) => k === kind && t === part));
      expect(missing, JSON.stringify(found)).toEqual([]);
    });
  }

  it('highlights the script and style inside HTML in their own languages', () => {
    const text = `<style>\n  a:hover { color: #fff; }\n</style>\n<script type="module">\n  if (a < b) console.log('</div>');\n</script>\n<p>if (x) {}</p>`;
    const code = codeBlock(text, mount());
    highlightInto(code, 'html');
    expect(code.textContent).toBe(text);
    const found = spans(code);
    for (const token of [
      ['tag', '<style>'],
      ['keyword', ':hover'],
      ['number', '#fff'],
      ['tag', '</style>'],
      ['tag', '<script'],
      ['attr', 'type'],
      ['keyword', 'if'],
      ['operator', '<'],
      ['builtin', 'console'],
      ['string', "'</div>'"],
      ['tag', '</script>'],
      ['tag', '<p>'],
    ]) {
      expect(found, JSON.stringify(token)).toContainEqual(token);
    }
    // Text outside a script is not code.
    const paragraph = [...code.querySelectorAll('span')].find((span) => span.textContent === '<p>')!;
    expect(paragraph.nextSibling?.nodeType).toBe(Node.TEXT_NODE);
    expect(paragraph.nextSibling?.textContent).toBe('if (x) {}');
  });

  it('gives the same result when a block is highlighted twice', () => {
    const [text] = SNIPPETS.ts!;
    const code = codeBlock(text, mount());
    highlightInto(code, 'ts');
    const once = code.innerHTML;
    highlightInto(code, 'ts');
    expect(code.innerHTML).toBe(once);
    expect(code.textContent).toBe(text);
  });

  it('leaves code over 256 KB plain: highlighting it would hold the page up for little use', () => {
    const text = 'const x = 1;\n'.repeat(Math.ceil(262_145 / 13));
    const code = codeBlock(text, mount());
    highlightInto(code, 'js');
    expect(code.childNodes.length).toBe(1);
    expect(code.firstChild?.nodeType).toBe(Node.TEXT_NODE);
  });

  it('reads the language by any of its names, in any case', () => {
    const pairs: Array<[string, string]> = [
      ['js', 'javascript'],
      ['js', 'JSX'],
      ['ts', 'TypeScript'],
      ['ts', 'tsx'],
      ['json', 'jsonc'],
      ['html', 'xml'],
      ['html', 'svg'],
      ['css', 'scss'],
      ['python', 'py'],
      ['sh', 'bash'],
      ['sh', 'shell'],
      ['sh', 'zsh'],
      ['sh', 'console'],
      ['go', 'golang'],
      ['rust', 'rs'],
      ['yaml', 'yml'],
      ['diff', 'patch'],
      ['c', 'h'],
      ['cpp', 'c++'],
      ['csharp', 'cs'],
      ['ruby', 'rb'],
      ['kotlin', 'kt'],
    ];
    for (const [name, alias] of pairs) {
      const [text] = SNIPPETS[name]!;
      const a = codeBlock(text, mount());
      const b = codeBlock(text, mount());
      highlightInto(a, name);
      highlightInto(b, alias);
      expect(b.querySelector('span'), alias).not.toBeNull();
      expect(spans(b), alias).toEqual(spans(a));
    }
  });

  it('leaves a block in an unknown language (or none) exactly as it was', () => {
    for (const language of ['', 'text', 'brainfuck', 'toString', '__proto__']) {
      const code = codeBlock('const x = "not highlighted";', mount());
      const before = code.firstChild;
      highlightInto(code, language);
      expect(code.childNodes.length).toBe(1);
      expect(code.firstChild).toBe(before);
    }
  });

  it('shows markup in the code as text: no element but spans, whatever the code says', () => {
    const hostile = `<script>parent.pwned = 1</script><img src=x onerror="parent.pwned = 1"><iframe srcdoc="<b>x</b>"></iframe>\n<style>body{display:none}</style>`;
    for (const language of ['html', 'js', 'sh', 'diff', 'css', 'markup']) {
      const code = codeBlock(hostile, mount());
      highlightInto(code, language);
      expect(code.textContent).toBe(hostile);
      expectOnlySpans(code);
      expect(code.querySelectorAll(':not(span)').length).toBe(0);
    }
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });

  it('highlights 200 KB of code and keeps every character', () => {
    const text = Object.values(SNIPPETS)
      .map(([snippet]) => snippet)
      .join('\n')
      .repeat(60)
      .slice(0, 200_000);
    for (const language of ['js', 'python', 'yaml', 'go']) {
      const code = codeBlock(text, mount());
      highlightInto(code, language);
      expect(code.textContent === text).toBe(true);
      expect(code.childElementCount).toBeGreaterThan(1000);
    }
  });
});

describe('highlightInto: the palette', () => {
  function shadowHost(): ShadowRoot {
    return mount().attachShadow({ mode: 'open' });
  }

  it('adopts the palette into the shadow root once, keeping the sheets already there', () => {
    const root = shadowHost();
    const own = new CSSStyleSheet();
    own.replaceSync('pre { margin: 0 }');
    root.adoptedStyleSheets = [own];
    for (const language of ['js', 'python', 'go']) highlightInto(codeBlock(SNIPPETS[language]![0], root), language);
    expect(root.adoptedStyleSheets.length).toBe(2);
    expect(root.adoptedStyleSheets[0]).toBe(own);
    const palette = root.adoptedStyleSheets[1]!;
    expect([...palette.cssRules].some((rule) => rule.cssText.startsWith('.tok-keyword'))).toBe(true);
    // Another root gets the same sheet (one per document), also once.
    const other = shadowHost();
    highlightInto(codeBlock('x = 1', other), 'py');
    highlightInto(codeBlock('x = 1', other), 'py');
    expect(other.adoptedStyleSheets).toEqual([palette]);
  });

  it('adopts the palette into the document, once, for code outside any shadow root', () => {
    highlightInto(codeBlock('let a = 1', mount()), 'js');
    highlightInto(codeBlock('b = 2', mount()), 'python');
    const palettes = document.adoptedStyleSheets.filter((sheet) =>
      [...sheet.cssRules].some((rule) => rule.cssText.startsWith('.tok-keyword')),
    );
    expect(palettes.length).toBe(1);
  });

  it('adopts nothing for a language it does not highlight', () => {
    const root = shadowHost();
    highlightInto(codeBlock('plain', root), 'text');
    expect(root.adoptedStyleSheets).toEqual([]);
  });

  it('a block highlighted before it is attached gets the palette once it is in a shadow root', async () => {
    const root = shadowHost();
    const container = document.createElement('div');
    const code = codeBlock('let a = 1', container);
    highlightInto(code, 'js');
    root.append(container); // as a template inserts its fragment after setting properties
    await expect.poll(() => root.adoptedStyleSheets.length).toBe(1);
    expect(getComputedStyle(code.querySelector('.tok-keyword')!).color).toBe(rgb(PALETTE.keyword[0]));
  });

  /** The widget's own nesting: the host (theme attribute, design tokens) > the panel > a reply's code block. */
  function widgetLike(theme: 'light' | 'dark'): { host: HTMLElement; code: HTMLElement } {
    const host = mount();
    host.setAttribute('theme', theme);
    const hostRoot = host.attachShadow({ mode: 'open' });
    hostRoot.adoptedStyleSheets = [hostStyles.styleSheet!];
    const panel = document.createElement('div');
    hostRoot.append(panel);
    const panelRoot = panel.attachShadow({ mode: 'open' });
    panelRoot.adoptedStyleSheets = [panelStyles.styleSheet!];
    const frame = document.createElement('div');
    frame.className = 'panel';
    const reply = document.createElement('div');
    reply.className = 'md';
    const block = document.createElement('div');
    block.className = 'code';
    frame.append(reply);
    reply.append(block);
    panelRoot.append(frame);
    const allKinds = Object.values(SNIPPETS)
      .map(([text]) => text)
      .join('\n');
    const code = codeBlock(allKinds, block);
    return { host, code };
  }

  function rgb(hex: string): string {
    const n = parseInt(hex.slice(1), 16);
    return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
  }

  function luminance(color: string): number {
    const [r, g, b] = color
      .match(/[\d.]+/g)!
      .slice(0, 3)
      .map((c) => {
        const v = Number(c) / 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  /** The colour actually painted behind `element`: the first opaque background up the (flat) tree. */
  function backgroundBehind(element: Element): string {
    for (let at: Element | null = element; at; at = at.parentElement ?? (at.getRootNode() as ShadowRoot).host ?? null) {
      const bg = getComputedStyle(at).backgroundColor;
      if (!/^rgba\(.*, 0\)$|^transparent$/.test(bg)) return bg;
    }
    return 'rgb(255, 255, 255)';
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme} theme: each kind takes its ${theme} colour and reads at 4.5:1 on the code block's real background`, () => {
      const { code } = widgetLike(theme);
      highlightInto(code, 'js');
      for (const language of Object.keys(SNIPPETS)) {
        const block = codeBlock(SNIPPETS[language]![0], code.closest('.code')!);
        highlightInto(block, language);
      }
      const root = code.getRootNode() as ShadowRoot;
      const seen = new Set<string>();
      const background = backgroundBehind(code.parentElement!);
      for (const span of root.querySelectorAll<HTMLElement>('span[class^="tok-"]')) {
        const kind = span.className.slice(4) as keyof typeof PALETTE;
        seen.add(kind);
        const color = getComputedStyle(span).color;
        expect(color, kind).toBe(rgb(PALETTE[kind][theme === 'light' ? 0 : 1]));
        const [hi, lo] = [luminance(color), luminance(background)].sort((a, b) => b - a) as [number, number];
        expect((hi + 0.05) / (lo + 0.05), `${kind} on ${background}`).toBeGreaterThanOrEqual(4.5);
      }
      expect([...seen].sort()).toEqual([...KINDS].sort());
    });
  }

  it("follows a theme change without highlighting again, and a site can set a kind's colour", () => {
    const { host, code } = widgetLike('light');
    highlightInto(code, 'ts');
    const keyword = code.querySelector<HTMLElement>('.tok-keyword')!;
    expect(getComputedStyle(keyword).color).toBe(rgb(PALETTE.keyword[0]));
    host.setAttribute('theme', 'dark');
    expect(getComputedStyle(keyword).color).toBe(rgb(PALETTE.keyword[1]));
    host.style.setProperty('--pathors-chat-code-keyword', 'rgb(1, 2, 3)');
    expect(getComputedStyle(keyword).color).toBe('rgb(1, 2, 3)');
    expect(getComputedStyle(code.querySelector<HTMLElement>('.tok-string')!).color).toBe(rgb(PALETTE.string[1]));
  });
});

describe('highlightInto under an enforced Trusted Types policy', () => {
  it("highlights every language in a page with require-trusted-types-for 'script', with no violation", async () => {
    const moduleUrl = new URL('../../src/render/highlight/index.ts', import.meta.url).href;
    const iframe = document.createElement('iframe');
    iframe.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="require-trusted-types-for 'script'">
<body><script type="module">
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.sample));
window.highlighter = import(${JSON.stringify(moduleUrl)});
</script></body>`;
    mounted.push(iframe);
    document.body.append(iframe);
    type Frame = Window & { violations: string[]; highlighter?: Promise<{ highlightInto: typeof highlightInto }> };
    const frame = await new Promise<Frame>((resolve) =>
      iframe.addEventListener('load', () => resolve(iframe.contentWindow as Frame)),
    );
    const { highlightInto: frameHighlight } = await frame.highlighter!;
    const doc = iframe.contentDocument!;
    const root = doc.body.appendChild(doc.createElement('div')).attachShadow({ mode: 'open' });
    for (const [language, [text]] of Object.entries(SNIPPETS)) {
      const code = codeBlock(text, root, doc);
      frameHighlight(code, language);
      expect(code.textContent).toBe(text);
      expect(code.querySelector('span'), language).not.toBeNull();
    }
    expect(root.adoptedStyleSheets.length).toBe(1);
    expect(frame.violations).toEqual([]);
    // The policy is really enforced there: an HTML string sink throws and is reported.
    expect(() => {
      doc.body.innerHTML = '<b>x</b>';
    }).toThrow(/TrustedHTML/);
    await expect.poll(() => frame.violations.length).toBe(1);
  });
});
