/**
 * What a Conversation needs, faked for Node: a Web Storage shared by "tabs" that hear each
 * other's writes, a transport the test drives chunk by chunk (through the real chunk
 * parser), a fetch that records the session calls, and a clock the test moves by hand.
 */
import type { Clock } from '../../src/core/clock.js';
import { Conversation, type ConversationSettings } from '../../src/core/conversation.js';
import { AbortedError } from '../../src/core/aborted.js';
import { ChatError } from '../../src/core/errors.js';
import { readChunk } from '../../src/core/parse.js';
import { WebConversationStore } from '../../src/core/storage.js';
import type { PostChatOptions, Transport } from '../../src/core/transport.js';
import type { ToolCall } from '../../src/core/wire.js';

/** A clock whose time moves only when the test says so. */
export class ManualClock implements Clock {
  time = 1_000_000;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time on, running each timer that comes due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** A view of this clock for one tab, whose timers all stop when the tab is killed. */
  view(): Clock & { kill(): void } {
    const mine = new Set<unknown>();
    let dead = false;
    return {
      now: () => this.now(),
      setTimeout: (callback, ms) => {
        if (dead) return undefined;
        const handle = this.setTimeout(() => {
          mine.delete(handle);
          callback();
        }, ms);
        mine.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        mine.delete(handle);
        this.clearTimeout(handle);
      },
      kill: () => {
        dead = true;
        for (const handle of mine) this.clearTimeout(handle);
      },
    };
  }
}

/**
 * One origin's localStorage, seen by several tabs. A write by one tab is reported to the
 * others (never to itself), after the writing code has run, as the browser does.
 */
export class SharedStorage {
  readonly items = new Map<string, string>();
  /** Characters of keys and values the origin may hold, as browsers count them; past it, setItem throws. */
  quota = Infinity;
  readonly #listeners = new Map<string, Set<(key: string | null) => void>>();

  area(tab: string): Storage {
    const { items } = this;
    const notify = (key: string | null) => {
      for (const [other, listeners] of this.#listeners) {
        if (other === tab) continue;
        for (const listener of listeners) queueMicrotask(() => listener(key));
      }
    };
    return {
      get length() {
        return items.size;
      },
      key: (index: number) => [...items.keys()][index] ?? null,
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => {
        if (items.get(key) === value) return;
        const before = items.get(key);
        let used = key.length + value.length - (before === undefined ? 0 : key.length + before.length);
        for (const [k, v] of items) used += k.length + v.length;
        if (used > this.quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        items.set(key, String(value));
        notify(key);
      },
      removeItem: (key: string) => {
        if (!items.delete(key)) return;
        notify(key);
      },
      clear: () => {
        items.clear();
        notify(null);
      },
    };
  }

  listen(tab: string, listener: (key: string | null) => void): () => void {
    const set = this.#listeners.get(tab) ?? new Set();
    this.#listeners.set(tab, set);
    set.add(listener);
    return () => set.delete(listener);
  }
}

/** One request the conversation sent, and the means to answer it. */
export class FakeCall {
  readonly options: PostChatOptions;
  readonly settled: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  #done = false;

  constructor(options: PostChatOptions) {
    this.options = options;
    this.settled = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // As postChat does: the caller's abort ends the request with AbortedError.
    options.signal.addEventListener('abort', () => this.#fail(new AbortedError('aborted')));
  }

  get body() {
    return this.options.body;
  }

  get aborted(): boolean {
    return this.options.signal.aborted;
  }

  session(id: string): this {
    this.options.onSession(id);
    return this;
  }

  /** One `data:` line of the stream, through the real parser (which may throw `malformed`). */
  data(text: string): this {
    if (this.#done) return this;
    try {
      this.options.onChunk(readChunk(text));
    } catch (error) {
      this.#fail(error);
    }
    return this;
  }

  text(content: string, finish: 'stop' | null = null): this {
    return this.data(JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] }));
  }

  tools(calls: Array<{ id: string; name: string; arguments?: string }>): this {
    return this.data(
      JSON.stringify({
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: calls.map((call, index) => ({
                index,
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: call.arguments ?? '{}' },
              })),
            },
            finish_reason: 'tool_calls',
          },
        ],
      }),
    );
  }

  /** The stream ends well (`[DONE]`). */
  end(): this {
    if (!this.#done) {
      this.#done = true;
      this.#resolve();
    }
    return this;
  }

  /** A complete reply in one go. */
  reply(content: string): this {
    return this.text(content, 'stop').end();
  }

  fail(error: ChatError): this {
    this.#fail(error);
    return this;
  }

  /** The connection drops after the reply started. */
  drop(): this {
    return this.fail(new ChatError('interrupted', 'The connection dropped during the reply'));
  }

  #fail(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#reject(error);
  }
}

/** A transport that hands each request to the test. */
export class FakeTransport {
  readonly calls: FakeCall[] = [];
  readonly #waiters: Array<(call: FakeCall) => void> = [];

  readonly send: Transport = (options) => {
    const call = new FakeCall(options);
    this.calls.push(call);
    this.#waiters.shift()?.(call);
    return call.settled;
  };

  /** The request number `index` (0-based), once it has been sent. */
  async call(index: number): Promise<FakeCall> {
    // The first request that offers tools waits for their module to load.
    const end = Date.now() + 2000;
    while (!this.calls[index] && Date.now() < end) await tick(1);
    const call = this.calls[index];
    if (!call) throw new Error(`request ${index} was never sent (${this.calls.length} were)`);
    return call;
  }

  get last(): FakeCall | undefined {
    return this.calls.at(-1);
  }
}

/** A fetch for the session routes, answering from `history` and recording every call. */
export class FakeSessions {
  readonly requests: Array<{ method: string; url: string }> = [];
  history: Array<{ role: string; content: string }> = [];
  status = 200;

  readonly fetch: typeof fetch = async (input, init) => {
    this.requests.push({ method: init?.method ?? 'GET', url: String(input) });
    return new Response(
      JSON.stringify(this.status === 200 ? { sessionId: 's', messages: this.history } : { error: 'nope' }),
      { status: this.status, headers: { 'Content-Type': 'application/json' } },
    );
  };

  get deletes(): string[] {
    return this.requests.filter((request) => request.method === 'DELETE').map((request) => request.url);
  }
}

/** Lets queued microtasks and promise chains run. */
export async function tick(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface Tab {
  conversation: Conversation;
  transport: FakeTransport;
  sessions: FakeSessions;
  /** `change` events seen so far. */
  changes: () => number;
  /** The page dies at once (a crash, a reload): no more timers, events or writes. */
  kill(): void;
}

/** A conversation as one tab of `storage` holds it, with its own transport and sessions. */
export function openTab(
  storage: SharedStorage,
  clock: ManualClock,
  name = `tab-${Math.random()}`,
  settings: Partial<ConversationSettings> = {},
  key = 'chat',
): Tab {
  const transport = new FakeTransport();
  const sessions = new FakeSessions();
  // Each page load listens under its own name; `name` is the tab, which a reload keeps.
  const page = `${name}#${Math.random()}`;
  let alive = true;
  const area = storage.area(page);
  const guarded: Storage = {
    get length() {
      return area.length;
    },
    key: (index) => area.key(index),
    getItem: (item) => area.getItem(item),
    setItem: (item, value) => {
      if (alive) area.setItem(item, value);
    },
    removeItem: (item) => {
      if (alive) area.removeItem(item);
    },
    clear: () => {
      if (alive) area.clear();
    },
  };
  const view = clock.view();
  const store = new WebConversationStore(key, guarded, (onKey) =>
    storage.listen(page, (changed) => {
      if (alive) onKey(changed);
    }),
  );
  const conversation = new Conversation({
    store,
    transport: transport.send,
    fetch: sessions.fetch,
    clock: view,
    tab: name,
  });
  conversation.settings = { ...conversation.settings, proxyUrl: 'https://site.test/pathors', ...settings };
  let changes = 0;
  conversation.addEventListener('change', () => changes++);
  return {
    conversation,
    transport,
    sessions,
    changes: () => changes,
    kill: () => {
      alive = false;
      view.kill();
    },
  };
}

export const call = (id: string, name: string, args = '{}'): ToolCall => ({
  id,
  type: 'function',
  function: { name, arguments: args },
});

/** What the transcript says, compactly: `user:hi`, `assistant(done):Hello`. */
export function transcript(conversation: Conversation): string[] {
  return conversation.entries.map((entry) =>
    entry.role === 'assistant'
      ? `assistant(${entry.status}${entry.welcome ? ',welcome' : ''}):${entry.content}`
      : entry.role === 'user'
        ? `user${entry.failed ? '(failed)' : ''}:${entry.content}`
        : `tool:${entry.name}`,
  );
}
