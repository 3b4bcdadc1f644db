import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathorsProxy, startProxyServer, toNodeHandler } from '../../src/proxy/index.js';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream } from '../../src/testing/index.js';
import { API_KEY, ORIGIN, SECRET, listen, userTurn } from './proxy-harness.js';

let fake: FakeUpstream;

beforeAll(async () => {
  fake = await startFakeUpstream({ apiKey: API_KEY });
});
afterAll(() => fake.close());

function proxy() {
  return createPathorsProxy({
    apiKey: fake.apiKey,
    projectId: fake.projectId,
    upstream: fake.url,
    allowedOrigins: [ORIGIN],
    sessionSecret: SECRET,
  });
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
  });
}

describe('toNodeHandler: node:http, Express and Connect', () => {
  it('mounted under a path the way Express does it (req.url relative), passing the rest to next() with its body intact', async () => {
    const handler = toNodeHandler(proxy());
    // A stand-in for `app.use('/api/chat', handler)` followed by the site's own routes.
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const site = async () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`site saw ${req.method} ${req.url} ${await readAll(req)}`);
      };
      if (req.url?.startsWith('/api/chat/')) {
        req.url = req.url.slice('/api/chat'.length);
        handler(req, res, () => void site());
      } else {
        void site();
      }
    });
    const url = await listen(server);
    try {
      const health = await fetch(`${url}/api/chat/health`);
      expect(await health.json()).toEqual({ ok: true });
      const chat = await fetch(`${url}/api/chat/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
        body: JSON.stringify(userTurn()),
      });
      expect(chat.status).toBe(200);
      await chat.text();
      const other = await fetch(`${url}/api/chat/not-ours`, { method: 'POST', body: 'form=1' });
      expect(await other.text()).toBe('site saw POST /not-ours form=1');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('uses a body an Express parser already read (req.body), instead of waiting on a drained stream', async () => {
    const handler = toNodeHandler(proxy());
    const server = createServer(async (req, res) => {
      const parsed = JSON.parse(await readAll(req)) as unknown;
      (req as IncomingMessage & { body?: unknown }).body = parsed;
      handler(req, res);
    });
    const url = await listen(server);
    try {
      fake.reset();
      const response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
        body: JSON.stringify(userTurn('Parsed before')),
      });
      expect(response.status).toBe(200);
      await response.text();
      expect(fake.requests.find((r) => r.kind === 'chat')!.body).toMatchObject({
        messages: [{ role: 'user', content: 'Parsed before' }],
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 404 JSON itself when there is no next()', async () => {
    const server = createServer(toNodeHandler(proxy()));
    const url = await listen(server);
    try {
      const response = await fetch(`${url}/nope`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads a path that starts with // as a path, not as a host', async () => {
    const passed: string[] = [];
    const handler = toNodeHandler(proxy());
    const server = createServer((req, res) =>
      handler(req, res, () => {
        passed.push(req.url ?? '');
        res.writeHead(204).end();
      }),
    );
    const url = await listen(server);
    try {
      const status = (path: string) =>
        new Promise<number>((resolve, reject) =>
          httpRequest(`${url}${path}`, { path }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', reject)
            .end(),
        );
      expect(await status('/health')).toBe(200);
      // Someone else's path: it goes to next(), not to the proxy's /health.
      expect(await status('//static.example/health')).toBe(204);
      expect(passed).toEqual(['//static.example/health']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('passes every Set-Cookie of a Fetch handler on, not the last alone', async () => {
    const server = createServer(
      toNodeHandler(() => {
        const headers = new Headers({ 'Content-Type': 'text/plain' });
        headers.append('Set-Cookie', 'a=1; Path=/');
        headers.append('Set-Cookie', 'b=2; Path=/');
        return Promise.resolve(new Response('ok', { headers }));
      }),
    );
    const url = await listen(server);
    try {
      expect((await fetch(url)).headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('startProxyServer', () => {
  it('listens, reports its URL, serves, and closes', async () => {
    const server = await startProxyServer({
      apiKey: fake.apiKey,
      projectId: fake.projectId,
      upstream: fake.url,
      allowedOrigins: [ORIGIN],
      sessionSecret: SECRET,
      port: 0,
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/sessions`, { method: 'POST', headers: { Origin: ORIGIN } });
    expect(response.status).toBe(201);
    await response.text();
    await server.close();
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
