import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletion } from '../../src/core/wire.js';
import { FAULTS, startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream, Fault } from '../../src/testing/index.js';
import {
  WEATHER_TOOL,
  authHeaders,
  chunksOf,
  join,
  postChat,
  sseData,
  streamChat,
  user,
} from './fake-upstream-helpers.js';

let fake: FakeUpstream;

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

/** Reads a body until it ends or breaks, keeping what arrived. */
async function readUntilBroken(res: Response): Promise<{ text: string; error: unknown }> {
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  if (!reader) return { text, error: new Error('no body') };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: undefined };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

const streamRequest = (content: string) => ({ messages: [user(content)], stream: true });

describe('HTTP error faults', () => {
  it.each([
    ['http-500', 500, { error: { message: 'Internal error' } }],
    ['http-401', 401, { error: { message: 'Invalid authentication' } }],
    ['http-429', 429, { error: { message: 'Rate limit exceeded' } }],
  ] as const)('%s answers %i with a JSON error, by injection or by marker', async (fault, status, body) => {
    fake.injectFault(fault);
    const injected = await postChat(fake, streamRequest('hello'));
    const marked = await postChat(fake, streamRequest(`hello [[fault:${fault}]]`));
    for (const res of [injected, marked]) {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('x-session-id')).toMatch(/^session-/);
      expect(await res.json()).toEqual(body);
      if (fault === 'http-429') expect(res.headers.get('retry-after')).toBe('7');
    }
    expect(fake.requests.map((request) => request.fault)).toEqual([fault, fault]);
  });

  it('fails the next `count` chat requests, then recovers; auth and validation failures do not use one up', async () => {
    fake.injectFault('http-500', 2);
    expect((await postChat(fake, '{bad')).status).toBe(400);
    expect(
      (await postChat(fake, { messages: [user('a')] }, { headers: { 'Content-Type': 'application/json' } })).status,
    ).toBe(401);
    expect((await postChat(fake, { messages: [user('a')] })).status).toBe(500);
    expect((await postChat(fake, { messages: [user('a')] })).status).toBe(500);
    expect((await postChat(fake, { messages: [user('a')] })).status).toBe(200);
  });

  it('leaves the session untouched by a failed request, so a retry is not doubled', async () => {
    const headers = { Authorization: `Bearer ${fake.apiKey}`, 'X-Session-ID': 'retry' };
    await postChat(fake, { messages: [user('first')] }, { headers });
    fake.injectFault('http-500');
    await postChat(fake, { messages: [user('second')] }, { headers });
    await postChat(fake, { messages: [user('second')] }, { headers });
    expect(fake.sessions.get('retry')?.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    fake.injectFault('http-500');
    await postChat(fake, { messages: [user('x')] }, { headers: { ...headers, 'X-Session-ID': 'never' } });
    expect(fake.sessions.has('never')).toBe(false);
  });

  it('rejects an unknown fault marker instead of ignoring a typo', async () => {
    const res = await postChat(fake, { messages: [user('[[fault:http-555]]')] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^Unknown fault "http-555"/);
    expect(() => fake.injectFault('nope' as Fault)).toThrow(TypeError);
  });

  it('fires a marker once per message, so a retry of the same text succeeds', async () => {
    const headers = authHeaders(fake, { 'X-Session-ID': 'talk' });
    expect((await postChat(fake, { messages: [user('hi')] }, { headers })).status).toBe(200);
    // In a session with history: the same message again (a Retry) gets its answer.
    expect((await postChat(fake, { messages: [user('hello [[fault:http-500]]')] }, { headers })).status).toBe(500);
    expect((await postChat(fake, { messages: [user('hello [[fault:http-500]]')] }, { headers })).status).toBe(200);
    // Another message with a marker fails once too; so does the same text in another conversation.
    expect((await postChat(fake, { messages: [user('again [[fault:http-500]]')] }, { headers })).status).toBe(500);
    const other = authHeaders(fake, { 'X-Session-ID': 'other' });
    expect((await postChat(fake, { messages: [user('hi')] }, { headers: other })).status).toBe(200);
    expect((await postChat(fake, { messages: [user('hello [[fault:http-500]]')] }, { headers: other })).status).toBe(
      500,
    );
  });

  it("fires a first message's marker once although each attempt comes in a new session", async () => {
    const first = await postChat(fake, streamRequest('start [[fault:drop-mid-stream]]'));
    await first.text().catch(() => '');
    const retried = await postChat(fake, streamRequest('start [[fault:drop-mid-stream]]'));
    expect(first.headers.get('x-session-id')).not.toBe(retried.headers.get('x-session-id'));
    expect(join(chunksOf(await retried.text())).finishReason).toBe('stop');
    expect(fake.requests.map((request) => request.fault)).toEqual(['drop-mid-stream', undefined]);
    // A reset forgets which markers fired; injected faults keep their own count.
    fake.reset();
    expect((await postChat(fake, streamRequest('start [[fault:http-429]]'))).status).toBe(429);
    fake.injectFault('http-500', 2);
    expect((await postChat(fake, streamRequest('x'))).status).toBe(500);
    expect((await postChat(fake, streamRequest('x'))).status).toBe(500);
  });

  it('applies a marker only on the user turn, not to the tool-result follow-up', async () => {
    const headers = { Authorization: `Bearer ${fake.apiKey}`, 'X-Session-ID': 'marker-tools' };
    const ask = user('call get_weather [[fault:slow-first-byte:1]]');
    const first = await streamChat(fake, { messages: [ask], tools: [WEATHER_TOOL] }, headers);
    expect(first.joined.finishReason).toBe('tool_calls');
    const calls = first.joined.toolCalls;
    const followUp = await streamChat(
      fake,
      {
        messages: [
          ask,
          { role: 'assistant', content: null, tool_calls: calls },
          { role: 'tool', tool_call_id: calls[0]?.id ?? '', content: 'ok' },
        ],
        tools: [WEATHER_TOOL],
      },
      headers,
    );
    expect(followUp.joined.content).toContain('ok');
    expect(fake.requests.map((request) => request.fault)).toEqual(['slow-first-byte', undefined]);
  });
});

describe('stream faults', () => {
  it('slow-first-byte holds the headers back while other requests are answered', async () => {
    const controller = new AbortController();
    let answered = false;
    const pending = postChat(fake, streamRequest('hello [[fault:slow-first-byte:60000]]'), {
      signal: controller.signal,
    }).then(
      () => (answered = true),
      () => undefined,
    );
    await fake.waitFor((request) => request.fault === 'slow-first-byte');
    // A whole other exchange goes through meanwhile: the slow one still has no headers.
    const other = await streamChat(fake, { messages: [user('hi')] });
    expect(other.joined.finishReason).toBe('stop');
    expect(answered).toBe(false);
    expect(fake.requests[0]?.status).toBeUndefined();
    controller.abort();
    await pending;
  });

  it('slow-first-byte then replies normally', async () => {
    const res = await postChat(fake, streamRequest('hello [[fault:slow-first-byte:20]]'));
    const joined = join(chunksOf(await res.text()));
    expect(joined.finishReason).toBe('stop');
    expect(joined.content).not.toContain('[[');
  });

  it('drop-mid-stream sends a few chunks, then cuts the connection without [DONE]', async () => {
    fake.injectFault('drop-mid-stream');
    const res = await postChat(fake, streamRequest('tell me a long story'));
    expect(res.status).toBe(200);
    const { text, error } = await readUntilBroken(res);
    expect(error).toBeDefined();
    const data = sseData(text);
    expect(data.length).toBeGreaterThanOrEqual(1);
    expect(data).not.toContain('[DONE]');
    expect(join(data.map((payload) => JSON.parse(payload) as never)).content.length).toBeGreaterThan(0);
    const record = await fake.waitFor((request) => request.status === 200 && !request.ended);
    expect(record.aborted).toBe(false);
  });

  it('malformed-chunk sends good chunks, then one that is not JSON, then ends', async () => {
    const res = await postChat(fake, streamRequest('hi [[fault:malformed-chunk]]'));
    const raw = await res.text();
    expect(raw.endsWith('data: {not json\n\n')).toBe(true);
    const data = sseData(raw);
    expect(data.length).toBeGreaterThan(1);
    for (const payload of data.slice(0, -1)) expect(() => JSON.parse(payload) as unknown).not.toThrow();
    expect(data).not.toContain('[DONE]');
  });

  it('wrong-content-type answers 200 text/html', async () => {
    fake.injectFault('wrong-content-type');
    const res = await postChat(fake, streamRequest('hi'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<html>Bad gateway</html>');
  });

  it('no-trailing-blank-line ends with data: [DONE] and nothing after it', async () => {
    const res = await postChat(fake, streamRequest('hi [[fault:no-trailing-blank-line]]'));
    const raw = await res.text();
    expect(raw.endsWith('\n\ndata: [DONE]')).toBe(true);
    const joined = join(chunksOf(`${raw}\n\n`));
    expect(joined.finishReason).toBe('stop');
    expect(joined.content).toContain('> hi');
  });

  it('empty-reply sends only data: [DONE]', async () => {
    fake.injectFault('empty-reply');
    const res = await postChat(fake, streamRequest('hi'));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(await res.text()).toBe('data: [DONE]\n\n');
  });

  it('bad-tool-name calls a tool by a name no API accepts back, and the session waits for its result', async () => {
    const headers = authHeaders(fake, { 'X-Session-ID': 'bad-name' });
    const res = await postChat(fake, streamRequest('look it up [[fault:bad-tool-name]]'), { headers });
    const joined = join(chunksOf(await res.text()));
    expect(joined.finishReason).toBe('tool_calls');
    expect(joined.content).toBe('Let me look that up.');
    expect(joined.toolCalls[0]?.function.name).toBe('look up!');
    // Like a real API: the next turn is refused until the call has a result.
    expect((await postChat(fake, streamRequest('hello'), { headers })).status).toBe(400);
    const id = joined.toolCalls[0]?.id ?? '';
    const answered = await postChat(
      fake,
      { messages: [{ role: 'tool', tool_call_id: id, content: '{"error":"not run"}' }, user('hello')], stream: true },
      { headers },
    );
    expect(answered.status).toBe(200);
  });

  it('has a non-streaming form of every fault', async () => {
    const seen: Record<string, string> = {};
    for (const fault of FAULTS) {
      fake.injectFault(fault, 1, { delayMs: 1 });
      const res = await postChat(fake, { messages: [user('hi')] });
      const { text, error } = await readUntilBroken(res);
      seen[fault] =
        `${res.status} ${res.headers.get('content-type')} ${error ? 'broken' : text === '' ? 'empty' : text.startsWith('{"id"') ? 'completion' : text}`;
    }
    expect(seen).toEqual({
      'http-500': '500 application/json {"error":{"message":"Internal error"}}',
      'http-401': '401 application/json {"error":{"message":"Invalid authentication"}}',
      'http-429': '429 application/json {"error":{"message":"Rate limit exceeded"}}',
      'slow-first-byte': '200 application/json completion',
      'drop-mid-stream': '200 application/json broken',
      'malformed-chunk': '200 application/json {not json',
      'wrong-content-type': '200 text/html <html>Bad gateway</html>',
      'no-trailing-blank-line': '200 application/json completion',
      'empty-reply': '200 application/json empty',
      'bad-tool-name': '200 application/json completion',
    });
  });
});

describe('pacing, aborts and closing', () => {
  it('records a client disconnect mid-stream as aborted', async () => {
    const paced = await startFakeUpstream({ tokenDelayMs: 20 });
    try {
      const controller = new AbortController();
      const res = await postChat(paced, streamRequest('tell me a long story'), { signal: controller.signal });
      const reader = res.body?.getReader();
      await reader?.read();
      controller.abort();
      const record = await paced.waitForAbort();
      expect(record).toMatchObject({ kind: 'chat', aborted: true, ended: false, status: 200 });
    } finally {
      await paced.close();
    }
  });

  it('streams the same reply with a delay between chunks', async () => {
    const paced = await startFakeUpstream({ tokenDelayMs: 1 });
    try {
      const { joined } = await streamChat(paced, { messages: [user('a quote please')] });
      expect(joined.content).toContain('Alan Kay');
      const marked = await streamChat(fake, { messages: [user('a quote please [[delay:1]]')] });
      expect(marked.joined.content).toBe(joined.content);
    } finally {
      await paced.close();
    }
  });

  it('close() ends open streams at once and is safe to call twice', async () => {
    const slow = await startFakeUpstream({ tokenDelayMs: 60_000 });
    const res = await postChat(slow, streamRequest('hello'));
    const reading = readUntilBroken(res);
    await slow.waitFor((request) => request.status === 200);
    await Promise.all([slow.close(), slow.close()]);
    const { text, error } = await reading;
    expect(error).toBeDefined();
    expect(sseData(text)).toHaveLength(1);
    expect(slow.requests[0]?.aborted).toBe(false);
    await expect(fetch(slow.url)).rejects.toThrow();
  });

  it('close() cuts a slow-first-byte wait too', async () => {
    const slow = await startFakeUpstream();
    slow.injectFault('slow-first-byte', 1, { delayMs: 60_000 });
    const pending = postChat(slow, streamRequest('hello')).catch((error: unknown) => error);
    await slow.waitFor((request) => request.fault === 'slow-first-byte');
    await slow.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('answers non-streaming requests when paced too', async () => {
    const paced = await startFakeUpstream({ tokenDelayMs: 5 });
    try {
      const res = await postChat(paced, { messages: [user('hi')] });
      expect(((await res.json()) as ChatCompletion).choices[0]?.finish_reason).toBe('stop');
    } finally {
      await paced.close();
    }
  });
});
