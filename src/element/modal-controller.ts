import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Where the floating panel fills the screen (as host-styles.ts lays it out). */
const FULL_SCREEN = '(max-width: 480px)';

/**
 * On a phone the open panel covers the page, so it behaves as a modal dialog: the page behind
 * is inert (Tab and screen readers stay in the chat), focus moves into the panel itself (not
 * the composer, which would raise the keyboard over the chat) and the host puts it back on the
 * launcher on close. Everything it changed is undone on close and in `hostDisconnected`.
 */
export class ModalController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #wanted: () => boolean;
  readonly #fullScreen = matchMedia(FULL_SCREEN);
  /** Elements this controller made inert. */
  #inert: Element[] = [];
  #active = false;

  /** `wanted()`: the panel is open and floating (bubble mode). */
  constructor(host: ReactiveControllerHost & HTMLElement, wanted: () => boolean) {
    this.#host = host;
    this.#wanted = wanted;
    host.addController(this);
  }

  hostUpdated(): void {
    const wanted = this.#wanted();
    // While open, a rotation or a resize across the breakpoint switches the modal on or off.
    // (The media query list is this controller's own: its one `change` handler is ours to set.)
    this.#fullScreen.onchange = wanted ? () => this.hostUpdated() : null;
    const modal = wanted && this.#fullScreen.matches;
    if (modal && !this.#active) this.#activate();
    else if (!modal && this.#active) this.#release();
  }

  hostDisconnected(): void {
    this.#fullScreen.onchange = null;
    this.#release();
  }

  #activate(): void {
    this.#active = true;
    this.#host.setAttribute('aria-modal', 'true');
    const root = this.#host.getRootNode() as ShadowRoot;
    // The chat's own element, outside the shadow root the panel lives in.
    let node: Element | null = root.host ?? this.#host;
    for (; node && node !== document.documentElement; node = node.parentElement) {
      for (const sibling of node.parentElement?.children ?? []) {
        if (sibling === node || sibling.hasAttribute('inert') || /^(SCRIPT|STYLE|LINK|TEMPLATE)$/.test(sibling.tagName))
          continue;
        sibling.setAttribute('inert', '');
        this.#inert.push(sibling);
      }
    }
    // Unless the focus is in the panel already (it turned modal as the phone rotated).
    if (root.activeElement !== this.#host) this.#host.focus({ preventScroll: true });
  }

  #release(): void {
    this.#active = false;
    this.#host.removeAttribute('aria-modal');
    for (const element of this.#inert) element.removeAttribute('inert');
    this.#inert = [];
  }
}
