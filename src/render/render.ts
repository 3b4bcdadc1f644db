// Block tree to VNodes. Only the tags and attributes written here can come out.
import type { Block } from './blocks.js';
import type { Def } from './links.js';
import { parseInlines, type InlineContext } from './inlines.js';
import { el, type VNode } from './vnode.js';

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
}

export interface RenderContext extends InlineContext {
  copyLabel: string;
  /** Renderings of closed blocks, by tightness: a stream re-renders its open block on
   * every push, and most of what is inside it (list items, say) is closed already. */
  blocks?: WeakMap<Block, [boolean, VNode | VNode[]]>;
}

export function context(options: RenderOptions, defs: Map<string, Def>): RenderContext {
  return {
    ref: (key) => defs.get(key),
    imageHosts: (options.imageHosts ?? []).map((h) => h.toLowerCase()),
    copyLabel: options.copyLabel ?? 'Copy',
  };
}

/** Adds a block tree's definitions to a map; the first definition of a label wins. */
export function collectDefs(blocks: Block[], defs: Map<string, Def>): void {
  for (const b of blocks) for (const d of b.defs ?? []) if (!defs.has(d[0])) defs.set(d[0], d);
}

// The paragraph's own leading and trailing spaces and tabs are not content.
const inline = (s: string, ctx: RenderContext) => parseInlines(s.replace(/^[ \t\n]+|[ \t\n]+$/g, ''), ctx);

/** Renders one block; undefined for a block with no output (definitions only). */
export function renderBlock(b: Block, ctx: RenderContext, tight = false): VNode | VNode[] | undefined {
  const hit = b.open ? undefined : ctx.blocks?.get(b);
  if (hit && hit[0] === tight) return hit[1];
  const missed = ctx.missed;
  ctx.missed = false;
  const v = draw(b, ctx, tight);
  if (v && !b.open && !ctx.missed) ctx.blocks?.set(b, [tight, v]);
  ctx.missed ||= missed;
  return v;
}

function draw(b: Block, ctx: RenderContext, tight: boolean): VNode | VNode[] | undefined {
  const kids = (bs: Block[], t = false) => bs.flatMap((k) => renderBlock(k, ctx, t) ?? []);
  switch (b.t) {
    case 'p':
      return tight ? inline(b.text, ctx) : el('p', inline(b.text, ctx));
    case 'h':
      return el('h' + b.level, inline(b.text, ctx));
    case 'hr':
      return el('hr');
    case 'quote':
      return el('blockquote', kids(b.kids));
    case 'item':
      return el('li', kids(b.kids, tight));
    case 'list': {
      const start = b.list!.start;
      return el(b.list!.ordered ? 'ol' : 'ul', b.kids.map((item) => renderBlock(item, ctx, b.tight) as VNode),
        b.list!.ordered && start !== 1 ? { start: String(start) } : undefined);
    }
    case 'code': {
      // Class names only from letters, digits and `_+#.-`: `c++`, `c#` and `objective-c`
      // survive, and nothing else can reach the attribute.
      const lang = (b.info ?? '').split(/[ \t\n]/)[0]!.replace(/[^\p{L}\p{N}_+#.-]/gu, '');
      return el('div', [
        el('pre', [el('code', b.text ? [b.text] : [], lang ? { class: 'language-' + lang } : undefined)]),
        el('button', [ctx.copyLabel], { type: 'button', class: 'copy' }),
      ], { class: 'code' });
    }
    case 'table': {
      const [head, ...body] = b.rows!;
      const row = (cells: string[], tag: string) => el('tr', b.align!.map((a, i) =>
        el(tag, inline(cells[i] ?? '', ctx), a ? { align: a } : undefined)));
      return el('table', [el('thead', [row(head!, 'th')]), ...(body.length ? [el('tbody', body.map((r) => row(r, 'td')))] : [])]);
    }
  }
  return undefined;
}
