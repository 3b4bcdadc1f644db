import { systemClock, type Clock } from './clock.js';
import { AbortedError, ChatError } from './errors.js';
import { lazily } from './lazily.js';
import { browserStore, type ConversationStore, type Saved, type StorageProblem, type TurnMark } from './storage.js';
import type { PageTool, ToolApproval } from './tools.js';
import {
  mergeEntries,
  newId,
  unansweredToolEntries,
  type AssistantEntry,
  type Entry,
  type UserEntry,
} from './transcript.js';
import type { Transport } from './transport.js';
import type { TurnHost } from './turn.js';

/** Where a conversation stands. */
export const ChatStatus = {
  idle: 'idle',
  /** The request is out; no word of the reply yet. */
  sending: 'sending',
  streaming: 'streaming',
  /** The page's tools are running. */
  tools: 'tools',
  /** The last turn failed; `retry()` re-sends it when `canRetry`. */
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
  /** The site's welcome message: stored as the conversation's first message once the visitor writes. */
  welcome: string;
  /** How long `undoReset()` can bring a conversation back after `reset()`. */
  undoMs: number;
  /** How long another tab's turn in flight blocks this one without a sign of life from it. */
  staleTurnMs: number;
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
  welcome: '',
  undoMs: 6000,
  staleTurnMs: 15_000,
};

export interface ConversationEventMap {
  /** Anything the view shows changed (entries, status, error, session, undo, another tab's turn). */
  change: Event;
  /** Text was added to the reply being written. */
  delta: CustomEvent<{ entry: AssistantEntry; text: string }>;
  /** A reply finished. */
  reply: CustomEvent<{ entry: AssistantEntry }>;
  error: CustomEvent<{ error: ChatError }>;
  session: CustomEvent<{ sessionId: string }>;
}

/** What a conversation needs from where it runs; the browser defaults fill what is left out. */
export interface ConversationOptions {
  store: ConversationStore;
  /**
   * Sends a chat turn. Default: `postChat` (fetch + server-sent events), fetched as its own
   * module on the first sign that the visitor will send (see `loadSender`).
   */
  transport?: Transport;
  /** For the session calls (history, end), when `settings.fetch` is not set. Default: global fetch. */
  fetch?: typeof fetch;
  clock?: Clock;
  /**
   * This tab's name in the marks it leaves for a turn in flight. Give the same name across a
   * reload (the browser default keeps it in sessionStorage), so a reloaded page does not take
   * its own cut-off turn for another tab's. Default: a new random name.
   */
  tab?: string;
}

/** How often a reply being written is saved, so a reload loses at most this much of it. */
const SAVE_INTERVAL_MS = 1000;
/** How long typing pauses before the draft is saved. */
const DRAFT_SAVE_MS = 300;

/** Status codes that refuse the request itself: sending the same again gets the same answer. */
const REFUSED = new Set([400, 413, 415, 422]);

/** The turn in flight or last failed, so retry sends exactly it again. */
export interface Turn {
  /** What the round sends where the session holds the rest (all of the transcript goes where it does not). */
  entries: Entry[];
  round: number;
  /** The visitor's message this turn carries (first round of a `send` or a retry of it). */
  user: UserEntry | undefined;
  /** Entries the new reply replaces once it starts: a cut-off reply, or the one `regenerate` re-asks. */
  replace: string[];
}

/** A reset the visitor may still undo. */
interface Undo {
  entries: Entry[];
  sessionId: string | undefined;
  timer: unknown;
}

/**
 * A conversation with the agent through the proxy: the transcript, the session ID, the
 * turn in flight and its tools. It lives outside any element (see `conversationFor`), so a
 * framework that re-mounts the element finds the same conversation, even mid-reply. It
 * reaches no browser API of its own: storage, the transport, fetch and time are injected.
 */
export class Conversation extends EventTarget {
  entries: Entry[] = [];
  sessionId: string | undefined;
  error: ChatError | undefined;
  /** The tool running now, for the panel to name. */
  activeTool: string | undefined;
  settings: ConversationSettings = { ...DEFAULT_SETTINGS };
  readonly store: ConversationStore;
  /** An injected transport; without one, turns use `postChat`. */
  readonly #transport: Transport | undefined;
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #clock: Clock;
  /** This tab, as its turn marks name it. */
  readonly #tab: string;
  #status: ChatStatus = 'idle';
  #draft = '';
  #draftTimer: unknown;
  #controller: AbortController | undefined;
  #turn: Turn | undefined;
  #lastSave = 0;
  /** Bumped by every turn and by reset: a turn that is no longer current leaves the state alone. */
  #generation = 0;
  /** Entries this tab wrote or removed: its version wins when saves are merged with another tab's. */
  readonly #owned = new Set<string>();
  /** Another tab's turn in flight, while it shows signs of life. */
  #remote: TurnMark | undefined;
  #remoteTimer: unknown;
  #heartbeat: unknown;
  #undo: Undo | undefined;
  /** A reply a reload cut off, which the proxy's history may hold finished. */
  #cutByReload: string | undefined;
  readonly #unwatch: () => void;

  /** `new Conversation(options)`; or, in the browser, `new Conversation(storageKey, persist)` on localStorage. */
  constructor(options: ConversationOptions);
  constructor(storageKey: string, persist: boolean);
  constructor(options: ConversationOptions | string, persist = true) {
    super();
    const {
      store,
      transport,
      fetch,
      clock = systemClock,
      tab = newId(),
    } = typeof options === 'string' ? { store: browserStore(options, persist), tab: browserTabName() } : options;
    this.#tab = tab;
    this.store = store;
    this.#transport = transport;
    this.#fetch = fetch;
    this.#clock = clock;
    this.#draft = store.loadDraft();
    const saved = store.load();
    this.#follow(saved);
    const cut = this.entries.at(-1);
    if (cut?.role === 'assistant' && cut.status === 'interrupted' && !this.#remote) this.#cutByReload = cut.id;
    this.#unwatch = store.watch(() => this.#handleStoreChange());
    // A draft the visitor left, or a message of theirs never sent: a send is likely soon.
    if (this.#draft.trim() || this.#failedTurn()) this.#prepareSend();
  }

  /** Where the conversation stands; another tab's turn in flight shows here too. */
  get status(): ChatStatus {
    return this.#status === 'idle' && this.#remote ? this.#remote.status : this.#status;
  }

  /** A turn is in flight, in this tab or another: `send` waits for it. */
  get busy(): boolean {
    return this.#localBusy || Boolean(this.#remote);
  }

  /** Another tab is writing a reply in this conversation (this tab cannot stop it). */
  get remoteTurn(): boolean {
    return Boolean(this.#remote);
  }

  get storageProblem(): StorageProblem | undefined {
    return this.store.problem;
  }

  /** What the visitor has typed and not sent yet; kept in storage, so a reload does not lose it. */
  get draft(): string {
    return this.#draft;
  }

  set draft(value: string) {
    if (value === this.#draft) return;
    this.#draft = value;
    if (value.trim()) this.#prepareSend();
    this.#clock.clearTimeout(this.#draftTimer);
    this.#draftTimer = this.#clock.setTimeout(() => this.#saveDraft(), DRAFT_SAVE_MS);
  }

  /**
   * `retry()` would do something: the last turn failed and sending it again could work, or
   * the latest visitor message was never sent (also after a reload).
   */
  get canRetry(): boolean {
    if (this.busy) return false;
    if (this.#status === 'error') return Boolean(this.#turn);
    return Boolean(this.#failedTurn());
  }

  /** `undoReset()` can still bring back the conversation `reset()` cleared. */
  get canUndoReset(): boolean {
    return Boolean(this.#undo);
  }

  /**
   * Sends the visitor's message. The message is in the transcript (and saved)
   * before the request leaves, so nothing typed is lost. Returns false when
   * there is nothing to send or a turn is already in flight (here or in another tab).
   */
  send(text: string): boolean {
    const content = text.trim();
    if (!content || this.busy) return false;
    this.#commitReset();
    const unanswered = unansweredToolEntries(this.entries);
    const user: UserEntry = { id: newId(), role: 'user', content };
    const { welcome } = this.settings;
    const added: Entry[] = [
      ...(!this.entries.length && welcome.trim()
        ? [{ id: newId(), role: 'assistant', content: welcome, status: 'done', welcome: true } as const]
        : []),
      ...unanswered,
      user,
    ];
    for (const entry of added) this.#owned.add(entry.id);
    this.entries = [...this.entries, ...added];
    void this.#runTurn({ entries: [...unanswered, user], round: 0, user, replace: [] });
    return true;
  }

  /**
   * Re-sends the turn that failed, or the latest message that was never sent, without adding
   * the visitor's message again. A reply the failure cut off is replaced by the new one.
   * Returns false when there is nothing worth re-sending (see `canRetry`).
   */
  retry(): boolean {
    if (!this.canRetry) return false;
    const turn = this.#status === 'error' ? this.#turn : this.#failedTurn();
    if (!turn) return false;
    void this.#runTurn(turn);
    return true;
  }

  /**
   * Asks the latest visitor message again; the new reply replaces the latest one (with its
   * tool rounds) once it starts. Returns false while busy or with no message to re-ask.
   */
  regenerate(): boolean {
    const turn = this.#lastUserTurn();
    if (this.busy || !turn) return false;
    if (turn.user) return this.retry();
    void this.#runTurn(turn);
    return true;
  }

  /** Stops the reply (or the request not yet answered); what was written is kept, marked stopped. */
  stop(): void {
    this.#controller?.abort();
  }

  /**
   * Starts over: forgets the transcript and the session at once. For `settings.undoMs`,
   * `undoReset()` brings them back; only then is the session ended at the proxy.
   */
  reset(): void {
    this.#generation++;
    this.stop();
    this.#commitReset();
    if (this.entries.length || this.sessionId) {
      this.#undo = {
        entries: this.entries,
        sessionId: this.sessionId,
        timer: this.#clock.setTimeout(() => this.#commitReset(), this.settings.undoMs),
      };
    }
    this.entries = [];
    this.sessionId = undefined;
    this.#turn = undefined;
    this.error = undefined;
    this.#cutByReload = undefined;
    this.#setStatus('idle');
    this.store.clear();
    this.#saveDraft();
    this.#emitChange();
  }

  /** Brings back the conversation the last `reset()` cleared, within `settings.undoMs`. */
  undoReset(): boolean {
    const undo = this.#undo;
    if (!undo || this.busy) return false;
    this.#clock.clearTimeout(undo.timer);
    this.#undo = undefined;
    this.entries = undo.entries;
    this.sessionId = undo.sessionId;
    for (const entry of this.entries) this.#owned.add(entry.id);
    this.#save();
    this.#emitChange();
    return true;
  }

  /**
   * Does now what waits for later: saves the draft and ends the session a reset put aside
   * for Undo. Call it when the page goes away (`pagehide`); `dispose()` calls it.
   */
  flush(): void {
    if (this.#draftTimer !== undefined) this.#saveDraft();
    this.#commitReset();
    // The page is going: its turn in flight goes with it, and must not hold the other tabs.
    if (this.#localBusy) this.#save(true);
  }

  /**
   * Fetches the history from the proxy where the transcript is gone but the session is
   * known (storage was full, or cleared by the browser), or where a reload cut off the
   * last reply: if the agent finished it, the finished reply takes its place.
   */
  async recoverHistory(): Promise<void> {
    const { sessionId } = this;
    const cutId = this.#cutByReload;
    if (!sessionId || !this.settings.proxyUrl || (this.entries.length && !cutId)) return;
    try {
      const { fetchHistory } = await loadSender();
      const history = await fetchHistory(
        `${this.#base()}/sessions/${encodeURIComponent(sessionId)}`,
        this.#headers(),
        this.#fetcher,
      );
      if (history === 'gone') {
        // Forget the session only when the proxy says it is gone or not ours.
        if (!this.entries.length) {
          this.sessionId = undefined;
          this.#save();
        }
        return;
      }
      if (this.sessionId !== sessionId || this.busy) return;
      const cut = this.entries.find(
        (entry): entry is AssistantEntry => entry.id === cutId && entry.role === 'assistant',
      );
      const last = history.at(-1);
      if (!this.entries.length) {
        this.entries = history;
        for (const entry of history) this.#owned.add(entry.id);
      } else if (
        cut &&
        cutId === this.#cutByReload &&
        last?.role === 'assistant' &&
        cut.content.trim() &&
        last.content.length > cut.content.length &&
        last.content.startsWith(cut.content)
      ) {
        // The agent finished the reply the reload cut off (it starts with what was shown).
        this.#replaceEntry(cut, { ...cut, content: last.content, status: 'done' });
      } else return;
      this.#cutByReload = undefined;
      this.#save();
      this.#emitChange();
    } catch {
      // The history stays unknown; the session itself still works.
    }
  }

  dispose(): void {
    this.stop();
    this.flush();
    this.#clock.clearTimeout(this.#remoteTimer);
    this.#clock.clearTimeout(this.#heartbeat);
    this.#unwatch();
  }

  get #localBusy(): boolean {
    return this.#status === 'sending' || this.#status === 'streaming' || this.#status === 'tools';
  }

  /** Fetches the send path ahead, when the visitor shows they will send: the first send then waits for no download. */
  #prepareSend(): void {
    loadSender().catch(() => {});
  }

  async #runTurn(turn: Turn): Promise<void> {
    const generation = ++this.#generation;
    this.#turn = turn;
    this.error = undefined;
    this.#cutByReload = undefined;
    if (turn.user?.failed)
      turn.user = this.#replaceEntry(turn.user, { id: turn.user.id, role: 'user', content: turn.user.content });
    this.#setStatus('sending');
    const controller = new AbortController();
    this.#controller = controller;
    this.#save();
    this.#emitChange();
    const host: TurnHost = {
      conversation: this,
      transport: this.#transport,
      fetch: this.settings.fetch ?? this.#fetch,
      base: this.#base(),
      headers: this.#headers(),
      signal: controller.signal,
      entry: undefined,
      own: (id) => this.#owned.add(id),
      setStatus: (status) => this.#setStatus(status),
      save: () => this.#save(),
      saveSometimes: () => this.#saveSometimes(),
      changed: () => this.#emitChange(),
      adoptSession: (sessionId) => this.#adoptSession(sessionId),
      forget: () => {
        this.#turn = undefined;
        this.#controller = undefined;
      },
      control: (next) => {
        this.#controller = next;
      },
      next: (next) => this.#runTurn(next),
    };
    try {
      if (!this.settings.proxyUrl) throw new ChatError('config', 'proxy-url is not set');
      await (await loadSender()).runTurn(host, turn);
    } catch (error) {
      // A reset (and perhaps a new message) came first: this turn's ending is old news,
      // but its reply, kept for Undo, says where it stopped.
      const { entry } = host;
      if (generation === this.#generation) this.#endTurn(controller, entry, error);
      else if (entry?.status === 'streaming') entry.status = 'stopped';
    }
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
    const turn = this.#turn;
    if (stopped) {
      this.#setStatus('idle');
      this.#turn = undefined;
    } else {
      this.error =
        error instanceof ChatError
          ? error
          : new ChatError('network', error instanceof Error ? error.message : String(error), { cause: error });
      // The proxy no longer accepts this session (its secret changed, or it was ended): the
      // retry starts a new one, carrying the transcript.
      if (this.error.serverCode === 'invalid_session') this.sessionId = undefined;
      if (turn) {
        if (this.error.status !== undefined && REFUSED.has(this.error.status)) this.#turn = undefined;
        // A retry replaces what this attempt cut off.
        else if (entry?.status === 'interrupted') turn.replace = [...turn.replace, entry.id];
        // No reply came: the visitor's message counts as not sent, also after a reload.
        if (!entry && turn.user) turn.user = this.#replaceEntry(turn.user, { ...turn.user, failed: true });
      }
      this.#setStatus('error');
      this.dispatchEvent(new CustomEvent('error', { detail: { error: this.error } }));
    }
    this.#save();
    this.#emitChange();
  }

  /** The latest visitor message, when it was never sent, as a turn to send again. */
  #failedTurn(): Turn | undefined {
    const turn = this.#lastUserTurn();
    return turn?.user ? turn : undefined;
  }

  /**
   * The latest visitor message as a turn to ask again, replacing what came after it. Never
   * sent (`user` set): with the tool results that went with it, answering calls of the reply
   * before it. Sent: with the old reply's unanswered calls, answered upstream where the session
   * holds them.
   */
  #lastUserTurn(): Turn | undefined {
    const { entries } = this;
    const index = lastIndexOf(entries, (entry) => entry.role === 'user');
    const user = entries[index];
    if (user?.role !== 'user') return undefined;
    const before = entries.slice(0, index);
    return {
      entries: [
        ...(user.failed
          ? before.slice(lastIndexOf(before, (entry) => entry.role !== 'tool') + 1)
          : unansweredToolEntries(entries)),
        // As sent: a message never sent goes out now.
        { id: user.id, role: 'user', content: user.content },
      ],
      round: 0,
      user: user.failed && user,
      replace: entries.slice(index + 1).map((entry) => entry.id),
    };
  }

  /** Puts `next` where `entry` was (a new object, so views keyed by identity see the change). */
  #replaceEntry<T extends Entry>(entry: T, next: T): T {
    this.#owned.add(entry.id);
    this.entries = this.entries.map((kept) => (kept.id === entry.id ? next : kept));
    return next;
  }

  #adoptSession(sessionId: string): void {
    if (sessionId === this.sessionId) return;
    this.sessionId = sessionId;
    this.#save();
    this.dispatchEvent(new CustomEvent('session', { detail: { sessionId } }));
  }

  /** Another tab wrote. */
  #handleStoreChange(): void {
    const saved = this.store.load();
    const cleared = !saved.entries.length && !saved.sessionId;
    if (this.#localBusy) {
      // Merged at this tab's next save; unless that tab started a new conversation, which
      // leaves this tab's turn belonging to the old one.
      if (!cleared) return;
      this.#generation++;
      this.#controller?.abort();
      this.#controller = undefined;
      this.activeTool = undefined;
    } else if (!saved.entries.length && saved.sessionId === this.sessionId) {
      // That tab only dropped the transcript (its storage was full); the session is the same.
      return;
    }
    // A conversation written there replaces the one this tab could still bring back.
    if (!cleared) this.#commitReset();
    const known = new Set(this.entries.map((entry) => entry.id));
    if (cleared || saved.entries.length !== known.size || saved.entries.some((entry) => !known.has(entry.id))) {
      // The conversation moved on there: this tab's error is old news.
      this.error = undefined;
      this.#turn = undefined;
      this.#setStatus('idle');
    }
    this.#follow(saved);
    this.#emitChange();
  }

  /**
   * Takes the saved conversation as this tab's. A reply still "streaming" is being written
   * by another tab if its mark is fresh; otherwise a reload or a closed tab cut it off.
   */
  #follow(saved: Saved): void {
    this.sessionId = saved.sessionId;
    const { turn } = saved;
    this.#clock.clearTimeout(this.#remoteTimer);
    const left = turn && turn.tab !== this.#tab ? turn.at + this.settings.staleTurnMs - this.#clock.now() : 0;
    this.#remote = left > 0 ? turn : undefined;
    if (this.#remote) {
      this.#remoteTimer = this.#clock.setTimeout(() => {
        this.#remote = undefined;
        this.#follow({ ...saved, entries: this.entries, turn: undefined });
        this.#emitChange();
      }, left);
    }
    this.entries = this.#remote
      ? saved.entries
      : saved.entries.map((entry) =>
          entry.role === 'assistant' && entry.status === 'streaming' ? { ...entry, status: 'interrupted' } : entry,
        );
  }

  #setStatus(status: ChatStatus): void {
    const wasBusy = this.#localBusy;
    this.#status = status;
    if (this.#localBusy === wasBusy) return;
    this.#clock.clearTimeout(this.#heartbeat);
    if (this.#localBusy) this.#beat();
  }

  /** While a turn is in flight, its mark is refreshed, so the other tabs know this tab lives. */
  #beat(): void {
    this.#heartbeat = this.#clock.setTimeout(() => {
      if (!this.#localBusy) return;
      this.#save();
      this.#beat();
    }, this.settings.staleTurnMs / 3);
  }

  /** Saves the conversation; `leaving` drops this tab's turn mark (the page is going away). */
  #save(leaving = false): void {
    const now = this.#clock.now();
    this.#lastSave = now;
    const stored = this.store.load();
    // Merged by entry id, so another tab's messages written meanwhile are kept, not overwritten.
    if (stored.entries.length) {
      const merged = mergeEntries(stored.entries, this.entries, this.#owned);
      const known = new Set(this.entries.map((entry) => entry.id));
      if (merged.some((entry) => !known.has(entry.id))) this.entries = merged;
    }
    const turn: TurnMark | undefined =
      this.#localBusy && !leaving
        ? { tab: this.#tab, status: this.#status as TurnMark['status'], at: now }
        : stored.turn?.tab === this.#tab
          ? undefined
          : stored.turn;
    this.store.save({ sessionId: this.sessionId, entries: this.entries, turn });
  }

  #saveSometimes(): void {
    if (this.#clock.now() - this.#lastSave >= SAVE_INTERVAL_MS) this.#save();
  }

  #saveDraft(): void {
    this.#clock.clearTimeout(this.#draftTimer);
    this.#draftTimer = undefined;
    this.store.saveDraft(this.#draft);
  }

  /** Makes a reset final: the session it put aside for Undo is ended at the proxy. */
  #commitReset(): void {
    const undo = this.#undo;
    if (!undo) return;
    this.#undo = undefined;
    this.#clock.clearTimeout(undo.timer);
    if (undo.sessionId && this.settings.proxyUrl) {
      // Ending the session upstream is a courtesy; the visitor is not kept waiting for it.
      void this.#fetcher(`${this.#base()}/sessions/${encodeURIComponent(undo.sessionId)}`, {
        method: 'DELETE',
        headers: this.#headers(),
        keepalive: true,
      }).catch(() => {});
    }
    this.#emitChange();
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
    return this.settings.fetch ?? this.#fetch ?? ((input, init) => fetch(input, init));
  }
}

/** A name for this tab that survives its reloads: sessionStorage is per tab. */
function browserTabName(): string {
  const key = 'pathors-chat:tab';
  try {
    const name = sessionStorage.getItem(key) ?? newId();
    sessionStorage.setItem(key, name);
    return name;
  } catch {
    return newId();
  }
}

/** `findLastIndex`, which the supported browsers have but this project's target library lacks. */
function lastIndexOf<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (test(items[index]!)) return index;
  return -1;
}

/**
 * The network side (a chat turn: `postChat`, fetch-event-source, the reader and folding of
 * the reply; the fetch of a session's history) is code only a visitor who writes needs, not
 * one who reads a restored conversation: it loads with the first send, or ahead of it at the
 * first sign of one (a draft typed or left, a message waiting for Retry), or to recover a
 * reply a reload cut off.
 */
export const loadSender = lazily(() => import('./turn.js'));

const live = new Map<string, Conversation>();

/**
 * The one conversation for a storage key on this page: an element that is
 * re-mounted (a framework re-render) picks up where it was. Browser only.
 */
export function conversationFor(storageKey: string, persist: boolean): Conversation {
  const key = `${persist ? 'saved' : 'memory'}:${storageKey}`;
  let conversation = live.get(key);
  if (!conversation) {
    if (!live.size) {
      // What waits for later (the draft, a session kept for Undo) is done before the page goes.
      addEventListener('pagehide', () => {
        for (const each of live.values()) each.flush();
      });
    }
    conversation = new Conversation(storageKey, persist);
    live.set(key, conversation);
  }
  return conversation;
}
