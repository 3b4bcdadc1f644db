import type { AssistantEntry } from '../core/transcript.js';
import { MarkdownStream, type RenderOptions } from '../render/index.js';

/** Rendering time per frame for streamed text, so a burst of text never holds the main thread. */
const FRAME_BUDGET_MS = 6;
/** The most text handed to the renderer at once: one push must stay well inside the budget. */
const SLICE = 512;

/** Reply views with text not yet rendered, served in order, frame by frame. */
const pending = new Set<ReplyView>();
let frame = 0;
const drained: Array<() => void> = [];

function schedule(view: ReplyView): void {
  pending.add(view);
  frame ||= requestAnimationFrame(renderPending);
}

function renderPending(): void {
  frame = 0;
  const deadline = performance.now() + FRAME_BUDGET_MS;
  for (const view of pending) {
    if (!view.renderUntil_(deadline)) break;
    pending.delete(view);
  }
  if (pending.size) frame = requestAnimationFrame(renderPending);
  else for (const resolve of drained.splice(0)) resolve();
}

/** Resolves once every reply on the page shows all of its text (for tests and benchmarks). */
export function whenRendered(): Promise<void> {
  return pending.size ? new Promise((resolve) => drained.push(resolve)) : Promise.resolve();
}

/**
 * One assistant reply, rendered from its markdown and kept in step with it: only the text
 * added since the last render goes to the renderer, so a streamed reply is appended to, never
 * re-rendered whole. Streamed text is rendered once per frame within a time budget, the rest
 * carried to the next frame in order. A reply the renderer cannot handle shows as plain text,
 * and only that reply. A plain custom element, not Lit: its children belong to the renderer.
 */
export class ReplyView extends HTMLElement {
  #options: RenderOptions = {};
  /** Where the panel finds the view of an entry, by its id. */
  registry: Map<string, ReplyView> | undefined;
  /** Called once the finished reply is on screen in full. */
  onRendered_: ((view: ReplyView) => void) | undefined;
  #entry: AssistantEntry | undefined;
  #stream: MarkdownStream | undefined;
  #pushed = 0;
  #plain = false;

  /**
   * How links, images and code blocks render; set before `entry`. New labels (the page's
   * language changed) render the reply again: its code blocks' buttons carry them.
   */
  get options(): RenderOptions {
    return this.#options;
  }

  set options(options: RenderOptions) {
    const entry = this.#entry;
    const relabel = entry && options.copyLabel !== this.#options.copyLabel;
    this.#options = options;
    if (relabel) {
      this.#entry = undefined;
      this.entry = entry;
    }
  }

  get entry(): AssistantEntry | undefined {
    return this.#entry;
  }

  set entry(entry: AssistantEntry | undefined) {
    const was = this.#entry;
    if (entry === was) return;
    // The same reply, saved again (rated, or written by another tab): what is on screen stays,
    // selection and highlighting included, and only text added since is rendered.
    if (
      entry?.id === was?.id &&
      (this.#stream
        ? entry!.content.startsWith(was!.content.slice(0, this.#pushed))
        : entry!.content === was!.content && entry!.status === was!.status)
    ) {
      this.#entry = entry;
      this.refresh_();
      return;
    }
    this.#unregister();
    this.#entry = entry;
    this.#pushed = 0;
    this.#plain = false;
    this.#stream = undefined;
    this.replaceChildren();
    this.style.whiteSpace = '';
    delete this.dataset.plain;
    this.#register();
    if (!entry) return;
    this.#guard(() => {
      this.#stream = new MarkdownStream(this, this.#options);
    });
    // A saved reply renders at once, so the conversation is whole on the first paint; one
    // being written shows what it has so far, within a frame's budget.
    if (!this.renderUntil_(entry.status === 'streaming' ? performance.now() + FRAME_BUDGET_MS : Infinity))
      this.refresh_();
  }

  connectedCallback(): void {
    this.#register();
  }

  disconnectedCallback(): void {
    this.#unregister();
  }

  /** Text was added, or the reply finished: render it in the coming frames. */
  refresh_(): void {
    if (this.#entry) schedule(this);
  }

  /**
   * Renders the text not yet rendered until `deadline` (a `performance.now()` time), and ends
   * the stream once the reply is complete. Returns true when nothing is left to do.
   */
  renderUntil_(deadline: number): boolean {
    const entry = this.#entry;
    if (!entry) return true;
    const { content } = entry;
    while (!this.#plain && this.#pushed < content.length) {
      if (performance.now() >= deadline) return false;
      let end = Math.min(content.length, this.#pushed + SLICE);
      // Never split a surrogate pair between two pushes.
      if (end < content.length && /[\uD800-\uDBFF]/.test(content[end - 1]!)) end--;
      const slice = content.slice(this.#pushed, end);
      this.#pushed = end;
      this.#guard(() => this.#stream?.push(slice));
    }
    if (this.#plain) this.textContent = content;
    if (entry.status !== 'streaming') {
      if (this.#stream) this.#guard(() => this.#stream?.end());
      this.#stream = undefined;
      this.onRendered_?.(this);
    }
    return true;
  }

  /** Runs a step of the renderer; if it throws, the reply shows as plain text from then on. */
  #guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.#plain = true;
      this.#stream = undefined;
      this.textContent = this.#entry?.content ?? '';
      // Plain text keeps its line breaks; inline style set from script is allowed under CSP.
      this.style.whiteSpace = 'pre-wrap';
      this.dataset.plain = '';
      console.error('pathors-chat: reply not rendered, shown as plain text', error);
    }
  }

  #register(): void {
    if (this.#entry && this.isConnected) this.registry?.set(this.#entry.id, this);
  }

  #unregister(): void {
    if (this.#entry && this.registry?.get(this.#entry.id) === this) this.registry.delete(this.#entry.id);
  }
}
