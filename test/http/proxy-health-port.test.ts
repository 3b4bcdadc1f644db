// The health port: GET /health from a thread of its own, so a load balancer's probe is answered
// while the proxy's event loop is busy, and told 503 when that loop is stuck.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthPort, startProxyServer } from '../../src/proxy/index.js';
import type { HealthPort, PathorsProxy, ProxyServerOptions } from '../../src/proxy/index.js';
import { API_KEY, SECRET } from './proxy-harness.js';

const dist = fileURLToPath(new URL('../../dist/proxy/index.js', import.meta.url));
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function started(proxy: PathorsProxy, stallMs?: number): Promise<HealthPort> {
  const health = await startHealthPort(proxy, { port: 0, stallMs });
  closers.push(() => health.close());
  return health;
}

/** A proxy on its own server with a health port, closed after the test. */
async function serverWithHealthPort(options: Partial<ProxyServerOptions> = {}) {
  const server = await startProxyServer({
    apiKey: API_KEY,
    projectId: 'proj_test',
    upstream: 'http://127.0.0.1:9',
    allowedOrigins: [],
    sessionSecret: SECRET,
    port: 0,
    healthPort: 0,
    log: () => undefined,
    ...options,
  });
  closers.push(() => server.close());
  return server as typeof server & { healthUrl: string };
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let tries = 0; tries < 200; tries++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never ${what}`);
}

describe('startHealthPort', () => {
  it("answers GET and HEAD /health with the proxy's own answer, and nothing else", async () => {
    const server = await serverWithHealthPort();
    expect(server.healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.healthUrl).not.toBe(server.url);

    const get = await fetch(`${server.healthUrl}/health`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(get.headers.get('cache-control')).toBe('no-store');
    expect(await get.json()).toEqual({ ok: true });
    const head = await fetch(`${server.healthUrl}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const post = await fetch(`${server.healthUrl}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toEqual({ error: { code: 'method_not_allowed', message: 'Use GET.' } });
    const chat = await fetch(`${server.healthUrl}/chat/completions`, { method: 'POST', body: '{}' });
    expect(chat.status).toBe(404);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it("answers /health for a proxy served under a basePath, as that proxy's own health", async () => {
    const server = await serverWithHealthPort({ basePath: '/api/chat' });
    expect((await fetch(`${server.url}/api/chat/health`)).status).toBe(200);
    const health = await fetch(`${server.healthUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
  });

  it("follows the proxy's answer: a store outage shows on the next probes, and so does its end", async () => {
    let degraded = false;
    const proxy: PathorsProxy = () =>
      Promise.resolve(
        degraded
          ? new Response(JSON.stringify({ ok: false, degraded: ['rate_limit_store'] }), { status: 503 })
          : new Response(JSON.stringify({ ok: true }), { status: 200 }),
      );
    const health = await started(proxy);
    const probe = async () => {
      const response = await fetch(`${health.url}/health`);
      return { status: response.status, body: (await response.json()) as unknown };
    };
    expect(await probe()).toEqual({ status: 200, body: { ok: true } });
    degraded = true;
    expect(await until(probe, (r) => r.status === 503, 'degraded')).toEqual({
      status: 503,
      body: { ok: false, degraded: ['rate_limit_store'] },
    });
    degraded = false;
    await until(probe, (r) => r.status === 200, 'healthy again');
  });

  it('tells the port that cannot be had', async () => {
    const first = await started(() => Promise.resolve(new Response('{"ok":true}')));
    const port = Number(new URL(first.url).port);
    await expect(startHealthPort(() => Promise.resolve(new Response('{"ok":true}')), { port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

describe('a proxy whose event loop is blocked (another process)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('answers on the health port at once, then says the loop is stuck; its traffic port answers only after', async () => {
    expect(existsSync(dist), 'needs `npm run build`').toBe(true);
    // The proxy and its health port in a child that blocks its own event loop when told to.
    const script = `
      import { createServer } from 'node:http';
      import { createPathorsProxy, startHealthPort, toNodeHandler } from ${JSON.stringify(dist)};
      const proxy = createPathorsProxy({
        apiKey: ${JSON.stringify(API_KEY)}, projectId: 'proj_test', upstream: 'http://127.0.0.1:9',
        allowedOrigins: [], sessionSecret: ${JSON.stringify(SECRET)}, log: () => undefined,
      });
      const server = createServer(toNodeHandler(proxy)).listen(0, '127.0.0.1', async () => {
        const health = await startHealthPort(proxy, { port: 0, stallMs: 300 });
        process.send({ traffic: 'http://127.0.0.1:' + server.address().port, health: health.url });
      });
      process.on('message', (ms) => {
        process.send('blocking');
        const end = Date.now() + ms;
        while (Date.now() < end);
        process.send('unblocked');
      });
    `;
    child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const forked = child;
    const urls = await new Promise<{ traffic: string; health: string }>((resolve, reject) => {
      forked.once('message', (message) => resolve(message as { traffic: string; health: string }));
      forked.once('exit', (code) => reject(new Error(`the child exited ${code}`)));
    });
    const seen: string[] = [];
    forked.on('message', (message) => {
      if (message === 'unblocked') seen.push('unblocked');
    });
    const blocking = new Promise((resolve) => forked.once('message', resolve));
    forked.send(3000);
    await blocking;

    const traffic = fetch(`${urls.traffic}/health`).then((response) => seen.push(`traffic ${response.status}`));
    const first = await fetch(`${urls.health}/health`);
    seen.push(`health ${first.status}`);
    // The loop has now owed an answer for longer than stallMs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stuck = await fetch(`${urls.health}/health`);
    seen.push(`health ${stuck.status}`);
    expect(await stuck.json()).toMatchObject({ ok: false, degraded: ['event_loop'] });
    await traffic;
    expect(seen.slice(0, 3)).toEqual(['health 200', 'health 503', 'unblocked']);
    expect(seen).toContain('traffic 200');
    // Once the loop runs again, it answers the probe it owed, and the port is healthy again.
    await until(
      () => fetch(`${urls.health}/health`).then((response) => response.status),
      (status) => status === 200,
      'healthy again',
    );
  }, 20_000);
});
