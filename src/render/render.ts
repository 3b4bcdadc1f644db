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
  copyLabel_: string;
  /** Renderings of closed blocks, by tightness: a stream re-renders its open block on
   * every push, and most of what is inside it (list items, say) is closed already.
   * Blocks that look references up stay out: definitions may still change. */
  cache_: WeakMap<Block, [boolean, VNode | VNode[] | undefined]>;
}

export const context = (options: RenderOptions, defs: Map<string, Def>): RenderContext => ({
  defs_: defs,
  imageHosts_: (options.imageHosts ?? []).map((h) => h.toLowerCase()),
  copyLabel_: options.copyLabel ?? 'Copy',
  cache_: new WeakMap(),
});

/** Adds a block tree's definitions to a map, unless `earlier` holds the label: the first definition of a label wins. */
export function collectDefs(blocks: Block[], defs: Map<string, Def>, earlier?: Map<string, Def>): void {
  for (const b of blocks) for (const d of b.defs_ ?? []) if (!defs.has(d[0]) && !earlier?.has(d[0])) defs.set(d[0], d);
}

// The paragraph's own leading and trailing spaces and tabs are not content.
const inline = (s: string, ctx: RenderContext) => parseInlines(s.replace(/^[ \t\n]+|[ \t\n]+$/g, ''), ctx);

/** Renders one block; undefined for a block with no output (definitions only). */
export function renderBlock(b: Block, ctx: RenderContext, tight = false): VNode | VNode[] | undefined {
  const hit = ctx.cache_.get(b);
  if (hit && hit[0] == tight) return hit[1];
  const looked = ctx.lookedUp_;
  const t = b.type_;
  const kids = (tight: boolean) => b.children_.flatMap((k) => renderBlock(k, ctx, tight) ?? []);
  // Scrollable regions (a code block, a wide table) take the keyboard focus, so that
  // they can be scrolled without a mouse (axe: scrollable-region-focusable).
  const focus = { tabindex: '0' };
  // Class names only from letters, digits and `_+#.-`: `c++`, `c#` and `objective-c`
  // survive, and nothing else can reach the attribute.
  const lang = b.info_?.replace(/[ \t\n][^]*|[^\p{L}\p{N}_+#.-]/gu, '');
  ctx.lookedUp_ = false;
  const v =
    tight && t == 'p'
      ? inline(b.text_, ctx)
      : /^(p|h\d)$/.test(t)
        ? el(t, inline(b.text_, ctx))
        : t == 'pre'
          ? el(
              'div',
              [
                el(
                  'div',
                  [
                    el('span', lang ? [lang] : [], { class: 'code-lang' }),
                    el('button', [ctx.copyLabel_], { type: 'button', class: 'copy' }),
                  ],
                  { class: 'code-header' },
                ),
                el(t, [code(b.text_, lang, b.fence_)], focus),
              ],
              { class: 'code' },
            )
          : t == 'table'
            ? el(
                'div',
                [
                  el(t, [
                    el('thead', [row(b, b.rows_![0]!, 'th', ctx)]),
                    ...(b.rows_!.length > 1
                      ? [
                          el(
                            'tbody',
                            b.rows_!.slice(1).map((r) => row(b, r, 'td', ctx)),
                          ),
                        ]
                      : []),
                  ]),
                ],
                { class: 'table', ...focus },
              )
            : // Containers and hr; an item's paragraphs follow its list's tightness. (start_ is NaN
              // for a bullet list, undefined elsewhere: only an ordered list from other than 1 has a start.)
              t
              ? el(t, kids(t == 'li' ? tight : !!b.tight_), b.start_! - 1 ? { start: '' + b.start_ } : undefined)
              : undefined;
  if (!b.open_ && !ctx.lookedUp_) ctx.cache_.set(b, [tight, v]);
  ctx.lookedUp_ ||= looked;
  return v;
}

/** A code element; a fenced block's is marked with its language, for `onCodeBlock`. */
function code(text: string, lang = '', fence?: string): VElement {
  const v = el('code', [text], lang ? { class: 'language-' + lang } : undefined);
  if (fence) v.fence_ = lang;
  return v;
}

const row = (b: Block, cells: string[], tag: string, ctx: RenderContext) =>
  el(
    'tr',
    b.align_!.map((a, i) => el(tag, inline(cells[i] ?? '', ctx), a ? { align: a } : undefined)),
  );
