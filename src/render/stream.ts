// Append-only streaming. Complete lines are parsed once, incrementally, as the spec's
// line-by-line strategy allows; the incomplete last line is tried on a copy of the
// open blocks only. A top-level block is finished once a later one has started on a
// complete line (the last, incomplete line could still change it: `-` may turn the
// paragraph above into a heading); finished blocks are rendered once and left alone.
// So a push costs in proportion to the open block, not to the reply.
import { NONSPACE, blockState, feed, normalizeInput, snapshot, type Block } from './blocks.js';
import { from, morph } from './dom.js';
import { collectDefs, context, renderBlock, type RenderContext, type RenderOptions } from './render.js';
import type { Def } from './links.js';
import type { VElement, VNode } from './vnode.js';

/** VElements of top-level blocks, each marked with its block if that looked a reference up. */
function render(blocks: Block[], ctx: RenderContext): VElement[] {
  const out: VElement[] = [];
  for (const b of blocks) {
    const v = renderBlock(b, ctx) as VElement | undefined;
    if (v) out.push(v);
    if (v && ctx.lookedUp_) v.block_ = b;
    ctx.lookedUp_ = false;
  }
  return out;
}

/** Replies are cut at this many characters (after line endings are normalised), with a note. */
export const MAX_REPLY_LENGTH = 1_000_000;

/**
 * An open top-level block up to this many characters is re-rendered on every push:
 * 4 KB of a paragraph, heading or table (whose inline content is parsed again); 8 KB of
 * a list or quote (whose finished items are cached). A larger one (a hostile paragraph,
 * a huge list) only once it has grown by an eighth since it was last rendered:
 * re-rendering it costs its length, so doing it on every push would cost n² over the
 * reply; this way the total stays linear (each render is paid for by the eighth that
 * came before it). No block yet: the one partial line is a paragraph's worth. An open
 * fenced code block is never re-rendered: its lines are appended to its text, and its last
 * line rewritten by the same rule (one long line of minified code would be n² too).
 */
const EVERY_PUSH_UP_TO = (b: Block | undefined) => (b?.children_.length ? 8_192 : 4_096);

/**
 * Past this many characters an open paragraph or heading is not re-rendered until it
 * is finished: one render would parse its whole inline content, a long task. Its new
 * text is appended as it came meanwhile, so the visitor still sees it arrive; it is
 * rendered as markdown when the block finishes.
 */
const RENDER_OPEN_LEAF_UP_TO = 32_768;

/** A line that would close a fenced code block, but for the fence's length and character. */
const CLOSING_FENCE = /^ {0,3}(`+|~+)[ \t]*$/;

/**
 * What an open fenced code block shows of its incomplete last line, as a render would: the
 * line with its ending, as code; nothing if it is blank (more may come) or would close the block.
 */
const tail = (b: Block, line: string) =>
  NONSPACE.test(line) && !CLOSING_FENCE.exec(line)?.[1]!.startsWith(b.fence_!) ? line + '\n' : '';

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
 * equals `renderMarkdown` of the whole text. Should rendering ever fail, the text
 * shows as plain text: a reply can never leave its element empty or throwing.
 */
export class MarkdownStream {
  private readonly target_: HTMLElement;
  private readonly options_: RenderOptions;
  private readonly state_ = blockState();
  /** The text so far, and its incomplete last line. */
  private text_ = '';
  private partial_ = '';
  /** The last finished node in target. */
  private finished_?: ChildNode | null;
  /** The last chunk ended with a CR (maybe half a CRLF). */
  private pendingCR_?: boolean;
  private ended_?: boolean;
  /** The open top-level block, where the text stood when it opened, and when it was last rendered. */
  private open_?: Block;
  private openFrom_ = 0;
  private renderedAt_ = 0;
  /** The open block's element, and the length of the text shown after its last render. */
  private openNode_?: Element;
  /** An open fenced code block's text, and how much of it is the incomplete last line (shown with its line ending). */
  private code_?: Text;
  private codeTail_ = 0;
  /** Rendering threw: the text shows as plain text from then on. */
  private plain_?: Text;
  /** Definitions of the finished blocks, in the context they are rendered with. */
  private readonly context_: RenderContext;

  constructor(target: HTMLElement, options: RenderOptions = {}) {
    this.target_ = target;
    this.options_ = options;
    this.context_ = context(options, new Map());
    target.replaceChildren();
  }

  /** The text received so far, line endings normalised. */
  get text(): string {
    return this.text_;
  }

  push(chunk: string): void {
    if (this.ended_ || !chunk) return;
    // A CR at a chunk's end may be the first half of a CRLF.
    if (this.pendingCR_ && chunk[0] == '\n') chunk = chunk.slice(1);
    this.pendingCR_ = chunk.endsWith('\r');
    chunk = normalizeInput(chunk);
    const room = MAX_REPLY_LENGTH - this.text_.length;
    const cut = chunk.length > room;
    if (cut) chunk = chunk.slice(0, room);
    this.text_ += chunk;
    this.guard_(() => {
      // Complete lines go into the parse for good; the partial line is only looked at.
      // (The line ending is searched for in the chunk: the partial line may be long.)
      const nl = chunk.lastIndexOf('\n') + 1;
      const text = this.partial_ + chunk;
      const complete = nl ? text.length - chunk.length + nl : 0;
      // A block opened by this chunk starts no earlier than the line the chunk continues.
      const start = this.text_.length - text.length;
      const lines = text.slice(0, complete);
      if (complete) feed(this.state_, lines);
      this.partial_ = text.slice(complete);
      this.update_(false, start, lines, chunk);
    });
    if (cut) {
      this.end();
      const note = document.createElement('p');
      note.className = 'truncated';
      note.textContent = this.options_.truncatedNote ?? 'The rest of this reply is too long to show.';
      this.target_.append(note);
    }
  }

  /** The text is complete: render the last blocks as finished. */
  end(): void {
    if (this.ended_) return;
    this.ended_ = true;
    this.guard_(() => {
      this.update_(true);
      // Every definition is known now: a block that missed one gets it.
      for (let n = this.target_.firstChild, next; n; n = next) {
        next = n.nextSibling;
        const b = from.get(n)?.block_;
        if (b) morph(this.target_, [renderBlock(b, this.context_) as VNode], n, next, this.options_);
      }
    });
  }

  /** Runs a rendering step; if it throws (it should not), shows the text as it is. */
  private guard_(step: () => void) {
    if (!this.plain_) {
      try {
        return step();
      } catch (error) {
        console.error('pathors-chat: reply not rendered, shown as plain text', error);
        const p = document.createElement('p');
        p.append((this.plain_ = new Text()));
        this.target_.replaceChildren(p);
      }
    }
    this.plain_.data = this.text_;
  }

  /** Renders what is new: `lines`, complete, and `chunk`, all that came; a block opened now starts at `start` or later. */
  private update_(final?: boolean, start = 0, lines = '', chunk = '') {
    const { target_: target, options_: options, context_: done } = this;
    const next = (n?: ChildNode | null) => (n ? n.nextSibling : target.firstChild);
    const kids = this.state_[0].children_;
    // Only the last top-level block can still be open; those before it are finished
    // and leave the parse. At the end, all are.
    const closed = kids.splice(0, kids.length - 1);
    const length = this.text_.length;
    const block = kids[0];
    if (block != this.open_) {
      this.open_ = block;
      this.openFrom_ = start;
    }
    if (!final && !closed.length) {
      const code = this.code_;
      // An open fenced code block takes its new lines as they are: they are appended to its
      // text, its last line's tail replaced (a long last line only once it grew by an eighth).
      // So a push costs what it adds, however long the code.
      if (code && block!.open_) {
        const p = this.partial_.length;
        if (!lines && p > EVERY_PUSH_UP_TO(block) && p - this.codeTail_ < p / 8) return;
        const shown = tail(block!, this.partial_);
        code.replaceData(code.length - this.codeTail_, this.codeTail_, lines + shown);
        this.codeTail_ = shown.length;
        return;
      }
      const size = length - this.openFrom_;
      const leaf = /^(P|H\d)$/.test(this.openNode_?.tagName ?? '');
      // Not once the last block is finished: what comes next is another block's, rendered from the
      // finished one's cache (appended into it, it would stay there for good).
      if (
        (!block || block.open_) &&
        size > EVERY_PUSH_UP_TO(block) &&
        ((leaf && size > RENDER_OPEN_LEAF_UP_TO) || length - this.renderedAt_ < size / 8)
      ) {
        // Shown as it came until the next render.
        if (leaf) this.openNode_!.append(chunk);
        return;
      }
    }
    this.renderedAt_ = length;
    const open = snapshot(this.state_, this.partial_, final).children_;
    if (final) closed.push(...open.splice(0));
    collectDefs(closed, done.defs_);
    const vs: VNode[] = render(closed, done);
    const openDefs = new Map<string, Def>();
    collectDefs(open, openDefs, done.defs_);
    let count = vs.length;
    vs.push(...render(open, { ...done, openDefs_: openDefs }));
    morph(target, vs, next(this.finished_), null, options);
    this.openNode_ = this.code_ = undefined;
    // The last element shown, if it is for the open blocks (a paragraph of definitions shows none).
    if (!final && vs.length > count) {
      const node = (this.openNode_ = target.lastChild as Element);
      // A fenced code block at the margin keeps its lines as they are: it can grow in place.
      if (open.length == 1 && block?.fence_ && !block.width_ && block.open_) {
        this.code_ = node.querySelector('code')!.firstChild as Text;
        this.codeTail_ = tail(block, this.partial_).length;
      }
    }
    while (count--) {
      this.finished_ = next(this.finished_);
      // A finished code block is final: the hook may take it over.
      if (options.onCodeBlock)
        for (const code of (this.finished_ as Element).querySelectorAll('code')) {
          const v = from.get(code);
          try {
            if (v?.fence_ != null) options.onCodeBlock(code, v.fence_);
          } catch (error) {
            // The hook's failure (a highlighter's bug) leaves this block as it is, not the reply.
            console.error(error);
          }
        }
    }
  }
}
