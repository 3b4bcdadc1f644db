/**
 * The upstream fetch over node:http (`createNodeFetch`, startProxyServer's default): its bodies
 * are piped socket to socket by the Node adapter, so every rule the undici path keeps is checked
 * again here, over real sockets.
 */
import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createNodeFetch } from '../../src/proxy/index.js';
import { expectNoKeyLeak, listen, readError, startBench, userTurn } from './proxy-harness.js';
import type { BenchOptions } from './proxy-harness.js';

function benchWith(options: BenchOptions = {}) {
  return startBench({ ...options, proxy: { fetch: createNodeFetch(), ...options.proxy } });
}

describe('proxy on the node:http upstream fetch', () => {
  it("streams SSE through with the proxy's own headers, a session, and [DONE]", async () => {
    const bench = await benchWith({ fake: { tokenDelayMs: 5 } });
    try {
      const response = await bench.chat(userTurn('Hello', { stream: true }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.headers.get('content-encoding')).toBeNull();
      const sessionId = response.headers.get('x-session-id')!;
      const text = await response.text();
      expect(text).toContain('data: [DONE]');
      // A conversation under way, then its history, then its end.
      const again = await bench.chat(userTurn('More', { stream: false }), { 'X-Session-ID': sessionId });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { choices: unknown[] }).choices).toHaveLength(1);
      const history = await fetch(`${bench.url}/sessions/${sessionId}`);
      expect(((await history.json()) as { messages: unknown[] }).messages.length).toBeGreaterThanOrEqual(3);
      expect((await fetch(`${bench.url}/sessions/${sessionId}`, { method: 'DELETE' })).status).toBe(200);
      expectNoKeyLeak(bench);
    } finally {
      await bench.close();
    }
  });

  it('aborts the upstream promptly when the client disconnects mid-stream', async () => {
    const bench = await benchWith({ fake: { tokenDelayMs: 100 } });
    try {
      const response = await bench.chat(userTurn('Write me a long story', { stream: true }));
      const reader = response.body!.getReader();
      await reader.read();
      await reader.cancel();
      const aborted = await bench.fake.waitForAbort(3000);
      expect(aborted.kind).toBe('chat');
      expect(aborted.ended).toBe(false);
    } finally {
      await bench.close();
    }
  });

  it('cuts a stream silent past streamIdleTimeoutMs, and one the upstream drops, so the client sees it broken', async () => {
    const idle = await benchWith({ fake: { tokenDelayMs: 800 }, proxy: { streamIdleTimeoutMs: 200 } });
    try {
      const response = await idle.chat(userTurn('Hi', { stream: true }));
      await expect(response.text()).rejects.toThrow();
      await idle.fake.waitForAbort(2000);
      expect(idle.logs.some((e) => e.type === 'stream_error')).toBe(true);
      idle.fake.injectFault('drop-mid-stream');
      const dropped = await idle.chat(userTurn('Hi', { stream: true }));
      await expect(dropped.text()).rejects.toThrow();
    } finally {
      await idle.close();
    }
  });

  it('lets a reply that keeps sending run past streamIdleTimeoutMs, on either upstream fetch', async () => {
    for (const fetch of [createNodeFetch(), undefined]) {
      // 40 tokens 30 ms apart, over a second in all, against a 300 ms deadline for silence.
      const bench = await startBench({
        fake: { tokenDelayMs: 30, script: [{ match: () => true, reply: 'word '.repeat(40) }] },
        proxy: { fetch, streamIdleTimeoutMs: 300 },
      });
      try {
        const response = await bench.chat(userTurn('Hi', { stream: true }));
        const text = await response.text();
        expect(text.split('data: ').length, 'tokens').toBeGreaterThan(30);
        expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
        expect(bench.logs.some((e) => e.type === 'stream_error')).toBe(false);
      } finally {
        await bench.close();
      }
    }
  });

  it('maps upstream refusals, a late answer, and an unreachable upstream as the undici path does', async () => {
    const bench = await benchWith({ proxy: { upstreamTimeoutMs: 500 } });
    try {
      bench.fake.injectFault('http-401');
      expect(await readError(await bench.chat(userTurn()))).toMatchObject({ status: 502, code: 'proxy_misconfigured' });
      bench.fake.injectFault('slow-first-byte', 1, { delayMs: 3000 });
      expect(await readError(await bench.chat(userTurn('Hi', { stream: true })))).toMatchObject({
        status: 504,
        code: 'upstream_timeout',
      });
      await bench.fake.waitForAbort(2000);
      expectNoKeyLeak(bench);
    } finally {
      await bench.close();
    }
    const dead = createServer();
    const url = await listen(dead);
    await new Promise((resolve) => dead.close(resolve));
    const gone = await benchWith({ proxy: { upstream: url } });
    try {
      expect(await readError(await gone.chat(userTurn()))).toMatchObject({ status: 502, code: 'upstream_unreachable' });
    } finally {
      await gone.close();
    }
  });

  it("lets go of the caller's signal once a body is read, so a composite signal is not kept alive", async () => {
    // Node keeps an AbortSignal.any() alive while it has an abort listener: one left behind per
    // request held every upstream response (and its buffers) for the life of the process.
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end('data: [DONE]\n\n');
    });
    const url = await listen(upstream);
    try {
      const nodeFetch = createNodeFetch();
      const signal = AbortSignal.any([new AbortController().signal]);
      const response = await nodeFetch(url, { method: 'POST', body: '{}', signal });
      expect(await response.text()).toBe('data: [DONE]\n\n');
      await new Promise((resolve) => setImmediate(resolve));
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      upstream.close();
    }
  });

  it('refuses a gzipped body it will not read (an HTML error page, a large 500) and frees its socket', async () => {
    // What a CDN or firewall in front of the upstream sends, compressed because the proxy asks for it.
    const large = gzipSync(randomBytes(2_000_000).toString('base64'));
    const upstream = createServer((req, res) => {
      req.resume();
      if (req.url?.endsWith('/session')) return res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      if ((req.headers['accept'] ?? '').includes('json'))
        return res.writeHead(500, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' }).end(large);
      res
        .writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' })
        .end(gzipSync('<html>Bad gateway</html>'));
    });
    const url = await listen(upstream);
    const bench = await benchWith({ proxy: { upstream: url } });
    try {
      // Unread and destroyed, its decoder's error once went unheard and ended the process.
      const html = await readError(await bench.chat(userTurn('Hi', { stream: true })));
      expect(html).toMatchObject({ status: 502, code: 'upstream_bad_response' });
      for (let i = 0; i < 3; i++) {
        const failed = await readError(await bench.chat(userTurn('Hi', { stream: false })));
        expect(failed.status).toBe(502);
      }
      // Read in part (the proxy reads the start of an error body): the rest is dropped with its socket.
      const open = () => new Promise<number>((resolve) => upstream.getConnections((_, count) => resolve(count)));
      for (let waited = 0; (await open()) > 0 && waited < 3000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await open()).toBe(0);
    } finally {
      await bench.close();
      upstream.close();
    }
  });

  it('decodes a gzipped upstream answer and refuses a redirect', async () => {
    const body = JSON.stringify({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'zipped hello' }, finish_reason: 'stop' }],
    });
    const upstream = createServer((req, res) => {
      req.resume();
      if (req.url?.endsWith('/session')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      } else if (req.headers['x-session-id'] && (req.headers['accept'] ?? '').includes('json')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(gzipSync(body));
      } else {
        res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' }).end();
      }
    });
    const url = await listen(upstream);
    const bench = await benchWith({ proxy: { upstream: url } });
    try {
      const response = await bench.chat(userTurn());
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(await response.text()).toBe(body);
      // The proxy asks for redirect: 'manual' (workerd refuses 'error'): the 3xx comes back, unfollowed, as upstream_error.
      const redirected = await readError(await bench.chat(userTurn('Hi', { stream: true })));
      expect(redirected).toMatchObject({ status: 502, code: 'upstream_error' });
    } finally {
      await bench.close();
      upstream.close();
    }
  });
});
