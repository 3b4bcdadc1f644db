import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, ORIGIN, expectNoKeyLeak, readChunks, readError, startBench, userTurn } from './proxy-harness.js';
import type { Bench } from './proxy-harness.js';

const SESSION_ID = /^[A-Za-z0-9_-]{24}\.[0-9a-z]{1,11}\.[A-Za-z0-9_-]{24}$/;

describe('proxy: chat completions over real HTTP', () => {
  let bench: Bench;
  const variablesSeen: Request[] = [];

  beforeAll(async () => {
    bench = await startBench({
      fake: { tokenDelayMs: 0 },
      proxy: {
        allowedHeaders: ['X-CSRF-Token'],
        sessionVariables: (request) => {
          variablesSeen.push(request);
          return { plan: 'gold', page: request.headers.get('X-Page') ?? 'unknown' };
        },
      },
    });
  });
  beforeEach(() => bench.fake.reset());
  afterAll(async () => {
    expectNoKeyLeak(bench);
    await bench.close();
  });

  it("mints a signed session, creates it upstream with the site's variables, and returns it in X-Session-ID", async () => {
    const response = await bench.chat(userTurn('Hi'), { 'X-Page': '/pricing' });
    expect(response.status).toBe(200);
    const sessionId = response.headers.get('x-session-id')!;
    expect(sessionId).toMatch(SESSION_ID);
    const completion = (await response.json()) as {
      choices: Array<{ message: { content: string } }>;
      session_id: string;
    };
    expect(completion.choices[0]!.message.content.length).toBeGreaterThan(0);
    // The signed string is the upstream session ID, so the body already names what the browser holds.
    expect(completion.session_id).toBe(sessionId);

    const [create, chat] = bench.fake.requests;
    expect(create!.kind).toBe('session');
    expect(create!.method).toBe('POST');
    expect(create!.body).toEqual({
      session_id: sessionId,
      variables: { plan: 'gold', page: '/pricing' },
      provider: 'web',
    });
    expect(chat!.kind).toBe('chat');
    expect(chat!.headers['x-session-id']).toBe(sessionId);
    expect(bench.fake.sessions.get(sessionId)?.variables).toEqual({ plan: 'gold', page: '/pricing' });
  });

  it('continues a session it signed without creating another, and never asks the site for variables again', async () => {
    const first = await bench.chat(userTurn('First'));
    const sessionId = first.headers.get('x-session-id')!;
    await first.text();
    const before = variablesSeen.length;
    const second = await bench.chat(userTurn('Second'), { 'X-Session-ID': sessionId });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-session-id')).toBe(sessionId);
    await second.text();
    expect(variablesSeen.length).toBe(before);
    expect(bench.fake.requests.filter((r) => r.kind === 'session')).toHaveLength(1);
    expect(bench.fake.requests.at(-1)!.headers['x-session-id']).toBe(sessionId);
  });

  it("forwards only messages, stream and tools; drops the browser's Authorization, Cookie and other headers; adds the key", async () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'get_cart', description: 'The cart', parameters: { type: 'object', properties: {} } },
        extra: 1,
      },
    ];
    const response = await bench.chat(
      { ...userTurn('Hello'), model: 'gpt-9', temperature: 2, user: 'mallory', tools, metadata: { x: 1 } },
      {
        Authorization: 'Bearer stolen-browser-token',
        Cookie: 'sid=abc',
        'X-CSRF-Token': 'csrf',
        'X-Forwarded-For': '6.6.6.6',
      },
    );
    expect(response.status).toBe(200);
    await response.text();
    const chat = bench.fake.requests.find((r) => r.kind === 'chat')!;
    expect(chat.body).toEqual({
      messages: [{ role: 'user', content: 'Hello' }],
      stream: false,
      tools: [
        {
          type: 'function',
          function: { name: 'get_cart', description: 'The cart', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    expect(chat.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(chat.authorized).toBe(true);
    for (const request of bench.fake.requests) {
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers['x-csrf-token']).toBeUndefined();
      expect(request.headers['x-forwarded-for']).toBeUndefined();
      expect(request.headers.origin).toBeUndefined();
    }
  });

  it('accepts the deprecated body session_id, and refuses one that contradicts the header', async () => {
    const first = await bench.chat(userTurn('First'));
    const sessionId = first.headers.get('x-session-id')!;
    await first.text();
    const viaBody = await bench.chat(userTurn('Again', { session_id: sessionId }));
    expect(viaBody.headers.get('x-session-id')).toBe(sessionId);
    await viaBody.text();
    const chat = bench.fake.requests.at(-1)!;
    expect(chat.headers['x-session-id']).toBe(sessionId);
    expect(chat.body).not.toHaveProperty('session_id');

    const count = bench.upstreamCount();
    const other = (await (await bench.post('/sessions', {})).json()) as { sessionId: string };
    const clash = await bench.chat(userTurn('Which?', { session_id: other.sessionId }), { 'X-Session-ID': sessionId });
    const error = await readError(clash);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', field: 'session_id' });
    expect(bench.upstreamCount()).toBe(count + 1);
  });

  it('streams SSE through chunk by chunk with fresh headers: no-transform, no buffering, no encoding', async () => {
    bench.fake.reset();
    const slow = await startBench({
      fake: { tokenDelayMs: 60, script: [{ match: /./, reply: 'One two three four five six seven eight nine ten.' }] },
    });
    try {
      const response = await slow.chat(userTurn('Tell me something long please', { stream: true }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      expect(response.headers.get('x-session-id')).toMatch(SESSION_ID);
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(response.headers.get('content-length')).toBeNull();
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);

      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toMatch(/^data: \{/);
      // The first chunk is here while the upstream is still writing: nothing was buffered.
      const upstream = slow.fake.requests.find((r) => r.kind === 'chat')!;
      expect(upstream.ended).toBe(false);
      expect(upstream.headers.accept).toBe('text/event-stream');

      const rest: string[] = [new TextDecoder().decode(first.value)];
      let reads = 1;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        reads++;
        rest.push(new TextDecoder().decode(value));
      }
      const text = rest.join('');
      expect(reads).toBeGreaterThan(3);
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      for (const line of text.split('\n').filter((l) => l.startsWith('data: {'))) {
        expect(JSON.parse(line.slice(6)).session_id).toBe(response.headers.get('x-session-id'));
      }
      expectNoKeyLeak(slow);
    } finally {
      await slow.close();
    }
  });

  it('aborts the upstream request promptly when the client disconnects mid-stream', async () => {
    const slow = await startBench({ fake: { tokenDelayMs: 100 } });
    try {
      const response = await slow.chat(userTurn('Write me a long story', { stream: true }));
      const reader = response.body!.getReader();
      await reader.read();
      const left = Date.now();
      await reader.cancel();
      const aborted = await slow.fake.waitForAbort(3000);
      expect(aborted.kind).toBe('chat');
      expect(aborted.ended).toBe(false);
      expect(Date.now() - left).toBeLessThan(1500);
    } finally {
      await slow.close();
    }
  });

  it('aborts the upstream request when the client leaves before the first byte', async () => {
    const slow = await startBench();
    try {
      slow.fake.injectFault('slow-first-byte', 1, { delayMs: 3000 });
      const controller = new AbortController();
      const pending = fetch(`${slow.url}/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(userTurn('Hi', { stream: true })),
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await slow.fake.waitFor((r) => r.kind === 'chat');
      const left = Date.now();
      controller.abort();
      await pending;
      await slow.fake.waitForAbort(3000);
      expect(Date.now() - left).toBeLessThan(1500);
    } finally {
      await slow.close();
    }
  });

  it('passes odd streams through byte for byte: a malformed chunk, a missing final blank line, an empty reply', async () => {
    bench.fake.injectFault('malformed-chunk');
    const malformed = (await readChunks(await bench.chat(userTurn('Hi', { stream: true }))))
      .map((c) => c.text)
      .join('');
    expect(malformed).toContain('data: {not json');

    bench.fake.injectFault('no-trailing-blank-line');
    const unterminated = (await readChunks(await bench.chat(userTurn('Hi', { stream: true }))))
      .map((c) => c.text)
      .join('');
    expect(unterminated.endsWith('data: [DONE]')).toBe(true);
    expect(unterminated.endsWith('\n\n')).toBe(false);

    bench.fake.injectFault('empty-reply');
    const empty = await bench.chat(userTurn('Hi', { stream: true }));
    expect(empty.status).toBe(200);
    expect((await empty.text()).trim()).toBe('data: [DONE]');
  });

  it('lets a stream cut upstream reach the client as a broken stream, not a clean end', async () => {
    bench.fake.injectFault('drop-mid-stream');
    const response = await bench.chat(userTurn('Hi', { stream: true }));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('refuses an HTML page where an event stream was expected with 502 upstream_bad_response', async () => {
    bench.fake.injectFault('wrong-content-type');
    const error = await readError(await bench.chat(userTurn('Hi', { stream: true })));
    expect(error).toMatchObject({ status: 502, code: 'upstream_bad_response' });
    expect(error.message).toContain('text/html');
  });

  it('answers GET and HEAD /health without touching the upstream', async () => {
    const response = await fetch(`${bench.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    // Some load balancers probe with HEAD.
    const head = await fetch(`${bench.url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(bench.upstreamCount()).toBe(0);
  });

  it('logs each request with a shortened session ID and never the whole one', async () => {
    const response = await bench.chat(userTurn('Hi'));
    const sessionId = response.headers.get('x-session-id')!;
    await response.text();
    const event = bench.logs.filter((e) => e.type === 'request').at(-1)!;
    expect(event).toMatchObject({ type: 'request', method: 'POST', path: '/chat/completions', status: 200 });
    expect(JSON.stringify(bench.logs)).not.toContain(sessionId);
  });
});
