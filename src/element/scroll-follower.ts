import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How close to the bottom still counts as "reading the latest". */
const BOTTOM_SLACK_PX = 40;

/**
 * Keeps the message list at the bottom while a reply streams in, unless the
 * visitor scrolled up to read: then it stays put and `following_` turns false
 * (the panel shows "jump to latest").
 */
export class ScrollFollower implements ReactiveController {
  following_ = true;
  readonly #host: ReactiveControllerHost;
  readonly #element: () => HTMLElement | null | undefined;
  #frame = 0;
  #lastTop = 0;

  constructor(host: ReactiveControllerHost, element: () => HTMLElement | null | undefined) {
    this.#host = host;
    this.#element = element;
    host.addController(this);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  readonly handleScroll_ = (): void => {
    const element = this.#element();
    if (!element) return;
    const top = element.scrollTop;
    const atBottom = element.scrollHeight - top - element.clientHeight <= BOTTOM_SLACK_PX;
    // Only a move up is the reader's: by the time the event of our own scroll to the bottom
    // arrives, more text may have come in, leaving us short of the bottom without anyone scrolling.
    const follows = atBottom || (this.following_ && top >= this.#lastTop);
    this.#lastTop = top;
    if (follows !== this.following_) {
      this.following_ = follows;
      this.#host.requestUpdate();
    }
  };

  /** Content grew: stay at the bottom if that is where the visitor is. Once per frame at most. */
  contentChanged_(): void {
    if (!this.following_ || this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      if (this.following_) this.#toBottom();
    });
  }

  /** The visitor sent a message or asked for the latest: go to the bottom and stay. */
  follow_(): void {
    this.following_ = true;
    this.#host.requestUpdate();
    this.#toBottom();
    this.contentChanged_();
  }

  #toBottom(): void {
    const element = this.#element();
    if (element) element.scrollTop = element.scrollHeight;
  }
}
