import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { Conversation } from '../../src/core/conversation.js';
import { AbortedError } from '../../src/core/aborted.js';
import { ChatError } from '../../src/core/errors.js';
import { WebConversationStore } from '../../src/core/storage.js';
import { emptyDraft, foldChunk } from '../../src/core/fold.js';
import { postChat, type PostChatOptions } from '../../src/core/transport.js';
import type { ChunkChoices } from '../../src/core/wire.js';
import { fake, until } from '../support/fake-control.js';

const proxyChat = () => `${inject('proxyUrl')}/chat/completions`;
let requestNumber = 0;

/** Posts one turn and collects what a caller sees. */
async function post(overrides: Partial<PostChatOptions> & { text?: string } = {}) {
  const chunks: ChunkChoices[] = [];
  const sessions: string[] = [];
  const draft = emptyDraft();
  const { text = 'Hello there', ...rest } = overrides;
  let error: unknown;
  try {
    await postChat({
      url: proxyChat(),
      body: { messages: [{ role: 'user', content: text }], stream: true },
      requestId: `test-${Date.now()}-${requestNumber++}`,
      signal: new AbortController().signal,
      firstByteTimeoutMs: 10_000,
      onSession: (id) => sessions.push(id),
      onChunk: (chunk) => {
        chunks.push(chunk);
        foldChunk(draft, chunk);
      },
      ...rest,
    });
  } catch (caught) {
    error = caught;
  }
  return { chunks, sessions, draft, error };
}

/**
 * Posts with timers under the test's control and counts the fetches. A retry can only come
 * from a timer (fetch-event-source waits, then POSTs again): once the post has settled, every
 * timer there is runs, so no sleep is needed to show that nothing was sent again.
 */
async function postWithoutTime(overrides: Partial<PostChatOptions> = {}) {
  let fetches = 0;
  const counting: typeof fetch = (input, init) => {
    fetches++;
    return fetch(input, init);
  };
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const result = await post({ ...overrides, fetch: counting });
    vi.advanceTimersByTime(600_000);
    return { ...result, fetches };
  } finally {
    vi.useRealTimers();
  }
}

/** A URL of the scripted server that answers as described (see scripted-server.ts). */
function scripted(params: Record<string, string | number>): string {
  const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
  return `${inject('scriptedUrl')}/reply?${query}`;
}

const sse = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
const contentChunk = (content: string, finish: 'stop' | null = null) => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  session_id: 'session-field',
});

beforeEach(() => fake.reset());

describe('postChat through the proxy to the fake upstream', () => {
  it('streams a reply and reads the session ID from X-Session-ID', async () => {
    const { draft, sessions, error } = await post();
    expect(error).toBeUndefined();
    expect(draft.content.length).toBeGreaterThan(10);
    expect(draft.finishReason).toBe('stop');
    expect(sessions[0]).toMatch(/\./);
    const requests = await fake.chatRequests();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['x-session-id']).toBe(sessions[0]);
  });

  it('sends the session ID it is given, and the fake keeps that session', async () => {
    const first = await post({ text: 'My name is Ada' });
    const sessionId = first.sessions[0]!;
    await post({ sessionId, text: 'What did I say?' });
    const requests = await fake.chatRequests();
    expect(requests.map((request) => request.headers['x-session-id'])).toEqual([sessionId, sessionId]);
  });

  it('sends exactly one POST even when the tab is hidden and shown mid-stream', async () => {
    // fetch-event-source's default (openWhenHidden: false) aborts on hide and re-POSTs on show.
    const hidden = Object.getOwnPropertyDescriptor(Document.prototype, 'hidden')!;
    let chunks = 0;
    const flip = (value: boolean) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    try {
      const { error } = await post({
        text: 'Tell me about tents',
        onChunk: () => {
          chunks++;
          if (chunks === 2) flip(true);
          if (chunks === 4) flip(false);
        },
      });
      expect(error).toBeUndefined();
    } finally {
      Object.defineProperty(document, 'hidden', hidden);
      delete (document as { hidden?: boolean }).hidden;
    }
    expect(chunks).toBeGreaterThan(4);
    expect(await fake.chatRequests()).toHaveLength(1);
  });

  it('does not retry after an upstream error: one POST, one typed error', async () => {
    await fake.fault('http-500', 5);
    const { error, fetches } = await postWithoutTime();
    expect(error).toBeInstanceOf(ChatError);
    expect((error as ChatError).code).toBe('http');
    expect((error as ChatError).status).toBe(502);
    expect(fetches).toBe(1);
    expect(await fake.chatRequests()).toHaveLength(1);
  });

  it('keeps the partial reply when the connection drops mid-stream', async () => {
    const { draft, error } = await post({ text: 'Tell me a long story [[fault:drop-mid-stream]]' });
    expect(error).toBeInstanceOf(ChatError);
    expect((error as ChatError).code).toBe('interrupted');
    expect(draft.content.length).toBeGreaterThan(0);
    expect(await fake.chatRequests()).toHaveLength(1);
  });

  it('ends the turn with a clear error on a malformed chunk, keeping what came before', async () => {
    const { draft, error } = await post({ text: 'hello [[fault:malformed-chunk]]' });
    expect((error as ChatError).code).toBe('malformed');
    expect(draft.content.length).toBeGreaterThan(0);
  });

  it('maps a rate limit to rate_limited with Retry-After', async () => {
    const { error } = await post({ text: 'hi [[fault:http-429]]' });
    expect((error as ChatError).code).toBe('rate_limited');
    expect((error as ChatError).retryAfter).toBeGreaterThan(0);
  });

  it('reads a reply whose last event has no trailing blank line', async () => {
    const { draft, error } = await post({ text: 'hello [[fault:no-trailing-blank-line]]' });
    expect(error).toBeUndefined();
    expect(draft.content.length).toBeGreaterThan(0);
  });

  it('treats a stream with no words as an error, not a blank bubble', async () => {
    const { draft, error } = await post({ text: 'hello [[fault:empty-reply]]' });
    expect(draft.content).toBe('');
    // The transport reports what it saw; the conversation turns "no content" into `empty`.
    expect(error === undefined || (error as ChatError).code === 'interrupted').toBe(true);
  });

  it('works without streaming (stream: false)', async () => {
    const { draft, sessions, error } = await post({
      body: { messages: [{ role: 'user', content: 'hi' }], stream: false },
    });
    expect(error).toBeUndefined();
    expect(draft.content.length).toBeGreaterThan(5);
    expect(sessions[0]).toBeTruthy();
  });

  it('joins streamed tool calls by index', async () => {
    const { draft, error } = await post({
      text: 'Please call get_weather for me',
      body: {
        messages: [{ role: 'user', content: 'Please call get_weather for me' }],
        stream: true,
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              parameters: {
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
              },
            },
          },
        ],
      },
    });
    expect(error).toBeUndefined();
    expect(draft.finishReason).toBe('tool_calls');
    expect(draft.toolCalls[0]!.function.name).toBe('get_weather');
    expect(JSON.parse(draft.toolCalls[0]!.function.arguments)).toHaveProperty('city');
  });

  it('stops before the first byte, and the proxy aborts upstream', async () => {
    const controller = new AbortController();
    const pending = post({ text: 'hi [[fault:slow-first-byte:3000]]', signal: controller.signal });
    await until(async () => (await fake.chatRequests()).length === 1, 'the request to reach the fake');
    controller.abort();
    const { error } = await pending;
    expect(error).toBeInstanceOf(AbortedError);
  });

  it('gives up with `timeout` when no byte arrives in time', async () => {
    const { error } = await post({ text: 'hi [[fault:slow-first-byte:3000]]', firstByteTimeoutMs: 300 });
    expect((error as ChatError).code).toBe('timeout');
  });

  it('refuses to start with an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    // Its own words: the last test's request may still reach the fake late, on a loaded machine.
    const text = `never sent ${Math.random()}`;
    const { error } = await post({ text, signal: controller.signal });
    expect(error).toBeInstanceOf(AbortedError);
    expect((await fake.chatRequests()).filter((request) => JSON.stringify(request).includes(text))).toEqual([]);
  });
});

describe('postChat against odd servers', () => {
  it('reads the error shape {"error": "..."}', async () => {
    const { error } = await post({ url: scripted({ status: 400, body: '{"error":"session_id is required"}' }) });
    expect((error as ChatError).detail).toBe('session_id is required');
    expect((error as ChatError).status).toBe(400);
  });

  it('reads the error shape {"error": {"message": "..."}}', async () => {
    const { error } = await post({
      url: scripted({ status: 401, body: '{"error":{"message":"Invalid authentication"}}' }),
    });
    expect((error as ChatError).detail).toBe('Invalid authentication');
    expect((error as ChatError).messageKey).toBe('errorSession');
  });

  it('checks the status before reading a 500 sent as an event stream', async () => {
    const { chunks, error } = await post({
      url: scripted({ status: 500, type: 'text/event-stream', chunks: JSON.stringify([sse(contentChunk('oops'))]) }),
    });
    expect(chunks).toHaveLength(0);
    expect((error as ChatError).status).toBe(500);
  });

  it('turns an HTML page into a readable error', async () => {
    const { error } = await post({ url: scripted({ type: 'text/html', body: '<html>Bad gateway</html>' }) });
    expect((error as ChatError).code).toBe('malformed');
  });

  it('accepts a JSON completion where a stream was asked for (a buffering gateway)', async () => {
    const body = JSON.stringify({
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      session_id: 's-json',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Buffered hello' }, finish_reason: 'stop' }],
    });
    const { draft, sessions, error } = await post({ url: scripted({ body }) });
    expect(error).toBeUndefined();
    expect(draft.content).toBe('Buffered hello');
    expect(sessions).toContain('s-json');
  });

  it('ignores keep-alive comments and takes the session_id field when no header is sent', async () => {
    const chunks = [
      ': ping\n\n',
      sse(contentChunk('Hel')),
      ': ping\n\n',
      sse(contentChunk('lo', 'stop')),
      sse('[DONE]'),
    ];
    const { draft, sessions, error } = await post({
      url: scripted({ type: 'text/event-stream', chunks: JSON.stringify(chunks), delay: 10 }),
    });
    expect(error).toBeUndefined();
    expect(draft.content).toBe('Hello');
    expect(sessions).toContain('session-field');
  });

  it('trusts the signed X-Session-ID header over a session_id in the body', async () => {
    const chunks = [sse(contentChunk('Hi', 'stop')), sse('[DONE]')];
    const { sessions, error } = await post({
      url: scripted({ type: 'text/event-stream', chunks: JSON.stringify(chunks), 'X-Session-ID': 'signed.by-proxy' }),
    });
    expect(error).toBeUndefined();
    expect(sessions).toEqual(['signed.by-proxy']);
  });

  it('delivers a last event that has no trailing blank line (fetch-event-source drops it)', async () => {
    const last = `data: ${JSON.stringify(contentChunk('lo', 'stop'))}`;
    const { draft, error } = await post({
      url: scripted({ type: 'text/event-stream', chunks: JSON.stringify([sse(contentChunk('Hel')), last]) }),
    });
    expect(error).toBeUndefined();
    expect(draft.content).toBe('Hello');
    expect(draft.finishReason).toBe('stop');
  });

  it('reports a stream cut in the middle of a line as interrupted, not malformed', async () => {
    const whole = sse(contentChunk(' answer'));
    const { draft, error } = await post({
      url: scripted({
        type: 'text/event-stream',
        chunks: JSON.stringify([sse(contentChunk('Half an')), whole.slice(0, whole.length / 2)]),
      }),
    });
    expect(draft.content).toBe('Half an');
    expect((error as ChatError).code).toBe('interrupted');
  });

  it('reports a stream that ends early as interrupted', async () => {
    const { draft, error } = await post({
      url: scripted({ type: 'text/event-stream', chunks: JSON.stringify([sse(contentChunk('Half a'))]) }),
    });
    expect(draft.content).toBe('Half a');
    expect((error as ChatError).code).toBe('interrupted');
  });

  it('never retries a network failure: one attempt only', async () => {
    const key = `net-${Date.now()}`;
    const { error, fetches } = await postWithoutTime({
      url: scripted({ key, drop: 1, type: 'text/event-stream', chunks: '[]' }),
    });
    expect(error).toBeInstanceOf(ChatError);
    expect(fetches).toBe(1);
    expect(await (await fetch(`${inject('scriptedUrl')}/count?key=${key}`)).json()).toBe(1);
  });

  it('says network when nothing answers', async () => {
    const { error } = await post({ url: 'http://127.0.0.1:9/chat/completions' });
    expect((error as ChatError).code).toBe('network');
  });
});

describe('a Conversation through the proxy to the fake upstream', () => {
  /** A conversation on the real transport, with its own storage key, kept in memory. */
  function open(): Conversation {
    const conversation = new Conversation(`transport-${Date.now()}-${requestNumber++}`, false);
    conversation.settings = { ...conversation.settings, proxyUrl: inject('proxyUrl') };
    return conversation;
  }

  it('a failed first message is retried once and answered: one question, one answer', async () => {
    const conversation = open();
    conversation.send('hello [[fault:http-500]]');
    await until(() => conversation.status === 'error', 'the failure');
    expect(conversation.entries).toMatchObject([{ role: 'user', failed: true }]);
    expect(conversation.retry()).toBe(true);
    await until(() => conversation.status === 'idle', 'the reply');
    expect(conversation.entries.map((entry) => entry.role)).toEqual(['user', 'assistant']);
    expect(conversation.entries[0]).not.toHaveProperty('failed');
    expect(await fake.chatRequests()).toHaveLength(2);
    conversation.dispose();
  });

  it('a dropped reply is replaced by the retried one', async () => {
    const conversation = open();
    conversation.send('tell me a long story [[fault:drop-mid-stream]]');
    await until(() => conversation.status === 'error', 'the drop');
    expect(conversation.error?.code).toBe('interrupted');
    conversation.retry();
    await until(() => conversation.status === 'idle', 'the full reply');
    expect(conversation.entries.map((entry) => (entry.role === 'assistant' ? entry.status : entry.role))).toEqual([
      'user',
      'done',
    ]);
    conversation.dispose();
  });

  it('a tool call named outside [A-Za-z0-9_-] ends the turn, and the next message goes through', async () => {
    const conversation = open();
    conversation.send('look it up [[fault:bad-tool-name]]');
    await until(() => conversation.status === 'error', 'the refused call');
    expect(conversation.error?.code).toBe('malformed');
    expect(conversation.canRetry).toBe(false);
    // The fake, like Pathors, refuses a new turn while a call has no result: the widget answers it.
    expect(conversation.send('hello again')).toBe(true);
    await until(() => !conversation.busy, 'the next reply');
    expect(conversation.status).toBe('idle');
    expect(conversation.entries.at(-1)).toMatchObject({ role: 'assistant', status: 'done' });
    const requests = await fake.chatRequests();
    expect(requests.map((request) => request.status)).toEqual([200, 200]);
    expect(JSON.stringify(requests[1]!.body)).not.toContain('look up!');
    conversation.dispose();
  });

  it('a second page of the site sees the turn in flight through real storage events, and waits for it', async () => {
    const key = `tabs-${Date.now()}`;
    const a = new Conversation(key, true);
    a.settings = { ...a.settings, proxyUrl: inject('proxyUrl') };
    // The other "tab": a same-origin frame, which Chromium sends the storage events of this page.
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const other = frame.contentWindow!;
    const b = new Conversation({
      store: new WebConversationStore(key, other.localStorage, (onKey) => {
        const listener = (event: StorageEvent) => onKey(event.key);
        other.addEventListener('storage', listener);
        return () => other.removeEventListener('storage', listener);
      }),
    });
    b.settings = { ...b.settings, proxyUrl: inject('proxyUrl') };
    try {
      a.send('a quote please [[delay:30]]');
      await until(() => b.status === 'streaming', 'the other page to see the reply being written');
      expect(b.remoteTurn).toBe(true);
      expect(b.send('me too')).toBe(false);
      await until(() => a.status === 'idle' && !b.busy, 'the reply to finish in both', 15_000);
      const finished = a.entries.at(-1)!;
      expect(b.entries.at(-1)).toMatchObject({ id: finished.id, status: 'done', content: finished.content });
      expect(b.send('now me')).toBe(true);
      await until(() => !b.busy, "the second page's reply", 15_000);
      // The first page hears of it through its own storage event.
      await until(() => a.entries.at(-1)?.role === 'assistant' && a.entries.length === 4, 'the first page to follow');
      expect(a.entries.map((entry) => entry.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
      expect(await fake.chatRequests()).toHaveLength(2);
    } finally {
      a.dispose();
      b.dispose();
      frame.remove();
      localStorage.clear();
    }
  });
});
