import type { AssistantEntry } from '../core/transcript.js';
import { MarkdownStream, type RenderOptions } from '../render/index.js';

/**
 * One assistant reply, rendered from its markdown and kept in step with it: only the text
 * added since the last sync goes to the renderer, so a streamed reply is appended to, never
 * re-rendered whole. A plain custom element, not Lit: its children belong to the renderer.
 */
export class ReplyView extends HTMLElement {
  /** How links, images and code blocks render; set before `entry`. */
  options: RenderOptions = {};
  #entry: AssistantEntry | undefined;
  #stream: MarkdownStream | undefined;
  #pushed = 0;

  get entry(): AssistantEntry | undefined {
    return this.#entry;
  }

  set entry(entry: AssistantEntry | undefined) {
    if (entry === this.#entry) return;
    this.replaceChildren();
    this.#entry = entry;
    this.#stream = new MarkdownStream(this, this.options);
    this.#pushed = 0;
    this.sync();
  }

  /** Pushes the text added since the last sync; ends the stream once the reply is complete. */
  sync(): void {
    const entry = this.#entry;
    const stream = this.#stream;
    if (!entry || !stream) return;
    if (entry.content.length > this.#pushed) {
      stream.push(entry.content.slice(this.#pushed));
      this.#pushed = entry.content.length;
    }
    if (entry.status !== 'streaming') {
      stream.end();
      this.#stream = undefined;
    }
  }
}
