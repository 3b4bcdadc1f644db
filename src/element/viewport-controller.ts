import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * On phones the on-screen keyboard shrinks the visual viewport but not the
 * layout viewport, so a full-screen panel would sit behind the keyboard.
 * This keeps `--_viewport-height` on the host equal to the visible height.
 */
export class ViewportController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #update = (): void => {
    const viewport = window.visualViewport;
    if (viewport) this.#host.style.setProperty('--_viewport-height', `${Math.round(viewport.height)}px`);
  };

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    window.visualViewport?.addEventListener('resize', this.#update);
    this.#update();
  }

  hostDisconnected(): void {
    window.visualViewport?.removeEventListener('resize', this.#update);
  }
}
