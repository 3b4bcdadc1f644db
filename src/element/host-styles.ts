import { css } from 'lit';

/** The dark palette's defaults, for `theme="dark"` and for `theme="auto"` on a dark system. */
const dark = css`
  --_background: var(--pathors-chat-background, #0f172a);
  --_surface: var(--pathors-chat-surface, #1e293b);
  --_text: var(--pathors-chat-text, #e2e8f0);
  --_muted: var(--pathors-chat-muted, #a3b1c6);
  --_border: var(--pathors-chat-border, #475569);
  --_link: var(--pathors-chat-link, #93c5fd);
  --_danger: #fca5a5;
  color-scheme: dark;
`;

/**
 * The host's styles: design tokens (public `--pathors-chat-*` properties read
 * with fallbacks, so a page can theme from `:root`), the launcher, and where
 * the panel sits. The panel's own styles load with the panel. A value that holds
 * a var() ships as written (the minifier cannot parse it), so it is written
 * without the spaces it does not need.
 */
export const hostStyles = css`
  /* The page's inherited text styles (letter-spacing, text-align, white-space...) stop here;
     \`all\` leaves direction and custom properties alone, so RTL pages and \`--pathors-chat-*\` still reach in. */
  :host {
    all: initial;
    --_accent: var(--pathors-chat-accent, #2563eb);
    --_accent-text: var(--pathors-chat-accent-text, #ffffff);
    --_background: var(--pathors-chat-background, #ffffff);
    --_surface: var(--pathors-chat-surface, #f1f5f9);
    --_text: var(--pathors-chat-text, #0f172a);
    --_muted: var(--pathors-chat-muted, #475569);
    --_border: var(--pathors-chat-border, #cbd5e1);
    --_link: var(--pathors-chat-link, #1d4ed8);
    --_danger: #b91c1c;
    --_font: var(--pathors-chat-font, system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);
    --_font-size: var(--pathors-chat-font-size, 15px);
    --_radius: var(--pathors-chat-radius, 16px);
    --_width: var(--pathors-chat-width, 400px);
    --_height: var(--pathors-chat-height, 640px);
    --_offset: var(--pathors-chat-offset, 20px);
    --_z: var(--pathors-chat-z-index, 2147480000);
    --_launcher-size: var(--pathors-chat-launcher-size, 56px);
    --_launcher-background: var(--pathors-chat-launcher-background, var(--_accent));
    --_launcher-color: var(--pathors-chat-launcher-color, var(--_accent-text));
    display: contents;
    color-scheme: light;
  }
  :host([hidden]) {
    display: none;
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${dark}
    }
  }
  :host([mode='inline']) {
    display: block;
    position: relative;
    height: 100%;
    min-height: 320px;
  }
  [hidden] {
    display: none !important;
  }
  [part='launcher'] {
    position: fixed;
    bottom: var(--_offset);
    right: var(--_offset);
    z-index: var(--_z);
    width: var(--_launcher-size);
    height: var(--_launcher-size);
    display: grid;
    place-items: center;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--_launcher-background);
    color: var(--_launcher-color);
    box-shadow: 0 4px 14px rgb(15 23 42 / 0.25);
    cursor: pointer;
    transition: transform 0.15s ease;
  }
  [part='launcher']:hover {
    transform: scale(1.05);
  }
  [part='launcher']:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 3px;
  }
  :host([position='bottom-left']) [part='launcher'] {
    right: auto;
    left: var(--_offset);
  }
  [part='badge'] {
    position: absolute;
    top: 0;
    right: 0;
    width: 12px;
    height: 12px;
    border: 2px solid var(--_background);
    border-radius: 50%;
    background: #dc2626;
  }
  /* Slotted into the panel through this element's slots, so styled here. */
  ::slotted([slot='avatar']) {
    flex: none;
    width: 32px;
    height: 32px;
    border-radius: 50%;
    object-fit: cover;
  }
  ::slotted(a[slot='footer']) {
    color: var(--_link);
  }
  ::slotted([slot='launcher-icon']) {
    width: 60%;
    height: 60%;
  }
  pathors-chat-panel {
    position: fixed;
    z-index: var(--_z);
    right: var(--_offset);
    bottom: calc(var(--_offset) + var(--_launcher-size) + 12px);
    width: min(var(--_width),calc(100vw - 2*var(--_offset)));
    height: min(var(--_height),calc(100dvh - 3*var(--_offset) - var(--_launcher-size)));
    /* Opens with a fade and a scale from the launcher's corner; closes faster. */
    transform-origin: bottom right;
    transition: opacity 0.18s ease-out, transform 0.18s ease-out, display 0.18s allow-discrete;
  }
  pathors-chat-panel[hidden] {
    opacity: 0;
    transform: scale(0.96);
    transition-duration: 0.12s;
  }
  @starting-style {
    pathors-chat-panel {
      opacity: 0;
      transform: scale(0.96);
    }
  }
  :host([position='bottom-left']) pathors-chat-panel {
    right: auto;
    left: var(--_offset);
    transform-origin: bottom left;
  }
  :host([mode='inline']) pathors-chat-panel {
    position: absolute;
    inset: 0;
    width: auto;
    height: auto;
    transition: none;
  }
  /* Phones: the panel is the whole (visible) screen, and the launcher steps aside. */
  @media (max-width: 480px) {
    :host(:not([mode='inline'])) pathors-chat-panel {
      inset: 0 0 auto 0;
      width: 100%;
      height: var(--_viewport-height, 100dvh);
    }
    :host([open]:not([mode='inline'])) [part='launcher'] {
      display: none;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    [part='launcher'],
    pathors-chat-panel {
      transition: none;
    }
    [part='launcher']:hover {
      transform: none;
    }
  }
`;
