import { isEntry, type Entry } from './transcript.js';

/** Why the conversation is not being saved: storage blocked, full, unreadable, or turned off. */
export type StorageProblem = 'blocked' | 'full' | 'corrupt' | 'off';

export interface Saved {
  sessionId: string | undefined;
  entries: Entry[];
}

/**
 * The conversation in localStorage, as two items: the session ID (small, kept
 * even when the transcript no longer fits) and the transcript. Every access
 * is guarded: storage may be blocked, full or hold someone else's junk, and
 * the widget must keep working in memory all the same.
 */
export class ConversationStorage {
  /** Set when the last load or save could not use storage. */
  problem: StorageProblem | undefined;
  readonly #sessionKey: string;
  readonly #transcriptKey: string;
  readonly #storage: Storage | undefined;

  constructor(key: string, persist: boolean) {
    this.#sessionKey = `${key}:session`;
    this.#transcriptKey = `${key}:transcript`;
    this.#storage = persist ? openStorage() : undefined;
    this.problem = !persist ? 'off' : this.#storage ? undefined : 'blocked';
    if (this.#storage && !canWrite(this.#storage)) this.problem = 'full';
  }

  load(): Saved {
    if (!this.#storage) return { sessionId: undefined, entries: [] };
    try {
      const sessionId = this.#storage.getItem(this.#sessionKey) ?? undefined;
      const raw = this.#storage.getItem(this.#transcriptKey);
      if (raw === null) return { sessionId, entries: [] };
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed) || !parsed.every(isEntry)) {
        this.problem = 'corrupt';
        return { sessionId, entries: [] };
      }
      return { sessionId, entries: parsed };
    } catch {
      this.problem = 'corrupt';
      return { sessionId: undefined, entries: [] };
    }
  }

  save({ sessionId, entries }: Saved): void {
    const storage = this.#storage;
    if (!storage) return;
    try {
      if (sessionId) storage.setItem(this.#sessionKey, sessionId);
      else storage.removeItem(this.#sessionKey);
      storage.setItem(this.#transcriptKey, JSON.stringify(entries));
      this.problem = undefined;
    } catch {
      // Full: keep the session ID, which is enough to fetch the history back from the proxy.
      this.problem = 'full';
      try {
        storage.removeItem(this.#transcriptKey);
      } catch {
        // Nothing more can be done; the conversation lives on in memory.
      }
    }
  }

  clear(): void {
    try {
      this.#storage?.removeItem(this.#sessionKey);
      this.#storage?.removeItem(this.#transcriptKey);
    } catch {
      // Blocked storage has nothing of ours to clear.
    }
  }

  /** Calls `onChange` when another tab changes this conversation. Returns the unsubscribe. */
  watch(onChange: () => void): () => void {
    if (!this.#storage) return () => {};
    const listener = (event: StorageEvent) => {
      if (event.key === null || event.key === this.#sessionKey || event.key === this.#transcriptKey) onChange();
    };
    window.addEventListener('storage', listener);
    return () => window.removeEventListener('storage', listener);
  }
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
