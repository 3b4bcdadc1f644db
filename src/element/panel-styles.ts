import { css } from 'lit';

/** The panel's styles. Colours come from the host's tokens (`--_*`), so the page themes both at once. */
export const panelStyles = css`
  :host {
    display: block;
    font: var(--_font-size) / 1.5 var(--_font);
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
  @media (max-width: 480px) {
    :host(:not([inline])) .panel {
      border: 0;
      border-radius: 0;
    }
  }
  header,
  form {
    display: flex;
    gap: 8px;
    padding: 10px 12px;
    border: 0 solid var(--_border);
  }
  header {
    align-items: center;
    border-bottom-width: 1px;
  }
  h2 {
    flex: 1;
    margin: 0 0 0 4px;
    font-size: 1.05em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
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
  .icon {
    display: grid;
    place-items: center;
    width: 36px;
    height: 36px;
    padding: 0;
    color: var(--_muted);
  }
  .icon:hover:not(:disabled) {
    background: var(--_surface);
    color: var(--_text);
  }
  .messages {
    flex: 1;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 16px;
    display: flex;
    flex-direction: column;
    gap: 12px;
  }
  .message {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    min-width: 0;
    max-width: 88%;
  }
  .user {
    align-self: flex-end;
    align-items: flex-end;
  }
  .bubble {
    box-sizing: border-box;
    min-width: 0;
    max-width: 100%;
    padding: 8px 14px;
    border-radius: var(--_radius) var(--_radius) var(--_radius) 4px;
    background: var(--_surface);
    overflow-wrap: anywhere;
  }
  .user .bubble {
    border-radius: var(--_radius) var(--_radius) 4px;
    background: var(--_accent);
    color: var(--_accent-text);
    white-space: pre-wrap;
  }
  .copy {
    width: 28px;
    height: 28px;
  }
  .note {
    margin: 0;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .chip {
    align-self: flex-start;
    padding: 2px 10px;
    border: 1px solid var(--_border);
    border-radius: 99px;
  }
  .box {
    padding: 8px 12px;
    border: 1px dashed var(--_border);
    border-radius: 8px;
  }
  .md { display: block; }
  .md > :first-child { margin-top: 0; }
  .md > :last-child { margin-bottom: 0; }
  .md :is(p, ul, ol, blockquote, table, .code) { margin: 0.5em 0; }
  .md :is(h1, h2, h3, h4, h5, h6) { margin: 0.7em 0 0.35em; font-size: 1.05em; line-height: 1.3; }
  .md h1 { font-size: 1.3em; }
  .md h2 { font-size: 1.18em; }
  .md :is(ul, ol) { padding-left: 1.4em; }
  .md a { color: var(--_link); }
  .md blockquote { margin-left: 0; padding-left: 0.8em; border-left: 3px solid var(--_border); color: var(--_muted); }
  .md code { font: 0.9em ui-monospace, Menlo, Consolas, monospace; }
  .md :not(pre) > code { padding: 0.1em 0.3em; border-radius: 4px; background: var(--_background); }
  .md .code { display: flex; flex-direction: column; }
  .md pre, .md .code button { border: 1px solid var(--_border); background: var(--_background); }
  .md pre { margin: 0; padding: 10px 12px; overflow-x: auto; border-radius: 8px; }
  .md .code button { order: -1; align-self: flex-end; margin-bottom: 4px; padding: 2px 8px; font-size: 0.8em; white-space: nowrap; }
  .md table { display: block; overflow-x: auto; border-collapse: collapse; }
  .md :is(th, td) { padding: 4px 8px; border: 1px solid var(--_border); overflow-wrap: normal; }
  .md [align='center'] { text-align: center; }
  .md [align='right'] { text-align: right; }
  .md img { max-width: 100%; height: auto; }
  .md hr { border: 0; border-top: 1px solid var(--_border); }
  .starters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .starters button {
    padding: 6px 12px;
    border: 1px solid var(--_accent);
    border-radius: 99px;
    color: var(--_link);
    text-align: left;
  }
  .starters button:hover {
    background: var(--_surface);
  }
  .typing {
    display: flex;
    gap: 4px;
    align-self: flex-start;
    padding: 12px 14px;
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .typing i {
    width: 7px;
    height: 7px;
    border-radius: 50%;
    background: var(--_muted);
    animation: blink 1.2s infinite both;
  }
  .typing i:nth-child(2) { animation-delay: 0.2s; }
  .typing i:nth-child(3) { animation-delay: 0.4s; }
  @keyframes blink {
    40% { opacity: 1; }
    0%, 80%, 100% { opacity: 0.3; }
  }
  .error {
    padding: 10px 12px;
    border: 1px solid var(--_danger);
    border-radius: 10px;
  }
  .error p {
    margin: 0 0 8px;
  }
  .retry,
  .send {
    background: var(--_accent);
    color: var(--_accent-text);
  }
  .retry {
    padding: 4px 14px;
  }
  .jump {
    position: absolute;
    left: 50%;
    bottom: 84px;
    transform: translateX(-50%);
    padding: 6px 14px;
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
    font-size: max(16px, var(--_font-size));
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
    text-align: right;
  }
  .over {
    color: var(--_danger);
    font-weight: 600;
  }
  footer {
    padding: 0 12px 8px;
    font-size: 0.8em;
    color: var(--_muted);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: reduce) {
    .typing i {
      animation: none;
    }
  }
`;
