// Block tree to VNodes. Only the tags and attributes written here can come out.
import type { Block } from './blocks.js';
import type { Def } from './links.js';
import { parseInlines, type InlineContext } from './inlines.js';
import { el, type VElement, type VNode } from './vnode.js';

/** Options for rendering agent markdown. */
export interface RenderOptions {
  /**
   * Hostnames images may load from (http or https), compared exactly, without port.
   * A relative URL counts as the page's own host. Default none: an image renders as
   * its alt text, so a reply cannot send data anywhere through an image URL.
   */
  imageHosts?: readonly string[];
  /** Label of a code block's copy button. Default `Copy`. */
  copyLabel?: string;
  /** Shown on the copy button for a moment after copying. Default `Copied`. */
  copiedLabel?: string;
  /** Shown after a reply cut at `MAX_REPLY_LENGTH` characters. Default `The rest of this reply is too long to show.` */
  truncatedNote?: string;
  /**
   * Called once per fenced code block, with its `code` element and its language (`''`
   * for none), when its content is final: its top-level block finished, or `end()`.
   * The renderer never touches that block's DOM again, so the hook may rewrite it
   * (a syntax highlighter, say).
   */
  onCodeBlock?: (code: HTMLElement, language: string) => void;
}

export interface RenderContext extends InlineContext {
  /** The copy button's label. */
  l: string;
  /** Renderings of closed blocks, by tightness: a stream re-renders its open block on
   * every push, and most of what is inside it (list items, say) is closed already.
   * Blocks that look references up stay out: definitions may still change. */
  k: WeakMap<Block, [boolean, VNode | VNode[] | undefined]>;
}

export const context = (options: RenderOptions, defs: Map<string, Def>): RenderContext => ({
  d: defs,
  h: (options.imageHosts ?? []).map((h) => h.toLowerCase()),
  l: options.copyLabel ?? 'Copy',
  k: new WeakMap(),
});

/** Adds a block tree's definitions to a map, unless `earlier` holds the label: the first definition of a label wins. */
export function collectDefs(blocks: Block[], defs: Map<string, Def>, earlier?: Map<string, Def>): void {
  for (const b of blocks) for (const d of b.d ?? []) if (!defs.has(d[0]) && !earlier?.has(d[0])) defs.set(d[0], d);
}

// The paragraph's own leading and trailing spaces and tabs are not content.
const inline = (s: string, ctx: RenderContext) => parseInlines(s.replace(/^[ \t\n]+|[ \t\n]+$/g, ''), ctx);

/** Renders one block; undefined for a block with no output (definitions only). */
export function renderBlock(b: Block, ctx: RenderContext, tight = false): VNode | VNode[] | undefined {
  const hit = ctx.k.get(b);
  if (hit && hit[0] == tight) return hit[1];
  const looked = ctx.m;
  const t = b.t;
  const kids = (tight: boolean) => b.c.flatMap((k) => renderBlock(k, ctx, tight) ?? []);
  // Scrollable regions (a code block, a wide table) take the keyboard focus, so that
  // they can be scrolled without a mouse (axe: scrollable-region-focusable).
  const focus = { tabindex: '0' };
  // Class names only from letters, digits and `_+#.-`: `c++`, `c#` and `objective-c`
  // survive, and nothing else can reach the attribute.
  const lang = b.i?.replace(/[ \t\n][^]*|[^\p{L}\p{N}_+#.-]/gu, '');
  ctx.m = false;
  const v = tight && t == 'p' ? inline(b.x, ctx)
    : /^(p|h\d)$/.test(t) ? el(t, inline(b.x, ctx))
    : t == 'pre' ? el('div', [
      el('div', [
        el('span', lang ? [lang] : [], { class: 'code-lang' }),
        el('button', [ctx.l], { type: 'button', class: 'copy' }),
      ], { class: 'code-header' }),
      el(t, [code(b.x, lang, b.f)], focus),
    ], { class: 'code' })
    : t == 'table' ? el('div', [el(t, [el('thead', [row(b, b.r![0]!, 'th', ctx)]), ...b.r!.length > 1 ? [el('tbody', b.r!.slice(1).map((r) => row(b, r, 'td', ctx)))] : []])], { class: 'table', ...focus })
    // Containers and hr; an item's paragraphs follow its list's tightness. (s is NaN
    // for a bullet list, undefined elsewhere: only an ordered list from other than 1 has a start.)
    : t ? el(t, kids(t == 'li' ? tight : !!b.g), b.s! - 1 ? { start: '' + b.s } : undefined)
    : undefined;
  if (!b.o && !ctx.m) ctx.k.set(b, [tight, v]);
  ctx.m ||= looked;
  return v;
}

/** A code element; a fenced block's is marked with its language, for `onCodeBlock`. */
function code(text: string, lang = '', fence?: string): VElement {
  const v = el('code', [text], lang ? { class: 'language-' + lang } : undefined);
  if (fence) v.fence_ = lang;
  return v;
}

const row = (b: Block, cells: string[], tag: string, ctx: RenderContext) =>
  el('tr', b.a!.map((a, i) => el(tag, inline(cells[i] ?? '', ctx), a ? { align: a } : undefined)));
