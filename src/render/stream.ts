// Append-only streaming. Complete lines are parsed once, incrementally, as the spec's
// line-by-line strategy allows; the incomplete last line is tried on a copy of the
// open blocks only. A top-level block is finished once a later one has started on a
// complete line (the last, incomplete line could still change it: `-` may turn the
// paragraph above into a heading); finished blocks are rendered once and left alone.
// So a push costs in proportion to the open block, not to the reply.
import { blockState, feed, normalizeInput, snapshot, type Block } from './blocks.js';
import { from, morph } from './dom.js';
import { collectDefs, context, renderBlock, type RenderContext, type RenderOptions } from './render.js';
import type { VElement, VNode } from './vnode.js';

/** VElements of top-level blocks, each marked with its block if that looked a reference up. */
function render(blocks: Block[], ctx: RenderContext): VElement[] {
  const out: VElement[] = [];
  for (const b of blocks) {
    const v = renderBlock(b, ctx) as VElement | undefined;
    if (v) out.push(v);
    if (v && ctx.m) v.b = b;
    ctx.m = false;
  }
  return out;
}

/** Renders a whole markdown text into target, replacing its content: as one chunk of a stream. */
export function renderMarkdown(text: string, target: HTMLElement, options: RenderOptions = {}): void {
  const s = new MarkdownStream(target, options);
  s.push(text);
  s.end();
}

/**
 * Renders markdown that arrives in pieces into target (whose content it replaces).
 * Finished top-level blocks are never touched again; the open one is updated in
 * place. A reference link used before its definition shows as text until `end()`,
 * which re-renders the few blocks that look references up, so that the final DOM
 * equals `renderMarkdown` of the whole text.
 */
export class MarkdownStream {
  // Short names: a minifier keeps property names as written.
  /** Target, options, parse state. */
  private readonly t: HTMLElement;
  private readonly o: RenderOptions;
  private readonly s = blockState();
  /** The text so far, and its incomplete last line. */
  private x = '';
  private p = '';
  /** The last finished node in target. */
  private f?: ChildNode | null;
  /** The last chunk ended with a CR; end() was called. */
  private r?: boolean;
  private e?: boolean;
  /** Definitions of the finished blocks, in the context they are rendered with. */
  private readonly c: RenderContext;

  constructor(target: HTMLElement, options: RenderOptions = {}) {
    this.t = target;
    this.o = options;
    this.c = context(options, new Map());
    target.replaceChildren();
  }

  /** The text received so far, line endings normalised. */
  get text(): string {
    return this.x;
  }

  push(chunk: string): void {
    if (this.e || !chunk) return;
    // A CR at a chunk's end may be the first half of a CRLF.
    if (this.r && chunk[0] == '\n') chunk = chunk.slice(1);
    this.r = chunk.endsWith('\r');
    chunk = normalizeInput(chunk);
    this.x += chunk;
    const text = this.p + chunk;
    const nl = text.lastIndexOf('\n') + 1;
    // Complete lines go into the parse for good; the partial line is only looked at.
    if (nl) feed(this.s, text.slice(0, nl));
    this.p = text.slice(nl);
    this.u();
  }

  /** The text is complete: render the last blocks as finished. */
  end(): void {
    if (this.e) return;
    this.u((this.e = true));
    // Every definition is known now: a block that missed one gets it.
    for (let n = this.t.firstChild, next; n; n = next) {
      next = n.nextSibling;
      const b = from.get(n)?.b;
      if (b) morph(this.t, [renderBlock(b, this.c) as VNode], n, next, this.o);
    }
  }

  /** Renders what is new. */
  private u(final?: boolean) {
    const { t: target, o: options, c: done } = this;
    const next = (n?: ChildNode | null) => (n ? n.nextSibling : target.firstChild);
    const kids = this.s[0].c;
    // Only the last top-level block can still be open; those before it are finished
    // and leave the parse. At the end, all are.
    const closed = kids.splice(0, kids.length - 1);
    const open = snapshot(this.s, this.p, final).c;
    if (final) closed.push(...open.splice(0));
    collectDefs(closed, done.d);
    const vs: VNode[] = render(closed, done);
    const all = new Map(done.d);
    collectDefs(open, all);
    let count = vs.length;
    vs.push(...render(open, { ...done, d: all }));
    morph(target, vs, next(this.f), null, options);
    while (count--) this.f = next(this.f);
  }
}
