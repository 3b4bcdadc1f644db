import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { PageTool } from '../core/tools.js';
import type { Strings } from '../i18n/index.js';
import { languageOf, launcherTables, type Language, type LauncherStrings } from '../i18n/launcher.js';
import { fire } from './events.js';
import { hostStyles } from './host-styles.js';
import type { PathorsChatPanel } from './chat-panel.js';
import type { PanelConfig, PanelRequest } from './panel-protocol.js';
import { STALE_TURN_MS } from '../core/turn-mark.js';

export type ChatMode = 'bubble' | 'inline';
export type ChatPosition = 'bottom-right' | 'bottom-left';
export type ChatTheme = 'light' | 'dark' | 'auto';

/**
 * A chat with a Pathors AI agent, through the site's own proxy.
 *
 * The launcher is all a page pays for at first: the panel and the markdown
 * renderer load the first time the chat opens, the stream client once the
 * visitor starts to write.
 *
 * @summary A small, safe, streaming chat widget for Pathors AI agents.
 *
 * @fires pathors-open - The panel opened (launcher, `show()`, `toggle()`).
 * @fires pathors-close - The panel closed (close button, Escape, `hide()`, `toggle()`).
 * @fires pathors-send - Cancelable. The visitor is sending `detail.text`; `preventDefault()` keeps it in the composer.
 * @fires pathors-message - A message was added: the visitor's when sent, the assistant's when finished.
 * @fires pathors-error - A turn failed; `detail.code` says why and `detail.message` is what the panel shows.
 * @fires pathors-session - The proxy assigned a session ID (`detail.sessionId`).
 * @fires pathors-tool-call - Cancelable. The agent calls one of `tools`; `preventDefault()` declines, `detail.waitUntil(promise)` asks first.
 * @fires pathors-reset - Cancelable. The visitor asked for a new conversation.
 * @fires pathors-feedback - Cancelable. The visitor rated a reply (`detail.rating` `good` or `bad`, `detail.messageId`, `detail.sessionId`) for the site to record; once per change, as the rating is saved with the reply (a reload does not ask again).
 *
 * @attr {string} lang - The language of the built-in strings (`en`, `zh-TW`); default: the nearest `lang` above, then the browser's. Changes, also of the page's `<html lang>`, take effect at once.
 *
 * @slot launcher-icon - The icon inside the launcher button.
 * @slot avatar - The assistant's picture, before the title in the panel header.
 * @slot header - Extra content in the panel header, after the title.
 * @slot empty - Shown while the conversation is empty, above the starters.
 * @slot footer - Below the composer: a disclaimer, a privacy link.
 *
 * @csspart launcher - The round button that opens the chat.
 * @csspart badge - The dot on the launcher when a reply finished while the chat was closed.
 * @csspart panel - The chat window.
 * @csspart header - The panel's title bar.
 * @csspart messages - The scrolling list of messages.
 * @csspart message - One message bubble.
 * @csspart composer - The text area the visitor types in.
 * @csspart send-button - The send (and stop) button.
 *
 * @cssprop [--pathors-chat-accent=#2563eb] - Buttons, links, the visitor's bubbles.
 * @cssprop [--pathors-chat-accent-text=#ffffff] - Text on the accent colour.
 * @cssprop [--pathors-chat-background=#ffffff] - The panel's background (dark: #0f172a).
 * @cssprop [--pathors-chat-surface=#f1f5f9] - The assistant's bubbles and code (dark: #1e293b).
 * @cssprop [--pathors-chat-text=#0f172a] - Text (dark: #e2e8f0).
 * @cssprop [--pathors-chat-muted=#475569] - Secondary text (dark: #a3b1c6).
 * @cssprop [--pathors-chat-border=#cbd5e1] - Borders (dark: #475569).
 * @cssprop [--pathors-chat-link=#1d4ed8] - Links in replies (dark: #93c5fd).
 * @cssprop [--pathors-chat-font=system-ui, sans-serif] - The font family.
 * @cssprop [--pathors-chat-font-size=15px] - The base font size (the composer never goes below 16px, so phones do not zoom).
 * @cssprop [--pathors-chat-radius=16px] - Corner radius of the panel and bubbles.
 * @cssprop [--pathors-chat-width=400px] - Width of the floating panel.
 * @cssprop [--pathors-chat-height=640px] - Height of the floating panel.
 * @cssprop [--pathors-chat-offset=20px] - Distance of the launcher and panel from the viewport edges.
 * @cssprop [--pathors-chat-z-index=2147480000] - Stacking order of the bubble and panel.
 * @cssprop [--pathors-chat-launcher-size=56px] - Diameter of the launcher.
 * @cssprop [--pathors-chat-launcher-background=var(--pathors-chat-accent)] - Launcher colour.
 * @cssprop [--pathors-chat-launcher-color=var(--pathors-chat-accent-text)] - Launcher icon colour.
 * @cssprop [--pathors-chat-code-keyword=light-dark(#b42318, #ff7b72)] - Highlighted code: keyword tokens.
 * @cssprop [--pathors-chat-code-string=light-dark(#0a3069, #a5d6ff)] - Highlighted code: string tokens.
 * @cssprop [--pathors-chat-code-number=light-dark(#0550ae, #79c0ff)] - Highlighted code: number tokens.
 * @cssprop [--pathors-chat-code-comment=light-dark(#57606a, #a0a8b2)] - Highlighted code: comment tokens.
 * @cssprop [--pathors-chat-code-function=light-dark(#6f42c1, #d2a8ff)] - Highlighted code: function tokens.
 * @cssprop [--pathors-chat-code-type=light-dark(#953800, #ffa657)] - Highlighted code: type tokens.
 * @cssprop [--pathors-chat-code-builtin=light-dark(#0550ae, #79c0ff)] - Highlighted code: builtin tokens.
 * @cssprop [--pathors-chat-code-operator=light-dark(#0d6b63, #56d4dd)] - Highlighted code: operator tokens.
 * @cssprop [--pathors-chat-code-punctuation=light-dark(#454f5b, #b1bac4)] - Highlighted code: punctuation tokens.
 * @cssprop [--pathors-chat-code-property=light-dark(#0550ae, #79c0ff)] - Highlighted code: property tokens.
 * @cssprop [--pathors-chat-code-tag=light-dark(#116329, #7ee787)] - Highlighted code: tag tokens.
 * @cssprop [--pathors-chat-code-attr=light-dark(#0550ae, #79c0ff)] - Highlighted code: attr tokens.
 * @cssprop [--pathors-chat-code-variable=light-dark(#953800, #ffa657)] - Highlighted code: variable tokens.
 * @cssprop [--pathors-chat-code-regexp=light-dark(#116329, #7ee787)] - Highlighted code: regexp tokens.
 * @cssprop [--pathors-chat-code-inserted=light-dark(#116329, #7ee787)] - Highlighted code: inserted tokens.
 * @cssprop [--pathors-chat-code-deleted=light-dark(#82071e, #ffa198)] - Highlighted code: deleted tokens.
 * @cssprop [--pathors-chat-code-meta=light-dark(#6639ba, #d2a8ff)] - Highlighted code: meta tokens.
 */
export class PathorsChat extends LitElement {
  static override styles = hostStyles;

  static override properties = {
    proxyUrl: { attribute: 'proxy-url' },
    mode: { reflect: true },
    position: { reflect: true },
    open: { type: Boolean, reflect: true },
    title: {},
    statusText: { attribute: 'status-text' },
    theme: { reflect: true },
    storageKey: { attribute: 'storage-key' },
    noPersist: { type: Boolean, attribute: 'no-persist' },
    imageHosts: {
      attribute: 'image-hosts',
      converter: { fromAttribute: (value: string | null) => value?.split(/[\s,]+/).filter(Boolean) ?? [] },
    },
    maxLength: { type: Number, attribute: 'max-length' },
    tools: { attribute: false },
    starters: { attribute: false },
    welcome: { attribute: false },
    strings: { attribute: false },
    history: {},
    requestHeaders: { attribute: false },
    fetch: { attribute: false },
    firstByteTimeout: { type: Number, attribute: 'first-byte-timeout' },
    maxToolRounds: { type: Number, attribute: 'max-tool-rounds' },
    panelLoaded: { state: true },
    panelLanguage: { state: true },
    unread: { state: true },
  };

  /** `lang` is the platform's own attribute; a change of it re-renders the strings. */
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  /** Base URL of the site's proxy, e.g. `/pathors`. Required. */
  declare proxyUrl: string;
  /** `bubble`: a launcher in a corner opens a floating panel. `inline`: the panel fills its container. */
  declare mode: ChatMode;
  /** Corner of the launcher in bubble mode. */
  declare position: ChatPosition;
  /** Whether the panel is open (always true in inline mode). A visitor's choice is kept across reloads and pages of the site. */
  declare open: boolean;
  /** The panel's title. Default: "Chat" in the page's language. */
  declare title: string;
  /** A status line under the title, e.g. "Typically replies in a minute". */
  declare statusText: string;
  /** `light`, `dark`, or `auto` (follows `prefers-color-scheme`). */
  declare theme: ChatTheme;
  /** localStorage key of this conversation: give each user or site its own. */
  declare storageKey: string;
  /** Keep the conversation in memory only. */
  declare noPersist: boolean;
  /** Hosts that images in replies may load from (space-separated). Default: none, so a reply cannot send data out through an image URL. */
  declare imageHosts: string[];
  /** Longest message the visitor may send, in characters. */
  declare maxLength: number;
  /** The page's functions the agent may call. */
  declare tools: PageTool[];
  /** Suggested first messages, shown while the conversation is empty. */
  declare starters: string[];
  /** The assistant's first message, shown before the visitor writes (never sent upstream). */
  declare welcome: string;
  /** Overrides of any visible string. */
  declare strings: Partial<Strings>;
  /** `turn`: send only the new turn while a session is known (default). `full`: send the whole transcript every time. */
  declare history: 'turn' | 'full';
  /** Headers added to every request to the proxy, e.g. a CSRF token; or a function returning them. */
  declare requestHeaders: Record<string, string> | (() => Record<string, string>) | undefined;
  /** Replaces `fetch` for every request to the proxy (to add credentials, or to test). */
  declare fetch: typeof fetch | undefined;
  /** Milliseconds to wait for the first byte of a reply before saying the service is too slow. */
  declare firstByteTimeout: number;
  /** Tool rounds allowed in one turn before the widget stops a loop of calls. */
  declare maxToolRounds: number;
  declare private panelLoaded: boolean;
  /** The language whose panel table is loaded (a Chinese page never shows English first). */
  declare private panelLanguage: Language;
  /** A reply finished while the panel was closed. */
  declare private unread: boolean;
  #panelModule: Promise<void> | undefined;
  #chinese: Promise<void> | undefined;
  #config: PanelConfig | undefined;
  /** Any `lang` in the page changed (a site's language switch sets `<html lang>`): strings may follow. */
  readonly #langWatch = new MutationObserver(() => this.requestUpdate());

  constructor() {
    super();
    this.proxyUrl = '';
    this.mode = 'bubble';
    this.position = 'bottom-right';
    this.open = false;
    this.title = '';
    this.statusText = '';
    this.theme = 'light';
    this.storageKey = 'pathors-chat';
    this.noPersist = false;
    this.imageHosts = [];
    this.maxLength = 4000;
    this.tools = [];
    this.starters = [];
    this.welcome = '';
    this.strings = {};
    this.history = 'turn';
    this.requestHeaders = undefined;
    this.fetch = undefined;
    this.firstByteTimeout = 30_000;
    this.maxToolRounds = 5;
    this.panelLoaded = false;
    this.panelLanguage = 'en';
    this.unread = false;
  }

  /** The language in force: `lang` on the element or an ancestor, else the browser's. */
  get language(): string {
    return this.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || navigator.language;
  }

  get #launcherText(): LauncherStrings {
    return { ...launcherTables[languageOf(this.language)], ...this.strings };
  }

  /** The visitor's last open or close, for this conversation, this browser session. */
  get #openKey(): string {
    return `${this.storageKey}:open`;
  }

  get #panel(): PathorsChatPanel | null {
    return this.renderRoot.querySelector('pathors-chat-panel');
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.#handleKeydown);
    this.#langWatch.observe(document.documentElement, { attributeFilter: ['lang'], subtree: true });
    // A reload or another page of the site shows the chat as the visitor left it. Only on the
    // first connection: an element moved in the page keeps its state, whoever set it.
    const kept = session(this.#openKey);
    if (kept && !this.hasUpdated && this.mode !== 'inline') this.open = kept === 'open';
    // A reply under way (a framework re-mounted the chat in the middle of it): the panel, even
    // closed, listens, for the badge, the page's events and the page's tools. Under way: its tab
    // marked it lately; an older mark is a page long gone. (The mark: storage.ts's `turn` item.)
    try {
      if (JSON.parse(localStorage.getItem(`${this.storageKey}:turn`)!)?.at > Date.now() - STALE_TURN_MS)
        void this.#loadPanel();
    } catch {
      // Storage blocked or the mark unreadable: nothing to resume.
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.#handleKeydown);
    this.#langWatch.disconnect();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.mode === 'inline') this.open = true;
    if ((changed.has('open') || changed.has('mode')) && this.open) void this.#loadPanel();
    if (this.open) this.unread = false;
    // `lang` may change after the panel loaded.
    if (this.panelLoaded) void this.#loadLanguage();
    // A new object only when something besides the badge changed: only then does the panel update.
    if (!this.#config || [...changed.keys()].some((key) => key !== 'unread')) {
      const config: Record<string, unknown> = {};
      for (const key of PathorsChat.elementProperties.keys()) config[key as string] = this[key as keyof this];
      this.#config = config as unknown as PanelConfig;
    }
  }

  protected override update(changed: PropertyValues<this>): void {
    // Closing (close button, Escape, hide(), toggle()) hides the focus with the panel: it goes to
    // the launcher, not to the page's body. Focus elsewhere on the page stays where it is.
    // (:focus-within also sees the page's own content slotted into the panel.)
    const refocus = !this.open && this.#panel?.matches(':focus-within');
    super.update(changed);
    if (refocus) this.renderRoot.querySelector<HTMLElement>('[part="launcher"]')?.focus();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open && changed.get('open') === false) void this.#focusWhenOpened();
  }

  async #focusWhenOpened(): Promise<void> {
    const panel = await this.#readyPanel();
    // On touch screens focusing the composer opens the keyboard over the chat.
    if (!matchMedia('(pointer: coarse)').matches) await panel?.focusComposer();
  }

  /** The panel, loaded and rendered, for a method that needs it before the chat was ever opened. */
  async #readyPanel(): Promise<PathorsChatPanel | null> {
    await this.#loadPanel();
    await this.updateComplete;
    return this.#panel;
  }

  #loadPanel(): Promise<void> {
    // The panel and, for a Chinese page, its strings load side by side, so it never shows English first.
    this.#panelModule ??= Promise.all([
      import('./chat-panel.js').then(({ definePanel }) => definePanel),
      this.#loadLanguage(),
    ]).then(([definePanel]) => {
      definePanel();
      this.panelLoaded = true;
    });
    return this.#panelModule;
  }

  async #loadLanguage(): Promise<void> {
    const language = languageOf(this.language);
    if (language === 'zh-tw') {
      this.#chinese ??= Promise.all([
        import('./chat-panel.js').then(({ addLanguage }) => addLanguage),
        import('../i18n/zh-tw.js'),
      ]).then(([addLanguage, { zhTW }]) => addLanguage('zh-tw', zhTW));
      await this.#chinese;
    }
    // Until its table is in, the panel keeps the language it has.
    if (languageOf(this.language) === language) this.panelLanguage = language;
  }

  /** The panel asks for one of this element's events; a page that cancels it refuses the request. */
  readonly #handlePanelRequest = (event: PanelRequest) => {
    const { name, detail } = event;
    if (name === 'pathors-close') {
      this.#setOpen(false);
      return;
    }
    if (name === 'pathors-message' && !this.open && event.detail) {
      this.unread ||= (detail as PanelRequest<'pathors-message'>['detail']).message.role === 'assistant';
    }
    // The request's name and detail were typed together when the panel made it.
    if (!fire(this, name, detail as never, event.cancelable)) event.preventDefault();
  };

  readonly #handleKeydown = (event: KeyboardEvent) => {
    // Escape during an IME composition cancels the composition, not the chat.
    if (event.key !== 'Escape' || event.isComposing || !this.open || this.mode !== 'bubble' || event.defaultPrevented)
      return;
    event.preventDefault();
    this.#setOpen(false);
  };

  /** Opens or closes as the visitor asked, and tells the page. */
  #setOpen(open: boolean): void {
    if (this.open === open || this.mode === 'inline') return;
    this.open = open;
    session(this.#openKey, open ? 'open' : 'closed');
    fire(this, open ? 'pathors-open' : 'pathors-close', undefined);
  }

  /** Opens the panel. */
  show(): void {
    this.#setOpen(true);
  }

  /** Closes the panel. */
  hide(): void {
    this.#setOpen(false);
  }

  /** Opens the panel if closed, closes it if open. */
  toggle(): void {
    this.#setOpen(!this.open);
  }

  /**
   * Sends a message as if the visitor had typed it (opening nothing). Resolves
   * false when it was not sent: empty, a reply in flight, or `pathors-send` canceled.
   */
  async send(text: string): Promise<boolean> {
    return (await this.#readyPanel())?.sendText(text) ?? false;
  }

  /** Stops the reply being written; the words so far are kept. */
  stop(): void {
    this.#panel?.conversation?.stop();
  }

  /** Forgets the conversation and its session, here and at the proxy (call it on logout). */
  async reset(): Promise<void> {
    const conversation = (await this.#readyPanel())?.conversation;
    conversation?.reset();
    // No Undo here: the session ends at the proxy now.
    conversation?.flush();
  }

  /** Focuses the composer (opening the panel in bubble mode). */
  override focus(options?: FocusOptions): void {
    if (this.mode === 'bubble' && !this.open) {
      this.show();
      return;
    }
    void this.#readyPanel().then((panel) => panel?.focusComposer(options));
  }

  protected override render() {
    const text = this.#launcherText;
    const inline = this.mode === 'inline';
    // Once loaded the panel stays, hidden when closed, so scroll position and a reply in flight survive.
    const panel = this.panelLoaded
      ? html`<pathors-chat-panel
      .config=${this.#config}
      @panel-request=${this.#handlePanelRequest}
      ?hidden=${!this.open}
      ?inline=${inline}
      exportparts="panel, header, messages, message, composer, send-button"
      role=${inline ? 'region' : 'dialog'}
      tabindex="-1"
      aria-label=${this.title || text.title}
      title="">
        <slot name="avatar" slot="avatar"></slot>
        <slot name="header" slot="header"></slot>
        <slot name="empty" slot="empty"></slot>
        <slot name="footer" slot="footer"></slot>
      </pathors-chat-panel>`
      : nothing;
    if (inline) return panel;
    return html`<button
        part="launcher"
        type="button"
        title=""
        aria-label=${this.open ? text.closeChat : this.unread ? text.openChatUnread : text.openChat}
        aria-expanded=${!!this.open}
        aria-haspopup="dialog"
        @click=${this.toggle}
        @pointerenter=${this.#loadPanel}
        @focus=${this.#loadPanel}>
        <slot name="launcher-icon">${this.open ? closeIcon : chatIcon}</slot>
        ${this.unread ? html`<span part="badge" class="badge"></span>` : nothing}
      </button>${panel}`;
  }
}

const chatIcon = html`<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" fill="currentColor">
  <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>`;
const closeIcon = html`<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" fill="none"
  stroke="currentColor" stroke-width="2.5" stroke-linecap="round"><path d="M6 6l12 12M18 6L6 18"/></svg>`;

/** Reads, or with `value` writes, sessionStorage, which may be blocked (sandboxed frames, cookies off). */
function session(key: string, value?: string): string | null | undefined {
  try {
    if (value === undefined) return sessionStorage.getItem(key);
    sessionStorage.setItem(key, value);
  } catch {
    // Not kept: the next page starts closed.
  }
  return undefined;
}
