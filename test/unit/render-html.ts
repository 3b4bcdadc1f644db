// Renders markdown to an HTML string the way commonmark.js writes it (without our code
// block wrapper, safety attributes and tabindex), from the pure parser: no DOM needed.
import { normalizeInput, parseBlocks } from '../../src/render/blocks.js';
import type { Def } from '../../src/render/links.js';
import { collectDefs, context, renderBlock } from '../../src/render/render.js';
import type { VNode } from '../../src/render/vnode.js';

export const BLOCK = 'p|h[1-6]|ul|ol|li|blockquote|pre|hr|table|thead|tbody|tr|th|td|div';
const VOID = new Set(['hr', 'br', 'img']);
// Node has no document: images resolve against this stand-in page, and references,
// which the renderer has the browser's HTML parser decode, stay as written (the
// browser suite checks them).
(globalThis as { document?: unknown }).document ??= {
  baseURI: 'https://invalid.invalid/',
  createElement: () => ({
    value: '',
    set innerHTML(v: string) {
      this.value = v;
    },
  }),
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function html(v: VNode): string {
  if (typeof v === 'string') return esc(v);
  // Our wrappers: a code block's (header bar, then pre) and a table's.
  if (v.tag_ === 'div') return html(v.kids_[v.kids_.length - 1]!);
  if (v.tag_ === 'button') return '';
  const order =
    v.tag_ === 'img'
      ? ['src', 'alt', 'title']
      : v.tag_ === 'a'
        ? ['href', 'title']
        : Object.keys(v.attrs_ ?? {}).filter((k) => k !== 'tabindex');
  const attrs = order
    .filter((k) => v.attrs_?.[k] !== undefined)
    .map((k) => ` ${k}="${esc(v.attrs_![k]!)}"`)
    .join('');
  return VOID.has(v.tag_) ? `<${v.tag_}${attrs} />` : `<${v.tag_}${attrs}>${v.kids_.map(html).join('')}</${v.tag_}>`;
}

export function renderToHtml(md: string, imageHosts = ['invalid.invalid']): string {
  const blocks = parseBlocks(normalizeInput(md)).children_;
  const defs = new Map<string, Def>();
  collectDefs(blocks, defs);
  const ctx = context({ imageHosts }, defs);
  return blocks
    .flatMap((b) => renderBlock(b, ctx) ?? [])
    .map(html)
    .join('');
}
