import { isRecord } from '../shared/record.js';
import { isEntry, type Entry } from './transcript.js';

/** Why the conversation is not being saved: storage blocked, full, unreadable, or turned off. */
export type StorageProblem = 'blocked' | 'full' | 'corrupt' | 'off';

/** A turn in flight, as the tab running it announces it to the others. */
export interface TurnMark {
  /** The tab running the turn (random per page load). */
  tab: string;
  status: 'sending' | 'streaming' | 'tools';
  /** When that tab last wrote (ms since the epoch); an old mark is a tab that died mid-turn. */
  at: number;
}

/** What a conversation keeps across reloads and shares with the other tabs. */
export interface Saved {
  sessionId: string | undefined;
  entries: Entry[];
  turn: TurnMark | undefined;
}

/**
 * Where a conversation is kept. The browser default is `WebConversationStore` on
 * localStorage; tests and other hosts pass their own.
 */
export interface ConversationStore {
  /** Set when the last load or save could not use the store. */
  readonly problem: StorageProblem | undefined;
  load(): Saved;
  save(saved: Saved): void;
  /** What the visitor typed and not sent: kept apart, so a keystroke never rewrites the transcript. */
  loadDraft(): string;
  saveDraft(draft: string): void;
  clear(): void;
  /** Calls `onChange` when someone else (another tab) changes the conversation. Returns the unsubscribe. */
  watch(onChange: () => void): () => void;
}

/** Tells a store that an item changed elsewhere: `key` null means everything was cleared. */
export type StorageWatcher = (onKey: (key: string | null) => void) => () => void;

const EMPTY: Saved = { sessionId: undefined, entries: [], turn: undefined };

/**
 * The conversation in a Web Storage area, as four items: the session ID (small, kept even
 * when the transcript no longer fits), the transcript, the turn in flight and the draft.
 * Every access is guarded: storage may be blocked, full or hold someone else's junk, and
 * the widget must keep working in memory all the same.
 */
export class WebConversationStore implements ConversationStore {
  problem: StorageProblem | undefined;
  /** The storage key of one of the four items. */
  readonly #key: (item: 'session' | 'transcript' | 'turn' | 'draft') => string;
  readonly #storage: Storage | undefined;
  readonly #watcher: StorageWatcher | undefined;

  /**
   * `storage` undefined with `problem` unset means blocked. `watcher` reports writes by other
   * tabs (the browser's `storage` event); without one, the store never reports changes.
   */
  constructor(key: string, storage: Storage | undefined, watcher?: StorageWatcher, problem?: StorageProblem) {
    this.#key = (item) => `${key}:${item}`;
    this.#storage = storage;
    this.#watcher = watcher;
    this.problem = problem ?? (!storage ? 'blocked' : canWrite(storage) ? undefined : 'full');
  }

  load(): Saved {
    const storage = this.#storage;
    if (!storage) return { ...EMPTY };
    let sessionId: string | undefined;
    try {
      sessionId = storage.getItem(this.#key('session')) ?? undefined;
      const turn = readTurn(storage.getItem(this.#key('turn')));
      const raw = storage.getItem(this.#key('transcript'));
      if (raw === null) return { sessionId, entries: [], turn };
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed)) throw new TypeError('not a transcript');
      // Keep whatever is valid: one bad entry must not cost the visitor the whole conversation.
      const entries = parsed.filter(isEntry);
      if (entries.length !== parsed.length) this.problem = 'corrupt';
      return { sessionId, entries, turn };
    } catch {
      this.problem = 'corrupt';
      return { ...EMPTY, sessionId };
    }
  }

  save({ sessionId, entries, turn }: Saved): void {
    const storage = this.#storage;
    if (!storage) return;
    try {
      if (sessionId) storage.setItem(this.#key('session'), sessionId);
      else storage.removeItem(this.#key('session'));
      if (turn) storage.setItem(this.#key('turn'), JSON.stringify(turn));
      else storage.removeItem(this.#key('turn'));
      storage.setItem(this.#key('transcript'), JSON.stringify(entries));
      this.problem = undefined;
    } catch {
      // Full: keep the session ID, which is enough to fetch the history back from the proxy.
      this.problem = 'full';
      try {
        storage.removeItem(this.#key('transcript'));
        // The room the transcript held is enough for the session ID, should it not have fit before.
        if (sessionId) storage.setItem(this.#key('session'), sessionId);
      } catch {
        // Nothing more can be done; the conversation lives on in memory.
      }
    }
  }

  loadDraft(): string {
    try {
      return this.#storage?.getItem(this.#key('draft')) ?? '';
    } catch {
      return '';
    }
  }

  saveDraft(draft: string): void {
    try {
      if (draft) this.#storage?.setItem(this.#key('draft'), draft);
      else this.#storage?.removeItem(this.#key('draft'));
    } catch {
      // A draft that does not fit stays in memory; the transcript matters more.
    }
  }

  clear(): void {
    try {
      for (const item of ['session', 'transcript', 'turn', 'draft'] as const)
        this.#storage?.removeItem(this.#key(item));
    } catch {
      // Blocked storage has nothing of ours to clear.
    }
  }

  watch(onChange: () => void): () => void {
    if (!this.#storage || !this.#watcher) return () => {};
    // Another tab's draft is its own business: it must not overwrite what this tab is typing.
    return this.#watcher((key) => {
      if (key === null || (['session', 'transcript', 'turn'] as const).some((item) => key === this.#key(item)))
        onChange();
    });
  }
}

/** The browser's store: localStorage (unless `persist` is off), following other tabs through `storage` events. */
export function browserStore(key: string, persist: boolean): ConversationStore {
  if (!persist) return new WebConversationStore(key, undefined, undefined, 'off');
  const storage = openStorage();
  return new WebConversationStore(key, storage, (onKey) => {
    const listener = (event: StorageEvent) => {
      if (event.storageArea === storage) onKey(event.key);
    };
    window.addEventListener('storage', listener);
    return () => window.removeEventListener('storage', listener);
  });
}

function readTurn(raw: string | null): TurnMark | undefined {
  if (raw === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { tab, status, at } = value;
  return typeof tab === 'string' &&
    typeof at === 'number' &&
    (status === 'sending' || status === 'streaming' || status === 'tools')
    ? { tab, status, at }
    : undefined;
}

function openStorage(): Storage | undefined {
  try {
    // Reading the property throws in sandboxed frames and with cookies blocked.
    return window.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function canWrite(storage: Storage): boolean {
  const probe = '__pathors-chat-probe__';
  try {
    storage.setItem(probe, probe);
    storage.removeItem(probe);
    return true;
  } catch {
    return false;
  }
}
