import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletion, CreateSessionResponse, LegacySessionState, SessionState } from '../../src/core/wire.js';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream } from '../../src/testing/index.js';
import { authHeaders, chunksOf, postChat, sseData, streamChat, user } from './fake-upstream-helpers.js';

let fake: FakeUpstream;

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

describe('addresses', () => {
  it('listens on loopback and derives every URL from the project', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.apiKey).toBe('sk_test_fake');
    expect(fake.projectId).toBe('proj_fake');
    expect(fake.chatCompletionsUrl).toBe(`${fake.url}/api/project/proj_fake/integration/api/chat/completions`);
    expect(fake.sessionUrl).toBe(`${fake.url}/api/project/proj_fake/integration/api/session`);
    expect(fake.v1ChatCompletionsUrl).toBe(`${fake.url}/v1/projects/proj_fake/chat/completions`);
    expect(fake.v1SessionUrl).toBe(`${fake.url}/project/proj_fake/session`);
  });

  it.each([
    ['legacy', () => fake.chatCompletionsUrl],
    ['v1', () => fake.v1ChatCompletionsUrl],
  ])('answers chat completions on the %s layout', async (_layout, url) => {
    const res = await postChat(fake, { messages: [user('hello')] }, { url: url() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatCompletion;
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.message.content).toContain('hello');
  });

  it('takes its key and project from the options', async () => {
    const other = await startFakeUpstream({ apiKey: 'sk_other', projectId: 'p2' });
    try {
      expect(other.v1ChatCompletionsUrl).toBe(`${other.url}/v1/projects/p2/chat/completions`);
      const res = await postChat(other, { messages: [user('hi')] });
      expect(res.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('errors', () => {
  const invalidAuth = { error: { message: 'Invalid authentication' } };

  it.each([
    ['no header', {}],
    ['a wrong key', { Authorization: 'Bearer sk_wrong' }],
    ['another scheme', { Authorization: 'Basic c2tfdGVzdF9mYWtl' }],
  ])('answers 401 with the nested error shape for %s', async (_name, headers) => {
    for (const url of [fake.chatCompletionsUrl, fake.v1ChatCompletionsUrl, fake.v1SessionUrl, fake.sessionUrl]) {
      const res = await postChat(
        fake,
        { messages: [user('hi')] },
        { url, headers: { 'Content-Type': 'application/json', ...headers } },
      );
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual(invalidAuth);
    }
    const get = await fetch(`${fake.v1SessionUrl}/abc`);
    expect(get.status).toBe(401);
  });

  it.each([
    ['invalid JSON', '{"messages": [', 'Invalid JSON body'],
    ['a non-object body', '[]', 'Request body must be a JSON object'],
    ['no messages', '{}', 'messages is required'],
    ['messages not an array', '{"messages": "hi"}', 'messages must be an array'],
    ['no messages at all', '{"messages": []}', 'messages must not be empty'],
    [
      'a bad role',
      '{"messages": [{"role": "robot", "content": "x"}]}',
      'messages[0].role must be one of system, user, assistant, tool',
    ],
    ['content not a string', '{"messages": [{"role": "user", "content": 3}]}', 'messages[0].content must be a string'],
    [
      'a tool message without an id',
      '{"messages": [{"role": "tool", "content": "x"}]}',
      'messages[0].tool_call_id is required',
    ],
    [
      'stream not a boolean',
      '{"messages": [{"role": "user", "content": "x"}], "stream": "yes"}',
      'stream must be a boolean',
    ],
    [
      'bad tools',
      '{"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]}',
      'tools[0].function.name is required',
    ],
  ])('answers 400 with the flat error shape for %s', async (_name, body, error) => {
    const res = await postChat(fake, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error });
  });

  it('answers 404 JSON for an unknown route and for another project', async () => {
    const unknown = await fetch(`${fake.url}/nope`, { headers: authHeaders(fake) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Not found' });
    const otherProject = await postChat(
      fake,
      { messages: [user('hi')] },
      { url: `${fake.url}/v1/projects/proj_other/chat/completions` },
    );
    expect(otherProject.status).toBe(404);
    expect(await otherProject.json()).toEqual({ error: 'Project not found' });
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const res = await fetch(fake.v1ChatCompletionsUrl, { headers: authHeaders(fake) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toEqual({ error: 'Method not allowed' });
    const session = await fetch(`${fake.v1SessionUrl}/abc`, { method: 'DELETE', headers: authHeaders(fake) });
    expect(session.status).toBe(405);
    expect(session.headers.get('allow')).toBe('GET');
  });
});

describe('streaming', () => {
  it('sends one chunk per small piece, role first, a finish chunk, then [DONE]', async () => {
    const { res, raw, chunks, joined } = await streamChat(fake, { messages: [user('show me a table please')] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);

    const sessionId = res.headers.get('x-session-id');
    expect(sessionId).toMatch(/^session-/);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'pathway-default', session_id: sessionId });
      expect(chunk.id).toBe(chunks[0]?.id);
      expect(chunk.choices).toHaveLength(1);
    }
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.slice(1).every((chunk) => chunk.choices[0]?.delta.role === undefined)).toBe(true);
    const last = chunks[chunks.length - 1];
    expect(last?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop' });
    for (const chunk of chunks.slice(0, -1)) {
      const piece = chunk.choices[0]?.delta.content ?? '';
      expect(piece.length).toBeGreaterThanOrEqual(1);
      expect(piece.length).toBeLessThanOrEqual(10);
      expect(chunk.choices[0]?.finish_reason).toBeNull();
    }
    expect(joined.content).toContain('| Plan |');
    expect(joined.finishReason).toBe('stop');
  });

  it('answers non-streaming requests with one completion carrying session_id and -1 usage', async () => {
    const res = await postChat(fake, { messages: [user('some code please')], stream: false });
    const body = (await res.json()) as ChatCompletion;
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'pathway-default',
      usage: { prompt_tokens: -1, completion_tokens: -1, total_tokens: -1 },
      session_id: res.headers.get('x-session-id'),
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.choices[0]?.finish_reason).toBe('stop');
    expect(body.choices[0]?.message.content).toContain('```ts');
  });

  it('serves the markdown replies of the default script', async () => {
    const tour = await postChat(fake, { messages: [user('give me the markdown tour')] });
    const text = ((await tour.json()) as ChatCompletion).choices[0]?.message.content ?? '';
    for (const piece of [
      '# ',
      '## ',
      '**',
      '*italic*',
      '```python',
      '| Feature |',
      '> ',
      '](https://',
      '  - apples',
      '  1. carrots',
    ]) {
      expect(text).toContain(piece);
    }
  });

  it('welcomes a first message by quoting it, and greets by the session variable name', async () => {
    await fetch(fake.v1SessionUrl, {
      method: 'POST',
      headers: authHeaders(fake),
      body: JSON.stringify({ session_id: 'welcome-1', variables: { name: 'Grace' } }),
    });
    const { joined } = await streamChat(fake, { messages: [user('Good morning!')] }, { 'X-Session-ID': 'welcome-1' });
    expect(joined.content).toContain('## Hello, Grace!');
    expect(joined.content).toContain('> Good morning!');
  });
});

describe('session ids', () => {
  it('uses X-Session-ID, then the session_id field, else mints one', async () => {
    const fromHeader = await postChat(
      fake,
      { messages: [user('a')], session_id: 'from-body' },
      { headers: authHeaders(fake, { 'X-Session-ID': 'from-header' }) },
    );
    expect(fromHeader.headers.get('x-session-id')).toBe('from-header');
    expect(((await fromHeader.json()) as ChatCompletion).session_id).toBe('from-header');

    const fromBody = await postChat(fake, { messages: [user('a')], session_id: 'from-body' });
    expect(fromBody.headers.get('x-session-id')).toBe('from-body');

    const minted = await postChat(fake, { messages: [user('a')] });
    const mintedId = minted.headers.get('x-session-id');
    expect(mintedId).toMatch(/^session-[\w-]+$/);
    expect(fake.sessions.has(mintedId ?? '')).toBe(true);
    expect(fake.requests.map((request) => request.sessionId)).toEqual(['from-header', 'from-body', mintedId]);
  });
});

describe('session memory', () => {
  async function say(
    content: string,
    sessionId: string,
    history?: Array<{ role: 'user' | 'assistant'; content: string }>,
  ) {
    const messages = [...(history ?? []), user(content)];
    const { joined } = await streamChat(fake, { messages }, { 'X-Session-ID': sessionId });
    return joined.content;
  }

  it('remembers the conversation when each request carries only the new turn', async () => {
    const first = await say('hello there', 'new-turn');
    await say('and again', 'new-turn');
    const third = await say('once more', 'new-turn');
    expect(third).toContain('message **#3**');
    expect(fake.sessions.get('new-turn')?.messages).toEqual([
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: first },
      { role: 'user', content: 'and again' },
      expect.objectContaining({ role: 'assistant' }),
      { role: 'user', content: 'once more' },
      { role: 'assistant', content: third },
    ]);
  });

  it('does not duplicate when each request carries the whole transcript', async () => {
    const first = await say('hello there', 'full');
    const second = await say('and again', 'full', [
      user('hello there') as { role: 'user'; content: string },
      { role: 'assistant', content: first },
    ]);
    expect(second).toContain('message **#2**');
    expect(fake.sessions.get('full')?.messages.map((message) => message.content)).toEqual([
      'hello there',
      first,
      'and again',
      second,
    ]);
  });

  it('lets a full transcript replace what the server remembers', async () => {
    await say('one', 'replace');
    await say('two', 'replace', [
      { role: 'user', content: 'edited' },
      { role: 'assistant', content: 'ok' },
    ]);
    expect(
      fake.sessions
        .get('replace')
        ?.messages.map((message) => message.content)
        .slice(0, 3),
    ).toEqual(['edited', 'ok', 'two']);
  });
});

describe('session API', () => {
  const layouts = [
    ['v1', () => fake.v1SessionUrl],
    ['legacy', () => fake.sessionUrl],
  ] as const;

  it.each(layouts)('creates, queries and ends a session on the %s layout', async (layout, base) => {
    const created = await fetch(base(), {
      method: 'POST',
      headers: authHeaders(fake),
      body: JSON.stringify({ session_id: `s-${layout}`, variables: { plan: 'pro' }, provider: 'web' }),
    });
    expect(created.status).toBe(200);
    expect((await created.json()) as CreateSessionResponse).toEqual({
      sessionId: `s-${layout}`,
      pathwayId: 'pathway-default',
    });
    expect(fake.sessions.get(`s-${layout}`)).toMatchObject({ variables: { plan: 'pro' }, provider: 'web' });

    const { joined } = await streamChat(fake, { messages: [user('hi')] }, { 'X-Session-ID': `s-${layout}` });
    const queried = await fetch(`${base()}/s-${layout}`, { headers: authHeaders(fake) });
    expect(queried.status).toBe(200);
    const state = {
      variables: { plan: 'pro' },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: joined.content },
      ],
    };
    if (layout === 'v1') {
      expect((await queried.json()) as SessionState).toEqual({ sessionId: `s-${layout}`, state });
    } else {
      const body = (await queried.json()) as LegacySessionState;
      expect(body).toEqual({
        sessionId: `s-${layout}`,
        data: state,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(Date.parse(body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(body.createdAt));
    }

    const ended = await fetch(base(), {
      method: 'DELETE',
      headers: authHeaders(fake),
      body: JSON.stringify({ session_id: `s-${layout}` }),
    });
    expect(await ended.json()).toEqual({
      success: true,
      sessionId: `s-${layout}`,
      message: 'Session ended successfully',
    });
    expect(fake.sessions.has(`s-${layout}`)).toBe(false);

    const gone = await fetch(`${base()}/s-${layout}`, { headers: authHeaders(fake) });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'Session not found' });
    const endAgain = await fetch(base(), {
      method: 'DELETE',
      headers: authHeaders(fake),
      body: JSON.stringify({ session_id: `s-${layout}` }),
    });
    expect(endAgain.status).toBe(404);
  });

  it.each(layouts)('answers 400 when session_id is missing on the %s layout', async (_layout, base) => {
    for (const method of ['POST', 'DELETE']) {
      const res = await fetch(base(), { method, headers: authHeaders(fake), body: JSON.stringify({ variables: {} }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'session_id is required' });
    }
    const badVariables = await fetch(base(), {
      method: 'POST',
      headers: authHeaders(fake),
      body: JSON.stringify({ session_id: 'x', variables: [] }),
    });
    expect(await badVariables.json()).toEqual({ error: 'variables must be an object' });
  });

  it('creates a session implicitly when a chat names an unknown one', async () => {
    await postChat(fake, { messages: [user('hi')] }, { headers: authHeaders(fake, { 'X-Session-ID': 'implicit' }) });
    const queried = await fetch(`${fake.v1SessionUrl}/implicit`, { headers: authHeaders(fake) });
    const body = (await queried.json()) as SessionState;
    expect(body.state.variables).toEqual({});
    expect(body.state.messages[0]).toEqual({ role: 'user', content: 'hi' });
  });
});

describe('recording and control routes', () => {
  it('records every request with lowercased headers and the parsed or raw body', async () => {
    await postChat(fake, { messages: [user('hi')] }, { headers: authHeaders(fake, { 'X-Custom': 'yes' }) });
    await postChat(fake, 'not json');
    await fetch(`${fake.url}/nowhere`);
    expect(fake.requests).toHaveLength(3);
    const [chat, bad, unknown] = fake.requests;
    expect(chat).toMatchObject({
      kind: 'chat',
      method: 'POST',
      path: '/v1/projects/proj_fake/chat/completions',
      body: { messages: [{ role: 'user', content: 'hi' }] },
      authorized: true,
      status: 200,
      ended: true,
      aborted: false,
      stream: false,
    });
    expect(chat?.headers['x-custom']).toBe('yes');
    expect(chat?.headers['authorization']).toBe('Bearer sk_test_fake');
    expect(bad).toMatchObject({ body: 'not json', status: 400 });
    expect(unknown).toMatchObject({ kind: 'unknown', status: 404, authorized: false });
  });

  it('lists chat requests at GET /__fake/requests, without the key, with CORS', async () => {
    await postChat(fake, { messages: [user('hi')] });
    await fetch(`${fake.v1SessionUrl}/nope`, { headers: authHeaders(fake) });
    const res = await fetch(`${fake.url}/__fake/requests`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const listed = (await res.json()) as Array<{ kind: string; headers: Record<string, string>; aborted: boolean }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'chat', aborted: false });
    expect(listed[0]?.headers['authorization']).toBe('[redacted]');
    const all = (await (await fetch(`${fake.url}/__fake/requests?kind=all`)).json()) as unknown[];
    expect(all).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });

  it('answers the preflight, injects faults and resets over HTTP', async () => {
    const preflight = await fetch(`${fake.url}/__fake/fault`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Content-Type');

    const injected = await fetch(`${fake.url}/__fake/fault`, {
      method: 'POST',
      body: JSON.stringify({ fault: 'http-500', count: 2 }),
    });
    expect(await injected.json()).toEqual({ ok: true, fault: 'http-500', count: 2 });
    expect((await postChat(fake, { messages: [user('a')] })).status).toBe(500);
    expect((await postChat(fake, { messages: [user('a')] })).status).toBe(500);
    expect((await postChat(fake, { messages: [user('a')] })).status).toBe(200);

    const unknown = await fetch(`${fake.url}/__fake/fault`, {
      method: 'POST',
      body: JSON.stringify({ fault: 'nope' }),
    });
    expect(unknown.status).toBe(400);

    await fetch(`${fake.url}/__fake/fault`, { method: 'POST', body: JSON.stringify({ fault: 'http-429' }) });
    const reset = await fetch(`${fake.url}/__fake/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ ok: true });
    expect(fake.requests).toHaveLength(0);
    expect(fake.sessions.size).toBe(0);
    expect((await postChat(fake, { messages: [user('a')] })).status).toBe(200);
  });

  it('waitFor resolves on a later request and rejects after its timeout', async () => {
    const waiting = fake.waitFor((request) => request.status === 200 && request.kind === 'chat');
    await postChat(fake, { messages: [user('a')] });
    await expect(waiting).resolves.toMatchObject({ kind: 'chat' });
    await expect(fake.waitFor(() => false, 20)).rejects.toThrow(/within 20 ms/);
  });

  it('keeps SSE framing intact for every event', async () => {
    const res = await postChat(fake, { messages: [user('a list please')], stream: true });
    const raw = await res.text();
    expect(sseData(raw).every((data) => data === '[DONE]' || data.startsWith('{'))).toBe(true);
    expect(chunksOf(raw).length).toBeGreaterThan(5);
  });
});
