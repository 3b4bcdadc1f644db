/**
 * The proxy's edges (issue 10 §3), over real sockets: silent connections, too many of them from
 * one peer, methods a Fetch Request cannot carry, hostile nesting, and tool names the page could
 * never have offered.
 */
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPathorsProxy, guardServer, startProxyServer, toNodeHandler } from '../../src/proxy/index.js';
import { API_KEY, ORIGIN, SECRET, expectNoKeyLeak, listen, readError, startBench } from './proxy-harness.js';
import type { Bench } from './proxy-harness.js';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream } from '../../src/testing/index.js';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream({ apiKey: API_KEY });
});
afterAll(() => fake.close());

/** The proxy's options against `upstream`, for createPathorsProxy or startProxyServer. */
const optionsFor = (upstream: FakeUpstream) => ({
  apiKey: upstream.apiKey,
  projectId: upstream.projectId,
  upstream: upstream.url,
  allowedOrigins: [ORIGIN],
  sessionSecret: SECRET,
});

const proxy = () => createPathorsProxy(optionsFor(fake));

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Opens a TCP connection that sends nothing; resolves once connected. */
function silentSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    // Reading, so the server's close arrives as 'end' then 'close' (a paused socket may never see it).
    socket.resume();
  });
}

function closed(socket: Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

function rawRequest(
  url: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers: { Origin: ORIGIN } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('toNodeHandler: requests a Fetch Request cannot represent', () => {
  it('TRACE answers 405 JSON, on node:http and under an Express-style next, never 500', async () => {
    const method = 'TRACE';
    const errors: unknown[] = [];
    const handler = toNodeHandler(proxy());
    const bare = createServer(handler);
    const mounted = createServer((req: IncomingMessage, res: ServerResponse) =>
      handler(req, res, (error?: unknown) => {
        errors.push(error);
        res.writeHead(error ? 500 : 404).end();
      }),
    );
    const urls = [await listen(bare), await listen(mounted)];
    try {
      for (const url of urls) {
        for (const path of ['/chat/completions', '/health', '/elsewhere']) {
          const answer = await rawRequest(url, method, path);
          expect(answer.status, `${url} ${path}`).toBe(405);
          expect(answer.headers['content-type']).toMatch(/^application\/json/);
          expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'method_not_allowed' } });
          expect(answer.headers.allow).toContain('POST');
        }
      }
      // node:http's own parser refuses TRACK before any handler runs: a plain 400, never a 500.
      for (const url of urls) expect((await rawRequest(url, 'TRACK', '/chat/completions')).status).toBe(400);
      // The site's error handler never saw either.
      expect(errors).toEqual([]);
      // The server is still fine.
      expect((await fetch(`${urls[0]}/health`)).status).toBe(200);
    } finally {
      bare.close();
      mounted.close();
    }
  });
});

describe('guardServer and startProxyServer: connections that hold a descriptor without using it', () => {
  it('closes connections that send nothing, or only part of a head, within the headers timeout', async () => {
    const server = guardServer(createServer(toNodeHandler(proxy())), { headersTimeoutMs: 500 });
    const url = await listen(server);
    try {
      const silent = await Promise.all(Array.from({ length: 30 }, () => silentSocket(portOf(url))));
      const partial = await silentSocket(portOf(url));
      partial.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      const started = Date.now();
      await Promise.all([...silent, partial].map(closed));
      // Closed by the server well before a test timeout; generous for a busy machine.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('leaves a streaming response open past the headers timeout', async () => {
    const slow = await startFakeUpstream({
      apiKey: API_KEY,
      script: [{ match: /./, reply: 'one two three four five' }],
      tokenDelayMs: 150,
    });
    const server = await startProxyServer({ ...optionsFor(slow), port: 0, headersTimeoutMs: 1000 });
    try {
      const silent = await silentSocket(portOf(server.url));
      const response = await fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }),
      });
      const text = await response.text();
      expect(text).toContain('data: [DONE]');
      await closed(silent);
    } finally {
      await server.close();
      await slow.close();
    }
  });

  it('over HTTPS: leaves a stream open past the headers timeout, and closes a connection silent after its handshake', async () => {
    const slow = await startFakeUpstream({
      apiKey: API_KEY,
      script: [{ match: /./, reply: 'one two three four five six seven eight' }],
      tokenDelayMs: 150,
    });
    // A self-signed certificate for 127.0.0.1, for tests only.
    const tls = { key: readFileSync('test/fixtures/tls/key.pem'), cert: readFileSync('test/fixtures/tls/cert.pem') };
    const proxied = createPathorsProxy({
      apiKey: slow.apiKey,
      projectId: slow.projectId,
      upstream: slow.url,
      allowedOrigins: [ORIGIN],
      sessionSecret: SECRET,
    });
    const server = guardServer(createHttpsServer(tls, toNodeHandler(proxied)), { headersTimeoutMs: 500 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const silent = connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false });
      silent.resume();
      const text = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          {
            port,
            host: '127.0.0.1',
            path: '/chat/completions',
            method: 'POST',
            rejectUnauthorized: false,
            headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve(body));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }));
      });
      // Eight tokens 150 ms apart: well past the 500 ms for a request head.
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      await closed(silent as unknown as Socket);
    } finally {
      server.close();
      server.closeAllConnections();
      await slow.close();
    }
  });

  it("leaves the site's upgraded connections (WebSockets) open past the headers timeout", async () => {
    const server = guardServer(createServer(toNodeHandler(proxy())), { headersTimeoutMs: 300 });
    server.on('upgrade', (_req, socket: Socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      const ping = setInterval(() => socket.write('ping\n'), 50);
      // The test hangs up while a ping may be on its way.
      socket.on('error', () => clearInterval(ping));
      socket.on('close', () => clearInterval(ping));
    });
    const url = await listen(server);
    try {
      const socket = await silentSocket(portOf(url));
      socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      // Twenty pings, 50 ms apart: three times the headers timeout, the connection still up.
      let pings = 0;
      await new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk: Buffer) => {
          pings += chunk.toString().split('ping').length - 1;
          if (pings >= 20) resolve();
        });
        socket.once('close', () => reject(new Error(`closed after ${pings} pings`)));
      });
      expect(socket.destroyed).toBe(false);
      socket.destroy();
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('caps open connections per peer address, and frees the slot when one closes', async () => {
    const server = guardServer(createServer(toNodeHandler(proxy())), {
      maxConnectionsPerIp: 3,
      exemptFromCap: () => false,
    });
    const url = await listen(server);
    try {
      const held = await Promise.all(Array.from({ length: 3 }, () => silentSocket(portOf(url))));
      const refused = await silentSocket(portOf(url));
      const data: Buffer[] = [];
      refused.on('data', (chunk: Buffer) => data.push(chunk));
      await closed(refused);
      expect(Buffer.concat(data).length).toBe(0);
      held[0]!.destroy();
      await closed(held[0]!);
      // The server sees the close a moment later; a fresh connection then gets through.
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = await fetch(`${url}/health`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(200);
      for (const socket of held) socket.destroy();
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it.each([
    ['trusts X-Forwarded-For', { trustProxy: true }, 200],
    ['reads the client address its own way', { clientIp: () => '203.0.113.7' }, 200],
    ['sees visitors directly', {}, 0],
  ] as const)(
    'startProxyServer lifts the cap when it %s (one peer carries every visitor)',
    async (_, behind, health) => {
      const server = await startProxyServer({
        ...optionsFor(fake),
        port: 0,
        // Loopback stands in for the load balancer's address here.
        exemptFromCap: () => false,
        ...behind,
      });
      const held = await Promise.all(Array.from({ length: 64 }, () => silentSocket(portOf(server.url))));
      try {
        const status = await fetch(`${server.url}/health`).then(
          (r) => r.status,
          () => 0,
        );
        expect(status).toBe(health);
      } finally {
        for (const socket of held) socket.destroy();
        await server.close();
      }
    },
  );

  it('exempts loopback peers by default (a reverse proxy on the same host carries every visitor)', async () => {
    const server = guardServer(createServer(toNodeHandler(proxy())), { maxConnectionsPerIp: 2 });
    const url = await listen(server);
    try {
      const held = await Promise.all(Array.from({ length: 4 }, () => silentSocket(portOf(url))));
      expect((await fetch(`${url}/health`)).status).toBe(200);
      for (const socket of held) socket.destroy();
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

describe('proxy: hostile nesting and foreign tool names', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await startBench({
      fake: {
        script: [
          { match: /weather/i, toolCalls: [{ name: 'weather.lookup v2', arguments: { city: 'Oslo' } }] },
          { match: (ctx) => ctx.phase === 'tool-results', reply: 'Sorry, I could not look that up.' },
        ],
      },
    });
  });
  beforeEach(() => bench.fake.reset());
  afterAll(async () => {
    expectNoKeyLeak(bench);
    await bench.close();
  });

  it('refuses a tool schema nested 40,000 levels with 400 before anything goes upstream: no session is created', async () => {
    const depth = 40_000;
    const parameters = `{"type":"object","properties":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    const body = `{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"deep","parameters":${parameters}}}]}`;
    expect(body.length).toBeGreaterThan(160_000);
    const error = await readError(await bench.chat(body));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', field: 'tools[0].function.parameters' });
    expect(bench.upstreamCount()).toBe(0);
    expect(bench.fake.sessions.size).toBe(0);
  });

  it('accepts a schema of ordinary depth', async () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i++) schema = { type: 'object', properties: { a: schema } };
    const response = await bench.chat({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'fine', parameters: schema } }],
    });
    expect(response.status).toBe(200);
    await response.text();
  });

  it('relays a tool call whose name the page could never offer, and accepts the follow-up that answers it with an error', async () => {
    const first = await bench.chat({ messages: [{ role: 'user', content: 'weather in Oslo?' }], stream: true });
    expect(first.status).toBe(200);
    const sessionId = first.headers.get('x-session-id')!;
    const text = await first.text();
    const calls = text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .flatMap(
        (line) =>
          (
            JSON.parse(line.slice(6)) as {
              choices: Array<{ delta: { tool_calls?: Array<{ id?: string; function?: { name?: string } }> } }>;
            }
          ).choices[0]!.delta.tool_calls ?? [],
      );
    const id = calls.find((call) => call.id)!.id!;
    expect(calls.find((call) => call.function?.name)?.function?.name).toBe('weather.lookup v2');

    const followUp = await bench.chat(
      {
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id, type: 'function', function: { name: 'weather.lookup v2', arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: id, content: '{"error":"No tool named weather.lookup v2 on this page."}' },
        ],
        stream: true,
      },
      { 'X-Session-ID': sessionId },
    );
    expect(followUp.status).toBe(200);
    const answer = await followUp.text();
    expect(answer).toContain('"content":"Sorry,"');
    expect(answer).toContain('data: [DONE]');
  });
});
