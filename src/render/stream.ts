// Append-only streaming. The text is split at the start of the first top-level block
// that is not finished yet; only that tail is parsed and rendered on each push, so a
// push costs in proportion to the open block, not to the reply. A top-level block is
// finished once a later one has started on a complete line: the last, incomplete line
// could still change it (`-` may turn the paragraph above into a heading).
import { normalizeInput, parseBlocks, type Block } from './blocks.js';
import { create, morph } from './dom.js';
import type { Def } from './links.js';
import { collectDefs, context, renderBlock, type RenderOptions } from './render.js';
import type { VNode } from './vnode.js';

function render(blocks: Block[], defs: Map<string, Def>, options: RenderOptions, missed?: [Block, number][]): VNode[] {
  const ctx = context(options, defs);
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
  target.replaceChildren(...render(blocks, defs, options).map((v) => create(v, options)));
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
  /** Offset in src of the first unfinished top-level block. */
  private start = 0;
  /** The last finished node in target. */
  private done: ChildNode | null = null;
  private checkedTo = -1;
  private pendingCR = false;
  private ended = false;
  private readonly defs = new Map<string, Def>();
  private readonly missed: [Block, ChildNode][] = [];

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
    this.src += normalizeInput(chunk);
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
    const { src, options } = this;
    const vs: VNode[] = [];
    let finished: [Block, number][] = [];
    let count = 0;
    const nl = src.lastIndexOf('\n');
    if (final || nl > this.checkedTo) {
      this.checkedTo = nl;
      const kids = parseBlocks(src.slice(this.start, final ? undefined : nl + 1)).kids;
      const k = final ? kids.length : kids.length - 1;
      if (k > 0) {
        const closed = kids.slice(0, k);
        collectDefs(closed, this.defs);
        const missed: [Block, number][] = [];
        vs.push(...render(closed, this.defs, options, missed));
        finished = missed;
        count = vs.length;
        this.start = final ? src.length : this.start + kids[k]!.off;
      }
    }
    if (!final) {
      const kids = parseBlocks(src.slice(this.start)).kids;
      const defs = new Map(this.defs);
      collectDefs(kids, defs);
      vs.push(...render(kids, defs, options));
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
