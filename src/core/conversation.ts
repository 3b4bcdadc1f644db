import { systemClock, type Clock } from './clock.js';
import { ChatError } from './errors.js';
import { lazily } from './lazily.js';
import { browserStore, type ConversationStore, type Saved, type StorageProblem, type TurnMark } from './storage.js';
import type { PageTool, ToolCallRequest } from './tools.js';
import {
  mergeEntries,
  newId,
  ratingOf,
  unansweredToolEntries,
  type AssistantEntry,
  type Entry,
  type UserEntry,
} from './transcript.js';
import type { Transport } from './transport.js';
import { STALE_TURN_MS } from './turn-mark.js';

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
  welcome: '',
  undoMs: 6000,
  staleTurnMs: STALE_TURN_MS,
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
  /** The agent calls one of the page's tools; cancelable (see `ToolCallRequest`). */
  'tool-call': CustomEvent<ToolCallRequest>;
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

/** How long typing pauses before the draft is saved. */
const DRAFT_SAVE_MS = 300;

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
 *
 * What only a send needs (running a turn, fetching the history) is in the send chunk
 * (turn.ts), which reaches the state it changes through the members whose names end in `_`:
 * internal, not for pages, and shortened in the script-tag builds (scripts/mangle-props.mjs).
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
  readonly transport_: Transport | undefined;
  /** The injected fetch for the session calls, when `settings.fetch` is not set. */
  readonly fetch_: typeof globalThis.fetch | undefined;
  readonly clock_: Clock;
  /** This tab, as its turn marks name it. */
  readonly #tab: string;
  #status: ChatStatus = 'idle';
  #draft = '';
  #draftTimer: unknown;
  /** What the visitor's Stop aborts: the turn's request, or its tools. */
  controller_: AbortController | undefined;
  /** The turn in flight or last failed, so retry sends exactly it again. */
  turn_: Turn | undefined;
  /** Bumped by every turn and by reset: a turn that is no longer current leaves the state alone. */
  generation_ = 0;
  /** Entries this tab wrote or removed: its version wins when saves are merged with another tab's. */
  readonly owned_ = new Set<string>();
  /** Element views listening, once one has been: with none, no page can be asked about a tool call. */
  views_: number | undefined;
  /** Another tab's turn in flight, while it shows signs of life. */
  #remote: TurnMark | undefined;
  #remoteTimer: unknown;
  #heartbeat: unknown;
  #undo: Undo | undefined;
  /**
   * What a reload cut off: the reply being written, or the message still waiting for its first
   * word (shown as not sent). The proxy's history may hold the reply finished.
   */
  cutByReload_: string | undefined;
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
    this.transport_ = transport;
    this.fetch_ = fetch;
    this.clock_ = clock;
    this.#draft = store.loadDraft();
    const saved = store.load();
    this.#follow(saved);
    const cut = this.entries.at(-1);
    if (
      cut &&
      (cut.role === 'assistant' ? cut.status === 'interrupted' : cut.role === 'user' && cut.failed) &&
      !this.#remote
    )
      this.cutByReload_ = cut.id;
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
    this.clock_.clearTimeout(this.#draftTimer);
    this.#draftTimer = this.clock_.setTimeout(() => this.#saveDraft(), DRAFT_SAVE_MS);
  }

  /**
   * `retry()` would do something: the last turn failed and sending it again could work, or
   * the latest visitor message was never sent (also after a reload).
   */
  get canRetry(): boolean {
    if (this.busy) return false;
    if (this.#status === 'error') return Boolean(this.turn_);
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
    // The results that were to go with a message never sent: the session has not seen them either.
    const unsent = this.#failedTurn()?.entries.filter((entry) => entry.role === 'tool') ?? [];
    const user: UserEntry = { id: newId(), role: 'user', content };
    const { welcome } = this.settings;
    const added: Entry[] = [
      ...(!this.entries.length && welcome.trim()
        ? [{ id: newId(), role: 'assistant', content: welcome, status: 'done', welcome: true } as const]
        : []),
      ...unanswered,
      user,
    ];
    for (const entry of added) this.owned_.add(entry.id);
    this.entries = [...this.entries, ...added];
    this.start_({ entries: [...unsent, ...unanswered, user], round: 0, user, replace: [] });
    return true;
  }

  /**
   * Re-sends the turn that failed, or the latest message that was never sent, without adding
   * the visitor's message again. A reply the failure cut off is replaced by the new one.
   * Returns false when there is nothing worth re-sending (see `canRetry`).
   */
  retry(): boolean {
    if (!this.canRetry) return false;
    const turn = this.#status === 'error' ? this.turn_ : this.#failedTurn();
    if (!turn) return false;
    this.start_(turn);
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
    this.start_(turn);
    return true;
  }

  /** Stops the reply (or the request not yet answered); what was written is kept, marked stopped. */
  stop(): void {
    this.controller_?.abort();
  }

  /**
   * Starts over: forgets the transcript and the session at once. For `settings.undoMs`,
   * `undoReset()` brings them back; only then is the session ended at the proxy.
   */
  reset(): void {
    this.generation_++;
    this.stop();
    this.#commitReset();
    if (this.sessionId) this.#prepareSend();
    if (this.entries.length || this.sessionId) {
      this.#undo = {
        entries: this.entries,
        sessionId: this.sessionId,
        timer: this.clock_.setTimeout(() => this.#commitReset(), this.settings.undoMs),
      };
    }
    this.entries = [];
    this.sessionId = undefined;
    this.turn_ = undefined;
    this.error = undefined;
    this.cutByReload_ = undefined;
    // The store is cleared: another tab's turn is ended (its mark goes with it), not waited for.
    this.clock_.clearTimeout(this.#remoteTimer);
    this.#remote = undefined;
    this.setStatus_('idle');
    this.store.clear();
    this.#saveDraft();
    this.emitChange_();
  }

  /** Brings back the conversation the last `reset()` cleared, within `settings.undoMs`. */
  undoReset(): boolean {
    const undo = this.#undo;
    if (!undo || this.busy) return false;
    this.clock_.clearTimeout(undo.timer);
    this.#undo = undefined;
    this.entries = undo.entries;
    this.sessionId = undo.sessionId;
    for (const entry of this.entries) this.owned_.add(entry.id);
    this.save_();
    this.emitChange_();
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
    if (this.#localBusy) this.save_(true);
  }

  /**
   * Fetches the history from the proxy where the transcript is gone but the session is
   * known (storage was full, or cleared by the browser), or where a reload cut off the
   * last reply: if the agent finished it, the finished reply takes its place.
   */
  recoverHistory(): Promise<void> {
    const { sessionId } = this;
    const cutId = this.cutByReload_;
    if (!sessionId || !this.settings.proxyUrl || (this.entries.length && !cutId)) return Promise.resolve();
    // Should the send chunk not load, the history stays unknown; the session itself still works.
    return loadSender().then(
      (send) => send.recoverHistory(this, sessionId, cutId),
      () => {},
    );
  }

  dispose(): void {
    this.stop();
    this.flush();
    this.clock_.clearTimeout(this.#remoteTimer);
    this.clock_.clearTimeout(this.#heartbeat);
    this.#unwatch();
  }

  get #localBusy(): boolean {
    return this.#status === 'sending' || this.#status === 'streaming' || this.#status === 'tools';
  }

  /** Fetches the send path ahead, when the visitor shows they will send: the first send then waits for no download. */
  #prepareSend(): void {
    loadSender().catch(() => {});
  }

  /**
   * Starts a turn: the visitor sees it under way at once, and the send chunk runs it once it
   * is in (it may still be loading). Also the next round of a turn, after its tools ran.
   */
  start_(turn: Turn): void {
    const generation = ++this.generation_;
    this.turn_ = turn;
    this.error = undefined;
    this.cutByReload_ = undefined;
    if (turn.user?.failed)
      turn.user = this.replaceEntry_(turn.user, { id: turn.user.id, role: 'user', content: turn.user.content });
    this.setStatus_('sending');
    const controller = new AbortController();
    this.controller_ = controller;
    this.save_();
    this.emitChange_();
    // Ends the turn before it went out; unless a reset (and perhaps a new message) came first.
    const fail = (error: ChatError) => {
      if (generation === this.generation_)
        this.endTurn_(controller, controller.signal.aborted ? undefined : error, turn, false);
    };
    if (!this.settings.proxyUrl) fail(new ChatError('config', 'proxy-url is not set'));
    // A send chunk that does not load leaves the message "Not sent", for Retry to load it again.
    else
      loadSender().then(
        (send) => send.runTurn(this, turn, controller, generation),
        (error: unknown) => fail(new ChatError('network', String(error), { cause: error })),
      );
  }

  /**
   * Shows how the current turn ended: stopped (no `error`), or failed, with the error and,
   * where no reply came, the visitor's message as not sent (also after a reload). `turn` is the
   * turn that ran; Retry sends it again while it is still `turn_`.
   */
  endTurn_(controller: AbortController, error: ChatError | undefined, turn: Turn | undefined, replied: boolean): void {
    if (this.controller_ === controller) this.controller_ = undefined;
    this.activeTool = undefined;
    if (error) {
      this.error = error;
      if (!replied && turn?.user) turn.user = this.replaceEntry_(turn.user, { ...turn.user, failed: true });
      this.setStatus_('error');
      this.dispatchEvent(new CustomEvent('error', { detail: { error } }));
    } else {
      this.setStatus_('idle');
      this.turn_ = undefined;
    }
    this.save_();
    this.emitChange_();
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
    const index = entries.findLastIndex((entry) => entry.role === 'user');
    const user = entries[index];
    if (user?.role !== 'user') return undefined;
    const before = entries.slice(0, index);
    return {
      entries: [
        ...(user.failed
          ? before.slice(before.findLastIndex((entry) => entry.role !== 'tool') + 1)
          : unansweredToolEntries(entries)),
        // As sent: a message never sent goes out now.
        { id: user.id, role: 'user', content: user.content },
      ],
      round: 0,
      user: user.failed && user,
      replace: entries.slice(index + 1).map((entry) => entry.id),
    };
  }

  /** Keeps the visitor's rating on its reply, saved with the conversation and seen by every tab. */
  rate(entry: AssistantEntry, rating: 'good' | 'bad'): void {
    this.replaceEntry_(entry, { ...entry, rating });
    this.save_();
    this.emitChange_();
  }

  /** Puts `next` where `entry` was (a new object, so views keyed by identity see the change). */
  replaceEntry_<T extends Entry>(entry: T, next: T): T {
    this.owned_.add(entry.id);
    this.entries = this.entries.map((kept) => (kept.id === entry.id ? next : kept));
    return next;
  }

  /** Another tab wrote. */
  #handleStoreChange(): void {
    const saved = this.store.load();
    const cleared = !saved.entries.length && !saved.sessionId;
    if (this.#localBusy) {
      // Merged at this tab's next save; unless that tab started a new conversation, which
      // leaves this tab's turn belonging to the old one.
      if (!cleared) return;
      this.generation_++;
      this.controller_?.abort();
      this.controller_ = undefined;
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
      this.turn_ = undefined;
      this.setStatus_('idle');
    }
    this.#follow(saved);
    this.emitChange_();
  }

  /**
   * Takes the saved conversation as this tab's. A reply still "streaming" is being written
   * by another tab if its mark is fresh; otherwise a reload or a closed tab cut it off.
   */
  #follow(saved: Saved): void {
    this.sessionId = saved.sessionId;
    const { turn } = saved;
    this.clock_.clearTimeout(this.#remoteTimer);
    const left = turn && turn.tab !== this.#tab ? turn.at + this.settings.staleTurnMs - this.clock_.now() : 0;
    this.#remote = left > 0 ? turn : undefined;
    if (this.#remote) {
      this.#remoteTimer = this.clock_.setTimeout(() => {
        this.#remote = undefined;
        this.#follow({ ...saved, entries: this.entries, turn: undefined });
        this.emitChange_();
      }, left);
    }
    this.entries = this.#remote
      ? saved.entries
      : saved.entries.map((entry) =>
          entry.role === 'assistant' && entry.status === 'streaming' ? { ...entry, status: 'interrupted' } : entry,
        );
    const last = this.entries.at(-1);
    // A page that went (or died) while its message waited for the first word: not sent, as far
    // as anyone can tell here; Retry, unless the session's history holds the answer.
    if (!this.#remote && turn?.status === 'sending' && last?.role === 'user')
      this.entries = [...this.entries.slice(0, -1), { ...last, failed: true }];
  }

  setStatus_(status: ChatStatus): void {
    const wasBusy = this.#localBusy;
    this.#status = status;
    if (this.#localBusy === wasBusy) return;
    this.clock_.clearTimeout(this.#heartbeat);
    if (this.#localBusy) this.#beat();
  }

  /** While a turn is in flight, its mark is refreshed, so the other tabs know this tab lives. */
  #beat(): void {
    this.#heartbeat = this.clock_.setTimeout(() => {
      if (!this.#localBusy) return;
      this.save_();
      this.#beat();
    }, this.settings.staleTurnMs / 3);
  }

  /** Saves the conversation; `leaving` drops this tab's turn mark (the page is going away). */
  save_(leaving = false): void {
    const now = this.clock_.now();
    const stored = this.store.load();
    // Merged by entry id, so another tab's messages written meanwhile are kept, not overwritten.
    if (stored.entries.length) {
      const merged = mergeEntries(stored.entries, this.entries, this.owned_);
      const mine = new Map(this.entries.map((entry) => [entry.id, entry]));
      // Adopted, and shown, when it holds another tab's messages or a rating given there.
      if (merged.some((entry) => !mine.has(entry.id) || ratingOf(entry) !== ratingOf(mine.get(entry.id)))) {
        this.entries = merged;
        this.emitChange_();
      }
    }
    // Leaving while the message waits for the first word, the mark stays, stale at once (it holds
    // no tab), to say so to the next page: see #follow.
    const turn: TurnMark | undefined =
      this.#localBusy && !(leaving && this.#status !== 'sending')
        ? { tab: this.#tab, status: this.#status as TurnMark['status'], at: leaving ? 0 : now }
        : stored.turn?.tab === this.#tab
          ? undefined
          : stored.turn;
    this.store.save({ sessionId: this.sessionId, entries: this.entries, turn });
  }

  #saveDraft(): void {
    this.clock_.clearTimeout(this.#draftTimer);
    this.#draftTimer = undefined;
    this.store.saveDraft(this.#draft);
  }

  /** Makes a reset final: the session it put aside for Undo is ended at the proxy. */
  #commitReset(): void {
    const undo = this.#undo;
    if (!undo) return;
    this.#undo = undefined;
    this.clock_.clearTimeout(undo.timer);
    const { sessionId } = undo;
    // Ending the session upstream is a courtesy; the visitor is not kept waiting for it. The
    // send chunk holds the request: reset() fetched it ahead, so it is in by the time Undo ends.
    if (sessionId && this.settings.proxyUrl)
      void loadSender().then(
        (send) => send.endSession(this, sessionId),
        () => {},
      );
    this.emitChange_();
  }

  emitChange_(): void {
    this.dispatchEvent(new Event('change'));
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

/** What the page's view needs to show a turn, loaded beside the send chunk (`loadAlongsideSender`). */
const alongside: Array<() => Promise<unknown>> = [];

/**
 * The network side (a chat turn: `postChat`, fetch-event-source, the reader and folding of
 * the reply; the fetch of a session's history) is code only a visitor who writes needs, not
 * one who reads a restored conversation: it loads with the first send, or ahead of it at the
 * first sign of one (a draft typed or left, a message waiting for Retry), or to recover a
 * reply a reload cut off. It counts as loaded once what was asked to load alongside it is in.
 */
export const loadSender = lazily(() =>
  Promise.all([import('./turn.js'), ...alongside.map((load) => load())]).then(([send]) => send),
);

/**
 * Loads `load` with the send chunk, from now on: no turn starts before it is in, and if it
 * fails, the turn fails to start as if the send chunk had (the message shows "Not sent").
 */
export function loadAlongsideSender(load: () => Promise<unknown>): void {
  alongside.push(load);
}

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
