import { LitElement, html, noChange, nothing, type PropertyValues } from 'lit';
import { loadAlongsideSender } from '../core/conversation.js';
import type { ChatError } from '../core/errors.js';
import type { AssistantEntry, Entry } from '../core/transcript.js';
import { addLanguage, format, stringsFor, type Strings } from '../i18n/index.js';
import { ConversationController } from './conversation-controller.js';
import { ModalController } from './modal-controller.js';
import type { ChatMessageDetail } from './events.js';
import { panelStyles } from './panel-styles.js';
import { PanelRequest, type PanelConfig, type PanelRequestName, type PanelRequests } from './panel-protocol.js';
import { ReplyView } from './reply-view.js';
import { ScrollFollower } from './scroll-follower.js';
import { ViewportController } from './viewport-controller.js';

/** Messages rendered at first from a long saved conversation; older ones wait behind a button. */
const SHOWN_AT_FIRST = 20;

// The English strings only a turn can show (its errors, a finished reply, a tool running) come
// with the send chunk: a visitor who only reads never fetches them, and no turn starts without them.
loadAlongsideSender(() => import('../i18n/en-turn.js').then(({ enTurn }) => addLanguage('en', enTurn)));

/**
 * The chat panel: transcript, composer and their controls. Internal to `<pathors-chat>`,
 * which loads it the first time the chat opens. Its settings come down as `config`; what
 * happens goes up as `PanelRequest` events, which the host turns into its public events.
 */
export class PathorsChatPanel extends LitElement {
  static override styles = panelStyles;

  static override properties = {
    config: { attribute: false },
    copiedId: { state: true },
    footerFilled: { state: true },
    avatarFilled: { state: true },
    announcement: { state: true },
    firstShown: { state: true },
  };

  readonly #chat = new ConversationController(this, {
    // The view draws streamed text in its own frame, with no update of the panel: follow it there.
    delta: ({ entry }) => {
      this.#replies.get(entry.id)?.refresh_();
      this.#scroller.contentChanged_();
    },
    reply: ({ entry }) => this.#handleReply(entry),
    error: ({ error }) =>
      this.#request('pathors-error', {
        code: error.code,
        message: this.#errorText(error),
        status: error.status,
        retryAfter: error.retryAfter,
        error,
      }),
    session: (detail) => this.#request('pathors-session', detail),
    // The page may decline a call, or ask the visitor first (`waitUntil`).
    'tool-call': (detail) => this.#request('pathors-tool-call', detail, true),
  });
  readonly #scroller = new ScrollFollower(this, () => this.#messagesElement);
  /** The view of each reply on screen, by entry id: a streamed token finds its view at once. */
  readonly #replies = new Map<string, ReplyView>();
  #announceTimer = 0;
  #copiedTimer = 0;

  declare config: PanelConfig;
  // The states below start undefined (nothing copied, slots empty, nothing to announce, all shown).
  declare private copiedId?: string;
  declare private footerFilled?: boolean;
  declare private avatarFilled?: boolean;
  /** The last finished reply, as text, for screen readers (polite). */
  declare private announcement?: string;
  /** Id of the first message rendered: older ones wait behind "earlier messages". */
  declare private firstShown?: string;

  constructor() {
    super();
    new ViewportController(this);
    new ModalController(this, () => this.config.open && this.config.mode !== 'inline');
  }

  /** The conversation on screen (for the host's methods and for tests). */
  get conversation() {
    return this.#chat.conversation;
  }

  /** Read per render: the host's `lang` and `strings` may change at any time. */
  get #strings(): Strings {
    return stringsFor(this.config.panelLanguage, this.config.strings);
  }

  /** The visitor's unsent text, kept on the conversation so a re-mount does not lose it. */
  get #draft(): string {
    return this.conversation?.draft ?? '';
  }

  set #draft(value: string) {
    if (this.conversation) this.conversation.draft = value;
  }

  get #messagesElement(): HTMLElement | null | undefined {
    return this.renderRoot?.querySelector<HTMLElement>('[part="messages"]');
  }

  get #composer(): HTMLTextAreaElement | null | undefined {
    // No render root until connected: the host may be removed while the panel loads.
    return this.renderRoot?.querySelector('textarea');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#announceTimer);
    clearTimeout(this.#copiedTimer);
    // Their timers are gone: a panel moved in the page must not say "Copied" from then on, nor
    // keep an announcement that the same words could then not repeat (shown once it is back).
    this.copiedId = undefined;
    this.announcement = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('config')) return;
    const config = this.config;
    const before = this.conversation;
    this.#chat.use(config.storageKey, !config.noPersist);
    this.#chat.configure({
      proxyUrl: config.proxyUrl,
      history: config.history === 'full' ? 'full' : 'turn',
      tools: config.tools ?? [],
      requestHeaders: config.requestHeaders,
      fetch: config.fetch,
      firstByteTimeoutMs: config.firstByteTimeout,
      maxToolRounds: config.maxToolRounds,
      welcome: config.welcome,
    });
    if (this.conversation !== before) {
      // Another visitor's conversation (a new storage key): nothing of the last one stays on screen.
      this.announcement = '';
      this.#showLatest();
    }
  }

  protected override update(changed: PropertyValues<this>): void {
    // A control that removes or disables itself (a starter, Retry, Undo, Stop turning into Send)
    // would drop the focus to the page's body, where a keyboard user is lost: it goes to the composer.
    // (activeElement rather than :focus, which matches only while the window has the system focus.)
    const focused = (this.renderRoot as ShadowRoot).activeElement;
    super.update(changed);
    const now = (this.renderRoot as ShadowRoot).activeElement as HTMLButtonElement | null;
    // Chromium lets a control it disabled keep the focus until the next frame. In the full-screen
    // panel of a phone the composer would raise the keyboard over the chat: there the panel itself
    // takes the focus, as it does when it opens (modal-controller.ts).
    if (focused && (!now || now.disabled)) (this.hasAttribute('aria-modal') ? this : this.#composer)?.focus();
  }

  protected override updated(): void {
    this.#scroller.contentChanged_();
  }

  /** Asks the host to fire one of its events. Returns false if the page canceled it. */
  #request<K extends PanelRequestName>(name: K, detail: PanelRequests[K], cancelable = false): boolean {
    return this.dispatchEvent(new PanelRequest(name, detail, cancelable));
  }

  /** A long saved conversation shows its latest messages first; the rest on request. */
  #showLatest(): void {
    const entries = this.conversation?.entries ?? [];
    this.firstShown = entries.length > SHOWN_AT_FIRST ? entries.at(-SHOWN_AT_FIRST)?.id : undefined;
  }

  #handleReply(entry: AssistantEntry): void {
    this.#request('pathors-message', { message: messageDetail(entry) });
    // A reply that came whole in one read has its view only after the next render.
    void this.updateComplete.then(() => this.#announce(entry));
  }

  #announce(entry: AssistantEntry): void {
    const view = this.#replies.get(entry.id);
    if (!view) return;
    // Announced once on screen, as the visitor reads it: rendered text, not markdown.
    view.onRendered_ = () => {
      view.onRendered_ = undefined;
      this.announcement = format(this.#strings.replyFinished, { text: view.textContent?.trim() ?? '' });
      clearTimeout(this.#announceTimer);
      // Emptied afterwards, so the same words can be announced again and never read twice on a re-render.
      this.#announceTimer = window.setTimeout(() => {
        this.announcement = '';
      }, 5000);
    };
    view.refresh_();
  }

  #errorText(error: ChatError): string {
    return format(this.#strings[error.messageKey], {
      seconds: error.retryAfter ?? 30,
      status: error.status ?? '',
      detail: error.detail ?? '',
    });
  }

  #handleInput(event: InputEvent): void {
    this.#draft = (event.target as HTMLTextAreaElement).value;
    this.requestUpdate();
  }

  #handleKeydown(event: KeyboardEvent): void {
    // keyCode 229: the Enter that confirms an IME composition, on browsers that end it before keydown.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.#sendDraft();
  }

  #handleSubmit(event: Event): void {
    event.preventDefault();
    if (this.conversation?.busy) this.conversation.stop();
    else this.#sendDraft();
  }

  #sendDraft(): void {
    if (this.sendText(this.#draft)) {
      this.#draft = '';
      this.requestUpdate();
    }
  }

  #handleSlotChange(event: Event): void {
    const slot = event.target as HTMLSlotElement;
    const filled = slot.assignedNodes({ flatten: true }).length > 0;
    if (slot.name === 'avatar') this.avatarFilled = filled;
    else this.footerFilled = filled;
  }

  #handleRetry(): void {
    this.conversation?.retry();
    this.#scroller.follow_();
  }

  #handleRegenerate(): void {
    this.conversation?.regenerate();
    this.#scroller.follow_();
  }

  #handleNewConversation(): void {
    if (!this.#request('pathors-reset', undefined, true)) return;
    this.conversation?.reset();
    void this.focusComposer();
  }

  async #handleCopy(entry: Entry): Promise<void> {
    try {
      await navigator.clipboard.writeText(entry.content);
      this.copiedId = entry.id;
      clearTimeout(this.#copiedTimer);
      this.#copiedTimer = window.setTimeout(() => {
        this.copiedId = undefined;
      }, 1500);
    } catch {
      // Clipboard refused (no permission, insecure page): the text can still be selected by hand.
    }
  }

  #handleRate(entry: AssistantEntry, rating: 'good' | 'bad'): void {
    if (entry.rating === rating) return;
    const allowed = this.#request(
      'pathors-feedback',
      {
        messageId: entry.id,
        sessionId: this.conversation?.sessionId,
        rating,
      },
      true,
    );
    if (allowed) this.conversation?.rate(entry, rating);
  }

  /** Sends `text` after a cancelable `pathors-send`. */
  sendText(text: string): boolean {
    const conversation = this.conversation;
    const content = text.trim();
    if (!conversation || !content || conversation.busy || content.length > this.config.maxLength) return false;
    if (!this.#request('pathors-send', { text: content }, true)) return false;
    if (!conversation.send(content)) return false;
    const sent = conversation.entries.at(-1);
    if (sent) this.#request('pathors-message', { message: messageDetail(sent) });
    this.#scroller.follow_();
    return true;
  }

  async focusComposer(options?: FocusOptions): Promise<void> {
    await this.updateComplete;
    this.#composer?.focus(options);
  }

  #renderEntry(entry: Entry, latest: boolean) {
    const text = this.#strings;
    if (entry.role === 'tool') {
      return html`<p class="note chip">${format(text.usedTool, { tool: entry.name })}</p>`;
    }
    if (entry.role === 'user') {
      return html`<article part="message" class="message user ${entry.failed ? 'not-sent' : ''}" aria-label=${text.you}>
        <div class="bubble">${entry.content}</div>
      </article>
      ${
        entry.failed
          ? html`<p class="not-sent-note">${text.notSent} · <button type="button" class="retry"
        ?disabled=${!this.conversation?.canRetry} @click=${this.#handleRetry}>${text.retry}</button></p>`
          : nothing
      }`;
    }
    if (!entry.content && entry.toolCalls?.length) return nothing;
    const cut = entry.status === 'stopped' || entry.status === 'interrupted';
    // The error card under the latest reply already says why it was cut off.
    const note =
      entry.status === 'stopped'
        ? text.stopped
        : cut && !(latest && this.conversation?.status === 'error')
          ? text.interrupted
          : '';
    return html`<article part="message" class="message assistant ${cut ? 'cut' : ''} ${entry.welcome ? 'welcome' : ''}"
      aria-label=${text.assistant}>
      ${this.#renderReply(entry)}
      ${note ? html`<p class="cut-note">${note}</p>` : nothing}
      ${entry.status === 'streaming' || entry.welcome ? nothing : this.#renderActions(entry, latest)}
    </article>`;
  }

  #renderReply(entry: AssistantEntry) {
    const text = this.#strings;
    return html`<pathors-reply class="md"
      .options=${{
        imageHosts: this.config.imageHosts ?? [],
        copyLabel: text.copy,
        copiedLabel: text.copied,
        truncatedNote: text.truncated,
        // The highlighter is its own chunk, fetched the first time a reply holds a fenced block and
        // run once the block is complete. Should the chunk fail to load, the code stays plain.
        onCodeBlock: highlightCode,
      }}
      .registry=${this.#replies}
      .entry=${entry}></pathors-reply>`;
  }

  #renderActions(entry: AssistantEntry, latest: boolean) {
    const text = this.#strings;
    const copied = this.copiedId === entry.id;
    const { rating } = entry;
    const action = (kind: string, label: string, icon: unknown, onClick: () => void, pressed?: boolean) =>
      html`<button type="button" class="action ${kind}" aria-label=${label} title=${label}
        aria-pressed=${pressed ?? nothing} @click=${onClick}>${icon}</button>`;
    return html`<div class="actions">
      ${action('copy', copied ? text.copied : text.copyMessage, copied ? checkIcon : copyIcon, () => this.#handleCopy(entry))}
      ${
        latest && !this.conversation?.busy
          ? action('regenerate', text.regenerate, regenerateIcon, () => this.#handleRegenerate())
          : nothing
      }
      ${action('good', text.goodReply, goodIcon, () => this.#handleRate(entry, 'good'), rating === 'good')}
      ${action('bad', text.badReply, badIcon, () => this.#handleRate(entry, 'bad'), rating === 'bad')}
    </div>`;
  }

  #renderNotice() {
    const key = !this.config.proxyUrl
      ? 'errorConfig'
      : ({ blocked: 'notSavedBlocked', full: 'notSavedFull', corrupt: 'notSavedCorrupt', off: '' } as const)[
          this.conversation?.storageProblem ?? 'off'
        ];
    const text = this.#strings;
    // The English storage notices are a chunk of their own, fetched by a browser that cannot keep
    // the conversation, to show one. A notice the page set, if only to '' to hide it, is not missing.
    if (key && !(key in text))
      import('../i18n/en-storage.js').then(
        ({ enStorage }) => {
          addLanguage('en', enStorage);
          this.requestUpdate();
        },
        () => {},
      );
    const notice = key && text[key];
    return notice ? html`<p class="note box" role="status">${notice}</p>` : nothing;
  }

  #renderEmpty(empty: boolean) {
    const config = this.config;
    const text = this.#strings;
    const starters = config.starters ?? [];
    return html`
      <div class="empty" ?hidden=${!empty}><slot name="empty"></slot></div>
      ${
        empty && config.welcome
          ? html`<article part="message" class="message assistant welcome" aria-label=${text.assistant}>
        ${this.#renderReply(welcomeEntry(config.welcome))}</article>`
          : nothing
      }
      ${
        empty && starters.length
          ? html`<ul class="starters" aria-label=${text.suggestions}>
        ${starters.map(
          (starter) => html`<li><button type="button" class="starter"
          @click=${() => this.sendText(starter)}>${starter}</button></li>`,
        )}</ul>`
          : nothing
      }`;
  }

  #renderStatus() {
    const conversation = this.conversation;
    const text = this.#strings;
    if (!conversation) return nothing;
    if (conversation.status === 'sending') {
      return html`<div class="typing" role="status" aria-label=${text.typing}><i></i><i></i><i></i></div>`;
    }
    if (conversation.status === 'tools' && conversation.activeTool) {
      return html`<p class="note chip running" role="status">${format(text.runningTool, { tool: conversation.activeTool })}</p>`;
    }
    if (conversation.status === 'error' && conversation.error) {
      const { code } = conversation.error;
      return html`<div class="error-card" role="alert">${errorIcon}
        <p class="error-text">${this.#errorText(conversation.error)}</p>
        ${
          code === 'config' || code === 'tool_limit' || !conversation.canRetry
            ? nothing
            : html`<button type="button" class="error-action retry" @click=${this.#handleRetry}>${text.retry}</button>`
        }
      </div>`;
    }
    return nothing;
  }

  #renderComposer() {
    const text = this.#strings;
    const busy = this.conversation?.busy ?? false;
    const max = this.config.maxLength;
    const length = this.#draft.length;
    const over = length > max;
    return html`<form @submit=${this.#handleSubmit}>
      <textarea part="composer"
        rows="1"
        .value=${this.#draft}
        aria-label=${text.composerLabel}
        aria-describedby="counter"
        aria-invalid=${over}
        placeholder=${text.placeholder}
        enterkeyhint="send"
        @input=${this.#handleInput}
        @keydown=${this.#handleKeydown}></textarea>
      <button part="send-button" type="submit" class="send ${busy ? 'stop' : ''}"
        aria-label=${busy ? text.stop : text.send}
        title=${busy ? text.stop : text.send}
        ?disabled=${!busy && (!this.#draft.trim() || over)}>${busy ? stopIcon : sendIcon}</button>
      <p id="counter" class="note counter ${over ? 'over' : ''}" ?hidden=${length <= max * 0.8}
        aria-live="polite">${format(text.characterCount, { count: length, max })}</p>
    </form>`;
  }

  protected override render() {
    // Out of the page its conversation is detached: a render then (one pending when the page took
    // the chat out) would empty the transcript and rebuild every reply on return. Left as it is.
    if (!this.isConnected) return noChange;
    const text = this.#strings;
    const config = this.config;
    const entries = this.conversation?.entries ?? [];
    const first = Math.max(
      0,
      entries.findIndex((entry) => entry.id === this.firstShown),
    );
    const last = entries.at(-1);
    return html`<section part="panel" class="panel">
      <header part="header">
        <span class="avatar" ?hidden=${!this.avatarFilled}><slot name="avatar"
          @slotchange=${this.#handleSlotChange}></slot></span>
        <div class="titles">
          <h2 id="title" class="title">${config.title || text.title}</h2>
          <p class="status-line" ?hidden=${!config.statusText}>${config.statusText}</p>
        </div>
        <slot name="header"></slot>
        <div class="header-actions">
          <button type="button" class="icon-button new-chat" aria-label=${text.newConversation}
            title=${text.newConversation} ?disabled=${!entries.length && !this.conversation?.sessionId}
            @click=${this.#handleNewConversation}>${newIcon}</button>
          ${
            config.mode === 'inline'
              ? nothing
              : html`<button type="button" class="icon-button close" aria-label=${text.closeChat}
            title=${text.closeChat} @click=${() => this.#request('pathors-close', undefined)}>${closeIcon}</button>`
          }
        </div>
      </header>
      <div part="messages" class="messages" role="log" aria-live="off" aria-labelledby="title" tabindex="0"
        @scroll=${this.#scroller.handleScroll_}>
        ${this.#renderNotice()}
        ${this.#renderEmpty(!entries.length)}
        ${
          first
            ? html`<button type="button" class="earlier" @click=${() => {
                this.firstShown = undefined;
              }}>${format(text.earlierMessages, { count: first })}</button>`
            : nothing
        }
        ${entries.slice(first).map((entry) => this.#renderEntry(entry, entry === last))}
        ${this.#renderStatus()}
      </div>
      <button type="button" class="jump" ?hidden=${this.#scroller.following_}
        @click=${() => this.#scroller.follow_()}>${text.jumpToLatest}</button>
      <div class="sr-only" aria-live="polite">${this.announcement}</div>
      ${
        this.conversation?.canUndoReset
          ? html`<div class="toast" role="status">${text.conversationCleared}
        <button type="button" class="undo" @click=${() => this.conversation?.undoReset()}>${text.undo}</button></div>`
          : nothing
      }
      ${this.#renderComposer()}
      <footer ?hidden=${!this.footerFilled}><slot name="footer" @slotchange=${this.#handleSlotChange}></slot></footer>
    </section>`;
  }
}

function messageDetail(entry: Entry): ChatMessageDetail {
  if (entry.role === 'assistant') {
    return {
      id: entry.id,
      role: 'assistant',
      content: entry.content,
      status: entry.status === 'streaming' ? 'interrupted' : entry.status,
    };
  }
  return { id: entry.id, role: 'user', content: entry.content };
}

let welcome: AssistantEntry | undefined;
/** The welcome message as an entry of its own (never sent), kept while its text is the same so it renders once. */
function welcomeEntry(content: string): AssistantEntry {
  if (welcome?.content !== content) welcome = { id: 'welcome', role: 'assistant', content, status: 'done' };
  return welcome;
}

const icon = (path: string) => html`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"
  fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
  <path d=${path}></path></svg>`;
const closeIcon = icon('M6 6l12 12M18 6L6 18');
const newIcon = icon('M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z');
const copyIcon = icon('M9 9h11v11H9zM5 15H4V4h11v1');
const checkIcon = icon('M5 12l5 5L20 7');
const regenerateIcon = icon('M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7');
const goodIcon = icon('M7 11v9H4v-9zM7 11l4-8a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2l-2 7a2 2 0 0 1-2 1H7');
const badIcon = icon('M7 13V4H4v9zM7 13l4 8a2 2 0 0 0 3-2l-1-5h6a2 2 0 0 0 2-2l-2-7a2 2 0 0 0-2-1H7');
const errorIcon = icon('M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v6M12 16.5v.5');
const sendIcon = icon('M5 12h14M13 6l6 6-6 6');
const stopIcon = html`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="currentColor">
  <rect x="6" y="6" width="12" height="12" rx="2"></rect></svg>`;

export { addLanguage };

/** Defines the internal panel element, once. */
export function definePanel(): void {
  if (!customElements.get('pathors-reply')) customElements.define('pathors-reply', ReplyView);
  if (!customElements.get('pathors-chat-panel')) customElements.define('pathors-chat-panel', PathorsChatPanel);
}

declare global {
  interface HTMLElementTagNameMap {
    'pathors-chat-panel': PathorsChatPanel;
    'pathors-reply': ReplyView;
  }
}

function highlightCode(code: HTMLElement, language: string): void {
  import('../render/highlight/index.js').then(
    ({ highlightInto }) => highlightInto(code, language),
    () => {},
  );
}
