import { css } from 'lit';

/**
 * The panel's styles. Colours come from the host's tokens (`--_*`), so the page themes both at once.
 * Spacing keeps to one scale: 4 / 8 / 12 / 16 / 24 px. A value that holds a var() ships as written
 * (the minifier cannot parse it), so it is written without the spaces it does not need.
 */
export const panelStyles = css`
  :host {
    display: block;
    font: var(--_font-size)/1.55 var(--_font);
    color: var(--_text);
  }
  [hidden] {
    display: none !important;
  }
  .panel {
    position: relative;
    display: flex;
    flex-direction: column;
    height: 100%;
    box-sizing: border-box;
    background: var(--_background);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: 0 12px 40px #0f172a38;
    overflow: hidden;
  }
  :host([inline]) .panel {
    box-shadow: none;
  }
  header,
  form {
    display: flex;
    gap: 8px;
    padding: 12px 16px;
    border: 0 solid var(--_border);
  }
  header {
    align-items: center;
    padding-inline-end: 8px;
    border-bottom-width: 1px;
  }
  .avatar,
  .empty {
    display: contents;
  }
  .titles {
    flex: 1;
    min-width: 0;
  }
  #title {
    margin: 0;
    font-size: 1.3em;
    font-weight: 600;
    line-height: 1.3;
  }
  #title,
  .status-line {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .status-line,
  .note,
  footer,
  .cut-note,
  .not-sent-note,
  .earlier {
    margin: 0;
    font-size: 0.8em;
    color: var(--_muted);
  }
  .header-actions {
    display: flex;
    gap: 4px;
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
    border: 0;
    border-radius: 8px;
    background: none;
  }
  button:disabled {
    cursor: default;
    opacity: 0.55;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  /* Inside a message (paint-contained, see .message) a ring drawn outside would be cut off. */
  .message :focus-visible {
    outline-offset: -2px;
  }
  .icon-button,
  .action {
    display: grid;
    place-items: center;
    flex: none;
    width: 36px;
    height: 36px;
    padding: 0;
    color: var(--_muted);
  }
  .action {
    width: 32px;
    height: 32px;
  }
  :is(.icon-button, .action, .code .copy):hover:not(:disabled) {
    background: var(--_surface);
    color: var(--_text);
  }
  .action[aria-pressed='true'] {
    color: var(--_link);
  }
  .messages {
    flex: 1;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 16px;
    display: flex;
    flex-direction: column;
    gap: 16px;
  }
  /* Layout and style contained: a growing reply's layout stops at its message (issue 12). */
  .message {
    contain: layout style;
    contain-intrinsic-size: auto 240px auto 64px;
    overflow-wrap: break-word;
  }
  /* Long conversations: older messages skip rendering while off screen, at their remembered size.
     Not the latest ones: a message just added would be measured at the placeholder size until its
     first frame, and the scroll follower and the stream need its real size at once. */
  .message:nth-last-child(n + 8) {
    content-visibility: auto;
  }
  /* The visitor's messages are bubbles; assistant replies are a document, the column's full width. */
  .user {
    align-self: flex-end;
    max-width: 80%;
    box-sizing: border-box;
    padding: 8px 12px;
    border-radius: var(--_radius) var(--_radius) 4px var(--_radius);
    overflow-wrap: anywhere;
  }
  .user .bubble {
    white-space: pre-wrap;
  }
  .not-sent-note {
    align-self: flex-end;
    margin: -8px 0 0;
    color: var(--_danger);
  }
  .not-sent-note .retry {
    padding: 0;
    color: var(--_link);
    text-decoration: underline;
  }
  .cut-note {
    margin-top: 8px;
    font-style: italic;
  }
  .actions {
    display: flex;
    gap: 4px;
    margin-top: 4px;
    transition: opacity 0.15s;
  }
  /* The latest reply shows its actions; older ones on hover or focus (always on touch screens). */
  @media (hover: hover) {
    .assistant:has(~ .assistant):not(:hover, :focus-within) .actions {
      opacity: 0;
    }
  }
  .chip {
    align-self: flex-start;
  }
  .chip,
  .starters button {
    border: 1px solid var(--_border);
    border-radius: 99px;
  }
  .chip,
  .starters button,
  .earlier,
  .error-action,
  .undo {
    padding: 4px 12px;
  }
  .box {
    padding: 8px 12px;
    border: 1px dashed var(--_border);
    border-radius: 8px;
  }
  .md {
    display: block;
  }
  .md :is(p, ul, ol, blockquote, .code, .table, hr) {
    margin: 0.75em 0;
  }
  .md li > :is(p, ul, ol) {
    margin: 0.25em 0;
  }
  .md :is(h1, h2, h3, h4, h5, h6) {
    margin: 1.25em 0 0.5em;
    font-size: 1em;
    font-weight: 600;
    line-height: 1.35;
  }
  /* After the margins above, which it must beat (same specificity). */
  .md > :first-child {
    margin-top: 0;
  }
  .md > :last-child {
    margin-bottom: 0;
  }
  .md h1 {
    font-size: 1.25em;
  }
  .md h2 {
    font-size: 1.125em;
  }
  .md :is(ul, ol) {
    padding-inline-start: 1.25em;
  }
  .md a {
    color: var(--_link);
  }
  .md blockquote {
    margin-inline-start: 0;
    padding-inline-start: 12px;
    border-inline-start: 3px solid var(--_border);
    color: var(--_muted);
  }
  .md code {
    font: 13px / 1.5 ui-monospace, Menlo, Consolas, monospace;
  }
  .md :not(pre) > code {
    padding: 2px 4px;
    border-radius: 4px;
    background: var(--_surface);
    font-size: 0.875em;
  }
  .md img {
    max-width: 100%;
    height: auto;
  }
  .md hr {
    border: 0;
    border-top: 1px solid var(--_border);
  }
  /* Code block: a frame with a header bar (language, Copy); long lines scroll inside. */
  .code {
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_surface);
    overflow: hidden;
  }
  .code-header {
    display: flex;
    align-items: center;
    gap: 8px;
    min-height: 32px;
    padding-inline: 12px 4px;
    border-bottom: 1px solid var(--_border);
    font-size: 12px;
    color: var(--_muted);
  }
  /* Its size and colour come from the header bar. */
  .code .copy {
    margin-inline-start: auto;
    padding: 4px 8px;
    line-height: 16px;
    white-space: nowrap;
  }
  .md pre {
    margin: 0;
    padding: 12px;
    --_cover: var(--_surface);
  }
  /* Wide tables and long lines scroll sideways; a shadow shows on the side that hides content
     (pure CSS: the covers scroll with the content, the shadows stay at the edges). */
  .md :is(pre, .table) {
    --_edge: color-mix(in srgb,var(--_text) 30%,#0000);
    overflow-x: auto;
    background: linear-gradient(90deg,var(--_cover,var(--_background)) 30%,#0000) left/32px no-repeat local,
      linear-gradient(-90deg,var(--_cover,var(--_background)) 30%,#0000) right/32px no-repeat local,
      radial-gradient(farthest-side at 0,var(--_edge),#0000) left/12px no-repeat,
      radial-gradient(farthest-side at 100%,var(--_edge),#0000) right/12px no-repeat;
  }
  .md table {
    min-width: 100%;
    border-collapse: collapse;
  }
  .md :is(th, td) {
    padding: 6px 10px;
    border: 1px solid var(--_border);
    overflow-wrap: normal;
  }
  .md th {
    background: var(--_surface);
    font-weight: 600;
  }
  /* A cell's align attribute is the markdown's alignment, applied by the browser; a header
     cell without one starts at the start, not the centre. */
  .md th:not([align]) {
    text-align: start;
  }
  .earlier {
    align-self: center;
    color: var(--_link);
  }
  .starters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .starters button {
    color: var(--_link);
    text-align: start;
  }
  .starters button:hover {
    border-color: var(--_accent);
    background: var(--_surface);
  }
  /* One line of reply text high, where the reply's first line will be: nothing moves when it comes. */
  .typing {
    display: flex;
    align-items: center;
    gap: 4px;
    height: 1.55em;
  }
  .typing i {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_muted);
    animation: blink 1.2s infinite both;
  }
  .typing i + i { animation-delay: 0.2s; }
  .typing i + i + i { animation-delay: 0.4s; }
  @keyframes blink {
    40% { opacity: 1; }
    0%, 80%, 100% { opacity: 0.3; }
  }
  .error-card {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-start;
    gap: 8px 12px;
    padding: 12px;
    border: 1px solid var(--_danger);
    border-radius: 12px;
  }
  .error-card svg {
    flex: none;
    color: var(--_danger);
  }
  .error-text {
    flex: 1 1 12em;
    margin: 0;
  }
  .user,
  .error-action,
  .send {
    background: var(--_accent);
    color: var(--_accent-text);
  }
  .error-action {
    margin-inline-start: auto;
  }
  /* In the column, between the messages and the composer: it covers nothing. */
  .toast {
    margin: 0 16px 12px;
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 8px 8px 8px 16px;
    border-radius: 12px;
    background: var(--_text);
    color: var(--_background);
    box-shadow: 0 4px 16px #0f172a40;
  }
  .undo {
    font-weight: 600;
    text-decoration: underline;
  }
  /* Just above the composer, inside the message area: it takes no room in the column, whatever
     follows it (composer, footer). */
  .jump {
    position: relative;
    z-index: 1;
    align-self: center;
    height: 36px;
    margin: -48px 0 12px;
    padding: 0 16px;
    border: 1px solid var(--_border);
    border-radius: 99px;
    background: var(--_background);
    box-shadow: 0 2px 8px #0f172a2e;
  }
  form {
    flex-wrap: wrap;
    align-items: flex-end;
    border-top-width: 1px;
  }
  textarea {
    flex: 1;
    min-width: 0;
    box-sizing: border-box;
    resize: none;
    field-sizing: content;
    min-height: 44px;
    max-height: 160px;
    padding: 10px 12px;
    border: 1px solid var(--_border);
    border-radius: 12px;
    background: var(--_background);
    color: var(--_text);
    /* 16px at least, or iOS zooms the page when the composer is focused. */
    font: inherit;
    font-size: max(16px,var(--_font-size));
    line-height: 1.4;
  }
  textarea::placeholder {
    color: var(--_muted);
    opacity: 1;
  }
  .send {
    display: grid;
    place-items: center;
    width: 44px;
    height: 44px;
    border-radius: 12px;
  }
  .counter {
    flex-basis: 100%;
    text-align: end;
  }
  .over {
    color: var(--_danger);
    font-weight: 600;
  }
  footer {
    padding: 0 16px 8px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (max-width: 480px) {
    /* Full screen: keep clear of notches and the home indicator (pages with viewport-fit=cover). */
    :host(:not([inline])) .panel {
      border: 0;
      border-radius: 0;
      padding: env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left);
    }
    .messages {
      padding: 12px;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .typing i {
      animation: none;
    }
  }
`;
