/** RedisRateLimitStore on its own, against a real redis-server and against a Redis that never answers. */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathorsProxy, ownBodyLimit } from '../../src/proxy/handler.js';
import {
  RateLimitStoreUnavailable,
  RedisRateLimitStore,
  createRedisClient,
  withStoreHealth,
} from '../../src/proxy/redis.js';
import { startRedisServer } from '../runtimes/redis-server.js';
import type { RedisServer } from '../runtimes/redis-server.js';

let redis: RedisServer;
const clients: Array<{ disconnect(): void }> = [];

beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redis?.dispose();
});

async function client(url = redis.url) {
  const made = await createRedisClient(url);
  clients.push(made);
  await new Promise<void>((resolve) => (made.status === 'ready' ? resolve() : made.on('ready', () => resolve())));
  return made;
}

describe('RedisRateLimitStore', () => {
  it('lets exactly `capacity` through when instances race for one bucket', async () => {
    const stores = [
      new RedisRateLimitStore({ client: await client() }),
      new RedisRateLimitStore({ client: await client() }),
    ];
    const bucket = { capacity: 7, refillPerMinute: 0.01 };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => stores[i % 2]!.consume('ip:race', bucket, Date.now())),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(7);
    const refused = results.find((result) => !result.allowed)!;
    // One token back at 0.01/minute takes 100 minutes.
    expect(refused.retryAfterSeconds).toBeGreaterThan(5000);
  });

  it('claims a key once until its TTL runs out (SET NX PX), across instances', async () => {
    const [a, b] = [
      new RedisRateLimitStore({ client: await client() }),
      new RedisRateLimitStore({ client: await client() }),
    ];
    expect(await a.claim('request:r-1', 300, Date.now())).toBe(true);
    expect(await b.claim('request:r-1', 300, Date.now())).toBe(false);
    await new Promise((done) => setTimeout(done, 400));
    expect(await b.claim('request:r-1', 300, Date.now())).toBe(true);
  });

  it('wrapped for /health, the proxy is still read as itself: its chat body is read whole, not streamed', async () => {
    const proxy = createPathorsProxy({
      apiKey: 'sk_test_key',
      projectId: 'proj',
      allowedOrigins: [],
      sessionSecret: 's'.repeat(32),
      maxBodyBytes: 12_345,
    });
    const wrapped = withStoreHealth(proxy, new RedisRateLimitStore({ client: await client() }));
    expect(ownBodyLimit(wrapped, 'POST', '/chat/completions')).toBe(12_345);
    expect(ownBodyLimit(wrapped, 'POST', '/elsewhere')).toBeUndefined();
  });

  it('sends the script again after Redis forgot it (a restart, SCRIPT FLUSH)', async () => {
    const raw = await client();
    const store = new RedisRateLimitStore({ client: raw });
    const bucket = { capacity: 2, refillPerMinute: 1 };
    expect((await store.consume('ip:flush', bucket, 0)).allowed).toBe(true);
    await raw.call('SCRIPT', 'FLUSH');
    expect((await store.consume('ip:flush', bucket, 0)).allowed).toBe(true);
    expect((await store.consume('ip:flush', bucket, 0)).allowed).toBe(false);
  });

  describe('against a Redis that accepts connections and never answers', () => {
    let hole: Server;
    const sockets = new Set<Socket>();
    let url: string;
    beforeAll(async () => {
      hole = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((done) => hole.listen(0, '127.0.0.1', done));
      url = `redis://127.0.0.1:${(hole.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => hole.close(done));
    });

    // A plain client, offline queue on and no command timeout: only the store's deadline can help.
    const plain = () => {
      const made = new Redis(url, { lazyConnect: false });
      made.on('error', () => undefined);
      clients.push(made);
      return made;
    };

    it('fail-open: answers "allowed" at its deadline, warns once, reports unhealthy', async () => {
      const warnings: string[] = [];
      const store = new RedisRateLimitStore({
        client: plain(),
        timeoutMs: 200,
        warn: (message) => warnings.push(message),
      });
      const results = await Promise.all([
        store.consume('ip:x', { capacity: 1, refillPerMinute: 1 }, 0),
        store.claim('request:y', 1000, 0),
      ]);
      expect(results).toEqual([{ allowed: true, retryAfterSeconds: 0 }, true]);
      expect(store.healthy).toBe(false);
      expect(await store.check()).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/unreachable \(no answer within 200 ms\).*fail-open/);
    });

    it('fail-closed: refuses at its deadline', async () => {
      const store = new RedisRateLimitStore({
        client: plain(),
        timeoutMs: 200,
        failMode: 'closed',
        warn: () => undefined,
      });
      await expect(store.consume('ip:x', { capacity: 1, refillPerMinute: 1 }, 0)).rejects.toBeInstanceOf(
        RateLimitStoreUnavailable,
      );
      await expect(store.claim('request:y', 1000, 0)).rejects.toBeInstanceOf(RateLimitStoreUnavailable);
    });
  });
});
