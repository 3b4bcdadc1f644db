import { noChange } from 'lit';
import { Directive, PartType, directive, type ElementPart, type PartInfo } from 'lit/directive.js';
import type { AssistantEntry } from '../core/transcript.js';
import { MarkdownStream, type RenderOptions } from '../render/index.js';

/**
 * Renders an assistant entry's markdown into its element and keeps it in step
 * with the entry: only the text added since the last sync is pushed, so a
 * reply is appended to, never re-rendered whole. The panel calls `sync` for
 * the entry being written on every delta, without re-rendering the panel.
 */
class MarkdownDirective extends Directive {
  #stream: MarkdownStream | undefined;
  #element: HTMLElement | undefined;
  #entry: AssistantEntry | undefined;
  #pushed = 0;
  #ended = false;

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('markdown() goes on an element');
  }

  render(_entry: AssistantEntry, _options: RenderOptions, _registry: Map<string, () => void>) {
    return noChange;
  }

  override update(part: ElementPart, [entry, options, registry]: Parameters<this['render']>) {
    const element = part.element as HTMLElement;
    if (element !== this.#element || entry !== this.#entry) {
      element.replaceChildren();
      this.#element = element;
      this.#entry = entry;
      this.#stream = new MarkdownStream(element, options);
      this.#pushed = 0;
      this.#ended = false;
    }
    registry.set(entry.id, () => this.#sync());
    this.#sync();
    return noChange;
  }

  #sync(): void {
    const entry = this.#entry;
    const stream = this.#stream;
    if (!entry || !stream || this.#ended) return;
    if (entry.content.length > this.#pushed) {
      stream.push(entry.content.slice(this.#pushed));
      this.#pushed = entry.content.length;
    }
    if (entry.status !== 'streaming') {
      stream.end();
      this.#ended = true;
    }
  }
}

export const markdown = directive(MarkdownDirective);
