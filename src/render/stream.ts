// Append-only streaming. The text is split at the start of the first top-level block
// that is not finished yet; only that tail is parsed and rendered on each push, so a
// push costs in proportion to the open block, not to the reply. A top-level block is
// finished once a later one has started on a complete line: the last, incomplete line
// could still change it (`-` may turn the paragraph above into a heading).
import { normalizeInput, parseBlocks, type Block } from './blocks.js';
import { create, morph } from './dom.js';
import type { Def } from './links.js';
import { collectDefs, context, renderBlock, type RenderContext, type RenderOptions } from './render.js';
import type { VNode } from './vnode.js';

function render(blocks: Block[], ctx: RenderContext, missed?: [Block, number][]): VNode[] {
  const out: VNode[] = [];
  for (const b of blocks) {
    ctx.missed = false;
    const v = renderBlock(b, ctx);
    if (v) {
      if (ctx.missed) missed?.push([b, out.length]);
      out.push(v as VNode);
    }
  }
  return out;
}

/** Renders a whole markdown text into target, replacing its content. */
export function renderMarkdown(text: string, target: HTMLElement, options: RenderOptions = {}): void {
  const blocks = parseBlocks(normalizeInput(text)).kids;
  const defs = new Map<string, Def>();
  collectDefs(blocks, defs);
  target.replaceChildren(...render(blocks, context(options, defs)).map((v) => create(v, options)));
}

/**
 * Renders markdown that arrives in pieces into target (whose content it replaces).
 * Finished top-level blocks are never touched again; the open one is updated in
 * place. A reference link used before its definition shows as text until `end()`,
 * which re-renders the few blocks that missed one, so that the final DOM equals
 * `renderMarkdown` of the whole text.
 */
export class MarkdownStream {
  private readonly target: HTMLElement;
  private readonly options: RenderOptions;
  private src = '';
  /** The text from the first unfinished top-level block on. Kept apart from src,
   * because reading a long concatenated string flattens it: a cost per push in
   * proportion to the whole reply. */
  private tail = '';
  /** The last finished node in target. */
  private done: ChildNode | null = null;
  private checkedTo = -1;
  private pendingCR = false;
  private ended = false;
  private readonly defs = new Map<string, Def>();
  private readonly missed: [Block, ChildNode][] = [];
  private cache: Map<string, [VNode[], boolean]> | undefined;
  private defsSeen = '';

  constructor(target: HTMLElement, options: RenderOptions = {}) {
    this.target = target;
    this.options = options;
    target.replaceChildren();
  }

  /** The text received so far, line endings normalised. */
  get text(): string {
    return this.src;
  }

  push(chunk: string): void {
    if (this.ended || !chunk) return;
    // A CR at a chunk's end may be the first half of a CRLF.
    if (this.pendingCR && chunk[0] === '\n') chunk = chunk.slice(1);
    this.pendingCR = chunk.endsWith('\r');
    chunk = normalizeInput(chunk);
    this.src += chunk;
    this.tail += chunk;
    this.update(false);
  }

  /** The text is complete: render the last blocks as finished. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.update(true);
    const ctx = context(this.options, this.defs);
    for (const [b, node] of this.missed) {
      ctx.missed = false;
      morph(this.target, [renderBlock(b, ctx) as VNode], node, node.nextSibling, this.options);
    }
  }

  private update(final: boolean) {
    const { options } = this;
    const vs: VNode[] = [];
    let finished: [Block, number][] = [];
    let count = 0;
    const nl = this.tail.lastIndexOf('\n');
    // Blocks can only finish when a line completes.
    if (final || nl > this.checkedTo) {
      this.checkedTo = nl;
      const kids = parseBlocks(final ? this.tail : this.tail.slice(0, nl + 1)).kids;
      const k = final ? kids.length : kids.length - 1;
      if (k > 0) {
        const closed = kids.slice(0, k);
        collectDefs(closed, this.defs);
        const missed: [Block, number][] = [];
        vs.push(...render(closed, context(options, this.defs), missed));
        finished = missed;
        count = vs.length;
        const off = final ? this.tail.length : kids[k]!.off;
        this.tail = this.tail.slice(off);
        this.checkedTo -= off;
      }
    }
    if (!final) {
      const kids = parseBlocks(this.tail).kids;
      const defs = new Map(this.defs);
      collectDefs(kids, defs);
      // Cached inline results hold for as long as the definitions stay the same.
      const seen = defs.size + JSON.stringify(kids.map((b) => b.defs));
      const ctx = context(options, defs);
      ctx.last = seen === this.defsSeen ? this.cache : undefined;
      ctx.next = this.cache = new Map();
      this.defsSeen = seen;
      vs.push(...render(kids, ctx));
    }
    const first = this.done ? this.done.nextSibling : this.target.firstChild;
    morph(this.target, vs, first, null, options);
    let node = this.done;
    for (let i = 0, m = 0; i < count; i++) {
      node = node ? node.nextSibling : this.target.firstChild;
      if (finished[m]?.[1] === i) this.missed.push([finished[m++]![0], node!]);
    }
    this.done = node;
  }
}
