/**
 * Rate limits shared through a real redis-server: three `pathors-chat-proxy` processes behind a
 * round-robin balancer limit one visitor's flood as one proxy would; with Redis stopped they
 * behave as documented (fail-open: serve, warn, /health degraded; fail-closed: refuse), no
 * request hangs, and limits come back with Redis.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream } from '../../src/testing/index.js';
import { API_KEY, ORIGIN, SECRET } from '../runtimes/conformance.js';
import { bundleCli, startCli, startRedisSnippet } from '../runtimes/launch.js';
import type { CliProcess } from '../runtimes/launch.js';
import { startRedisServer } from '../runtimes/redis-server.js';
import type { RedisServer } from '../runtimes/redis-server.js';
import { listen } from './proxy-harness.js';

const BURST = 10;
/** A hang is a bug; this bound only turns one into a failure instead of a stuck suite. */
const HANG = 5000;

let cli: string;
let fake: FakeUpstream;
let redis: RedisServer;
const started: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  [cli, fake, redis] = await Promise.all([bundleCli(), startFakeUpstream({ apiKey: API_KEY }), startRedisServer()]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(started.splice(0).map((thing) => thing.stop()));
  await fake?.close();
  await redis?.dispose();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATHORS_API_KEY: API_KEY,
    PATHORS_PROJECT_ID: fake.projectId,
    PATHORS_BASE_URL: fake.url,
    PATHORS_ALLOWED_ORIGINS: ORIGIN,
    PATHORS_SESSION_SECRET: SECRET,
    PATHORS_RATE_LIMIT_IP_BURST: String(BURST),
    // Slow refill: a flood of a few seconds earns nothing back, so counts are exact.
    PATHORS_RATE_LIMIT_IP_PER_MINUTE: '0.1',
    // On a busy machine a call may take longer than the default 500 ms, and fail-open would let
    // that request through: the counts would be off by one. Outages are refused at once anyway
    // (no offline queue), so a long deadline keeps them fast.
    PATHORS_REDIS_TIMEOUT_MS: '5000',
    // The balancer below appends the visitor's address, as a real one would.
    PATHORS_TRUST_PROXY: '1',
    ...extra,
  };
}

async function proxies(count: number, extra: Record<string, string> = {}): Promise<CliProcess[]> {
  const list = await Promise.all(Array.from({ length: count }, () => startCli(cli, env(extra))));
  started.push(...list);
  return list;
}

/**
 * A round-robin load balancer: each request goes to the next instance, with the visitor's
 * address (from the test's `X-Visitor` header, standing for the TCP peer) appended to
 * X-Forwarded-For.
 */
async function roundRobin(instances: CliProcess[]): Promise<string> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const target = new URL(instances[next++ % instances.length]!.url);
    const headers = { ...req.headers };
    const visitor = String(headers['x-visitor'] ?? req.socket.remoteAddress);
    delete headers['x-visitor'];
    headers['x-forwarded-for'] = headers['x-forwarded-for']
      ? `${String(headers['x-forwarded-for'])}, ${visitor}`
      : visitor;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const url = await listen(server);
  started.push({
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  });
  return url;
}

/** One visitor's flood, all at once; returns the statuses. Each request must answer. */
async function flood(base: string, visitor: string, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      // A cheap guarded request: charged to the visitor's bucket, then refused (403) for its forged session.
      const response = await fetch(`${base}/sessions/not-ours`, {
        headers: { Origin: ORIGIN, 'X-Visitor': visitor },
        signal: AbortSignal.timeout(HANG),
      });
      await response.arrayBuffer();
      return response.status;
    }),
  );
}

const allowedOf = (statuses: number[]) => statuses.filter((status) => status !== 429).length;

async function health(instance: CliProcess): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${instance.url}/health`, { signal: AbortSignal.timeout(HANG) });
  return { status: response.status, body: await response.json() };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('rate limits across instances', () => {
  /** Filled by the tests, printed at the end: the figures the issue asks for. */
  const figures: Record<string, string> = {};
  const record = (what: string, statuses: number[]) => (figures[what] = `${allowedOf(statuses)} of ${statuses.length}`);

  afterAll(() => {
    console.log(`[multi-instance] one visitor's flood, burst ${BURST}, requests allowed: ${JSON.stringify(figures)}`);
  });

  it('one instance with its memory store allows the burst', async () => {
    const base = await roundRobin(await proxies(1));
    const statuses = await flood(base, '203.0.113.1', 30);
    record('1 instance, memory', statuses);
    expect(allowedOf(statuses)).toBe(BURST);
    expect(statuses.filter((status) => status !== 429).every((status) => status === 403)).toBe(true);
  });

  it('three instances with memory stores each allow it: the limit triples (why a shared store is needed)', async () => {
    const base = await roundRobin(await proxies(3));
    const statuses = await flood(base, '203.0.113.2', 30);
    record('3 instances, memory', statuses);
    expect(allowedOf(statuses)).toBe(3 * BURST);
  });

  it('three instances sharing Redis limit the flood as one proxy would', async () => {
    const instances = await proxies(3, { PATHORS_REDIS_URL: redis.url });
    const base = await roundRobin(instances);
    const statuses = await flood(base, '203.0.113.3', 30);
    record('3 instances, Redis', statuses);
    expect(allowedOf(statuses)).toBe(BURST);
    // Another visitor still has a whole bucket.
    expect(allowedOf(await flood(base, '203.0.113.4', 12))).toBe(BURST);
    // Every key the store wrote expires on its own.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('pathors:*');
      expect(keys).toEqual(expect.arrayContaining(['pathors:ip:203.0.113.3', 'pathors:ip:203.0.113.4']));
      for (const key of keys) expect(await client.pttl(key)).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });

  it('a session ended through one instance is refused by the others', async () => {
    const [first, second] = await proxies(2, { PATHORS_REDIS_URL: redis.url });
    const headers = { Origin: ORIGIN, 'Content-Type': 'application/json' };
    const created = await fetch(`${first!.url}/sessions`, {
      method: 'POST',
      headers,
      body: '{}',
      signal: AbortSignal.timeout(HANG),
    });
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };
    expect(
      (await fetch(`${second!.url}/sessions/${sessionId}`, { headers, signal: AbortSignal.timeout(HANG) })).status,
    ).toBe(200);
    const ended = await fetch(`${first!.url}/sessions/${sessionId}`, {
      method: 'DELETE',
      headers,
      signal: AbortSignal.timeout(HANG),
    });
    expect(ended.status).toBe(200);
    const after = await fetch(`${second!.url}/sessions/${sessionId}`, { headers, signal: AbortSignal.timeout(HANG) });
    expect(after.status).toBe(403);
    expect(await after.json()).toMatchObject({ error: { code: 'invalid_session' } });
  });

  it('with Redis stopped: fail-open serves and says degraded, fail-closed refuses, nothing hangs; both recover', async () => {
    const open = await proxies(3, { PATHORS_REDIS_URL: redis.url });
    const [closed] = await proxies(1, { PATHORS_REDIS_URL: redis.url, PATHORS_REDIS_FAIL_MODE: 'closed' });
    const base = await roundRobin(open);
    expect(allowedOf(await flood(base, '203.0.113.5', 15))).toBe(BURST);

    // Redis goes away while a flood is in flight: every request still gets an answer.
    const [mid] = await Promise.all([flood(base, '203.0.113.6', 20), redis.stop()]);
    expect(mid.every((status) => status === 403 || status === 429)).toBe(true);
    // Fail-open: the limited visitor is served again (403 for the forged session, not 429).
    const during = await flood(base, '203.0.113.5', 15);
    record('3 instances, Redis down (fail-open)', during);
    expect(during.every((status) => status === 403)).toBe(true);
    for (const instance of open) {
      expect(await health(instance)).toEqual({ status: 200, body: { ok: true, degraded: ['rate_limit_store'] } });
      expect(instance.output()).toContain('Redis rate-limit store unreachable');
      // One prefix per line: the store's message is not prefixed twice.
      expect(instance.output()).not.toMatch(/proxy: pathors-chat proxy/);
      expect(instance.output()).toContain('WITHOUT rate limits');
    }
    // Fail-closed: refused, at once, and /health tells the balancer.
    const refused = await fetch(`${closed!.url}/sessions/not-ours`, {
      headers: { Origin: ORIGIN },
      signal: AbortSignal.timeout(HANG),
    });
    expect(refused.status).toBe(500);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('internal_error');
    expect(await health(closed!)).toEqual({ status: 503, body: { ok: false, degraded: ['rate_limit_store'] } });
    expect(closed!.output()).toContain('requests are refused until it is back (fail-closed)');
    // The warning is said once per outage, not once per request.
    expect(open[0]!.output().split('unreachable').length - 1).toBe(1);

    await redis.start();
    for (const instance of [...open, closed!]) {
      await until(
        async () =>
          (await health(instance)).status === 200 && JSON.stringify((await health(instance)).body) === '{"ok":true}',
        'the store to recover',
      );
    }
    // Redis came back empty (no persistence): the visitor has a fresh bucket, and limits hold again.
    const after = await flood(base, '203.0.113.5', 15);
    record('3 instances, Redis back', after);
    expect(allowedOf(after)).toBe(BURST);
    expect(open[1]!.output()).toContain('reachable again');
    const served = await fetch(`${closed!.url}/sessions/not-ours`, { headers: { Origin: ORIGIN } });
    expect(served.status).toBe(403);
  }, 60_000);
});

describe('the Redis deploy snippet of docs/proxy.md', () => {
  it('two instances share the default per-IP limit (60 burst) through Redis', async () => {
    const env = {
      PATHORS_API_KEY: API_KEY,
      PATHORS_PROJECT_ID: fake.projectId,
      PATHORS_SESSION_SECRET: SECRET,
      PATHORS_BASE_URL: fake.url,
      REDIS_URL: `${redis.url}/1`,
    };
    // Database 1: the command's tests above configured other limits on the same keys in database 0.
    const instances = await Promise.all([startRedisSnippet(env), startRedisSnippet(env)]);
    started.push(...instances);
    // Until its client has connected, an instance serves without limits (fail-open): on a busy
    // machine the flood would come first. Its /health says degraded until then.
    for (const instance of instances) {
      await until(async () => {
        const response = await fetch(`${instance.base}/health`, { signal: AbortSignal.timeout(HANG) });
        return !('degraded' in ((await response.json()) as object));
      }, 'the Redis snippet connected to Redis');
    }
    const statuses = await Promise.all(
      Array.from({ length: 90 }, async (_, i) => {
        const response = await fetch(`${instances[i % 2]!.base}/sessions/not-ours`, {
          headers: { Origin: ORIGIN },
          signal: AbortSignal.timeout(HANG),
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    console.log(`[redis snippet] 2 instances, flood of 90 from one address: ${allowedOf(statuses)} allowed`);
    // 60 in the bucket; the refill (30 a minute, one per 2 s) adds a few on a slow machine. Apart, they would allow 90.
    expect(allowedOf(statuses)).toBeGreaterThanOrEqual(60);
    expect(allowedOf(statuses)).toBeLessThanOrEqual(66);
    expect((await fetch(`${instances[0]!.base}/health`)).status).toBe(200);
  });
});
