// Block tree to VNodes. Only the tags and attributes written here can come out.
import type { Block } from './blocks.js';
import type { Def } from './links.js';
import { parseInlines, type InlineContext } from './inlines.js';
import { el, type VNode } from './vnode.js';

/** Options for rendering agent markdown. */
export interface RenderOptions {
  /**
   * Hostnames images may load from, compared exactly (lower case, no port). Default
   * none: an image renders as its alt text, so a reply cannot send data away by URL.
   */
  imageHosts?: readonly string[];
  /** Label of a code block's copy button. Default `Copy`. */
  copyLabel?: string;
  /** Shown on the copy button for a moment after copying. Default `Copied`. */
  copiedLabel?: string;
}

export interface RenderContext extends InlineContext {
  copyLabel: string;
  /** Inline results of the previous update, by raw text: a stream re-renders its open
   * blocks on every push, and most of their paragraphs and cells have not changed. */
  last?: Map<string, [VNode[], boolean]>;
  next?: Map<string, [VNode[], boolean]>;
  /** Rendered closed blocks inside the open one (list items, say), by tightness. */
  blocks?: WeakMap<Block, [boolean, VNode]>;
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

function inline(raw: string, ctx: RenderContext): VNode[] {
  let r = ctx.last?.get(raw);
  if (!r) {
    const missed = ctx.missed;
    ctx.missed = false;
    // The paragraph's own leading and trailing spaces and tabs are not content.
    r = [parseInlines(raw.replace(/^[ \t\n]+|[ \t\n]+$/g, ''), ctx), !!ctx.missed];
    ctx.missed ||= missed;
  }
  ctx.next?.set(raw, r);
  ctx.missed ||= r[1];
  return r[0];
}

/** Renders one block; undefined for a block with no output (definitions only). */
export function renderBlock(b: Block, ctx: RenderContext, tight = false): VNode | VNode[] | undefined {
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
    case 'list': {
      const start = b.list!.start;
      return el(b.list!.ordered ? 'ol' : 'ul', b.kids.map((item) => {
        const hit = ctx.blocks?.get(item);
        if (hit && hit[0] === !!b.tight) return hit[1];
        const missed = ctx.missed;
        ctx.missed = false;
        const li = el('li', kids(item.kids, b.tight));
        if (!item.open && !ctx.missed) ctx.blocks?.set(item, [!!b.tight, li]);
        ctx.missed ||= missed;
        return li;
      }),
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
