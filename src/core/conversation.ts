import { ChatError, errorFromResponse } from './errors.js';
import { completedToolCalls, emptyDraft, foldChunk } from './fold.js';
import { ConversationStorage, type Saved, type StorageProblem } from './storage.js';
import type { PageTool, ToolApproval } from './tools.js';
import { newId, toWire, unansweredToolEntries, type AssistantEntry, type Entry } from './transcript.js';
import { AbortedError, postChat } from './transport.js';
import type { ChatMessage, ChatRequest, ToolCall } from './wire.js';

/** Where a conversation stands. */
export const ChatStatus = {
  idle: 'idle',
  /** The request is out; no word of the reply yet. */
  sending: 'sending',
  streaming: 'streaming',
  /** The page's tools are running. */
  tools: 'tools',
  /** The last turn failed; `retry()` re-sends it. */
  error: 'error',
} as const;
export type ChatStatus = (typeof ChatStatus)[keyof typeof ChatStatus];

export interface ConversationSettings {
  /** Base URL of the proxy, e.g. `/pathors` or `https://example.com/pathors`. */
  proxyUrl: string;
  /**
   * `"turn"` (default) sends only the new turn while a session ID is known, since
   * Pathors keeps the session; `"full"` always sends the whole transcript.
   */
  history: 'turn' | 'full';
  tools: readonly PageTool[];
  /** Extra request headers, or a function that returns them per request. */
  requestHeaders: Record<string, string> | (() => Record<string, string>) | undefined;
  fetch: typeof fetch | undefined;
  stream: boolean;
  firstByteTimeoutMs: number;
  /** Tool rounds allowed in one turn before the widget stops the loop. */
  maxToolRounds: number;
  approveTool: ToolApproval | undefined;
}

export const DEFAULT_SETTINGS: ConversationSettings = {
  proxyUrl: '',
  history: 'turn',
  tools: [],
  requestHeaders: undefined,
  fetch: undefined,
  stream: true,
  firstByteTimeoutMs: 30_000,
  maxToolRounds: 5,
  approveTool: undefined,
};

export interface ConversationEventMap {
  /** Anything the view shows changed (entries, status, error, session). */
  change: Event;
  /** Text was added to the reply being written. */
  delta: CustomEvent<{ entry: AssistantEntry; text: string }>;
  /** A reply finished. */
  reply: CustomEvent<{ entry: AssistantEntry }>;
  error: CustomEvent<{ error: ChatError }>;
  session: CustomEvent<{ sessionId: string }>;
}

/** How often a reply being written is saved, so a reload loses at most this much of it. */
const SAVE_INTERVAL_MS = 1000;

/**
 * A conversation with the agent through the proxy: the transcript, the
 * session ID, the turn in flight and its tools. It lives outside any element
 * (see `conversationFor`), so a framework that re-mounts the element finds
 * the same conversation, even mid-reply.
 */
export class Conversation extends EventTarget {
  entries: Entry[] = [];
  sessionId: string | undefined;
  status: ChatStatus = 'idle';
  error: ChatError | undefined;
  /** What the visitor has typed and not sent yet. */
  draft = '';
  /** The tool running now, for the panel to name. */
  activeTool: string | undefined;
  settings: ConversationSettings = { ...DEFAULT_SETTINGS };
  readonly storage: ConversationStorage;
  #controller: AbortController | undefined;
  /** The messages of the turn in flight or last failed, so retry sends exactly them again. */
  #turn: { messages: ChatMessage[]; round: number } | undefined;
  #lastSave = 0;
  /** Bumped by every turn and by reset: a turn that is no longer current leaves the state alone. */
  #generation = 0;
  readonly #unwatch: () => void;

  constructor(storageKey: string, persist: boolean) {
    super();
    this.storage = new ConversationStorage(storageKey, persist);
    this.#restore(this.storage.load(), true);
    this.#unwatch = this.storage.watch(() => {
      const saved = this.storage.load();
      // Another tab wrote. Follow it, unless this tab is the one writing, or that tab only
      // dropped the transcript (its storage was full) and the session is still the same.
      if (this.busy || (!saved.entries.length && saved.sessionId === this.sessionId)) return;
      this.#restore(saved, false);
      this.#emitChange();
    });
  }

  get busy(): boolean {
    return this.status === 'sending' || this.status === 'streaming' || this.status === 'tools';
  }

  get storageProblem(): StorageProblem | undefined {
    return this.storage.problem;
  }

  /**
   * Sends the visitor's message. The message is in the transcript (and saved)
   * before the request leaves, so nothing typed is lost. Returns false when
   * there is nothing to send or a turn is already in flight.
   */
  send(text: string): boolean {
    const content = text.trim();
    if (!content || this.busy) return false;
    const unanswered = unansweredToolEntries(this.entries);
    this.entries = [...this.entries, ...unanswered, { id: newId(), role: 'user', content }];
    void this.#runTurn([...toWire(unanswered), { role: 'user', content }], 0);
    return true;
  }

  /**
   * Re-sends the turn that failed, without adding the visitor's message again. A reply
   * the failure cut off stays, marked as such, above the new one.
   */
  retry(): boolean {
    if (this.status !== 'error' || !this.#turn) return false;
    void this.#runTurn(this.#turn.messages, this.#turn.round);
    return true;
  }

  /** Stops the reply (or the request not yet answered); what was written is kept, marked stopped. */
  stop(): void {
    this.#controller?.abort();
  }

  /** Starts over: forgets the transcript and the session, here and at the proxy. */
  reset(): void {
    this.#generation++;
    this.stop();
    const { sessionId } = this;
    if (sessionId && this.settings.proxyUrl) {
      // Ending the session upstream is a courtesy; the visitor is not kept waiting for it.
      void this.#fetcher(`${this.#base()}/sessions/${encodeURIComponent(sessionId)}`, {
        method: 'DELETE', headers: this.#headers(), keepalive: true,
      }).catch(() => {});
    }
    this.entries = [];
    this.sessionId = undefined;
    this.#turn = undefined;
    this.error = undefined;
    this.status = 'idle';
    this.storage.clear();
    this.#emitChange();
  }

  /**
   * Fetches the history from the proxy where the transcript is gone but the
   * session is known (storage was full, or cleared by the browser).
   */
  async recoverHistory(): Promise<void> {
    const { sessionId } = this;
    if (!sessionId || this.entries.length || !this.settings.proxyUrl) return;
    try {
      const response = await this.#fetcher(`${this.#base()}/sessions/${encodeURIComponent(sessionId)}`,
        { headers: this.#headers() });
      if (!response.ok) {
        // Forget the session only when the proxy says it is gone or not ours.
        if (response.status === 404 || (await errorFromResponse(response)).serverCode === 'invalid_session') {
          this.sessionId = undefined;
          this.#save();
        }
        return;
      }
      const body: unknown = await response.json();
      const messages = typeof body === 'object' && body && 'messages' in body && Array.isArray(body.messages)
        ? body.messages as Array<{ role?: unknown; content?: unknown }> : [];
      if (this.entries.length || this.sessionId !== sessionId) return;
      this.entries = messages.flatMap((message): Entry[] => {
        if (typeof message.content !== 'string' || !message.content) return [];
        if (message.role === 'user') return [{ id: newId(), role: 'user', content: message.content }];
        if (message.role === 'assistant') {
          return [{ id: newId(), role: 'assistant', content: message.content, status: 'done' }];
        }
        return [];
      });
      this.#save();
      this.#emitChange();
    } catch {
      // The history stays unknown; the session itself still works.
    }
  }

  dispose(): void {
    this.stop();
    this.#unwatch();
  }

  async #runTurn(messages: ChatMessage[], round: number): Promise<void> {
    const generation = ++this.#generation;
    this.#turn = { messages, round };
    this.error = undefined;
    this.status = 'sending';
    const controller = new AbortController();
    this.#controller = controller;
    this.#save();
    this.#emitChange();

    const draft = emptyDraft();
    let entry: AssistantEntry | undefined;
    const { settings } = this;
    const body: ChatRequest = {
      messages: settings.history === 'full' || !this.sessionId ? toWire(this.entries) : messages,
      stream: settings.stream,
    };

    try {
      if (!settings.proxyUrl) throw new ChatError('config', 'proxy-url is not set');
      if (settings.tools.length) body.tools = (await loadTools()).toolDefinitions(settings.tools);
      await postChat({
        url: `${this.#base()}/chat/completions`,
        body,
        sessionId: this.sessionId,
        requestId: newId(),
        headers: this.#headers(),
        fetch: settings.fetch,
        signal: controller.signal,
        firstByteTimeoutMs: settings.firstByteTimeoutMs,
        onSession: (sessionId) => this.#adoptSession(sessionId),
        onChunk: (chunk) => {
          const added = foldChunk(draft, chunk);
          if (!entry && (added || draft.toolCalls.length)) {
            entry = { id: newId(), role: 'assistant', content: '', status: 'streaming' };
            this.entries = [...this.entries, entry];
            this.status = 'streaming';
            this.#emitChange();
          }
          if (entry && added) {
            entry.content += added;
            this.dispatchEvent(new CustomEvent('delta', { detail: { entry, text: added } }));
            this.#saveSometimes();
          }
        },
      });
      const calls = completedToolCalls(draft);
      if (!entry || (!draft.content.trim() && !calls.length)) {
        throw new ChatError('empty', 'The reply was empty');
      }
      entry.status = 'done';
      if (calls.length) entry.toolCalls = calls;
      this.#controller = undefined;
      if (draft.finishReason === 'tool_calls' && calls.length) {
        await this.#runTools(entry, calls, round);
        return;
      }
      this.status = 'idle';
      this.#turn = undefined;
      this.#save();
      this.#emitChange();
      this.dispatchEvent(new CustomEvent('reply', { detail: { entry } }));
    } catch (error) {
      // A reset (and perhaps a new message) came first: this turn's ending is old news.
      if (generation === this.#generation) this.#endTurn(controller, entry, error);
    }
  }

  async #runTools(entry: AssistantEntry, calls: ToolCall[], round: number): Promise<void> {
    const limit = this.settings.maxToolRounds;
    if (round + 1 > limit) {
      // Nothing to retry: the same turn would loop again. The calls stay unanswered until the next message.
      this.#turn = undefined;
      throw new ChatError('tool_limit', `Stopped after ${limit} tool rounds in one turn`);
    }
    this.status = 'tools';
    const controller = new AbortController();
    this.#controller = controller;
    // Stop must not wait for a page that is still asking the visitor, or a slow handler.
    const stopped = new Promise<never>((_, reject) => controller.signal.addEventListener('abort',
      () => reject(new AbortedError('stopped during tools')), { once: true }));
    stopped.catch(() => {});
    const results: ChatMessage[] = [];
    for (const call of calls) {
      this.activeTool = call.function.name;
      this.#emitChange();
      const result = await Promise.race([stopped, (await loadTools()).runToolCall(call, this.settings.tools, {
        signal: controller.signal,
        ...(this.settings.approveTool ? { approve: this.settings.approveTool } : {}),
      })]);
      this.entries = [...this.entries, {
        id: newId(), role: 'tool', toolCallId: call.id, name: call.function.name, content: result.content,
      }];
      results.push(result);
    }
    this.activeTool = undefined;
    await this.#runTurn([{ role: 'assistant', content: entry.content || null, tool_calls: calls }, ...results],
      round + 1);
  }

  #endTurn(controller: AbortController, entry: AssistantEntry | undefined, error: unknown): void {
    if (this.#controller === controller) this.#controller = undefined;
    this.activeTool = undefined;
    const stopped = error instanceof AbortedError || controller.signal.aborted;
    if (entry?.status === 'streaming') {
      entry.status = stopped ? 'stopped' : 'interrupted';
      // It is a reply all the same, as far as it got: the page hears of it like any other.
      if (entry.content) this.dispatchEvent(new CustomEvent('reply', { detail: { entry } }));
    }
    if (stopped) {
      this.status = 'idle';
      this.#turn = undefined;
    } else {
      this.error = error instanceof ChatError ? error
        : new ChatError('network', error instanceof Error ? error.message : String(error), { cause: error });
      // The proxy no longer accepts this session (its secret changed, or it was ended): the
      // retry starts a new one, carrying the transcript.
      if (this.error.serverCode === 'invalid_session') this.sessionId = undefined;
      this.status = 'error';
      this.dispatchEvent(new CustomEvent('error', { detail: { error: this.error } }));
    }
    this.#save();
    this.#emitChange();
  }

  #adoptSession(sessionId: string): void {
    if (sessionId === this.sessionId) return;
    this.sessionId = sessionId;
    this.#save();
    this.dispatchEvent(new CustomEvent('session', { detail: { sessionId } }));
  }

  /**
   * Reads the saved conversation. At start-up a reply still "streaming" was cut off by a
   * reload; when another tab writes, it may be streaming there right now.
   */
  #restore(saved: Saved, atStart: boolean): void {
    this.sessionId = saved.sessionId;
    this.entries = atStart ? saved.entries.map((entry) =>
      entry.role === 'assistant' && entry.status === 'streaming' ? { ...entry, status: 'interrupted' } : entry)
      : saved.entries;
  }

  #save(): void {
    this.#lastSave = Date.now();
    this.storage.save({ sessionId: this.sessionId, entries: this.entries });
  }

  #saveSometimes(): void {
    if (Date.now() - this.#lastSave >= SAVE_INTERVAL_MS) this.#save();
  }

  #emitChange(): void {
    this.dispatchEvent(new Event('change'));
  }

  #base(): string {
    return this.settings.proxyUrl.replace(/\/+$/, '');
  }

  #headers(): Record<string, string> {
    const { requestHeaders } = this.settings;
    return typeof requestHeaders === 'function' ? requestHeaders() : { ...requestHeaders };
  }

  get #fetcher(): typeof fetch {
    return this.settings.fetch ?? ((input, init) => fetch(input, init));
  }
}

let tools: Promise<typeof import('./tools.js')> | undefined;

/**
 * Running page tools is code only pages with tools need: it loads with the first request
 * that offers tools (or earlier, when the panel sees `tools` set).
 */
export function loadTools(): Promise<typeof import('./tools.js')> {
  tools ??= import('./tools.js');
  return tools;
}

const live = new Map<string, Conversation>();

/**
 * The one conversation for a storage key on this page: an element that is
 * re-mounted (a framework re-render) picks up where it was.
 */
export function conversationFor(storageKey: string, persist: boolean): Conversation {
  const key = `${persist ? 'saved' : 'memory'}:${storageKey}`;
  let conversation = live.get(key);
  if (!conversation) {
    conversation = new Conversation(storageKey, persist);
    live.set(key, conversation);
  }
  return conversation;
}
