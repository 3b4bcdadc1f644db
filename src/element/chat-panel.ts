import { LitElement, html, nothing } from 'lit';
import { conversationFor, loadTools, type Conversation, type ConversationEventMap } from '../core/conversation.js';
import type { ChatError } from '../core/errors.js';
import type { AssistantEntry, Entry } from '../core/transcript.js';
import type { ToolCall } from '../core/wire.js';
import { format, stringsFor, type Strings } from '../i18n/index.js';
import { fire, type ChatMessageDetail } from './events.js';
import { panelStyles } from './panel-styles.js';
import { ReplyView } from './reply-view.js';
import type { PathorsChat } from './pathors-chat.js';
import { ScrollFollower } from './scroll-follower.js';
import { ViewportController } from './viewport-controller.js';

/**
 * The chat panel: transcript, composer and their controls. Internal to
 * `<pathors-chat>`, which loads it the first time the chat opens and passes
 * itself as `host`: settings are read from it and events are fired on it.
 */
export class PathorsChatPanel extends LitElement {
  static override styles = panelStyles;

  static override properties = {
    host: { attribute: false },
    revision: { state: true },
    copiedId: { state: true },
    footerFilled: { state: true },
  };

  declare host: PathorsChat;
  /** Bumped when the conversation changes, to re-render. */
  private declare revision: number;
  private declare copiedId: string | undefined;
  private declare footerFilled: boolean;
  conversation: Conversation | undefined;
  readonly #scroller = new ScrollFollower(this, () => this.#messagesElement);
  #announcement = '';

  constructor() {
    super();
    this.revision = 0;
    this.copiedId = undefined;
    this.footerFilled = false;
    new ViewportController(this);
  }

  /** The visitor's unsent text, kept on the conversation so a re-mount does not lose it. */
  get #draft(): string {
    return this.conversation?.draft ?? '';
  }

  set #draft(value: string) {
    if (this.conversation) this.conversation.draft = value;
  }

  /** Read per render: the host's `lang` and `strings` may change at any time. */
  get #strings(): Strings {
    return stringsFor(this.host.language, this.host.strings);
  }

  get #messagesElement(): HTMLElement | null | undefined {
    return this.renderRoot?.querySelector<HTMLElement>('[part="messages"]');
  }

  get #composer(): HTMLTextAreaElement | null | undefined {
    // No render root until connected: the host may be removed while the panel loads.
    return this.renderRoot?.querySelector('textarea');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#attach();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#detach();
  }

  protected override willUpdate(): void {
    // The host's storage-key or no-persist may have changed (a new user signed in): follow it.
    this.#attach();
    if (this.conversation) this.#configure(this.conversation);
  }

  #attach(): void {
    if (!this.host || !this.isConnected) return;
    const next = conversationFor(this.host.storageKey, !this.host.noPersist);
    if (next === this.conversation) return;
    this.#detach();
    this.conversation = next;
    this.#configure(next);
    for (const [type, listener] of this.#listeners) next.addEventListener(type, listener);
    void next.recoverHistory();
  }

  #detach(): void {
    for (const [type, listener] of this.#listeners) this.conversation?.removeEventListener(type, listener);
    this.conversation = undefined;
  }

  #configure(conversation: Conversation): void {
    const { host } = this;
    conversation.settings = {
      ...conversation.settings,
      proxyUrl: host.proxyUrl,
      history: host.history === 'full' ? 'full' : 'turn',
      tools: host.tools ?? [],
      requestHeaders: host.requestHeaders,
      fetch: host.fetch,
      firstByteTimeoutMs: host.firstByteTimeout,
      maxToolRounds: host.maxToolRounds,
      approveTool: (call, args, signal) => this.#approveTool(call, args, signal),
    };
    // Fetched ahead, so the first message of a page with tools does not wait for it.
    if (host.tools?.length) void loadTools();
  }

  #approveTool(call: ToolCall, args: Record<string, unknown>, signal: AbortSignal): boolean | Promise<boolean> {
    let decision: Promise<boolean> | undefined;
    const allowed = fire(this.host, 'pathors-tool-call', {
      name: call.function.name,
      arguments: args,
      call,
      signal,
      waitUntil(promise: Promise<boolean>) {
        decision = promise;
      },
    }, true);
    if (!allowed) return false;
    return decision ? decision.catch(() => false) : true;
  }

  readonly #listeners: Array<[string, EventListener]> = [
    ['change', () => {
      this.revision++;
    }],
    ['delta', (event) => {
      const { entry } = (event as ConversationEventMap['delta']).detail;
      // The reply being written is the last one on screen.
      const views = this.renderRoot.querySelectorAll<ReplyView>('pathors-chat-reply');
      const last = views[views.length - 1];
      if (last?.entry === entry) last.sync();
      this.#scroller.contentChanged();
    }],
    ['reply', (event) => {
      const { entry } = (event as ConversationEventMap['reply']).detail;
      this.#announcement = format(this.#strings.replyFinished, { text: entry.content });
      fire(this.host, 'pathors-message', { message: messageDetail(entry) });
    }],
    ['error', (event) => {
      const { error } = (event as ConversationEventMap['error']).detail;
      fire(this.host, 'pathors-error', {
        code: error.code,
        message: this.#errorText(error),
        status: error.status,
        retryAfter: error.retryAfter,
        error,
      });
    }],
    ['session', (event) => {
      fire(this.host, 'pathors-session', (event as ConversationEventMap['session']).detail);
    }],
  ];

  #errorText(error: ChatError): string {
    const detail = error.detail ?? '';
    return format(this.#strings[error.messageKey], {
      seconds: error.retryAfter ?? 30,
      status: error.status ?? '',
      detail,
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

  #handleFooterChange(event: Event): void {
    this.footerFilled = (event.target as HTMLSlotElement).assignedNodes({ flatten: true }).length > 0;
  }

  #handleRetry(): void {
    this.conversation?.retry();
    this.#scroller.follow();
  }

  #handleNewConversation(): void {
    if (!fire(this.host, 'pathors-reset', undefined, true)) return;
    this.conversation?.reset();
    void this.focusComposer();
  }

  async #handleCopy(entry: Entry): Promise<void> {
    try {
      await navigator.clipboard.writeText(entry.content);
      this.copiedId = entry.id;
      setTimeout(() => {
        if (this.copiedId === entry.id) this.copiedId = undefined;
      }, 1500);
    } catch {
      // Clipboard refused (no permission, insecure page): the text can still be selected by hand.
    }
  }

  /** Sends `text` after a cancelable `pathors-send`. */
  sendText(text: string): boolean {
    const conversation = this.conversation;
    const content = text.trim();
    if (!conversation || !content || conversation.busy || content.length > this.host.maxLength) return false;
    if (!fire(this.host, 'pathors-send', { text: content }, true)) return false;
    if (!conversation.send(content)) return false;
    const sent = conversation.entries.at(-1);
    if (sent) fire(this.host, 'pathors-message', { message: messageDetail(sent) });
    this.#scroller.follow();
    return true;
  }

  async focusComposer(options?: FocusOptions): Promise<void> {
    await this.updateComplete;
    this.#composer?.focus(options);
  }

  #renderEntry(entry: Entry, entries: readonly Entry[]) {
    const text = this.#strings;
    if (entry.role === 'tool') {
      return html`<p class="note chip">${format(text.usedTool, { tool: entry.name })}</p>`;
    }
    if (entry.role === 'user') {
      return html`<article part="message" class="message user" aria-label=${text.you}>
        <div class="bubble">${entry.content}</div>
      </article>`;
    }
    if (!entry.content && entry.toolCalls?.length) return nothing;
    const last = entries.at(-1) === entry;
    return html`<article part="message" class="message assistant" aria-label=${text.assistant}>
      <div class="bubble">
        <pathors-chat-reply class="md" .options=${this.#markdownOptions()} .entry=${entry}></pathors-chat-reply>
        ${entry.status === 'stopped' ? html`<p class="note">${text.stopped}</p>` : nothing}
        ${entry.status === 'interrupted' && !(last && this.conversation?.status === 'error')
          ? html`<p class="note">${text.interrupted}</p>` : nothing}
      </div>
      ${entry.status === 'streaming' ? nothing : html`<button type="button" class="icon copy"
        aria-label=${this.copiedId === entry.id ? text.copied : text.copyMessage}
        title=${this.copiedId === entry.id ? text.copied : text.copyMessage}
        @click=${() => this.#handleCopy(entry)}>${this.copiedId === entry.id ? checkIcon : copyIcon}</button>`}
    </article>`;
  }

  #markdownOptions() {
    return { imageHosts: this.host.imageHosts ?? [], copyLabel: this.#strings.copy, copiedLabel: this.#strings.copied };
  }

  #renderNotice() {
    const conversation = this.conversation;
    const text = this.#strings;
    const notice = !this.host.proxyUrl ? text.missingProxyUrl : {
      blocked: text.notSavedBlocked, full: text.notSavedFull, corrupt: text.notSavedCorrupt, off: '',
    }[conversation?.storageProblem ?? 'off'];
    return notice ? html`<p class="note box" role="status">${notice}</p>` : nothing;
  }

  #renderEmpty() {
    const { host } = this;
    const text = this.#strings;
    const starters = host.starters ?? [];
    const empty = !this.conversation?.entries.length;
    return html`
      <div class="empty" ?hidden=${!empty}><slot name="empty"></slot></div>
      ${empty && host.welcome ? html`<article part="message" class="message assistant welcome"
          aria-label=${text.assistant}>
          <div class="bubble"><pathors-chat-reply class="md" .options=${this.#markdownOptions()}
            .entry=${welcomeEntry(host.welcome)}></pathors-chat-reply></div></article>` : nothing}
      ${empty && starters.length ? html`<ul class="starters" aria-label=${text.suggestions}>
        ${starters.map((starter) => html`<li><button type="button"
          @click=${() => this.sendText(starter)}>${starter}</button></li>`)}</ul>` : nothing}`;
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
      return html`<div class="error" role="alert">
        <p>${this.#errorText(conversation.error)}</p>
        ${conversation.error.code === 'config' || conversation.error.code === 'tool_limit' ? nothing
          : html`<button type="button" class="retry" @click=${this.#handleRetry}>${text.retry}</button>`}
      </div>`;
    }
    return nothing;
  }

  #renderComposer() {
    const text = this.#strings;
    const busy = this.conversation?.busy ?? false;
    const max = this.host.maxLength;
    const length = this.#draft.length;
    const nearLimit = length > max * 0.8;
    const over = length > max;
    return html`<form @submit=${this.#handleSubmit}>
      <textarea part="composer"
        rows="1"
        .value=${this.#draft}
        aria-label=${text.composerLabel}
        aria-describedby="counter"
        aria-invalid=${over ? 'true' : 'false'}
        placeholder=${text.placeholder}
        enterkeyhint="send"
        @input=${this.#handleInput}
        @keydown=${this.#handleKeydown}></textarea>
      <button part="send-button" type="submit" class="send ${busy ? 'stop' : ''}"
        aria-label=${busy ? text.stop : text.send}
        title=${busy ? text.stop : text.send}
        ?disabled=${!busy && (!this.#draft.trim() || over)}>${busy ? stopIcon : sendIcon}</button>
      <p id="counter" class="note counter ${over ? 'over' : ''}" ?hidden=${!nearLimit}
        aria-live="polite">${format(text.characterCount, { count: length, max })}</p>
    </form>`;
  }

  protected override updated(): void {
    this.#scroller.contentChanged();
  }

  protected override render() {
    const text = this.#strings;
    const host = this.host;
    const entries = this.conversation?.entries ?? [];
    const bubble = host.mode !== 'inline';
    const announcement = this.#announcement;
    this.#announcement = '';
    return html`<section part="panel" class="panel">
      <header part="header">
        <h2 id="title">${host.title || text.title}</h2>
        <slot name="header"></slot>
        <button type="button" class="icon" aria-label=${text.newConversation} title=${text.newConversation}
          ?disabled=${!entries.length && !this.conversation?.sessionId}
          @click=${this.#handleNewConversation}>${newIcon}</button>
        ${bubble ? html`<button type="button" class="icon" aria-label=${text.closeChat}
          title=${text.closeChat} @click=${() => host.closeFromPanel()}>${closeIcon}</button>` : nothing}
      </header>
      <div part="messages" class="messages" role="log" aria-live="off" aria-labelledby="title" tabindex="0"
        @scroll=${this.#scroller.handleScroll}>
        ${this.#renderNotice()}
        ${this.#renderEmpty()}
        ${entries.map((entry) => this.#renderEntry(entry, entries))}
        ${this.#renderStatus()}
      </div>
      <button type="button" class="jump" ?hidden=${this.#scroller.following}
        @click=${() => this.#scroller.follow()}>${text.jumpToLatest}</button>
      <div class="sr-only" aria-live="polite">${announcement}</div>
      ${this.#renderComposer()}
      <footer ?hidden=${!this.footerFilled}><slot name="footer" @slotchange=${this.#handleFooterChange}></slot></footer>
    </section>`;
  }
}

function messageDetail(entry: Entry): ChatMessageDetail {
  if (entry.role === 'assistant') {
    return { id: entry.id, role: 'assistant', content: entry.content,
      status: entry.status === 'streaming' ? 'interrupted' : entry.status };
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
const sendIcon = icon('M5 12h14M13 6l6 6-6 6');
const stopIcon = html`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="currentColor">
  <rect x="6" y="6" width="12" height="12" rx="2"></rect></svg>`;

export { addLanguage } from '../i18n/index.js';

/** Defines the internal panel element, once. */
export function definePanel(): void {
  if (!customElements.get('pathors-chat-reply')) customElements.define('pathors-chat-reply', ReplyView);
  if (!customElements.get('pathors-chat-panel')) customElements.define('pathors-chat-panel', PathorsChatPanel);
}

declare global {
  interface HTMLElementTagNameMap {
    'pathors-chat-panel': PathorsChatPanel;
    'pathors-chat-reply': ReplyView;
  }
}
