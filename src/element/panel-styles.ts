import { css } from 'lit';

/** The panel's styles. Colours come from the host's tokens (`--_*`), so the page themes both at once. */
export const panelStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.5;
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
    box-shadow: 0 12px 40px rgb(15 23 42 / 0.22);
    overflow: hidden;
    animation: rise 0.18s ease-out;
  }
  :host([inline]) .panel {
    box-shadow: none;
    animation: none;
  }
  @media (max-width: 480px) {
    :host(:not([inline])) .panel {
      border-radius: 0;
      border: none;
    }
  }
  @keyframes rise {
    from { opacity: 0; transform: translateY(8px); }
  }
  header {
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 10px 8px 10px 16px;
    border-bottom: 1px solid var(--_border);
  }
  h2 {
    flex: 1;
    margin: 0;
    font-size: 1.05em;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
  }
  button:disabled {
    cursor: default;
    opacity: 0.55;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .icon-button {
    display: grid;
    place-items: center;
    width: 36px;
    height: 36px;
    padding: 0;
    border: none;
    border-radius: 8px;
    background: transparent;
    color: var(--_muted);
  }
  .icon-button:hover:not(:disabled) {
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
    max-width: 88%;
  }
  .message.user {
    align-self: flex-end;
    align-items: flex-end;
  }
  .message.assistant {
    align-self: flex-start;
  }
  .bubble {
    padding: 8px 14px;
    border-radius: var(--_radius);
    background: var(--_surface);
    overflow-wrap: anywhere;
  }
  .user .bubble {
    background: var(--_accent);
    color: var(--_accent-text);
    border-bottom-right-radius: 4px;
  }
  .assistant .bubble {
    border-bottom-left-radius: 4px;
  }
  .plain {
    margin: 0;
    white-space: pre-wrap;
  }
  .copy {
    width: 28px;
    height: 28px;
    margin-top: 2px;
  }
  .status,
  .tool-note,
  .notice {
    margin: 4px 0 0;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .tool-note {
    align-self: flex-start;
    margin: 0;
    padding: 2px 10px;
    border: 1px solid var(--_border);
    border-radius: 999px;
  }
  .notice {
    margin: 0;
    padding: 8px 12px;
    border: 1px dashed var(--_border);
    border-radius: 8px;
  }
  .md > :first-child { margin-top: 0; }
  .md > :last-child { margin-bottom: 0; }
  .md p, .md ul, .md ol, .md blockquote, .md table, .md .code { margin: 0.5em 0; }
  .md h1, .md h2, .md h3, .md h4, .md h5, .md h6 { margin: 0.7em 0 0.35em; line-height: 1.3; font-size: 1.05em; }
  .md h1 { font-size: 1.3em; }
  .md h2 { font-size: 1.18em; }
  .md ul, .md ol { padding-left: 1.4em; }
  .md a { color: var(--_link); }
  .md blockquote { margin-left: 0; padding-left: 0.8em; border-left: 3px solid var(--_border); color: var(--_muted); }
  .md code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
  .md :not(pre) > code { padding: 0.1em 0.3em; border-radius: 4px; background: var(--_background); }
  .md .code { display: flex; flex-direction: column; }
  .md pre { margin: 0; padding: 10px 12px; overflow-x: auto; border-radius: 8px; background: var(--_background); border: 1px solid var(--_border); }
  .md .code button { order: -1; align-self: flex-end; margin-bottom: 4px; padding: 2px 8px; font-size: 0.8em; white-space: nowrap; overflow-wrap: normal; border: 1px solid var(--_border); border-radius: 6px; background: var(--_background); }
  .md table { border-collapse: collapse; display: block; overflow-x: auto; }
  .md th, .md td { padding: 4px 8px; border: 1px solid var(--_border); overflow-wrap: normal; }
  .md img { max-width: 100%; height: auto; }
  .md hr { border: none; border-top: 1px solid var(--_border); }
  .md [align='center'], .md [data-align='center'] { text-align: center; }
  .md [align='right'], .md [data-align='right'] { text-align: right; }
  .empty { color: var(--_muted); }
  .starters {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }
  .starter {
    padding: 6px 12px;
    border: 1px solid var(--_accent);
    border-radius: 999px;
    background: transparent;
    color: var(--_link);
    text-align: left;
  }
  .starter:hover {
    background: var(--_surface);
  }
  .typing {
    display: flex;
    gap: 4px;
    padding: 12px 14px;
    align-self: flex-start;
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .typing span {
    width: 7px;
    height: 7px;
    border-radius: 50%;
    background: var(--_muted);
    animation: blink 1.2s infinite ease-in-out both;
  }
  .typing span:nth-child(2) { animation-delay: 0.2s; }
  .typing span:nth-child(3) { animation-delay: 0.4s; }
  @keyframes blink {
    0%, 80%, 100% { opacity: 0.3; }
    40% { opacity: 1; }
  }
  .error {
    padding: 10px 12px;
    border: 1px solid var(--_danger);
    border-radius: 10px;
    color: var(--_text);
  }
  .error p {
    margin: 0 0 8px;
  }
  .retry {
    padding: 4px 14px;
    border: none;
    border-radius: 8px;
    background: var(--_accent);
    color: var(--_accent-text);
  }
  .jump {
    position: absolute;
    left: 50%;
    bottom: 84px;
    transform: translateX(-50%);
    padding: 6px 14px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_background);
    box-shadow: 0 2px 8px rgb(15 23 42 / 0.18);
  }
  .composer-row {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: 8px;
    padding: 10px 12px;
    border-top: 1px solid var(--_border);
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
    padding: 0;
    border: none;
    border-radius: 12px;
    background: var(--_accent);
    color: var(--_accent-text);
  }
  .counter {
    flex-basis: 100%;
    margin: 0;
    font-size: 0.8em;
    color: var(--_muted);
    text-align: right;
  }
  .counter.over {
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
    margin: -1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: reduce) {
    .panel { animation: none; }
    .typing span { animation: none; opacity: 0.7; }
  }
`;
