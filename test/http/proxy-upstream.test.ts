import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPathorsProxy } from '../../src/proxy/index.js';
import type { PathorsProxyOptions, ProxyLogEvent } from '../../src/proxy/index.js';
import { API_KEY, ORIGIN, SECRET, expectNoKeyLeak, listen, readError, startBench, userTurn } from './proxy-harness.js';
import type { Bench } from './proxy-harness.js';

describe("proxy: upstream failures become the proxy's own errors", () => {
  let bench: Bench;

  beforeAll(async () => {
    bench = await startBench({ proxy: { upstreamTimeoutMs: 300 } });
  });
  beforeEach(() => bench.fake.reset());
  afterAll(async () => {
    expectNoKeyLeak(bench);
    await bench.close();
  });

  it("upstream 401 is 502 proxy_misconfigured: the site owner's fault, not the visitor's", async () => {
    bench.fake.injectFault('http-401');
    const error = await readError(await bench.chat(userTurn()));
    expect(error).toMatchObject({ status: 502, code: 'proxy_misconfigured' });
    expect(bench.logs.at(-2)).toMatchObject({
      type: 'upstream_error',
      operation: 'chat',
      upstreamStatus: 401,
      code: 'proxy_misconfigured',
    });
  });

  it('a wrong key is caught when the session is created, as 502 proxy_misconfigured', async () => {
    const wrong = await startBench({ proxy: { apiKey: 'sk_wrong_key_for_this_project' } });
    try {
      const error = await readError(await wrong.chat(userTurn()));
      expect(error).toMatchObject({ status: 502, code: 'proxy_misconfigured' });
      expect(wrong.fake.requests).toHaveLength(1);
      expect(wrong.fake.requests[0]!.authorized).toBe(false);
      expect(wrong.wire()).not.toContain('sk_wrong_key_for_this_project');
      expect(JSON.stringify(wrong.logs)).not.toContain('sk_wrong_key_for_this_project');
    } finally {
      await wrong.close();
    }
  });

  it('a wrong project ID (upstream 404 on chat) is 502 proxy_misconfigured', async () => {
    const wrong = await startBench({ proxy: { projectId: 'proj_missing' } });
    try {
      expect(await readError(await wrong.chat(userTurn()))).toMatchObject({ status: 502, code: 'proxy_misconfigured' });
    } finally {
      await wrong.close();
    }
  });

  it("upstream 500 is 502 upstream_error carrying the upstream's message", async () => {
    bench.fake.injectFault('http-500');
    const error = await readError(await bench.chat(userTurn()));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
    expect(error.message).toContain('Internal error');
  });

  it('a [[fault:http-500]] marker in the message text works through the proxy too', async () => {
    const error = await readError(await bench.chat(userTurn('Hello [[fault:http-500]]', { stream: true })));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
  });

  it("upstream 429 is 429 upstream_rate_limited with the upstream's Retry-After", async () => {
    bench.fake.injectFault('http-429');
    const response = await bench.chat(userTurn());
    expect(await readError(response)).toMatchObject({ status: 429, code: 'upstream_rate_limited' });
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('no response headers within upstreamTimeoutMs is 504, and the upstream call is abandoned', async () => {
    bench.fake.injectFault('slow-first-byte', 1, { delayMs: 3000 });
    const started = Date.now();
    const error = await readError(await bench.chat(userTurn('Hi', { stream: true })));
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    await bench.fake.waitForAbort(2000);
  });

  it('an unreachable upstream is 502 upstream_unreachable', async () => {
    const dead = createServer();
    const url = await listen(dead);
    await new Promise((resolve) => dead.close(resolve));
    const gone = await startBench({ proxy: { upstream: url } });
    try {
      const error = await readError(await gone.chat(userTurn()));
      expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable' });
      expect(gone.logs.find((e) => e.type === 'upstream_error')).toMatchObject({ code: 'upstream_unreachable' });
    } finally {
      await gone.close();
    }
  });

  it('a stream that goes silent past streamIdleTimeoutMs is cut, and the upstream call aborted', async () => {
    const idle = await startBench({ fake: { tokenDelayMs: 800 }, proxy: { streamIdleTimeoutMs: 200 } });
    try {
      const response = await idle.chat(userTurn('Hi', { stream: true }));
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      await idle.fake.waitForAbort(2000);
      expect(idle.logs.some((e) => e.type === 'stream_error')).toBe(true);
    } finally {
      await idle.close();
    }
  });
});

/** The Fetch handler alone, with a scripted upstream: for shapes the fake does not produce. */
function handlerWith(
  reply: (url: string, init: RequestInit) => Response | Promise<Response>,
  extra: Partial<PathorsProxyOptions> = {},
) {
  const logs: ProxyLogEvent[] = [];
  const seen: Array<{ url: string; init: RequestInit }> = [];
  const proxy = createPathorsProxy({
    apiKey: API_KEY,
    projectId: 'proj_unit',
    allowedOrigins: [ORIGIN],
    sessionSecret: SECRET,
    rateLimit: { perIp: false, perSession: false },
    fetch: async (input, init) => {
      seen.push({ url: String(input), init: init ?? {} });
      return reply(String(input), init ?? {});
    },
    log: (event) => logs.push(event),
    ...extra,
  });
  const chat = (body: unknown = userTurn(), headers: Record<string, string> = {}) =>
    proxy(
      new Request('https://proxy.example/chat/completions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ORIGIN, ...headers },
        body: JSON.stringify(body),
      }),
    );
  return { proxy, chat, logs, seen };
}

const created = () => Response.json({ sessionId: 'x', pathwayId: 'p' });
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('proxy: the Fetch handler with an injected fetch', () => {
  it('reads both upstream error shapes: {error: "..."} and {error: {message}}', async () => {
    const flat = handlerWith((url) =>
      url.endsWith('/session') ? created() : json(400, { error: 'messages: tool_call_id unknown' }),
    );
    expect(await readError(await flat.chat())).toMatchObject({
      status: 400,
      code: 'upstream_bad_request',
      message: 'messages: tool_call_id unknown',
    });

    const nested = handlerWith((url) =>
      url.endsWith('/session') ? created() : json(503, { error: { message: 'Pathway overloaded' } }),
    );
    const error = await readError(await nested.chat());
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
    expect(error.message).toContain('Pathway overloaded');

    const html = handlerWith((url) =>
      url.endsWith('/session') ? created() : new Response('<html>oops</html>', { status: 500 }),
    );
    expect(await readError(await html.chat())).toMatchObject({
      status: 502,
      code: 'upstream_error',
      message: 'Pathors answered 500.',
    });
  });

  it('scrubs the key from an upstream message that echoes it, and from thrown errors in logs', async () => {
    const echo = handlerWith((url) =>
      url.endsWith('/session') ? created() : json(500, { error: `bad key ${API_KEY} for project` }),
    );
    const response = await echo.chat();
    const text = await response.text();
    expect(text).not.toContain(API_KEY);
    expect(text).toContain('[redacted]');
    expect(JSON.stringify(echo.logs)).not.toContain(API_KEY);

    const throws = handlerWith(() => {
      throw new TypeError(`fetch failed: Authorization Bearer ${API_KEY} refused`);
    });
    const failed = await throws.chat();
    expect(failed.status).toBe(502);
    expect(await failed.text()).not.toContain(API_KEY);
    expect(throws.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(throws.logs)).not.toContain(API_KEY);
  });

  it("builds response headers fresh: nothing of the upstream's is copied", async () => {
    const upstream = handlerWith((url) =>
      url.endsWith('/session')
        ? created()
        : new Response('data: {"x":1}\n\ndata: [DONE]\n\n', {
            headers: {
              'Content-Type': 'text/event-stream',
              'Content-Encoding': 'gzip',
              'Content-Length': '999',
              'Set-Cookie': 'upstream=1',
              Connection: 'keep-alive',
              'X-Internal-Trace': 'abc',
              'X-Session-ID': 'upstream-chose-this',
            },
          }),
    );
    const response = await upstream.chat(userTurn('Hi', { stream: true }));
    expect(response.status).toBe(200);
    for (const name of ['content-encoding', 'content-length', 'set-cookie', 'connection', 'x-internal-trace']) {
      expect(response.headers.get(name), name).toBeNull();
    }
    expect(response.headers.get('x-session-id')).not.toBe('upstream-chose-this');
    expect(await response.text()).toBe('data: {"x":1}\n\ndata: [DONE]\n\n');
  });

  it('passes a JSON reply through when the upstream answered a stream request without streaming', async () => {
    const body = {
      id: 'c',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
    };
    const handler = handlerWith((url) => (url.endsWith('/session') ? created() : json(200, body)));
    const response = await handler.chat(userTurn('Hi', { stream: true }));
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual(body);
  });

  it('sends the key only upstream, as a bearer token, with the session header', async () => {
    const handler = handlerWith((url) => (url.endsWith('/session') ? created() : json(200, {})));
    await (await handler.chat(userTurn(), { Authorization: 'Bearer browser', Cookie: 'a=b' })).text();
    const [create, chat] = handler.seen;
    expect(create!.url).toBe('https://app.pathors.com/api/project/proj_unit/integration/api/session');
    expect(chat!.url).toBe('https://app.pathors.com/api/project/proj_unit/integration/api/chat/completions');
    const headers = new Headers(chat!.init.headers);
    expect(headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(headers.get('cookie')).toBeNull();
    expect(headers.get('x-session-id')).toMatch(/\./);
  });

  it("cancelling the response body, or the request's signal, aborts the upstream fetch (the edge runtimes' path)", async () => {
    for (const leave of ['cancel', 'signal'] as const) {
      let upstreamSignal: AbortSignal | undefined;
      const handler = handlerWith((url, init) => {
        if (url.endsWith('/session')) return created();
        upstreamSignal = init.signal ?? undefined;
        const encoder = new TextEncoder();
        // An endless stream that stops only when its consumer aborts.
        return new Response(
          new ReadableStream<Uint8Array>({
            pull: (controller) =>
              new Promise((resolve) =>
                setTimeout(() => {
                  controller.enqueue(encoder.encode('data: {"tick":1}\n\n'));
                  resolve();
                }, 10),
              ),
          }),
          { headers: { 'Content-Type': 'text/event-stream' } },
        );
      });
      const client = new AbortController();
      const response = await handler.proxy(
        new Request('https://proxy.example/chat/completions', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(userTurn('Hi', { stream: true })),
          signal: client.signal,
        }),
      );
      const reader = response.body!.getReader();
      await reader.read();
      expect(upstreamSignal!.aborted).toBe(false);
      if (leave === 'cancel') await reader.cancel();
      else client.abort();
      expect(upstreamSignal!.aborted, leave).toBe(true);
    }
  });

  it('a client that leaves before Pathors answers aborts the upstream call, and gets no answer nor an error logged', async () => {
    let upstreamSignal: AbortSignal | undefined;
    let called!: () => void;
    const calling = new Promise<void>((resolve) => (called = resolve));
    const handler = handlerWith((url, init) => {
      if (url.endsWith('/session')) return created();
      upstreamSignal = init.signal ?? undefined;
      called();
      // Answers only when aborted, as a fetch does.
      return new Promise<Response>((_, reject) =>
        upstreamSignal!.addEventListener('abort', () => reject(upstreamSignal!.reason), { once: true }),
      );
    });
    const client = new AbortController();
    const answered = handler.proxy(
      new Request('https://proxy.example/chat/completions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(userTurn('Hi', { stream: true })),
        signal: client.signal,
      }),
    );
    await calling;
    expect(upstreamSignal!.aborted).toBe(false);
    client.abort();
    expect(upstreamSignal!.aborted).toBe(true);
    expect((await answered).status).toBe(499);
    expect(handler.logs.filter((e) => e.type === 'upstream_error' || e.type === 'internal_error')).toEqual([]);
  });

  it('a failing sessionVariables hook is 500 internal_error, logged, with nothing sent upstream', async () => {
    const handler = handlerWith(() => json(200, {}), {
      sessionVariables: () => {
        throw new Error('user lookup failed');
      },
    });
    expect(await readError(await handler.chat())).toMatchObject({ status: 500, code: 'internal_error' });
    expect(handler.seen).toHaveLength(0);
    expect(handler.logs.find((e) => e.type === 'internal_error')).toMatchObject({
      message: expect.stringContaining('user lookup failed'),
    });
  });

  it('a throwing log hook does not break a request', async () => {
    const handler = handlerWith((url) => (url.endsWith('/session') ? created() : json(200, {})), {
      log: () => {
        throw new Error('logger down');
      },
    });
    expect((await handler.chat()).status).toBe(200);
  });

  it('strips basePath for platforms that pass the full URL, and 404s outside it', async () => {
    const handler = handlerWith(() => json(200, {}), { basePath: '/api/chat' });
    const health = await handler.proxy(new Request('https://site.example/api/chat/health'));
    expect(health.status).toBe(200);
    const outside = await handler.proxy(new Request('https://site.example/health'));
    expect(outside.status).toBe(404);
    const preflight = await handler.proxy(
      new Request('https://site.example/other', { method: 'OPTIONS', headers: { Origin: ORIGIN } }),
    );
    expect(preflight.status).toBe(404);
  });
});
