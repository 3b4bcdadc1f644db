// Append-only streaming. Complete lines are parsed once, incrementally, as the spec's
// line-by-line strategy allows; the incomplete last line is tried on a copy of the
// open blocks only. A top-level block is finished once a later one has started on a
// complete line (the last, incomplete line could still change it: `-` may turn the
// paragraph above into a heading); finished blocks are rendered once and left alone.
// So a push costs in proportion to the open block, not to the reply.
import { blockState, close, feed, normalizeInput, parseBlocks, snapshot, type Block } from './blocks.js';
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
  private readonly state = blockState();
  private src = '';
  /** The incomplete last line. */
  private partial = '';
  /** The last finished node in target. */
  private done: ChildNode | null = null;
  private pendingCR = false;
  private ended = false;
  private readonly defs = new Map<string, Def>();
  private readonly missed: [Block, ChildNode][] = [];
  private blocks: RenderContext['blocks'];
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
    const text = this.partial + chunk;
    const nl = text.lastIndexOf('\n') + 1;
    // Complete lines go into the parse for good; the partial line is only looked at.
    if (nl) feed(this.state, text.slice(0, nl));
    this.partial = text.slice(nl);
    this.update(false);
  }

  /** The text is complete: render the last blocks as finished. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.partial) feed(this.state, this.partial);
    close(this.state);
    this.update(true);
    const ctx = context(this.options, this.defs);
    for (const [b, node] of this.missed) {
      ctx.missed = false;
      morph(this.target, [renderBlock(b, ctx) as VNode], node, node.nextSibling, this.options);
    }
  }

  private update(final: boolean) {
    const { options } = this;
    const kids = this.state.doc.kids;
    // Only the last top-level block can still be open; those before it are finished
    // and leave the parse.
    const closed = kids.splice(0, final ? kids.length : kids.length - 1);
    collectDefs(closed, this.defs);
    const missed: [Block, number][] = [];
    const vs = render(closed, context(options, this.defs), missed);
    const count = vs.length;
    if (!final) {
      const open = snapshot(this.state, this.partial).kids;
      const defs = new Map(this.defs);
      collectDefs(open, defs);
      // Cached results hold for as long as the definitions stay the same.
      const seen = defs.size + JSON.stringify(open.map((b) => b.defs));
      const ctx = context(options, defs);
      if (seen !== this.defsSeen) this.blocks = new WeakMap();
      ctx.blocks = this.blocks;
      this.defsSeen = seen;
      vs.push(...render(open, ctx));
    }
    const first = this.done ? this.done.nextSibling : this.target.firstChild;
    morph(this.target, vs, first, null, options);
    let node = this.done;
    for (let i = 0, m = 0; i < count; i++) {
      node = node ? node.nextSibling : this.target.firstChild;
      if (missed[m]?.[1] === i) this.missed.push([missed[m++]![0], node!]);
    }
    this.done = node;
  }
}
